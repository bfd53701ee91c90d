"""Score a geoparser against gold toponyms with the field's standard rules.

The rules follow Gritta et al., "A Pragmatic Guide to Geoparsing Evaluation"
(LREV 2020), so numbers compare with published ones:

Recognition
    A predicted toponym matches a gold toponym when both have the same name
    (case-insensitive) and their span midpoints are less than
    :data:`MAX_MIDPOINT_CHARS` characters apart. Each gold toponym is used at
    most once; a prediction takes the nearest unused gold one. Only gold
    toponyms **with coordinates** count (GeoWebNews demonyms, LGL toponyms
    without a gazetteer tag...): a prediction that only matches such a gold
    toponym is a false positive. Precision, recall and F1 are micro-averaged
    over the corpus.
Resolution
    Over the matched pairs: the great-circle error in km (a prediction
    without coordinates counts as :data:`MAX_ERROR_KM`), Acc@161 (share of
    errors below :data:`ACC_KM`, i.e. 100 miles), AUC of the error curve
    (trapezoid over the sorted ln(1 + km) divided by ln(20039) * (n - 1);
    0 is perfect, 1 is worst), mean and median km.
Geo-F1
    Recognition P/R/F1 where a match counts only when its error is also
    below :data:`ACC_KM`.

Input is the JSON Lines format of ``../shared/data/geoparse``: one document
per line, ``{"id", "text", "toponyms": [{"start", "end", "name", "lat",
"lon", ...}]}``. Predictions use the same format (``text`` is optional).

Examples
--------
>>> gold = [Document("d1", "Kabul and Herat", (Toponym(0, 5, "Kabul", 34.53, 69.17),))]
>>> pred = [Document("d1", "", (Toponym(0, 5, "kabul", 34.5, 69.2),))]
>>> s = score(gold, pred)
>>> (s.precision, s.recall, s.acc161)
(1.0, 1.0, 1.0)
>>> score(gold, []).recall          # a document with no prediction: all missed
0.0
"""

from __future__ import annotations

import json
import logging
import math
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gazetteer import haversine_km
from mapper.errors import EvaluationInputError

log = logging.getLogger(__name__)

#: Span midpoints must be closer than this (characters) for a match.
MAX_MIDPOINT_CHARS = 10
#: Acc@161 and geo-F1 threshold (km): 100 miles.
ACC_KM = 161.0
#: Largest possible great-circle error (half the Earth's circumference, km);
#: the AUC normaliser and the error given to a match without coordinates.
MAX_ERROR_KM = 20039.0


@dataclass(frozen=True)
class Toponym:
    """One place mention: ``text[start:end] == name``; coordinates may be missing."""

    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None

    @property
    def midpoint(self) -> float:
        """Character offset of the mention's middle."""
        return (self.start + self.end) / 2.0

    @property
    def has_coordinates(self) -> bool:
        """True when both ``lat`` and ``lon`` are known."""
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Document:
    """A document with its toponyms (gold or predicted)."""

    id: str
    text: str = ""
    toponyms: tuple = ()


@dataclass(frozen=True)
class Match:
    """A matched (gold, predicted) pair and its error in km."""

    doc_id: str
    gold: Toponym
    pred: Toponym
    km: float


@dataclass(frozen=True)
class GeoparseScores:
    """Corpus-level scores (micro-averaged). ``matches`` keeps every pair for error analysis."""

    n_gold: int
    n_pred: int
    n_match: int
    n_geo_match: int
    precision: float
    recall: float
    f1: float
    acc161: float | None
    auc: float | None
    mean_km: float | None
    median_km: float | None
    geo_precision: float
    geo_recall: float
    geo_f1: float
    n_docs: int = 0
    matches: tuple = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict:
        """The numbers, without the matched pairs."""
        return {
            "docs": self.n_docs,
            "gold": self.n_gold,
            "pred": self.n_pred,
            "matched": self.n_match,
            "matched_within_161km": self.n_geo_match,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "acc161": self.acc161,
            "auc": self.auc,
            "mean_km": self.mean_km,
            "median_km": self.median_km,
            "geo_precision": self.geo_precision,
            "geo_recall": self.geo_recall,
            "geo_f1": self.geo_f1,
        }


