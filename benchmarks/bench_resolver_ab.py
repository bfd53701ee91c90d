"""A/B of the resolver: this tree's :class:`gazetteer.Gazetteer` against ``gazetteer/resolver.py``
of an earlier git revision, in one process, on one index: same answers? how fast?

The old ``resolver.py`` is read with ``git show REF:gazetteer/resolver.py`` and loaded as a module
beside this tree's gazetteer package, so it works while the modules it imports still exist (true for
the revisions around the ``Gazetteer`` split of issue 13; a8cd33b is the last one before it).

Queries: a seeded sample of the index's populated places (names as stored) and the same names with
their third letter dropped (typos), each with and without the row's country as a hint; for the
identity check also with the place's admin1 as ``within``, a context point, a type word, and
``resolve_together`` over groups of six. Timing is of the warm path (a resolver first resolves
every query once, then its memo is cleared: the SQL is the same, so what differs is the Python
around it), one fresh process per resolver and query set, old and new alternating, best of
``--runs``; times are CPU time (``time.process_time``), less sensitive than wall time to other
jobs on the machine. (Timing both in one process, query by query, mostly measured which of the two
ran second and whose allocations triggered the garbage collector.)

Usage::

    .venv/bin/python benchmarks/bench_resolver_ab.py [--ref a8cd33b] [--data-dir DIR] [--names 3000]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def load_old(ref: str):
    """``gazetteer/resolver.py`` at ``ref`` as a module (named inside the gazetteer package)."""
    src = subprocess.run(["git", "show", f"{ref}:gazetteer/resolver.py"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="resolver-ab-"))
    path = folder / "resolver_old.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("gazetteer._resolver_ab_old", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample(index: Path, n: int, seed: int = 20211207) -> list:
    con = sqlite3.connect(index)
    pool = con.execute("SELECT name, country_code, admin1 FROM places WHERE kind = 'populated_place'").fetchall()
    con.close()
    return random.Random(seed).sample(pool, min(n, len(pool)))


def identity(old, new, rows) -> tuple:
    """(queries compared, queries whose Resolution repr differs, first difference)."""
    n, diff, first = 0, 0, None
    for name, cc, adm in rows:
        typo = name[:2] + name[3:] if len(name) > 5 else name
        for q, kw in ((name, {}), (typo, {}), (typo, {"country": cc}), (name, {"within": adm, "country": cc}),
                      (typo + " district", {}), (name, {"context": [(34.5, 69.2)]})):
            a, b = repr(old.resolve(q, **kw)), repr(new.resolve(q, **kw))
            n += 1
            if a != b:
                diff += 1
                first = first or (q, kw, a[:300], b[:300])
    names = [r[0] for r in rows[:120]]
    for i in range(0, len(names), 6):
        n += 1
        if repr(old.resolve_together(names[i:i + 6])) != repr(new.resolve_together(names[i:i + 6])):
            diff += 1
            first = first or (names[i:i + 6], "together", "", "")
    for q in ("", None, b"\xff", "x" * 5000, "123", "Ukrainian", "Kunduz", "Idlib", "Hama Governorate",
              "Nad Ali district (Marja)"):
        n += 1
        if repr(old.resolve(q)) != repr(new.resolve(q)):
            diff += 1
            first = first or (q, {}, "", "")
    return n, diff, first


def child_cpu(which: str, ref: str, index: Path, n: int, label: str, hinted: bool) -> float:
    """CPU seconds one resolver (``old`` or ``new``) spends on the warm pass over one query set."""
    if which == "old":
        cls = load_old(ref).Gazetteer
    else:
        from gazetteer import Gazetteer as cls
    rows = sample(index, n)
    items = rows if label == "names" else [(m[:2] + m[3:] if len(m) > 5 else m, c, a) for m, c, a in rows[: n // 2]]
    gz = cls(index)
    for name, c, _a in items:  # warm: page and statement caches; then an empty memo
        gz.resolve(name, country=c if hinted else None)
    gz._memo.clear()
    t = time.process_time()
    for name, c, _a in items:
        gz.resolve(name, country=c if hinted else None)
    return time.process_time() - t


def _run_child(which, args, index, label, hinted) -> float:
    cmd = [sys.executable, __file__, "--child", which, "--ref", args.ref, "--index", str(index),
           "--names", str(args.names), "--set", label] + (["--hint"] if hinted else [])
    return float(subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO).stdout.strip())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", default="a8cd33b", help="git revision of the old resolver (default: a8cd33b)")
    ap.add_argument("--data-dir", type=Path, help="index folder (default: the per-user data folder)")
    ap.add_argument("--names", type=int, default=3000, help="names sampled from the index")
    ap.add_argument("--runs", type=int, default=3, help="processes per resolver and query set (best one counts)")
    ap.add_argument("--child", choices=("old", "new"), help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--set", default="names", help=argparse.SUPPRESS)
    ap.add_argument("--hint", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(child_cpu(args.child, args.ref, args.index, args.names, args.set, args.hint))
        return

    from gazetteer import Gazetteer, default_data_dir

    index = (args.data_dir or default_data_dir()) / "gazetteer.sqlite"
    old_mod = load_old(args.ref)
    rows = sample(index, args.names)
    typos = [(n[:2] + n[3:] if len(n) > 5 else n, c, a) for n, c, a in rows[: args.names // 2]]

    old, new = old_mod.Gazetteer(index), Gazetteer(index)
    n, diff, first = identity(old, new, rows[: min(len(rows), 2000)])
    print(f"identity: {n} queries, {diff} with a different answer" + (f"; first: {first}" if first else ""))
    old.close()
    new.close()

    print(f"| queries | hint | old CPU s | new CPU s | new/old |   (best of {args.runs} processes each, alternating)")
    print("|---|---|---|---|---|")
    for label, count in (("names", len(rows)), ("typos", len(typos))):
        for hinted in (False, True):
            best = {"old": math.inf, "new": math.inf}
            for _ in range(args.runs):
                for which in ("old", "new"):
                    best[which] = min(best[which], _run_child(which, args, index, label, hinted))
            print(f"| {count} {label} | {'country' if hinted else 'none'} | {best['old']:.3f} | {best['new']:.3f} | "
                  f"{best['new'] / best['old']:.3f} |")

if __name__ == "__main__":
    main()
