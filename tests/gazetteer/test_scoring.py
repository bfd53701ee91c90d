"""gazetteer.scoring: the score's terms and the ranking decisions, on hand-made places (no index)."""

from dataclasses import replace

import pytest

from gazetteer.candidates import NameRows
from gazetteer.model import Candidate, Place
from gazetteer.names import ALTERNATE, PRIMARY, STRIPPED
from gazetteer.scoring import (
    AMBIGUITY_MARGIN,
    CONTEXT_DECAY_KM,
    FUZZY_SPAN,
    INEXACT_IMPORTANCE_FACTOR,
    MATCH_PRIMARY,
    MATCH_STRIPPED,
    W_IMPORTANCE,
    ContextPoint,
    city_over_eponymous_unit,
    context_km,
    context_point,
    fuzzy_matches,
    is_ambiguous,
    rank,
    score_candidate,
    variant_matches,
)

# Two towns of one name far apart (Syria / Libya), a province and its eponymous capital.
HOMS_SY = Place(id="t:1", name="Homs", kind="populated_place", lat=34.73, lon=36.72, country_code="SY",
                population=650_000)
HOMS_LY = Place(id="t:2", name="Homs", kind="populated_place", lat=32.65, lon=14.26, country_code="LY",
                population=200_000)
IDLIB_UNIT = Place(id="a:1", name="Idlib", kind="admin1", lat=35.8, lon=36.6, country_code="SY",
                   bbox=(35.9, 35.1, 37.0, 36.5))
IDLIB_TOWN = Place(id="t:3", name="Idlib", kind="populated_place", lat=35.93, lon=36.63, country_code="SY",
                   admin1_id="a:1", population=98_000)


def _cand(place, score, **kw):
    return Candidate(place=place, score=score, reason="", **kw)


def _score(place, **kw):
    args = {"cc": None, "within": None, "inside_within": False, "ctx": (), "kind": None}
    args.update(kw)
    return score_candidate(place, 0.5, MATCH_PRIMARY, "exact", place.name, **args)


def test_a_hinted_country_lifts_its_places_and_sinks_the_others():
    plain, home, abroad = _score(HOMS_SY), _score(HOMS_SY, cc="SY"), _score(HOMS_SY, cc="LY")
    assert abroad.score < plain.score < home.score
    assert "not in LY" in abroad.reason and "in SY" in home.reason


def test_importance_counts_less_for_inexact_matches():
    exact = score_candidate(HOMS_SY, 1.0, 0.9, "exact", "Hums", cc=None, within=None, inside_within=False,
                            ctx=(), kind=None)
    variant = score_candidate(HOMS_SY, 1.0, 0.9, "variant", "Hums", cc=None, within=None, inside_within=False,
                              ctx=(), kind=None)
    assert exact.score - variant.score == pytest.approx(W_IMPORTANCE * (1 - INEXACT_IMPORTANCE_FACTOR))


def test_closeness_to_context_decays_with_distance():
    near = _score(HOMS_SY, ctx=(ContextPoint(34.8, 36.8),))
    far = _score(HOMS_SY, ctx=(ContextPoint(32.6, 14.3),))
    assert near.score > far.score
    assert context_km(HOMS_LY, ContextPoint(32.6, 14.3)) < CONTEXT_DECAY_KM / 10


def test_a_kind_asked_for_and_a_hinted_unit_count():
    assert _score(IDLIB_UNIT, kind="admin1").score > _score(IDLIB_UNIT, kind="populated_place").score
    inside = _score(IDLIB_TOWN, within=IDLIB_UNIT, inside_within=True)
    outside = _score(HOMS_SY, within=IDLIB_UNIT, inside_within=False)
    assert "within Idlib" in inside.reason and "outside Idlib" in outside.reason


def test_context_points_from_places_candidates_and_pairs():
    assert context_point((34.5, 69.2)) == ContextPoint(34.5, 69.2)
    assert context_point(IDLIB_UNIT).bbox == IDLIB_UNIT.bbox  # a unit's box counts as inside
    assert context_point(HOMS_SY).bbox is None
    assert context_point(_cand(HOMS_SY, 1.0)).lat == HOMS_SY.lat
    assert context_point("Homs") is None
    assert context_km(IDLIB_TOWN, context_point(IDLIB_UNIT)) == 0.0


def test_far_namesakes_within_the_margin_are_ambiguous_a_town_and_its_unit_are_not():
    a, b = _cand(HOMS_SY, 0.8), _cand(HOMS_LY, 0.8 - AMBIGUITY_MARGIN / 2)
    assert is_ambiguous(a, b)
    assert not is_ambiguous(a, replace(b, score=0.8 - 2 * AMBIGUITY_MARGIN))
    assert not is_ambiguous(_cand(IDLIB_TOWN, 0.8), _cand(IDLIB_UNIT, 0.8))


def test_rank_keeps_the_best_candidate_per_place_and_breaks_ties_by_population():
    ranked = rank([_cand(HOMS_LY, 0.7), _cand(HOMS_SY, 0.7),
                   _cand(HOMS_LY, 0.5)])
    assert [c.place.id for c in ranked] == ["t:1", "t:2"]
    assert ranked[1].score == 0.7


def test_a_bare_name_shared_by_a_unit_and_its_town_means_the_town():
    unit = _cand(IDLIB_UNIT, 0.8, match="exact", quality=1.0)
    town = _cand(IDLIB_TOWN, 0.75, match="exact", quality=1.0)
    ranked = city_over_eponymous_unit([unit, town])
    assert ranked[0].place.id == IDLIB_TOWN.id and ranked[0].score == unit.score
    # a town outside the unit does not take its place
    other = _cand(HOMS_SY, 0.75, match="exact", quality=1.0)
    assert city_over_eponymous_unit([unit, other])[0].place.id == IDLIB_UNIT.id


def test_variant_and_fuzzy_matches_over_name_rows():
    rows = NameRows.of([("ghazni", "gazni", 1, PRIMARY, "AF"), ("ghazni", "gazni", 2, ALTERNATE, "AF"),
                        ("kabul", "kabul", 3, PRIMARY, "AF")])
    variants = {m.pid: m.quality for m in variant_matches("ghazni", rows)}
    assert 1 in variants and 3 not in variants
    typo = {m.pid: m.quality for m in fuzzy_matches("ghanzi", rows, "AF", query_had_type_word=False)}
    assert set(typo) == {1, 2} and typo[1] <= FUZZY_SPAN
    # Without a country only primary names are typo targets.
    assert {m.pid for m in fuzzy_matches("ghanzi", rows, None, query_had_type_word=False)} == {1}
    assert fuzzy_matches("gha", rows, "AF", query_had_type_word=False) == []


def test_a_name_with_its_type_word_removed_ranks_below_a_real_name():
    rows = NameRows.of([("abadkus", "abadkus", 1, STRIPPED, "AF"), ("abadkus", "abadkus", 2, PRIMARY, "AF")])
    q = {m.pid: m.quality for m in fuzzy_matches("abadkos", rows, "AF", query_had_type_word=False)}
    assert q[2] - q[1] == pytest.approx(MATCH_PRIMARY - MATCH_STRIPPED)
    q = {m.pid: m.quality for m in fuzzy_matches("abadkos", rows, "AF", query_had_type_word=True)}
    assert q[1] == q[2]