# --------------------------------------------------------------------------- reading
def _float_or_none(value, what, path, line):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise EvaluationInputError(
            f"{path}, line {line}: {what} {value!r} is not a number (expected decimal degrees or null)",
            path=path,
            line=line,
        ) from err


def toponym_from_dict(d: dict, *, path="<input>", line=None) -> Toponym:
    """Build a :class:`Toponym` from a corpus record's toponym dict."""
    try:
        start, end, name = int(d["start"]), int(d["end"]), str(d["name"])
    except (KeyError, TypeError, ValueError) as err:
        raise EvaluationInputError(
            f"{path}, line {line}: toponym {d!r} needs integer 'start'/'end' and a 'name'",
            path=path,
            line=line,
        ) from err
    lat = _float_or_none(d.get("lat"), "lat", path, line)
    lon = _float_or_none(d.get("lon"), "lon", path, line)
    if (lat is None) != (lon is None):
        lat = lon = None
    return Toponym(start, end, name, lat, lon)


def document_from_dict(d: dict, *, path="<input>", line=None) -> Document:
    """Build a :class:`Document` from one JSON Lines record."""
    if not isinstance(d, dict) or "id" not in d:
        raise EvaluationInputError(
            f"{path}, line {line}: expected a JSON object with an 'id' (and 'toponyms'), got {str(d)[:80]!r}",
            path=path,
            line=line,
        )
    tops = d.get("toponyms")
    if tops is None:
        tops = []
    if not isinstance(tops, list):
        raise EvaluationInputError(
            f"{path}, line {line}: 'toponyms' must be a list, got {type(tops).__name__}", path=path, line=line
        )
    return Document(
        id=str(d["id"]),
        text=d.get("text") or "",
        toponyms=tuple(toponym_from_dict(t, path=path, line=line) for t in tops),
    )


def read_documents(path) -> Iterator[Document]:
    """Stream documents from a JSON Lines file, or stdin for ``"-"`` (blank lines skipped).

    Raises
    ------
    EvaluationInputError
        On a line that is not JSON or not a document record.
    """
    if str(path) == "-":
        import io
        import sys

        fh = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8") if hasattr(sys.stdin, "buffer") else sys.stdin
        path = "<stdin>"
    else:
        path = Path(path)
        try:
            fh = path.open(encoding="utf-8")
        except OSError as err:
            raise EvaluationInputError(f"cannot read {path}: {err.strerror}", path=str(path)) from err
    with fh:
        for i, raw in _decoded_lines(fh, path):
            if not raw.strip():
                continue
            try:
                d = json.loads(raw)
            except json.JSONDecodeError as err:
                raise EvaluationInputError(
                    f"{path}, line {i}: not JSON ({err.msg}); expected one document object per line",
                    path=str(path),
                    line=i,
                ) from err
            yield document_from_dict(d, path=str(path), line=i)


def _decoded_lines(fh, path):
    """(line number, line) pairs; a line that is not UTF-8 is an :class:`EvaluationInputError`."""
    i = 0
    try:
        for i, raw in enumerate(fh, start=1):
            yield i, raw
    except UnicodeDecodeError as err:
        raise EvaluationInputError(
            f"{path}, line {i + 1}: not UTF-8 text ({err.reason}); re-save the file as UTF-8 JSON Lines",
            path=str(path), line=i + 1,
        ) from err


# --------------------------------------------------------------------------- scoring
def match_toponyms(gold: Iterable[Toponym], pred: Iterable[Toponym]) -> list:
    """Pair predictions with gold toponyms (same name, midpoints < 10 chars apart).

    Each gold toponym is used at most once; a prediction takes the nearest
    unused gold toponym (the earlier one on ties). Returns ``[(gold, pred)]``.
    Callers pass only the gold toponyms that count (with coordinates).
    """
    by_name: dict = {}
    for g in gold:
        by_name.setdefault(g.name.casefold(), []).append(g)
    used = set()
    pairs = []
    for p in sorted(pred, key=lambda t: (t.start, t.end)):
        best = None
        for idx, g in enumerate(by_name.get(p.name.casefold(), ())):
            key = (p.name.casefold(), idx)
            if key in used:
                continue
            gap = abs(g.midpoint - p.midpoint)
            if gap < MAX_MIDPOINT_CHARS and (best is None or gap < best[0]):
                best = (gap, key, g)
        if best is not None:
            used.add(best[1])
            pairs.append((best[2], p))
    return pairs


