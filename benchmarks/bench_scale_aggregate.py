"""`conflictmap aggregate` on 1 and 10 million synthetic ACLED events: time and peak memory per worker.

The events have the columns of a current ACLED export (event_id_cnty, event_date, year,
time_precision, disorder_type, event_type, sub_event_type, actor1, actor2, country, admin1,
admin2, location, latitude, longitude, geo_precision, source, notes, fatalities ...). Their
points are drawn uniformly inside the embedded polygons of 15 countries with conflict events
(rejection sampling in each country's box), their admin1 names are those of the province each
point lies in; 0.5% of rows have no coordinates (counted by their admin1 name), 0.01% carry an
impossible date (rejected with mapper.claims' reason). They are written as Parquet files of
``--rows-per-file`` rows (one row group each) to a temporary folder, then counted per admin1
unit and month, by status and actor, on a ``LocalCluster`` of ``--workers`` single-threaded
worker processes. Each worker's resident memory (RSS) is sampled every 0.2 s by a thread started
on the worker; the peak is reported, with the client's own peak.

Usage::

    /work/main/.venv/bin/python benchmarks/bench_scale_aggregate.py                 # 1M and 10M rows
    /work/main/.venv/bin/python benchmarks/bench_scale_aggregate.py --rows 1000000 --workers 1,2
    /work/main/.venv/bin/python benchmarks/bench_scale_aggregate.py --in-process --rows 1000000

``bench_scale.py`` calls :func:`main` for the aggregation half of its report.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: Countries the synthetic events fall in (ISO codes), with a weight each.
COUNTRIES = {"AF": 8, "SY": 8, "YE": 6, "UA": 10, "SD": 5, "ML": 3, "NG": 5, "SO": 4, "CD": 5, "MM": 6,
             "IQ": 4, "ET": 3, "BF": 3, "PK": 4, "MX": 6}
EVENT_TYPES = (  # (event_type, sub_event_type, disorder_type, weight)
    ("Battles", "Armed clash", "Political violence", 30),
    ("Battles", "Non-state actor overtakes territory", "Political violence", 2),
    ("Battles", "Government regains territory", "Political violence", 2),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence", 20),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence", 10),
    ("Violence against civilians", "Attack", "Political violence", 15),
    ("Protests", "Peaceful protest", "Demonstrations", 15),
    ("Strategic developments", "Looting/property destruction", "Strategic developments", 6),
)
ACTORS = ("Taliban", "Military Forces of Afghanistan (2014-)", "HTS: Hayat Tahrir al Sham",
          "Military Forces of Syria (2000-)", "Houthis", "Military Forces of Russia (2000-)",
          "Military Forces of Ukraine (2019-)", "RSF: Rapid Support Forces", "JNIM", "Boko Haram",
          "Al Shabaab", "M23: March 23 Movement", "Arakan Army", "Islamic State", "Protesters",
          "Unidentified Armed Group", "CJNG: Jalisco New Generation Cartel", "Fano Militia")
SOURCES = ("Reuters", "AFP", "Local Source", "Twitter", "BBC Monitoring", "Xinhua")


def _point_pool(n: int, seed: int = 7):
    """``n`` (lon, lat, country name, admin1 name) inside the embedded country polygons."""
    import numpy as np
    import shapely

    from gazetteer import Gazetteer
    from mapper.scale.aggregate import load_units

    rng = np.random.default_rng(seed)
    with Gazetteer.open() as gz:
        countries = load_units(gz, "country")
        provinces = load_units(gz, "admin1")
    countries = countries[countries["country_code"].isin(list(COUNTRIES))]
    weights = np.array([COUNTRIES[c] for c in countries["country_code"]], dtype=float)
    share = (weights / weights.sum() * n).round().astype(int)
    lons, lats, names = [], [], []
    for (_, c), k in zip(countries.iterrows(), share):
        geom = c.geometry
        x0, y0, x1, y1 = geom.bounds
        shapely.prepare(geom)
        got = 0
        while got < k:
            xs = rng.uniform(x0, x1, 2 * (k - got) + 100)
            ys = rng.uniform(y0, y1, 2 * (k - got) + 100)
            inside = shapely.contains_xy(geom, xs, ys)
            take = min(k - got, int(inside.sum()))
            lons.append(xs[inside][:take])
            lats.append(ys[inside][:take])
            names += [c["unit"]] * take
            got += take
    import geopandas

    lon, lat = np.round(np.concatenate(lons), 4), np.round(np.concatenate(lats), 4)
    pts = geopandas.GeoDataFrame({"country": names}, geometry=geopandas.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = geopandas.sjoin(pts, provinces[["unit", "geometry"]], how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated()]
    return lon, lat, np.asarray(names, dtype=object), joined["unit"].fillna("").to_numpy(dtype=object)


def synthesize(folder: Path, rows: int, rows_per_file: int, seed: int = 11) -> int:
    """Write ``rows`` synthetic ACLED events as Parquet files into ``folder``; returns files written."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    lon_pool, lat_pool, country_pool, admin1_pool = _point_pool(min(rows, 500_000))
    types = np.array([t[:3] for t in EVENT_TYPES], dtype=object)
    tw = np.array([t[3] for t in EVENT_TYPES], dtype=float)
    tw /= tw.sum()
    days = pd.date_range("2018-01-01", "2024-12-31", freq="D").strftime("%Y-%m-%d").to_numpy(dtype=object)
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, rows, rows_per_file):
        n = min(rows_per_file, rows - start)
        pick = rng.integers(0, len(lon_pool), n)
        t = types[rng.choice(len(types), n, p=tw)]
        lat = lat_pool[pick].astype(float)
        lon = lon_pool[pick].astype(float)
        no_coords = rng.random(n) < 0.005
        lat[no_coords] = np.nan
        lon[no_coords] = np.nan
        dates = days[rng.integers(0, len(days), n)]
        bad = rng.random(n) < 0.0001
        dates[bad] = "2021-13-07"
        ids = np.arange(start, start + n)
        frame = pd.DataFrame({
            "event_id_cnty": [f"SYN{i}" for i in ids],
            "event_date": dates,
            "year": [d[:4] for d in dates],
            "time_precision": rng.choice([1, 2, 3], n, p=[0.9, 0.08, 0.02]),
            "disorder_type": t[:, 2], "event_type": t[:, 0], "sub_event_type": t[:, 1],
            "actor1": np.asarray(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), n)],
            "assoc_actor_1": "",
            "actor2": np.asarray(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), n)],
            "iso": 0, "region": "",
            "country": country_pool[pick], "admin1": admin1_pool[pick], "admin2": "", "admin3": "",
            "location": [f"Place {p % 50_000}" for p in pick],
            "latitude": lat, "longitude": lon,
            "geo_precision": rng.choice([1, 2, 3], n, p=[0.7, 0.25, 0.05]),
            "source": np.asarray(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)],
            "source_scale": "National",
            "notes": [f"On {d}, an event of type {e} was reported near Place {p % 50_000}." for d, e, p in
                      zip(dates, t[:, 1], pick)],
            "fatalities": rng.poisson(1.2, n),
            "tags": "", "timestamp": 1700000000,
        })
        frame.to_parquet(folder / f"part-{files:05d}.parquet", index=False, row_group_size=rows_per_file)
        files += 1
    return files


