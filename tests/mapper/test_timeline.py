"""Timeline rules (mapper/timeline.py docstring): order, currency, supersession, assessment, hierarchy, counts."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest

from mapper.actors import Actors
from mapper.timeline import MapPlace, Timeline, parse_scope, step_index
from map_samples import (
    CITY, DISTRICTS, PROVINCE, badghis_children, badghis_places, claim, qala_claims, ts,
)

UTC = timezone.utc


def at(d, h=0, mi=0):
    return datetime(2021, 7, d, h, mi, tzinfo=UTC)


@pytest.fixture()
def tl():
    return Timeline(qala_claims(), badghis_places(), children=badghis_children())


def test_claims_sorted_by_parsed_time_not_text():
    place = {"p": MapPlace("p", "P", "populated_place")}
    # Text labels sort the other way round ("10 Jul" < "9 Jul" as strings).
    late = claim("P", ts(2021, 7, 10, text="10 Jul 2021"), "controlled", actor="Taliban", claimant="A", row=1)
    early = claim("P", ts(2021, 7, 9, text="9 Jul 2021"), "controlled", actor="Government", claimant="A", row=2)
    tl = Timeline([(late, "p"), (early, "p")], place)
    assert [e.claim.time.text for e in tl.claims_for("p")] == ["9 Jul 2021", "10 Jul 2021"]
    # The 9 Jul claim is superseded by the same claimant's 10 Jul claim.
    assert tl.state_at("p", at(9, 12)).actor == "Government"
    assert tl.state_at("p", at(10, 1)).actor == "Taliban"


def test_story_of_qala_e_naw(tl):
    # Before any claim: unknown.
    assert tl.state_at(CITY, at(6, 7)).status == "unknown"
    # Tuesday afternoon: Taliban and the MP agree.
    st = tl.state_at(CITY, at(6, 9))
    assert (st.status, st.actor) == ("controlled", "Taliban")
    assert len(st.entries) == 2
    # Wednesday morning: the Defence Ministry says fighting is raging -> claims disagree.
    assert tl.state_at(CITY, at(7, 6)).status == "disputed"
    # Wednesday afternoon: ministry says retaken; Taliban's claim still current -> disputed.
    st = tl.state_at(CITY, at(7, 12))
    assert st.status == "disputed"
    assert set(st.actors) == {"Taliban", "Government of Afghanistan"}
    # After the Taliban claims' window (72 h after 13:30 on 6 Jul) only the ministry's claim is current.
    st = tl.state_at(CITY, at(9, 14))
    assert (st.status, st.actor) == ("controlled", "Government of Afghanistan")
    # ... and it expires 72 h after its own latest instant (14:30 on 7 Jul).
    assert tl.state_at(CITY, at(10, 14, 29)).status == "controlled"
    assert tl.state_at(CITY, at(10, 14, 30)).status == "unknown"


def test_window_is_configurable():
    short = Timeline(qala_claims(), badghis_places(), children=badghis_children(), window=timedelta(hours=6))
    assert short.state_at(CITY, at(7, 12)).label == "controlled by Government of Afghanistan"
    with pytest.raises(ValueError, match="window must be positive"):
        Timeline([], {}, window=timedelta(0))
    never = Timeline(qala_claims(), badghis_places(), window=None)
    assert never.state_at(CITY, at(30, 0)).status == "disputed"


def test_supersession_only_within_claimant(tl):
    entries = {e.claim.origin.row: e for e in tl.entries if e.place_key == CITY}
    contested, retaken = entries[5], entries[7]
    assert contested.superseded_by == retaken.index
    assert contested.end == retaken.start
    # The Taliban claim is not superseded by the ministry: it only expires.
    assert entries[1].superseded_by is None
    assert entries[1].end == at(6, 13, 30) + timedelta(hours=72)


def test_time_end_bounds_the_claim():
    place = {"p": MapPlace("p", "P", "admin2", "unit")}
    c = claim("P", ts(2021, 7, 1), "controlled", actor="Taliban", claimant="A", time_end=ts(2021, 7, 2, 6))
    tl = Timeline([(c, "p")], place)
    assert tl.state_at("p", at(2, 5)).status == "controlled"
    assert tl.state_at("p", at(2, 7)).status == "unknown"


def test_denial_disputes_claimed_control_but_alone_is_unknown():
    place = {"p": MapPlace("p", "P", "admin1", "unit")}
    t = ts(2021, 7, 7, 6)
    deny = claim("P", t, "not_controlled", actor="Taliban", claimant="Security officials", row=1)
    say = claim("P", t, "controlled", actor="Taliban", claimant="Taliban spokesman", row=2)
    other = claim("P", t, "controlled", actor="Government", claimant="Governor", row=3)
    assert Timeline([(deny, "p")], place).state_at("p", at(7, 7)).status == "unknown"
    assert Timeline([(deny, "p"), (say, "p")], place).state_at("p", at(7, 7)).status == "disputed"
    # Denying Taliban control is consistent with a claim of government control.
    st = Timeline([(deny, "p"), (other, "p")], place).state_at("p", at(7, 7))
    assert st.label == "controlled by Government"


def test_attacked_is_an_incident_and_does_not_replace_control():
    place = {"p": MapPlace("p", "P", "populated_place")}
    held = claim("P", ts(2021, 7, 1), "controlled", actor="Government", claimant="ACLED", row=1)
    hit = claim("P", ts(2021, 7, 2), "attacked", actor="Taliban", claimant="ACLED", row=2)
    tl = Timeline([(held, "p"), (hit, "p")], place)
    assert tl.state_at("p", at(2, 1)).label == "controlled by Government"
    only_hit = Timeline([(hit, "p")], place)
    st = only_hit.state_at("p", at(2, 1))
    assert st.status == "attacked" and st.actors == ("Taliban",)


def test_contested_alone_and_unstated_actor():
    place = {"p": MapPlace("p", "P", "populated_place")}
    t = ts(2021, 7, 7, 6)
    c1 = claim("P", t, "contested", actor="Taliban", claimant="A", row=1)
    assert Timeline([(c1, "p")], place).state_at("p", at(7, 7)).status == "contested"
    vague = claim("P", t, "controlled", claimant="B", row=2)
    named = claim("P", t, "controlled", actor="Taliban", claimant="C", row=3)
    st = Timeline([(vague, "p"), (named, "p")], place).state_at("p", at(7, 7))
    assert st.label == "controlled by Taliban"
    assert Timeline([(vague, "p")], place).state_at("p", at(7, 7)).label == "controlled (actor not stated)"


def test_claimant_filter(tl):
    st = tl.state_at(CITY, at(7, 12), claimants=["Defence Ministry"])
    assert st.label == "controlled by Government of Afghanistan"
    st = tl.state_at(CITY, at(7, 12), claimants=["taliban  SPOKESMAN"])
    assert st.label == "controlled by Taliban"


def test_actor_aliases_and_sides(tl):
    sides = dict(tl.claimants())
    assert sides["Taliban spokesman"] == "Taliban"
    assert sides["Defence Ministry"] == "Government of Afghanistan"
    assert sides["MP Abdulbasir Osmani (Khaama Press)"] == ""  # independent / other
    custom = Actors.default()
    aliases = Timeline([(claim("P", ts(2021, 7, 1), "controlled", actor="ANDSF", claimant="x"), "p")],
                       {"p": MapPlace("p", "P", "admin2")}, actors=custom)
    assert aliases.entries[0].actor == "Government of Afghanistan"


def test_all_districts_scope_spreads_to_districts_and_rolls_up(tl):
    derived = [e for e in tl.entries if e.derived_from is not None]
    assert sorted(e.place_key for e in derived) == sorted(DISTRICTS)
    t = at(6, 14)
    assert all(tl.state_at(d, t).label == "controlled by Taliban" for d in DISTRICTS)
    rollup = [c for c in tl.rollups_at(t) if c.unit_key == PROVINCE]
    assert [(c.category, c.n, c.total) for c in rollup] == [("controlled by Taliban", 7, 7)]
    assert rollup[0].text.startswith("Badghis: 7 of 7 districts controlled by Taliban")
    # The province claim itself is not counted twice; the rows behind are the derived copies.
    assert len(rollup[0].entries) == 7


def test_district_claim_beats_older_province_claim_by_same_claimant():
    places, children = badghis_places(), badghis_children()
    prov = claim("Badghis", ts(2021, 7, 6), "controlled", actor="Taliban", claimant="Taliban spokesman",
                 scope="all districts", row=1)
    dist = claim("Ghormach", ts(2021, 7, 6, 12), "contested", actor="Taliban", claimant="Taliban spokesman", row=2)
    tl = Timeline([(prov, PROVINCE), (dist, DISTRICTS[2])], places, children=children)
    counts = {c.category: c.n for c in tl.rollups_at(at(6, 13))}
    assert counts == {"controlled by Taliban": 6, "contested": 1}


def test_city_does_not_recolour_its_unit():
    places = badghis_places()
    c = claim("Qala-e-Naw", ts(2021, 7, 6), "controlled", actor="Taliban", claimant="A")
    tl = Timeline([(c, CITY)], places, children=badghis_children())
    assert tl.state_at(CITY, at(6, 1)).status == "controlled"
    assert tl.state_at(DISTRICTS[0], at(6, 1)).status == "unknown"
    assert tl.state_at(PROVINCE, at(6, 1)).status == "unknown"


def test_scope_count_reported_as_stated(tl):
    counts = tl.counts_at(at(7, 6))
    scope = [c for c in counts if c.level == "scope claim"]
    assert len(scope) == 1
    assert (scope[0].n, scope[0].total) == (6, 7)
    assert "Breitbart News claims 6 of 7 districts controlled by Taliban" in scope[0].text
    assert tl.entries[scope[0].entries[0]].claim.origin.row == 6


@pytest.mark.parametrize(
    "text,kind,n,total",
    [("all districts", "all", None, None), ("All the districts", "all", None, None),
     ("entire province", "all", None, None), ("6 of 7 districts", "count", 6, 7),
     ("six out of seven", "count", 6, 7), ("a majority of districts", "text", None, None), ("", "", None, None),
     ("7 of 6", "text", None, None)],
)
def test_parse_scope(text, kind, n, total):
    s = parse_scope(text)
    assert (s.kind, s.n, s.total) == (kind, n, total)


def test_steps_are_change_instants_within_range(tl):
    steps = tl.steps()
    assert steps == sorted(steps)
    assert at(6, 7, 30) in steps  # Taliban claim start
    assert at(6, 13, 30) + timedelta(hours=72) in steps  # its expiry
    ranged = tl.steps(at(7, 0), at(8, 0))
    assert ranged[0] == at(7, 0) and all(at(7, 0) <= s <= at(8, 0) for s in ranged)
    assert step_index(steps, at(6, 8)) == steps.index(at(6, 7, 30))
    assert tl.default_time() == at(7, 10, 30)


def test_export_counts_lists_claim_rows(tl, tmp_path):
    out = tmp_path / "counts.csv"
    n = tl.export_counts(at(6, 14), out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert n == len(rows) > 0
    badghis = [r for r in rows if r["unit"] == "Badghis" and r["level"] == "districts"]
    assert len(badghis) == 7
    assert {r["row"] for r in badghis} == {"3"}
    assert all(r["derived"].startswith("yes") for r in badghis)
    towns = [r for r in rows if r["level"] == "mapped towns and villages"]
    assert {r["claimant"] for r in towns} == {"Taliban spokesman", "MP Abdulbasir Osmani (Khaama Press)"}
    assert {r["file"] for r in towns} == {"claims.csv"}


def test_unknown_place_key_is_an_error():
    with pytest.raises(KeyError, match="not in places"):
        Timeline([(claim("X", ts(2021, 7, 1), "controlled"), "nope")], {})


def test_partial_control_counts_as_contested():
    place = {"p": MapPlace("p", "Qala-e-Naw", "populated_place")}
    t = ts(2021, 7, 7, 6)
    part = claim("P", t, "controlled", actor="Government", claimant="report", scope="city centre", row=1)
    whole = claim("P", t, "controlled", actor="Government", claimant="report", scope="entire city", row=1)
    tl = Timeline([(part, "p")], place)
    assert tl.entries[0].partial and tl.entries[0].status == "controlled"
    st = tl.state_at("p", at(7, 7))
    assert st.status == "contested" and st.actors == ("Government",)
    assert "part: city centre" in st.reason
    assert Timeline([(whole, "p")], place).state_at("p", at(7, 7)).label == "controlled by Government"
