"""Gazetteer sources benchmark: GeoNames dump load rate and memory, query latency after the load,
and geocoding accuracy on ``../shared/data/conflict/dev_toponyms.csv`` with the geoBoundaries
ADM1/ADM2 files for Afghanistan and Tajikistan added to the embedded data.

Usage::

    .venv/bin/python benchmarks/bench_sources.py [--base DIR] [--rows 1000000] [--alternates 500000]
        [--skip-load] [--keep DIR] [--json out.json]
    .venv/bin/python benchmarks/bench_sources.py --latency-only DIR     # an index kept with --keep

``--base`` is a folder holding an embedded-only index (``conflictmap gazetteer build``);
without it one is built in a temp folder (~30-60 s). Each stage works on its own copy.

The real ``allCountries`` dump is not at hand, so the load stage uses a synthetic file of the
same shape (``benchmarks/make_synthetic_geonames.py``: 19 tab-separated columns, the real
feature-class mix, ~120 bytes/row like the real 1.6 GB / 13M rows) and loads it in a child
process to read its peak RSS. The extrapolation to 13M rows is linear in rows (the loader
streams; memory does not grow with the file, see the two sizes measured).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

ALL_COUNTRIES_ROWS = 13_000_000
BOUNDARIES = [("afg/geoBoundaries-AFG-ADM1.geojson", 1), ("afg/geoBoundaries-AFG-ADM2.geojson", 2),
              ("tjk/geoBoundaries-TJK-ADM1.geojson", 1), ("tjk/geoBoundaries-TJK-ADM2.geojson", 2)]


def _copy(base: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy(base / "gazetteer.sqlite", dst / "gazetteer.sqlite")
    return dst


def _base_index(args, tmp: Path) -> Path:
    if args.base and (args.base / "gazetteer.sqlite").exists():
        return args.base
    from gazetteer.build import build_index

    folder = tmp / "base"
    t = time.perf_counter()
    build_index(folder / "gazetteer.sqlite")
    print(f"built the embedded index in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return folder


# ---------------------------------------------------------------------------- load rate
def measure_load(index_dir: Path, files: list) -> dict:
    """Load GeoNames files in a child process; wall time, rows/s and peak RSS."""
    code = (
        "import json, resource, time, sys; from gazetteer.sources.geonames import add_geonames; "
        f"t = time.perf_counter(); rs = add_geonames({str(index_dir)!r}, {[str(f) for f in files]!r}); "
        "dt = time.perf_counter() - t; ru = resource.getrusage(resource.RUSAGE_SELF); "
        "print(json.dumps({'seconds': dt, 'reports': [dict(source=r.source, rows=r.rows, added=r.added, "
        "merged=r.merged, names=r.names, seconds=r.seconds, malformed=r.malformed) for r in rs], "
        "'cpu_seconds': ru.ru_utime + ru.ru_stime, 'peak_rss_mb': _peak()}))"
    )
    # VmHWM is this process's own high-water mark; ru_maxrss would include the parent's (kept across exec).
    code = (
        "def _peak():\n"
        "    import resource\n"
        "    try:\n"
        "        for line in open('/proc/self/status'):\n"
        "            if line.startswith('VmHWM:'):\n"
        "                return int(line.split()[1]) / 1024\n"
        "    except OSError:\n"
        "        pass\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
    ) + code.replace("; from gazetteer", "\nfrom gazetteer", 1)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    if out.returncode:
        raise SystemExit(out.stderr)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["index_mb"] = round((index_dir / "gazetteer.sqlite").stat().st_size / 1e6, 1)
    return res


def load_stage(base: Path, tmp: Path, rows_list, alternates: int) -> dict:
    import make_synthetic_geonames as gen

    out = {}
    for rows in rows_list:
        folder = tmp / f"gn-{rows}"
        info = gen.generate(folder, rows, alternates=alternates if rows == max(rows_list) else 0,
                            admin_codes=SHARED / "geonames" if (SHARED / "geonames").exists() else None)
        dump = Path(info["paths"]["dump"])
        idx = _copy(base, tmp / f"idx-{rows}")
        res = measure_load(idx, [dump])
        rep = res["reports"][0]
        res["rows_per_s"] = round(rep["rows"] / rep["seconds"])
        res["rows_per_cpu_s"] = round(rep["rows"] / res["cpu_seconds"])  # less sensitive to other jobs
        res["file_mb"] = round(dump.stat().st_size / 1e6, 1)
        if "alternates" in info["paths"]:
            alt = measure_load(idx, [Path(info["paths"]["alternates"])])
            arep = alt["reports"][0]
            res["alternates"] = {"rows": arep["rows"], "names": arep["names"], "seconds": round(arep["seconds"], 1),
                                 "rows_per_s": round(arep["rows"] / arep["seconds"]),
                                 "rows_per_cpu_s": round(arep["rows"] / alt["cpu_seconds"]),
                                 "peak_rss_mb": alt["peak_rss_mb"]}
        out[rows] = res
        out[rows]["index_dir"] = str(idx)
        print(f"load {rows:,} rows: {rep['seconds']:.0f} s, {res['rows_per_s']:,} rows/s "
              f"({res['rows_per_cpu_s']:,} rows per CPU-second), "
              f"peak RSS {res['peak_rss_mb']:.0f} MB, index {res['index_mb']} MB", file=sys.stderr)
    return out


# ---------------------------------------------------------------------------- query latency
def _stats(values) -> dict:
    values = sorted(values)
    return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(values[int(0.95 * len(values)) - 1], 2),
            "p99_ms": round(values[int(0.99 * len(values)) - 1], 2), "max_ms": round(values[-1], 2),
            "over_10ms": sum(v > 10 for v in values)}


def latency_stage(index_dir: Path, n=300, seed=3) -> dict:
    """Per-query latency of distinct names after the load (answer memo cleared before each query):
    synthetic exact names, synthetic names with a letter changed (variant/fuzzy path) with and
    without the country hint, and real dev toponyms. Wall and CPU time per query (the machine is
    shared: CPU time is what the query itself cost); for the misspelt names also the share whose
    best answer is the place they were made from (or a namesake of it in the same country)."""
    import sqlite3

    from bench_gazetteer import DEFAULT_TOPONYMS, load_rows

    from gazetteer import Gazetteer
    from gazetteer.normalize import normalize

    rng = random.Random(seed)
    conn = sqlite3.connect(index_dir / "gazetteer.sqlite")
    pids = [p for (p,) in conn.execute("SELECT pid FROM places WHERE source = 'geonames:allCountries'")]
    synth = [conn.execute("SELECT name, country_code, id FROM places WHERE pid = ?", (p,)).fetchone()
             for p in rng.sample(pids, 2 * n)]
    conn.close()
    # The 2M-element list would be traversed by every garbage collection that meets it (~20 ms
    # inside whichever query triggers it): free it before timing.
    del pids
    gc.collect()
    exact = [(name, cc, pid) for name, cc, pid in synth[:n]]
    typos = []
    for name, cc, pid in synth[n:]:
        i = rng.randrange(1, max(2, len(name) - 1))
        typos.append((name[:i] + rng.choice("aeiouklmnr") + name[i + 1:], cc, (pid, normalize(name), cc)))
    dev = []
    if DEFAULT_TOPONYMS.exists():
        dev = [(name, cc, None) for name, cc in
               dict.fromkeys((r["location"], r["country"]) for r in load_rows(DEFAULT_TOPONYMS))][:n]
    sets = (("exact_synthetic", exact), ("typo_synthetic", typos),
            ("typo_synthetic_no_hint", [(q, None, t) for q, _cc, t in typos]), ("dev_toponyms", dev))
    out = {}
    for label, queries in sets:
        if not queries:
            continue
        gz = Gazetteer(index_dir / "gazetteer.sqlite")
        out[label] = {}
        # First pass: a new connection (empty SQLite page cache; the OS cache holds the file, as
        # it does right after a load). Second pass: pages warm, answer memo cleared every query.
        for pass_name in ("first_pass", "warm"):
            wall, cpu, recovered = [], [], 0
            blocks = resource.getrusage(resource.RUSAGE_SELF).ru_inblock
            for name, cc, truth in queries:
                gz._memo.clear()
                t, c = time.perf_counter(), time.process_time()
                res = gz.resolve(name, country=cc)
                cpu.append((time.process_time() - c) * 1000)
                wall.append((time.perf_counter() - t) * 1000)
                if label.startswith("typo") and res.best is not None and res.status != "not_found":
                    pid, key, tcc = truth
                    p = res.best.place
                    recovered += p.id == pid or (normalize(p.name) == key and p.country_code == tcc)
            out[label][pass_name] = {"queries": len(wall), **_stats(wall), "cpu": _stats(cpu),
                                     "slowest": queries[max(range(len(wall)), key=wall.__getitem__)][0],
                                     # 512-byte blocks read from disk (not from the OS page cache)
                                     "disk_blocks_read": resource.getrusage(resource.RUSAGE_SELF).ru_inblock - blocks}
            if label.startswith("typo"):
                out[label][pass_name]["recovered"] = round(recovered / len(queries), 3)
        gz.close()
        print(f"latency {label}: {out[label]}", file=sys.stderr)
    return out


def remove_stage(index_dir: Path) -> dict:
    """Time ``remove_source`` of the synthetic dump (one transaction, indexes rebuilt once)."""
    from gazetteer.sources import remove_source

    t = time.perf_counter()
    out = remove_source(index_dir, "geonames:allCountries")
    out["seconds"] = round(time.perf_counter() - t, 1)
    print(f"remove: {out}", file=sys.stderr)
    return out


# ---------------------------------------------------------------------------- accuracy
def accuracy_stage(base: Path, tmp: Path, seats=True) -> dict:
    from bench_gazetteer import DEFAULT_TOPONYMS, evaluate, load_rows, ours_locator

    from gazetteer import Gazetteer
    from gazetteer.sources import boundaries

    idx = _copy(base, tmp / f"acc-{'seats' if seats else 'repr'}")
    saved = boundaries.SEAT_NAME_SIMILARITY
    if not seats:
        boundaries.SEAT_NAME_SIMILARITY = 2.0  # ablation: representative points only
    t = time.perf_counter()
    loads = []
    try:
        for rel, level in BOUNDARIES:
            r = boundaries.add_boundaries(idx, SHARED / "boundaries" / rel, level=level)
            loads.append({"source": r.source, "added": r.added, "merged": r.merged, "linked": r.linked,
                          "seconds": r.seconds})
    finally:
        boundaries.SEAT_NAME_SIMILARITY = saved
    add_seconds = time.perf_counter() - t
    rows = load_rows(DEFAULT_TOPONYMS)
    af = [r for r in rows if r["country"] == "Afghanistan"]
    res = {"boundary_loads": loads, "boundary_load_seconds": round(add_seconds, 1),
           "all": evaluate(rows, ours_locator(Gazetteer(idx / "gazetteer.sqlite"))),
           "afghanistan": evaluate(af, ours_locator(Gazetteer(idx / "gazetteer.sqlite")))}
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=Path, help="folder with an embedded-only index to copy (default: build one)")
    ap.add_argument("--rows", type=int, nargs="+", default=[500_000, 1_000_000],
                    help="synthetic allCountries sizes to load (default 500000 1000000)")
    ap.add_argument("--alternates", type=int, default=500_000, help="alternateNamesV2 rows (with the largest size)")
    ap.add_argument("--skip-load", action="store_true", help="only the accuracy stage")
    ap.add_argument("--keep", type=Path, help="keep the index of the largest load in this folder (for --latency-only)")
    ap.add_argument("--latency-only", type=Path, metavar="DIR",
                    help="only the latency stage, on DIR/gazetteer.sqlite already holding a synthetic load")
    ap.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = ap.parse_args(argv)
    if not (SHARED / "conflict" / "dev_toponyms.csv").exists():
        sys.exit(f"{SHARED} not found: the benchmark needs ../shared/data")
    if args.latency_only:
        results = {"latency_after_load": latency_stage(args.latency_only)}
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        print(json.dumps(results, indent=1))
        return results
    tmp = Path(tempfile.mkdtemp(prefix="cm-bench-sources-"))
    results = {}
    try:
        base = _base_index(args, tmp)
        from bench_gazetteer import DEFAULT_TOPONYMS, evaluate, load_rows, ours_locator

        from gazetteer import Gazetteer  # embedded-only baseline on the same rows

        af = [r for r in load_rows(DEFAULT_TOPONYMS) if r["country"] == "Afghanistan"]
        results["embedded_only_afghanistan"] = evaluate(af, ours_locator(Gazetteer(base / "gazetteer.sqlite")))
        if not args.skip_load:
            loads = load_stage(base, tmp, sorted(args.rows), args.alternates)
            results["load"] = {str(k): {kk: vv for kk, vv in v.items() if kk != "index_dir"} for k, v in loads.items()}
            biggest = loads[max(loads)]
            results["extrapolated_all_countries"] = {
                "rows": ALL_COUNTRIES_ROWS, "minutes_wall": round(ALL_COUNTRIES_ROWS / biggest["rows_per_s"] / 60, 1),
                "minutes_cpu": round(ALL_COUNTRIES_ROWS / biggest["rows_per_cpu_s"] / 60, 1),
                "note": "linear in rows at the measured rate (index rebuilds are n log n, so a little more); "
                        "peak RSS grows slowly with rows (see the sizes measured), the file is streamed",
            }
            results["latency_after_load"] = latency_stage(Path(biggest["index_dir"]))
            if args.keep:
                _copy(Path(biggest["index_dir"]), args.keep)
            results["remove_biggest"] = remove_stage(Path(biggest["index_dir"]))
        results["with_boundaries"] = accuracy_stage(base, tmp, seats=True)
        results["with_boundaries_representative_points"] = accuracy_stage(base, tmp, seats=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for k in ("embedded_only_afghanistan",):
        v = results[k]
        print(f"{k:40} <=5km {v['within_5km']:.1%}  <=25km {v['within_25km']:.1%}")
    for k in ("with_boundaries", "with_boundaries_representative_points"):
        for part in ("all", "afghanistan"):
            v = results[k].get(part)
            if v:
                print(f"{k + ' ' + part:40} rows={v['rows']:5d} <=5km {v['within_5km']:.1%}  "
                      f"<=25km {v['within_25km']:.1%}  not found {v['not_found']:.1%}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(json.dumps({k: v for k, v in results.items() if k in ("load", "extrapolated_all_countries",
                                                                "latency_after_load", "remove_biggest")}, indent=1))
    return results


if __name__ == "__main__":
    main()
