"""Resolution in context: pass rate by class on conflictmap's own test cases
(``benchmarks/data/context_cases.jsonl``), the kinds of case that established geoparsers
(Mordecai, CLAVIN, CLIFF) assert in their test suites, written for this project.

Classes: ``country_hint`` (everyday country codes and names as hints and in text),
``demonym`` (nationality words are never places on their own), ``lookalike`` (variants
that should resolve, far lookalikes that must not), ``lone_lookalike`` (a name with no hint
and no other place around it: spelling variants of a real place resolve, a lookalike of a
small place elsewhere is ``not_found``), ``focus`` (names of one list or
document resolved together), ``unit`` (city vs its eponymous unit), ``span`` (clear towns
the span filter must keep), ``common_word`` (words that are not towns), ``physical``
(seas, lakes, rivers, mountain ranges, deserts).

Case operations:

* ``resolve``: :meth:`gazetteer.Gazetteer.resolve` of ``name`` with the optional ``country``;
  ``expect`` holds ``status`` (default: resolved or ambiguous with the best candidate
  matching), ``cc``, ``kind`` and ``near`` [lat, lon] within ``km``.
* ``together``: the ``names`` of one list through :meth:`Gazetteer.resolve_together` (each
  name independently when the installed version has no such method); one expectation per name,
  also ``not_cc_other_than`` (not found, or found in that country).
* ``geoparse``: :meth:`mapper.geoparse.Geoparser.parse` of ``text``; ``expect`` lists mentions
  (``name`` plus optional ``cc``/``kind``/``near``), ``absent`` names that must not be
  mentions, ``country_only`` names that may only be mentions of a country,
  ``not_cc_other_than`` {name: cc}.

A case passes only if every expectation holds (strict).

Usage::

    .venv/bin/python benchmarks/bench_context.py [--data-dir DIR] [--json FILE] [--failures]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "benchmarks" / "data" / "context_cases.jsonl"
sys.path.insert(0, str(REPO))

CLASSES = ("country_hint", "demonym", "lookalike", "lone_lookalike", "focus", "unit", "span", "common_word", "physical")


def _place_ok(place, e: dict) -> bool:
    from gazetteer import haversine_km

    if place is None:
        return False
    if e.get("cc") and place.country_code != e["cc"]:
        return False
    if e.get("kind") and place.kind != e["kind"]:
        return False
    if e.get("near"):
        if place.lat is None or haversine_km(place.lat, place.lon, *e["near"]) > e.get("km", 100):
            return False
    return True


def _resolution_ok(res, e: dict) -> bool:
    if "not_cc_other_than" in e:
        return res.best is None or res.status == "not_found" or res.best.place.country_code == e["not_cc_other_than"]
    want = e.get("status")
    if want == "not_found":
        return res.status == "not_found"
    if res.status not in ("resolved", "ambiguous") or res.best is None:
        return False
    if want and res.status != want:
        return False
    return _place_ok(res.best.place, e)


def run_case(gz, gp, case: dict) -> tuple:
    """(passed, detail) for one case."""
    op = case["op"]
    if op == "resolve":
        res = gz.resolve(case["name"], country=case.get("country"))
        got = f"{res.status} {res.best.place.name} ({res.best.place.country_code}, {res.best.place.kind})" \
            if res.best else res.status
        return _resolution_ok(res, case["expect"]), got
    if op == "together":
        together = getattr(gz, "resolve_together", None)
        kw = {"country": case.get("country")}
        results = together(case["names"], **kw) if together else [gz.resolve(n, **kw) for n in case["names"]]
        oks = [_resolution_ok(r, e) for r, e in zip(results, case["expect"])]
        got = "; ".join(f"{r.query}: {r.best.place.name} ({r.best.place.country_code})" if r.best and
                        r.status != "not_found" else f"{r.query}: {r.status}" for r in results)
        return all(oks), got
    if op == "geoparse":
        mentions = gp.parse(case["text"])
        by_name = defaultdict(list)
        for mt in mentions:
            by_name[mt.name.lower()].append(mt)
        ok = True
        for e in case.get("expect", ()):
            found = by_name.get(e["name"].lower(), [])
            if not any(mt.place is not None and _place_ok(mt.place, e) for mt in found):
                ok = False
        for name in case.get("absent", ()):
            if by_name.get(name.lower()):
                ok = False
        for name in case.get("country_only", ()):
            if any(mt.place is None or mt.place.kind != "country" for mt in by_name.get(name.lower(), [])):
                ok = False
        for name, cc in (case.get("not_cc_other_than") or {}).items():
            if any(mt.place is not None and mt.place.country_code != cc for mt in by_name.get(name.lower(), [])):
                ok = False
        got = "; ".join(f"{mt.name}: {mt.place.name} ({mt.place.country_code}, {mt.place.kind})" if mt.place
                        else f"{mt.name}: -" for mt in mentions)
        return ok, got
    raise ValueError(f"unknown op {op!r}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None, help="gazetteer folder (default: the usual data folder)")
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    ap.add_argument("--failures", action="store_true", help="print every failing case")
    args = ap.parse_args(argv)
    from gazetteer import Gazetteer
    from mapper.geoparse import Geoparser

    gz = Gazetteer.open(args.data_dir, build=False)
    gp = Geoparser(gz)
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    per = defaultdict(lambda: [0, 0])
    failures = []
    t0 = time.perf_counter()
    for i, case in enumerate(cases, start=1):
        ok, got = run_case(gz, gp, case)
        per[case["class"]][0] += ok
        per[case["class"]][1] += 1
        if not ok:
            failures.append((i, case, got))
    elapsed = time.perf_counter() - t0
    total = sum(v[0] for v in per.values()), sum(v[1] for v in per.values())
    print("| class | cases | passed | pass rate |")
    print("|---|---|---|---|")
    for cls in CLASSES + tuple(sorted(set(per) - set(CLASSES))):
        if cls in per:
            p, n = per[cls]
            print(f"| {cls} | {n} | {p} | {p / n:.1%} |")
    print(f"| **all** | {total[1]} | {total[0]} | **{total[0] / total[1]:.1%}** |")
    print(f"({elapsed:.1f} s)", file=sys.stderr)
    if args.failures:
        for i, case, got in failures:
            what = case.get("name") or case.get("names") or case.get("text")
            print(f"FAIL #{i} [{case['class']}] {what!r} -> {got}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"per_class": {k: {"passed": v[0], "cases": v[1]} for k, v in per.items()},
                                         "passed": total[0], "cases": total[1],
                                         "failures": [i for i, _c, _g in failures]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
