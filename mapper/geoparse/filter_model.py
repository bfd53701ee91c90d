"""A small logistic-regression filter over recognised names: is this span a place mention?

The rules in :mod:`mapper.geoparse.parser` propose spans; this model scores
each with ~20 features of the span and its document (importance of the best
candidate, ambiguity, capitalisation and sentence position, cue words,
repetition in the document, agreement with the document's countries...) and
drops those it finds unlikely. Weights live in
:mod:`mapper.geoparse._filter_weights` (plain numbers, no pickle).

Training (numpy only, no extra dependency)::

    .venv/bin/python -m mapper.geoparse.filter_model --data-dir DIR --train geovirus,tud_loc2013

trains on the named development corpora only; score it on the others
(benchmarks/bench_geoparse.py reports which corpora were used for training).
"""

from __future__ import annotations

import math
import re

FEATURES = (
    "prior", "log_candidates", "tokens", "kind_country", "kind_admin1", "kind_populated", "common_word",
    "sentence_start", "cue_before", "type_word", "prev_capitalised", "next_capitalised",
    "log_doc_count", "lowercase_in_doc", "possessive", "speech_verb_after", "country_agreement", "long_name",
)

_CUE = re.compile(r"\b(?:in|at|near|from|to|into|outside|across|around|towards?|of|via|between|through|"
                  r"throughout|within|across)\s+(?:the\s+)?$", re.I)
_TYPE_AFTER = re.compile(r"^\s+(?:provinces?|states?|region|district|county|city|town|village|river|valley|"
                         r"mountains?|island)\b", re.I)
_TYPE_BEFORE = re.compile(r"\b(?:province|state|region|district|county|city|town|village)\s+of\s+$", re.I)
_SENT_START = re.compile(r"(?:^|[.!?:;]\s*[\"“‘'(]?\s*|\n\s*[\"“‘'(]?\s*|[\"“]\s*)$")
_SPEECH = re.compile(r"^\s+(?:said|says|told|added|wrote|asked|noted|explained|announced)\b")


def span_features(text: str, start: int, end: int, *, entries, form: str, common: bool, doc_count: int,
                  lowercase_in_doc: bool, country_share: float) -> list:
    """The feature vector of one span (order of :data:`FEATURES`)."""
    name = text[start:end]
    before = text[max(0, start - 40):start]
    after = text[end:end + 40]
    top = entries[0] if entries else None
    prev = re.search(r"([\w’'.-]+)\s*$", before)
    nxt = re.match(r"^\s+([\w’'.-]+)", after)
    sentence_start = bool(_SENT_START.search(text[max(0, start - 4):start])) or start == 0
    prev_cap = bool(prev and prev.group(1)[0].isupper() and not re.search(r"[.!?:;,\"“”(\n]\s*$", before)
                    and not sentence_start)
    return [
        top.prior if top else 0.0,
        math.log1p(len(entries)),
        float(len(name.split())),
        1.0 if top and top.kind == "country" else 0.0,
        1.0 if top and top.kind == "admin1" else 0.0,
        1.0 if top and top.kind == "populated_place" else 0.0,
        1.0 if common else 0.0,
        1.0 if sentence_start else 0.0,
        1.0 if _CUE.search(before) else 0.0,
        1.0 if (_TYPE_AFTER.match(after) or _TYPE_BEFORE.search(before)) else 0.0,
        1.0 if prev_cap else 0.0,
        1.0 if (nxt and nxt.group(1)[0].isupper() and not re.match(r"^\s*[,.;:!?)\"”]", after)) else 0.0,
        math.log1p(doc_count),
        1.0 if lowercase_in_doc else 0.0,
        1.0 if re.match(r"^['’]s\b", after) else 0.0,
        1.0 if _SPEECH.match(after) else 0.0,
        country_share,
        1.0 if len(name) >= 12 else 0.0,
    ]


class FilterModel:
    """Logistic regression with standardised inputs; ``keep(x)`` is P(place) >= threshold."""

    def __init__(self, weights, bias: float, mean, scale, threshold: float = 0.5, trained_on: str = ""):
        self.weights = list(weights)
        self.bias = float(bias)
        self.mean = list(mean)
        self.scale = list(scale)
        self.threshold = float(threshold)
        self.trained_on = trained_on

    def probability(self, x) -> float:
        """P(the candidate with feature row ``x`` is a place)."""
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def keep(self, x) -> bool:
        """True when :meth:`probability` reaches the model's threshold."""
        return self.probability(x) >= self.threshold

    @classmethod
    def default(cls) -> FilterModel | None:
        """The shipped weights, or None when none were trained."""
        try:
            from mapper.geoparse import _filter_weights as fw
        except ImportError:
            return None
        if tuple(fw.FEATURES) != FEATURES:
            return None  # features changed since training: retrain
        return cls(fw.WEIGHTS, fw.BIAS, fw.MEAN, fw.SCALE, fw.THRESHOLD, fw.TRAINED_ON)


