"""Scoring rules of mapper.evaluate, checked against numbers worked out by hand."""

from __future__ import annotations

import json
import math

import pytest

from mapper.evaluate import (
    ACC_KM,
    MAX_ERROR_KM,
    Document,
    EvaluationInputError,
    Toponym,
    auc_of_errors,
    match_toponyms,
    read_documents,
    score,
)

# One degree of latitude on the mean-radius sphere (R = 6371.0088 km).
KM_PER_DEG = 6371.0088 * math.pi / 180.0


def T(start, name, lat=None, lon=None):
    return Toponym(start, start + len(name), name, lat, lon)


TEXT = "Kabul is far from Herat. Paris too. American Berlin"
GOLD = Document(
    "d1",
    TEXT,
    (
        T(0, "Kabul", 34.5, 69.2),
        T(18, "Herat", 34.0, 62.2),
        T(25, "Paris", 48.0, 2.35),
        T(36, "American"),  # demonym: no coordinates, does not count
    ),
)
PRED = Document(
    "d1",
    "",
    (
        T(0, "kabul", 34.5, 69.2),  # same place, other case: 0 km
        T(20, "Herat", 35.0, 62.2),  # midpoint 2 chars off, 1 degree north: ~111 km
        T(25, "Paris", 50.0, 2.35),  # 2 degrees north: ~222 km
        T(36, "American", 39.0, -98.0),  # gold has no coordinates: false positive
        T(45, "Berlin", 52.5, 13.4),  # not in gold: false positive
    ),
)


def test_hand_computed_scores():
    s = score([GOLD], [PRED])
    assert (s.n_gold, s.n_pred, s.n_match) == (3, 5, 3)
    assert s.precision == pytest.approx(3 / 5)
    assert s.recall == pytest.approx(1.0)
    assert s.f1 == pytest.approx(2 * 0.6 * 1.0 / 1.6)
    errors = [0.0, KM_PER_DEG, 2 * KM_PER_DEG]
    assert sorted(m.km for m in s.matches) == pytest.approx(errors, abs=0.01)
    assert s.acc161 == pytest.approx(2 / 3)
    assert s.mean_km == pytest.approx(KM_PER_DEG, abs=0.01)
    assert s.median_km == pytest.approx(KM_PER_DEG, abs=0.01)
    # Trapezoid over sorted ln(1+km): ((l0+l1)/2 + (l1+l2)/2) / (ln(20039) * 2)
    l0, l1, l2 = (math.log(1 + e) for e in errors)
    expected_auc = ((l0 + l1) / 2 + (l1 + l2) / 2) / (math.log(20039) * 2)
    assert s.auc == pytest.approx(expected_auc, abs=1e-4)
    assert 0.37 < s.auc < 0.38
    # geo-F1: 2 of the 3 matches are within 161 km.
    assert s.n_geo_match == 2
    assert s.geo_precision == pytest.approx(2 / 5)
    assert s.geo_recall == pytest.approx(2 / 3)
    assert s.geo_f1 == pytest.approx(2 * 0.4 * (2 / 3) / (0.4 + 2 / 3))


def test_midpoint_must_be_closer_than_ten_characters():
    gold = [T(100, "Herat", 1.0, 1.0)]
    assert match_toponyms(gold, [T(109, "Herat")])  # 9 apart
    assert not match_toponyms(gold, [T(110, "Herat")])  # exactly 10 apart: no match
    assert not match_toponyms(gold, [T(90, "Herat")])


def test_each_gold_used_once_and_nearest_wins():
    gold = [T(0, "Kunduz", 1, 1), T(8, "Kunduz", 2, 2)]
    pairs = match_toponyms(gold, [T(1, "Kunduz"), T(2, "Kunduz"), T(3, "Kunduz")])
    # The first prediction takes the nearest gold (start 0), the second the other, the third nothing.
    assert [(g.start, p.start) for g, p in pairs] == [(0, 1), (8, 2)]


def test_name_must_match_case_insensitively_only():
    gold = [T(0, "New York", 1, 1)]
    assert match_toponyms(gold, [T(0, "NEW YORK")])
    assert not match_toponyms(gold, [T(0, "New")])  # partial span is a different name


def test_prediction_without_coordinates_counts_as_maximal_error():
    s = score([Document("a", "", (T(0, "Herat", 34.0, 62.2),))], [Document("a", "", (T(0, "Herat"),))])
    assert s.n_match == 1 and s.f1 == 1.0
    assert s.matches[0].km == MAX_ERROR_KM
    assert s.acc161 == 0.0 and s.geo_f1 == 0.0
    assert s.auc == pytest.approx(1.0)


def test_missing_prediction_document_counts_as_nothing_found():
    gold = [GOLD, Document("d2", "", (T(0, "Herat", 34.0, 62.2),))]
    s = score(gold, [PRED])
    assert s.n_gold == 4 and s.recall == pytest.approx(3 / 4)
    assert s.n_docs == 2


def test_no_matches_gives_undefined_resolution_scores():
    s = score([GOLD], [])
    assert s.precision == 0.0 and s.recall == 0.0 and s.f1 == 0.0
    assert s.acc161 is None and s.auc is None and s.mean_km is None


def test_auc_edges():
    assert auc_of_errors([]) is None
    assert auc_of_errors([0.0, 0.0, 0.0]) == 0.0
    assert auc_of_errors([99.0]) == pytest.approx(math.log(100) / math.log(20039))
    assert auc_of_errors([MAX_ERROR_KM, MAX_ERROR_KM]) == pytest.approx(1.0)
    # Order of input does not matter: the curve is over sorted errors.
    assert auc_of_errors([500.0, 1.0, 20.0]) == auc_of_errors([1.0, 20.0, 500.0])
    assert ACC_KM == 161.0


def test_read_documents(tmp_path):
    p = tmp_path / "gold.jsonl"
    p.write_text(
        json.dumps({"id": "x", "text": "Herat", "toponyms": [{"start": 0, "end": 5, "name": "Herat",
                                                             "lat": 34.3, "lon": 62.2}]})
        + "\n\n"
        + json.dumps({"id": 7, "text": "", "toponyms": []})
        + "\n",
        encoding="utf-8",
    )
    docs = list(read_documents(p))
    assert [d.id for d in docs] == ["x", "7"]
    assert docs[0].toponyms[0] == Toponym(0, 5, "Herat", 34.3, 62.2)


def test_read_documents_reports_line_of_bad_json(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "a", "toponyms": []}\n{"id": \n', encoding="utf-8")
    with pytest.raises(EvaluationInputError) as exc:
        list(read_documents(p))
    assert exc.value.line == 2 and "line 2" in str(exc.value)


def test_scores_on_a_corpus_slice_against_itself(shared_data):
    path = shared_data / "geoparse" / "trnews.jsonl"
    docs = [d for _, d in zip(range(10), read_documents(path))]
    s = score(docs, docs)
    n = sum(1 for d in docs for t in d.toponyms if t.has_coordinates)
    assert s.n_gold == n and s.n_match == n and s.acc161 == 1.0 and s.auc == 0.0
