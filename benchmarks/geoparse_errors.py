"""Error analysis of end-to-end geoparsing on the development corpora, split in two halves.

Documents are split by position (even index = half A, used to look at errors and tune rules;
odd index = half B, a check that a change is general). For each half the script prints geo-F1,
recognition P/R, and, for half A (or ``--half B``), the most frequent errors of each kind:

* ``FP`` a predicted mention that matches no gold toponym (with coordinates);
* ``FN`` a gold toponym that no prediction matches;
* ``wrong`` a matched pair more than 161 km apart (wrong resolution).

Usage::

    .venv/bin/python benchmarks/geoparse_errors.py [--corpora geowebnews,trnews] [--half A|B] [--top 40]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA_DIR = REPO.parent / "shared" / "data" / "geoparse"
sys.path.insert(0, str(REPO))

ACC_KM = 161


def analyse(gp, name: str, *, top: int, half: str) -> list:
    from mapper.evaluate import Document, Toponym, match_toponyms, read_documents, score

    docs = list(read_documents(CORPORA_DIR / f"{name}.jsonl"))
    halves = {"A": docs[0::2], "B": docs[1::2]}
    rows = []
    for h, gold in halves.items():
        preds = []
        fp, fn, wrong = Counter(), Counter(), Counter()
        for d in gold:
            ms = gp.parse(d.text)
            ptops = tuple(Toponym(m.start, m.end, m.name, m.lat, m.lon) for m in ms)
            preds.append(Document(d.id, "", ptops))
            g_coord = [t for t in d.toponyms if t.has_coordinates]
            pairs = match_toponyms(g_coord, ptops)
            matched_p = {id(p) for _g, p in pairs}
            matched_g = {id(g) for g, _p in pairs}
            by_span = {(m.start, m.end): m for m in ms}
            for p in ptops:
                if id(p) not in matched_p:
                    fp[p.name] += 1
            for g in g_coord:
                if id(g) not in matched_g:
                    fn[g.name] += 1
            from gazetteer import haversine_km
            for g, p in pairs:
                if p.lat is None or haversine_km(g.lat, g.lon, p.lat, p.lon) >= ACC_KM:
                    m = by_span.get((p.start, p.end))
                    got = f"{m.place.name} ({m.place.country_code} {m.place.kind})" if m and m.place else "-"
                    wrong[f"{g.name} -> {got}"] += 1
        s = score(gold, preds)
        rows.append((h, s))
        print(f"{name} half {h}: docs {len(gold)} P {s.precision:.3f} R {s.recall:.3f} "
              f"geo-P {s.geo_precision:.3f} geo-R {s.geo_recall:.3f} geo-F1 {s.geo_f1:.3f} "
              f"(FP {sum(fp.values())}, FN {sum(fn.values())}, wrong {sum(wrong.values())})")
        if h == half:
            for label, c in (("FP", fp), ("FN", fn), ("wrong", wrong)):
                print(f"  {label}: " + "; ".join(f"{k} x{v}" for k, v in c.most_common(top)))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default="geowebnews,trnews")
    ap.add_argument("--half", default="A", choices=("A", "B"))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args(argv)
    from gazetteer import Gazetteer
    from mapper.geoparse import Geoparser

    gz = Gazetteer.open(args.data_dir, build=False)
    gp = Geoparser(gz)
    for name in args.corpora.split(","):
        analyse(gp, name, top=args.top, half=args.half)
    return 0


if __name__ == "__main__":
    sys.exit(main())