# ---- memory sampling on the workers -----------------------------------------------------------
def _start_sampler(dask_worker, interval: float = 0.2):
    """Run on a worker (``client.run``): sample this process's RSS every ``interval`` s; the
    state lives on the worker object, which outlives the function."""
    import psutil

    proc = psutil.Process()
    state = {"peak": proc.memory_info().rss, "stop": False}

    def loop():
        while not state["stop"]:
            state["peak"] = max(state["peak"], proc.memory_info().rss)
            time.sleep(interval)

    threading.Thread(target=loop, daemon=True, name="rss-sampler").start()
    dask_worker._conflictmap_rss = state
    return state["peak"]


def _stop_sampler(dask_worker):
    state = getattr(dask_worker, "_conflictmap_rss", None)
    if state is None:
        return 0
    state["stop"] = True
    return state["peak"]


def run_once(folder: Path, workers: int | None, chunk_rows: int) -> dict:
    """Aggregate the Parquet folder once; ``workers`` None runs in-process."""
    import psutil

    from gazetteer import Gazetteer
    from mapper.scale.aggregate import AggregateSpec, aggregate, load_units
    from mapper.scale.scheduler import dask_client, parse_scheduler

    spec = AggregateSpec(by="admin1", every="month", per=("status", "actor"))
    me = psutil.Process()
    client_state = {"peak": me.memory_info().rss, "stop": False}

    def sample():
        while not client_state["stop"]:
            client_state["peak"] = max(client_state["peak"], me.memory_info().rss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    where = parse_scheduler(f"local:{workers}" if workers else None)
    with Gazetteer.open() as gz, dask_client(where) as client:
        if client is not None:
            client.run(_start_sampler)
        t0 = time.perf_counter()
        result = aggregate(folder, spec, gazetteer=gz, client=client, chunk_rows=chunk_rows)
        seconds = time.perf_counter() - t0
        peaks = sorted(client.run(_stop_sampler).values()) if client is not None else []
        # what every worker receives with the job: the units' polygons (the README quotes it)
        units_mb = len(pickle.dumps(load_units(gz, spec.by))) / 2**20
    client_state["stop"] = True
    sampler.join()
    return {
        "rows": result.rows, "events_counted": result.events, "rejected": len(result.rejected),
        "unassigned": len(result.unassigned), "output_rows": len(result.counts), "parts": result.parts,
        "workers": workers or 0, "seconds": round(seconds, 1), "rows_per_s": round(result.rows / seconds),
        "peak_worker_rss_mb": [round(p / 2**20) for p in peaks],
        "peak_client_rss_mb": round(client_state["peak"] / 2**20),
        "units_pickled_mb": round(units_mb, 1),
    }


def main(argv=None) -> list:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", default="1000000,10000000", help="comma-separated table sizes")
    ap.add_argument("--workers", default="2", help="comma-separated worker counts of the LocalCluster")
    ap.add_argument("--in-process", action="store_true", help="also run without a cluster")
    ap.add_argument("--rows-per-file", type=int, default=250_000)
    ap.add_argument("--chunk-rows", type=int, default=250_000)
    ap.add_argument("--keep", metavar="DIR", help="write the synthetic tables here and keep them")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    results = []
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cm-agg-bench-"))
    try:
        for rows in (int(r) for r in args.rows.split(",")):
            folder = base / f"events-{rows}"
            if not folder.exists():
                t0 = time.perf_counter()
                files = synthesize(folder, rows, args.rows_per_file)
                print(f"synthesized {rows:,} rows in {files} Parquet files ({time.perf_counter() - t0:.0f} s, "
                      f"{sum(f.stat().st_size for f in folder.iterdir()) / 2**20:.0f} MB)", file=sys.stderr)
            runs = [None] if args.in_process else []
            runs += [int(w) for w in args.workers.split(",") if w]
            for w in runs:
                res = run_once(folder, w, args.chunk_rows)
                res["load_1min"] = round(os.getloadavg()[0], 2)
                print(json.dumps(res), flush=True)
                results.append(res)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
