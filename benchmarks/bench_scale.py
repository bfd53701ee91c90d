"""Documents/s of ``geoparse_corpus`` in-process vs on a LocalCluster of 1 and 2 workers.

The corpus (default 20,000 documents) is built from the development corpora in
../shared/data/geoparse/*.jsonl, repeated and shuffled (each copy gets its own id),
and written to a temporary folder (never committed). Every run reads the same
files with the same partitioning and the real gazetteer index (the per-user data
folder, or --data-dir); the outputs of all runs must agree (same toponym count).

Reported per run: wall time of the job (from the call to the last partition
written, including the plugin opening the index on each worker, excluding the
cluster's start), documents/s, and each worker's resident memory (RSS, from
/proc) after the index is opened and after the run. The machine's load average
is printed before and after: on a shared machine it decides the numbers.

Usage::

    python benchmarks/bench_scale.py                      # 20,000 docs: in-process, 1 and 2 workers
    python benchmarks/bench_scale.py --docs 4000 --workers 1,2 --skip-in-process
    python benchmarks/bench_scale.py --aggregate          # then benchmarks/bench_scale_aggregate.py's main()
    python benchmarks/bench_scale.py --docs 0 --aggregate [its options]   # the aggregation part only
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = REPO.parent / "shared" / "data" / "geoparse"


def build_corpus(folder: Path, n_docs: int, n_files: int, seed: int = 16) -> tuple:
    """Write ``n_docs`` documents (repeated, shuffled development documents) into ``n_files`` JSON Lines
    files; ``(paths, distinct documents, characters)``."""
    base = []
    for path in sorted(CORPORA.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if d.get("text"):
                    base.append({"id": str(d.get("id")), "corpus": path.stem, "text": d["text"]})
    if not base:
        raise SystemExit(f"no documents in {CORPORA}/*.jsonl")
    rng = random.Random(seed)
    docs = []
    copy = 0
    while len(docs) < n_docs:
        batch = [dict(d, id=f"{d['corpus']}-{d['id']}-r{copy}") for d in base]
        rng.shuffle(batch)
        docs.extend(batch)
        copy += 1
    docs = docs[:n_docs]
    paths = []
    per_file = -(-n_docs // n_files)
    for i in range(n_files):
        p = folder / f"corpus-{i:02d}.jsonl"
        with open(p, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs[i * per_file:(i + 1) * per_file])
        paths.append(str(p))
    return paths, len(base), sum(len(d["text"]) for d in docs)


def _rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_s() -> float:
    """CPU seconds used so far by this process (all its threads)."""
    return time.process_time()


def run_in_process(paths, out: Path, args) -> dict:
    from mapper.scale import geoparse_corpus

    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), _cpu_s()
    r = geoparse_corpus(paths, out, partition_size=args.partition_size, data_dir=args.data_dir,
                        progress=args.progress)
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    assert r.ok, r.failed_partitions[:3]
    return {"mode": "in-process", "workers": 0, "documents": r.documents, "toponyms": r.items, "seconds": wall,
            "docs_per_s": r.documents / wall, "cpu_ms_per_doc": 1000 * cpu / r.documents,
            "load_1min_before_after": [load0, os.getloadavg()[0]], "rss_mb_after": [round(_rss_mb())]}


def run_cluster(paths, out: Path, n_workers: int, args) -> dict:
    from distributed import Client, LocalCluster

    from mapper.scale import geoparse_corpus

    t0 = time.perf_counter()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=40) as cluster, Client(cluster) as client:
        start = time.perf_counter() - t0
        base = client.run(_rss_mb)
        rss_index = {}

        def after_first(_res, seen=[]):  # noqa: B006 - one list per run, read once
            if not seen:
                seen.append(1)
                rss_index.update(client.run(_rss_mb))

        load0 = os.getloadavg()[0]
        cpu0 = client.run(_cpu_s)
        t1 = time.perf_counter()
        r = geoparse_corpus(paths, out, scheduler=client, partition_size=args.partition_size,
                            data_dir=args.data_dir, progress=args.progress, on_partition=after_first)
        wall = time.perf_counter() - t1
        cpu = sum(v - cpu0.get(w, 0.0) for w, v in client.run(_cpu_s).items())
        after = client.run(_rss_mb)
    assert r.ok, r.failed_partitions[:3]
    return {"mode": f"LocalCluster {n_workers} worker(s)", "workers": n_workers, "documents": r.documents,
            "toponyms": r.items, "seconds": wall, "docs_per_s": r.documents / wall, "cluster_start_s": start,
            "cpu_ms_per_doc": 1000 * cpu / r.documents, "load_1min_before_after": [load0, os.getloadavg()[0]],
            "rss_mb_idle": sorted(round(v) for v in base.values()),
            "rss_mb_first_partition": sorted(round(v) for v in rss_index.values()),
            "rss_mb_after": sorted(round(v) for v in after.values()),
            "partitions_per_worker": sorted(_count(p.worker for p in r.partitions).values())}


def _count(items) -> dict:
    out: dict = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


def _aggregate(rest) -> None:
    path = HERE / "bench_scale_aggregate.py"
    if not path.exists():
        print("--aggregate: benchmarks/bench_scale_aggregate.py is not here yet (the aggregate work lands "
              "separately); nothing run", file=sys.stderr)
        return
    spec = importlib.util.spec_from_file_location("bench_scale_aggregate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.argv = [str(path), *rest]
    mod.main()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20_000, help="corpus size (0: skip the documents part)")
    ap.add_argument("--files", type=int, default=8, help="JSON Lines files the corpus is split into")
    ap.add_argument("--partition-size", type=int, default=250)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--skip-in-process", action="store_true")
    ap.add_argument("--data-dir", default=None, help="gazetteer index folder (default: the usual one)")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--aggregate", action="store_true", help="then run bench_scale_aggregate.py's main()")
    args, rest = ap.parse_known_args(argv)
    if rest and not args.aggregate:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.docs > 0:
        documents(args)
    if args.aggregate:
        _aggregate(rest)  # the arguments this script does not know are bench_scale_aggregate.py's


def documents(args) -> None:
    """The documents part: in-process, then a LocalCluster of each --workers count."""
    if not CORPORA.is_dir():
        raise SystemExit(f"development corpora not found at {CORPORA}")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        paths, n_base, n_chars = build_corpus(tmp, args.docs, args.files)
        print(f"corpus: {args.docs} documents ({n_base} distinct, {n_chars / 1e6:.1f} M characters) in "
              f"{len(paths)} files, partitions of {args.partition_size}", flush=True)
        if not args.skip_in_process:
            results.append(run_in_process(paths, tmp / "out-in-process", args))
            print(json.dumps(results[-1]), flush=True)
        for n in [int(x) for x in args.workers.split(",") if x.strip()]:
            results.append(run_cluster(paths, tmp / f"out-{n}", n, args))
            print(json.dumps(results[-1]), flush=True)
    load_after = os.getloadavg()
    counts = {r["toponyms"] for r in results}
    assert len(counts) == 1, f"the runs disagree on the toponym count: {counts}"
    print(f"\nload average after: {load_after}\n")
    # cores obtained = CPU seconds of the parsing processes / wall seconds: on a shared machine the
    # speed-up follows it, documents/s per core obtained shows the overhead
    print("| run | documents | seconds | documents/s | CPU ms/document | cores obtained | load (1 min) "
          "before/after | RSS after (MB) |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        la = "/".join(f"{x:.1f}" for x in r["load_1min_before_after"])
        cores = r["cpu_ms_per_doc"] * r["documents"] / 1000 / r["seconds"]
        print(f"| {r['mode']} | {r['documents']} | {r['seconds']:.1f} | {r['docs_per_s']:.0f} | "
              f"{r['cpu_ms_per_doc']:.1f} | {cores:.2f} | {la} | {', '.join(map(str, r['rss_mb_after']))} |")
    by_workers = {r["workers"]: r for r in results}
    if 1 in by_workers and 2 in by_workers:
        print(f"\nspeed-up 1 -> 2 workers: {by_workers[2]['docs_per_s'] / by_workers[1]['docs_per_s']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"load_after": load_after, "runs": results},
                                              indent=1) + "\n")


if __name__ == "__main__":
    main()