def fit(X, y, *, l2: float = 1.0, iterations: int = 3000, lr: float = 0.1):
    """Fit logistic regression by full-batch gradient descent (numpy). Returns (weights, bias, mean, scale)."""
    import numpy as np

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    w = np.zeros(Z.shape[1])
    b = 0.0
    n = len(y)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(Z @ w + b)))
        g = p - y
        w -= lr * (Z.T @ g / n + l2 * w / n)
        b -= lr * g.mean()
    return w.tolist(), float(b), mean.tolist(), scale.tolist()


def training_rows(gp, documents) -> tuple:
    """``(X, y)``: the feature row of every name candidate ``gp`` finds in ``documents``
    (:class:`mapper.evaluate.Document` with gold toponyms) and 1 where it matches a gold place.

    Adjectives and codes are left out: they are never filtered (corpora disagree on annotating them).
    """
    from mapper.evaluate import Toponym, match_toponyms

    X, y = [], []
    for d in documents:
        rows = gp.candidate_features(d.text)
        gold = [t for t in d.toponyms if t.has_coordinates]
        preds = [Toponym(c.start, c.end, d.text[c.start:c.end]) for c, _ in rows]
        hit = {(p.start, p.end) for _, p in match_toponyms(gold, preds)}
        for (c, x) in rows:
            if c.form != "name":
                continue
            X.append(x)
            y.append(1 if (c.start, c.end) in hit else 0)
    return X, y


def train(X, y) -> tuple:
    """``(model, f1)``: a :class:`FilterModel` fitted on ``(X, y)`` (:func:`fit`) whose threshold
    (0.05 .. 0.95 in steps of 0.01) gives the best F1 of the kept spans on those rows, and that F1."""
    w, b, mean, scale = fit(X, y)
    model = FilterModel(w, b, mean, scale, 0.5)
    probs = [model.probability(x) for x in X]
    pos = sum(y)
    best = (0.0, 0.5)
    for t in [i / 100 for i in range(5, 96)]:
        tp = sum(1 for p, lab in zip(probs, y) if p >= t and lab)
        kept = sum(1 for p in probs if p >= t)
        f = 2 * tp / (kept + pos) if kept + pos else 0.0
        best = max(best, (f, t))
    model.threshold = best[1]
    return model, best[0]


def main(argv=None) -> int:
    """Command line: retrain the span filter on development corpora and write its weights module."""
    import argparse
    from pathlib import Path

    from gazetteer import Gazetteer
    from mapper.geoparse.parser import Geoparser

    ap = argparse.ArgumentParser(description="Train the span filter on development corpora.")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--corpora-dir", default=str(Path(__file__).resolve().parents[2].parent / "shared" / "data"
                                                 / "geoparse"))
    ap.add_argument("--train", default="geovirus,tud_loc2013")
    ap.add_argument("--out", default=str(Path(__file__).with_name("_filter_weights.py")))
    args = ap.parse_args(argv)
    gp = Geoparser(Gazetteer.open(args.data_dir, build=False), filter_model=None)
    corpora = [c for c in args.train.split(",") if c]
    from mapper.evaluate import read_documents

    X, y = training_rows(gp, (d for name in corpora
                              for d in read_documents(Path(args.corpora_dir) / f"{name}.jsonl")))
    model, f1 = train(X, y)
    w, b, mean, scale, threshold, pos = model.weights, model.bias, model.mean, model.scale, model.threshold, sum(y)
    src = (
        '"""Weights of the span filter (generated by `python -m mapper.geoparse.filter_model`; do not edit)."""\n\n'
        f"TRAINED_ON = {','.join(corpora)!r}\n"
        f"FEATURES = {FEATURES!r}\n"
        f"WEIGHTS = {tuple(round(v, 5) for v in w)!r}\n"
        f"BIAS = {round(b, 5)!r}\n"
        f"MEAN = {tuple(round(v, 5) for v in mean)!r}\n"
        f"SCALE = {tuple(round(v, 5) for v in scale)!r}\n"
        f"THRESHOLD = {threshold!r}\n"
        f"TRAINING_ROWS = {len(y)!r}\n"
        f"TRAINING_F1 = {round(f1, 4)!r}\n"
    )
    Path(args.out).write_text(src, encoding="utf-8")
    print(f"trained on {len(y)} spans ({pos} places) from {corpora}; threshold {threshold} (F1 {f1:.3f})")
    for name, wt in sorted(zip(FEATURES, w), key=lambda t: -abs(t[1])):
        print(f"  {name:20} {wt:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