def error_km(gold: Toponym, pred: Toponym) -> float:
    """Great-circle error of a matched pair; :data:`MAX_ERROR_KM` when the prediction has no coordinates."""
    if not pred.has_coordinates:
        return MAX_ERROR_KM
    return haversine_km(gold.lat, gold.lon, pred.lat, pred.lon)


def auc_of_errors(errors_km) -> float | None:
    """Area under the sorted ln(1 + km) curve, normalised to [0, 1] (0 = perfect).

    Trapezoid rule over the sorted values divided by ln(20039) * (n - 1);
    a single error gives ln(1 + km) / ln(20039). ``None`` for no errors.
    """
    logs = sorted(math.log1p(min(km, MAX_ERROR_KM)) for km in errors_km)
    n = len(logs)
    if n == 0:
        return None
    norm = math.log(MAX_ERROR_KM)
    if n == 1:
        return min(1.0, logs[0] / norm)
    area = sum((logs[i] + logs[i + 1]) / 2.0 for i in range(n - 1))
    return min(1.0, area / (norm * (n - 1)))


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> GeoparseScores:
    """Score predictions against gold documents (matched by ``id``).

    A gold document without a prediction counts as predicting nothing;
    predicted documents absent from the gold are ignored with a warning.
    """
    preds = {}
    for d in pred_docs:
        preds[d.id] = d
    n_gold = n_pred = n_docs = 0
    matches = []
    seen = set()
    for gdoc in gold_docs:
        n_docs += 1
        seen.add(gdoc.id)
        gold = [t for t in gdoc.toponyms if t.has_coordinates]
        pdoc = preds.get(gdoc.id)
        ptops = list(pdoc.toponyms) if pdoc else []
        n_gold += len(gold)
        n_pred += len(ptops)
        for g, p in match_toponyms(gold, ptops):
            matches.append(Match(gdoc.id, g, p, error_km(g, p)))
    extra = set(preds) - seen
    if extra:
        log.warning("%d predicted documents have no gold document and were ignored (e.g. %r)",
                    len(extra), sorted(extra)[0])
    errors = [m.km for m in matches]
    geo_tp = sum(1 for km in errors if km < ACC_KM)
    p, r, f = _prf(len(matches), n_pred, n_gold)
    gp, gr, gf = _prf(geo_tp, n_pred, n_gold)
    return GeoparseScores(
        n_gold=n_gold,
        n_pred=n_pred,
        n_match=len(matches),
        n_geo_match=geo_tp,
        precision=p,
        recall=r,
        f1=f,
        acc161=geo_tp / len(errors) if errors else None,
        auc=auc_of_errors(errors),
        mean_km=statistics.fmean(errors) if errors else None,
        median_km=statistics.median(errors) if errors else None,
        geo_precision=gp,
        geo_recall=gr,
        geo_f1=gf,
        n_docs=n_docs,
        matches=tuple(matches),
    )


def format_scores(s: GeoparseScores, *, title: str = "") -> str:
    """A small human-readable table of the scores."""

    def fmt(v, pct=False):
        if v is None:
            return "n/a"
        return f"{v:.3f}" if not pct else f"{v:.1%}"

    lines = [title] if title else []
    lines += [
        f"documents         {s.n_docs}",
        f"gold toponyms     {s.n_gold}  (with coordinates)",
        f"predicted         {s.n_pred}",
        f"matched           {s.n_match}",
        f"precision         {fmt(s.precision)}",
        f"recall            {fmt(s.recall)}",
        f"F1                {fmt(s.f1)}",
        f"Acc@161           {fmt(s.acc161)}",
        f"AUC               {fmt(s.auc)}   (0 best)",
        f"mean km           {'n/a' if s.mean_km is None else f'{s.mean_km:.1f}'}",
        f"median km         {'n/a' if s.median_km is None else f'{s.median_km:.1f}'}",
        f"geo-precision     {fmt(s.geo_precision)}",
        f"geo-recall        {fmt(s.geo_recall)}",
        f"geo-F1            {fmt(s.geo_f1)}",
    ]
    return "\n".join(lines)
