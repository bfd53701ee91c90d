"""Span filter trained on halves A of the dev corpora, scored on halves B (an experiment).

Compares the shipped weights (trained on geovirus,tud_loc2013) with weights fitted by
:func:`mapper.geoparse.filter_model.train` on (1) the same two corpora with the current rules,
(2) those plus the even-indexed documents (half A) of GeoWebNews, TR-News and LGL, (3) halves A
only; every model is scored end to end on the odd-indexed documents (half B), which none of them
saw. The threshold of a fitted model is its best span F1 on its training rows, as in
``python -m mapper.geoparse.filter_model``. Nothing is written. Needs ``../shared/data/geoparse``.

Usage::

    .venv/bin/python benchmarks/filter_halves.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA_DIR = REPO.parent / "shared" / "data" / "geoparse"
sys.path.insert(0, str(REPO))

TARGETS = ("geowebnews", "trnews", "lgl")
BASE = ("geovirus", "tud_loc2013")


def _score_halves_b(gz, model, docs) -> str:
    from mapper.evaluate import Document, Toponym, score
    from mapper.geoparse import Geoparser

    gp = Geoparser(gz, filter_model=model)
    out = []
    for c in TARGETS:
        gold = docs[c][1::2]
        preds = [Document(d.id, "", tuple(Toponym(m.start, m.end, m.name, m.lat, m.lon) for m in gp.parse(d.text)))
                 for d in gold]
        s = score(gold, preds)
        out.append(f"{c} B geo-F1 {s.geo_f1:.3f} (P {s.precision:.3f} R {s.recall:.3f})")
    return " | ".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args(argv)
    from gazetteer import Gazetteer
    from mapper.evaluate import read_documents
    from mapper.geoparse import Geoparser
    from mapper.geoparse.filter_model import FilterModel, train, training_rows

    gz = Gazetteer.open(args.data_dir, build=False)
    rules = Geoparser(gz, filter_model=None)
    docs = {c: list(read_documents(CORPORA_DIR / f"{c}.jsonl")) for c in TARGETS + BASE}
    base_X, base_y = training_rows(rules, [d for c in BASE for d in docs[c]])
    a_X, a_y = training_rows(rules, [d for c in TARGETS for d in docs[c][0::2]])
    print("shipped weights:          ", _score_halves_b(gz, FilterModel.default(), docs), flush=True)
    print("refit on geovirus,tud:    ", _score_halves_b(gz, train(base_X, base_y)[0], docs), flush=True)
    print("geovirus,tud + halves A:  ", _score_halves_b(gz, train(base_X + a_X, base_y + a_y)[0], docs), flush=True)
    print("halves A only:            ", _score_halves_b(gz, train(a_X, a_y)[0], docs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
