"""Claims reading benchmark: time of ``read_claims`` per input format, and a digest of what it read.

Usage::

    .venv/bin/python benchmarks/bench_claims_read.py [--rows 50000] [--repeat 3] [--raw DIR] [--json]

Inputs, written to a temporary folder (deterministic, seed 1):

* a canonical claims CSV of ``--rows`` rows (places, times with day parts, synonyms, lat/lon,
  quotes), and the same rows as JSON Lines and as a GeoJSON FeatureCollection;
* each ACLED and UCDP GED sample of ``--raw`` (default ``../shared/data/conflict/raw``) with its
  data rows repeated until it has about ``--rows`` rows (skipped when the folder is absent).

For each file: the best wall and CPU time of ``--repeat`` reads, rows per CPU second, and a SHA-256 digest
of the claims (written back with ``write_claims_csv``, plus each claim's origin) and of the load
report (file paths made relative). The digests show that two versions of the reader (e.g.
before and after a refactoring) read the same claims and report the same problems: run this
script in both trees and compare. It imports only ``mapper.read_claims`` and
``mapper.write_claims_csv``, which every version has.

The "Claims reading" section of benchmarks/RESULTS.md records such a comparison.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RAW = REPO.parent / "shared" / "data" / "conflict" / "raw"

PLACES = [("Qala-e-Naw", "Badghis", 34.985, 63.128), ("Kunduz", "Kunduz", 36.728, 68.857),
          ("Taloqan", "Takhar", 36.736, 69.534), ("Lashkar Gah", "Helmand", 31.593, 64.371),
          ("Kherson", "Khersonska", 46.635, 32.617), ("Bakhmut", "Donetska", 48.595, 38.000),
          ("El Fasher", "North Darfur", 13.627, 25.349), ("Idlib", "Idlib", 35.930, 36.634)]
STATUSES = ["captured", "controlled", "clashes", "airstrike", "denied", "retook", "contested", "shelling"]
DAY_PARTS = ["", " morning", " afternoon", " evening", "T14:05", "T06:30+04:30"]


def canonical_rows(n: int, rng: random.Random) -> list:
    rows = []
    for i in range(n):
        place, admin1, lat, lon = rng.choice(PLACES)
        day = 1 + i % 28
        rows.append({
            "id": f"c{i}", "place": place, "time": f"2021-07-{day:02d}{rng.choice(DAY_PARTS)}",
            "status": rng.choice(STATUSES), "actor": rng.choice(["Taliban", "Government", "RSF", ""]),
            "claimant": f"Claimant {i % 97}", "source": f"Outlet {i % 13}",
            "url": f"https://example.org/{i}", "quote": f"Report {i}: fighting near {place}, residents said.",
            "admin1": admin1, "lat": f"{lat + rng.uniform(-0.05, 0.05):.5f}",
            "lon": f"{lon + rng.uniform(-0.05, 0.05):.5f}", "notes": "" if i % 5 else "relative time: on Tuesday",
        })
    return rows


def write_inputs(folder: Path, n: int, raw: Path) -> list:
    rng = random.Random(1)
    rows = canonical_rows(n, rng)
    out = []
    p = folder / "canonical.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out.append(("canonical", "csv", p))
    p = folder / "canonical.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out.append(("canonical", "jsonl", p))
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(r["lon"]), float(r["lat"])]},
              "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")}} for r in rows]
    p = folder / "canonical.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    out.append(("canonical", "geojson", p))
    if raw.is_dir():
        for src in sorted(raw.glob("*.csv")):
            with src.open(encoding="utf-8", newline="") as fh:
                table = list(csv.reader(fh))
            header, data = table[0], table[1:]
            copies = max(1, n // max(1, len(data)))
            p = folder / src.name
            with p.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                for _ in range(copies):
                    w.writerows(data)
            out.append((src.stem, "csv", p))
    return out


def digest(claims, report, folder: Path) -> tuple:
    from mapper import write_claims_csv

    buf = io.StringIO()
    write_claims_csv(claims, buf)
    h = hashlib.sha256(buf.getvalue().encode("utf-8"))
    for c in claims:
        h.update(f"{os.path.basename(c.origin.path)}|{c.origin.row}|{c.origin.format}\n".encode())
    rep = json.dumps(report.to_dict(), sort_keys=True, default=str).replace(str(folder) + os.sep, "")
    return h.hexdigest()[:16], hashlib.sha256(rep.encode("utf-8")).hexdigest()[:16]


def run(n: int, repeat: int, raw: Path = RAW) -> list:
    from mapper import read_claims

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, container, path in write_inputs(folder, n, raw):
            best = best_cpu = float("inf")
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                claims, report = read_claims(path, tz="Asia/Kabul")
                best = min(best, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.process_time() - c0)
            fmt = ", ".join(report.formats) or "-"
            d_claims, d_report = digest(claims, report, folder)
            results.append({"input": f"{name} ({container})", "format": fmt, "rows": report.read,
                            "accepted": report.accepted, "rejected": report.rejected_rows, "seconds": best, "cpu_seconds": best_cpu,
                            "claims_digest": d_claims, "report_digest": d_report})
    return results


def table(results: list) -> str:
    lines = ["| input | detected as | rows | accepted | rejected | best wall (CPU) | rows/s (CPU) | claims digest | report digest |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['input']} | {r['format']} | {r['rows']:,} | {r['accepted']:,} | {r['rejected']:,} | "
                     f"{r['seconds']:.2f} s ({r['cpu_seconds']:.2f} s) | {r['rows'] / r['cpu_seconds']:,.0f} | "
                     f"`{r['claims_digest']}` | "
                     f"`{r['report_digest']}` |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--raw", type=Path, default=RAW, help="folder of ACLED/UCDP sample CSVs")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    results = run(args.rows, args.repeat, args.raw)
    print(json.dumps(results, indent=1) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
