"""Geoparser start-up benchmark: how long a fresh process takes to parse its first document.

Every measurement runs in a new Python process (nothing shared with this one):

* ``cold``: no scanning-index cache yet (with ``--cold`` the cache file next to the
  gazetteer is deleted first, so that run builds and writes it);
* ``warm``: later processes that read the cache (``--runs`` of them);
* ``cli``: ``conflictmap geoparse ../shared/seeds/*`` end to end (wall clock, ``python -m mapper``);
* ``throughput``: one pass over each corpus of ``../shared/data/geoparse`` in one fresh
  process (memos start empty), docs/s and the process's peak RSS.

Usage::

    .venv/bin/python benchmarks/bench_geoparse_startup.py [--data-dir DIR] [--cold] [--runs 3]
        [--corpora geowebnews,trnews,lgl] [--json FILE]

Times are from just before the process is started to the moment its first document is
parsed (interpreter start-up and imports included). Peak RSS is the child's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA_DIR = SHARED / "data" / "geoparse"

_FIRST_DOC = r"""
import json, sys, time
sys.path.insert(0, {repo!r})
from gazetteer import Gazetteer
from mapper.geoparse import Geoparser
from mapper.geoparse import index as ix
gz = Gazetteer.open({data_dir!r}, build=False)
text = open({seed!r}, encoding="utf-8").read()
n = len(Geoparser(gz).parse(text))
print(json.dumps({{"first_doc_at": time.time(), "mentions": n, "builds": getattr(ix, "builds", None)}}))
"""

_THROUGHPUT = r"""
import json, sys, time
sys.path.insert(0, {repo!r})
from gazetteer import Gazetteer
from mapper.evaluate import read_documents
from mapper.geoparse import Geoparser
gz = Gazetteer.open({data_dir!r}, build=False)
gp = Geoparser(gz)
gp.parse("Kabul")  # open the index outside the timed passes
out = {{}}
for name in {corpora!r}:
    docs = list(read_documents({corpora_dir!r} + "/" + name + ".jsonl"))
    t = time.perf_counter()
    n = sum(len(gp.parse(d.text)) for d in docs)
    out[name] = {{"docs": len(docs), "docs_per_s": len(docs) / (time.perf_counter() - t), "mentions": n}}
print(json.dumps(out))
"""


def _child(code: str, *, env=None) -> tuple:
    """Run ``code`` in a fresh interpreter: (its JSON output, start time, wall s, peak RSS MB)."""
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env, cwd=REPO)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"benchmark child failed with exit code {proc.returncode}")
    return json.loads(out), t0, time.time() - t0, usage.ru_maxrss / 1024


def first_doc(data_dir: str, seed: Path) -> dict:
    res, t0, wall, rss = _child(_FIRST_DOC.format(repo=str(REPO), data_dir=data_dir, seed=str(seed)))
    return {"first_doc_s": round(res["first_doc_at"] - t0, 3), "wall_s": round(wall, 3), "peak_rss_mb": round(rss),
            "builds": res["builds"], "mentions": res["mentions"]}


def cli(data_dir: str, seeds: list) -> dict:
    t0 = time.time()  # `python -m mapper` = the conflictmap command, run from this checkout
    proc = subprocess.Popen([sys.executable, "-m", "mapper", "-q", "geoparse", "--data-dir", data_dir,
                             *map(str, seeds)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("conflictmap geoparse failed")
    return {"wall_s": round(time.time() - t0, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "documents": len(out.splitlines())}


def throughput(data_dir: str, corpora: list) -> dict:
    res, _, _, rss = _child(_THROUGHPUT.format(repo=str(REPO), data_dir=data_dir, corpora=corpora,
                                               corpora_dir=str(CORPORA_DIR)))
    for v in res.values():
        v["docs_per_s"] = round(v["docs_per_s"], 1)
    return {"corpora": res, "peak_rss_mb": round(rss)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", help="gazetteer data folder (default: the usual one; must be built)")
    ap.add_argument("--cold", action="store_true", help="delete the scanning-index cache first (measures a cold start)")
    ap.add_argument("--runs", type=int, default=3, help="warm start-ups to time (default 3)")
    ap.add_argument("--corpora", default="geowebnews,trnews,lgl", help="corpora for docs/s ('' to skip)")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from gazetteer import Gazetteer

    gz = Gazetteer.open(args.data_dir, build=False)
    data_dir = str(gz.path.parent)
    gz.close()
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seed articles in {SHARED / 'seeds'}")
    results = {"data_dir": data_dir, "load": os.getloadavg()}
    if args.cold:
        from mapper.geoparse import index as ix

        cache = ix.cache_path(gz) if hasattr(ix, "cache_path") else None
        if cache is not None and cache.exists():
            cache.unlink()
        results["cold"] = first_doc(data_dir, seeds[0])
        print("cold  ", results["cold"], file=sys.stderr)
    results["warm"] = []
    for _ in range(args.runs):
        results["warm"].append(first_doc(data_dir, seeds[0]))
        print("warm  ", results["warm"][-1], file=sys.stderr)
    results["cli"] = cli(data_dir, seeds)
    print("cli   ", results["cli"], file=sys.stderr)
    corpora = [c for c in args.corpora.split(",") if c]
    if corpora:
        results["throughput"] = throughput(data_dir, corpora)
        print("docs/s", results["throughput"], file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
