"""Extraction passes for a load-independent speed measure (instruction counts under callgrind).

Wall-clock speed (``bench_extract.py``) varies several-fold on a shared machine; the number of
instructions one extraction pass takes does not. This script opens the gazetteer and the geoparser,
extracts every document of the chosen gold groups twice (warm-up: indexes, memos, regex caches), then
``--passes`` more times. Run it under callgrind at two pass counts; the difference is the cost of the
extra passes::

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.0 \\
        .venv/bin/python benchmarks/bench_extract_passes.py --passes 0
    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.3 \\
        .venv/bin/python benchmarks/bench_extract_passes.py --passes 3
    # instructions per pass = (Collected at 3 - Collected at 0) / 3

Without valgrind, ``--cpu`` prints articles per second of CPU time (best of ``--passes`` passes).
Texts are read from ``../shared`` as in ``bench_extract.py``; exits 0 with a message when absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_extract as be  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="geoparse,seeds", help="gold groups (default: the article-length ones)")
    ap.add_argument("--passes", type=int, default=3, help="passes after the two warm-up passes")
    ap.add_argument("--cpu", action="store_true", help="print articles/s of CPU time, best pass")
    ap.add_argument("--shared", default="", help="the shared folder (default ../shared)")
    args = ap.parse_args(argv)
    shared = be.find_shared(args.shared)
    if not (shared / "data").is_dir():
        print(f"no shared data at {shared}: nothing to measure", file=sys.stderr)
        return 0
    groups = set(args.only.split(","))
    docs = [d for d in be.read_gold(be.GOLD_DIR) if d.group in groups]
    texts = be.Texts(shared)
    items = [(texts.get(d.source, d.id), d) for d in docs]

    from gazetteer import Gazetteer
    from mapper.extract import extract_claims
    from mapper.geoparse import Geoparser

    gp = Geoparser(Gazetteer.open(None, build=True), filter_model=None)

    def one_pass():
        for text, d in items:
            extract_claims(text, published=d.published, source=d.outlet or "article", tz=d.tz or None,
                           geoparser=gp, name=d.id)

    one_pass()
    one_pass()
    best = None
    for _ in range(args.passes):
        t = time.process_time()
        one_pass()
        dt = time.process_time() - t
        best = dt if best is None or dt < best else best
    if args.cpu and best:
        print(f"{len(items) / best:.1f} articles/s of CPU time (best of {args.passes} passes, {len(items)} documents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
