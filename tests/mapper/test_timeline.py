"""Timeline rules (mapper/timeline.py docstring): order, currency, supersession, assessment, hierarchy, counts."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest
from map_samples import (
    CITY,
    DISTRICTS,
    PROVINCE,
    badghis_children,
    badghis_places,
    claim,
    qala_claims,
    ts,
)

from mapper.actors import Actors
from mapper.timeline import MapPlace, Timeline, parse_scope, step_index

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
    # The retaking was reported within the dispute window of the capture: nobody settled it, so the
    # claims stand side by side for as long as nobody reports again (no 72-hour expiry any more).
    for day in (9, 14, 30):
        st = tl.state_at(CITY, at(day, 14))
        assert st.status == "disputed"
        assert st.last_reported == at(7, 10, 30)
    assert tl.state_at(CITY, at(30, 14)).age_label == "last reported 3 weeks ago"


def test_dispute_window_decides_whether_a_change_supersedes():
    # The ministry's "war is raging" came 15.5 hours after the latest instant of the Taliban's capture claim,
    # its "retook" 21 hours after: with a 6-hour window the fighting report is news that ends the capture claim.
    short = Timeline(qala_claims(), badghis_places(), children=badghis_children(), dispute_window=timedelta(hours=6))
    assert short.state_at(CITY, at(7, 6)).status == "contested"
    st = short.state_at(CITY, at(7, 12))
    assert st.label == "controlled by Government of Afghanistan"
    ended = {e.claim.origin.row: e for e in short.entries if e.place_key == CITY}
    assert ended[1].end_reason == "change" and ended[1].superseded_by == ended[5].index
    assert "Defence Ministry" in short.ended_because(ended[1])
    long = Timeline(qala_claims(), badghis_places(), children=badghis_children(), dispute_window=timedelta(hours=30))
    assert long.state_at(CITY, at(7, 12)).status == "disputed"
    with pytest.raises(ValueError, match="dispute_window must be positive"):
        Timeline([], {}, dispute_window=timedelta(0))


def test_window_is_the_incident_window():
    place = {"p": MapPlace("p", "P", "populated_place")}
    held = claim("P", ts(2021, 7, 1), "controlled", actor="Government", claimant="A", row=1, status_raw="holds")
    hit = claim("P", ts(2021, 7, 2, 12), "attacked", actor="Taliban", claimant="B", row=2, status_raw="shelled")
    tl = Timeline([(held, "p"), (hit, "p")], place, window=timedelta(hours=6))
    inc = tl.entries[1]
    assert inc.end == at(2, 12) + timedelta(hours=6) and inc.end_reason == "incident_window"
    assert tl.entries[0].end is None and tl.entries[0].end_reason == "standing"
    only_hit = Timeline([(hit, "p")], place, window=timedelta(hours=6))
    assert only_hit.state_at("p", at(2, 17)).status == "attacked"
    assert only_hit.state_at("p", at(2, 19)).status == "unknown"
    assert tl.state_at("p", at(20)).label == "controlled by Government"  # control persists
    with pytest.raises(ValueError, match="window must be positive"):
        Timeline([], {}, window=timedelta(0))
    never = Timeline([(hit, "p")], place, window=None)
    assert never.state_at("p", at(30)).status == "attacked"


def test_supersession_within_claimant_and_standing_claims(tl):
    entries = {e.claim.origin.row: e for e in tl.entries if e.place_key == CITY}
    contested, retaken = entries[5], entries[7]
    assert contested.superseded_by == retaken.index
    assert contested.end == retaken.start
    assert contested.end_reason == "same_claimant"
    # The Taliban claim is not superseded by the ministry (within the dispute window): it stands.
    assert entries[1].superseded_by is None and entries[1].end is None
    assert entries[1].end_reason == "standing"
    assert tl.ended_because(entries[1]).startswith("still standing")


def test_same_organisation_through_another_channel_supersedes_its_own_claim():
    place = {"p": MapPlace("p", "Kherson", "populated_place", country="UA")}
    first = claim("Kherson", ts(2022, 3, 2), "contested", actor="Russia", claimant="Ukrainian Defence Ministry", row=1)
    later = claim("Kherson", ts(2022, 3, 3), "controlled", actor="Russia",
                  claimant="Ukrainian Defence Ministry on Telegram", row=2, status_raw="occupied")
    tl = Timeline([(first, "p"), (later, "p")], place)
    assert [e.claimant for e in tl.entries] == ["Ukrainian Defence Ministry"] * 2
    assert tl.entries[1].channel == "Telegram"
    assert tl.entries[0].end_reason == "same_claimant"
    assert tl.state_at("p", ts(2022, 6, 1).earliest).label == "controlled by Russia"
    assert len(tl.claimants()) == 1


def test_time_end_bounds_the_claim():
    place = {"p": MapPlace("p", "P", "admin2", "unit")}
    c = claim("P", ts(2021, 7, 1), "controlled", actor="Taliban", claimant="A", time_end=ts(2021, 7, 2, 6))
    tl = Timeline([(c, "p")], place)
    assert tl.state_at("p", at(2, 5)).status == "controlled"
    assert tl.state_at("p", at(2, 7)).status == "unknown"


def test_denial_disputes_claimed_control_and_alone_is_a_denial():
    place = {"p": MapPlace("p", "P", "admin1", "unit")}
    t = ts(2021, 7, 7, 6)
    deny = claim("P", t, "not_controlled", actor="Taliban", claimant="Security officials", row=1)
    say = claim("P", t, "controlled", actor="Taliban", claimant="Taliban spokesman", row=2)
    other = claim("P", t, "controlled", actor="Government", claimant="Governor", row=3)
    alone = Timeline([(deny, "p")], place).state_at("p", at(7, 7))
    assert (alone.status, alone.label) == ("denied", "denied: not held by Taliban")
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
    assert at(7, 10, 30) in steps  # the ministry's "retook", which ends its own "war is raging"
    assert at(6, 13, 30) + timedelta(hours=72) not in steps  # control claims no longer expire
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


def test_partial_control_is_partial_with_its_scope():
    place = {"p": MapPlace("p", "Qala-e-Naw", "populated_place")}
    t = ts(2021, 7, 7, 6)
    part = claim("P", t, "controlled", actor="Government", claimant="report", scope="city centre", row=1)
    whole = claim("P", t, "controlled", actor="Government", claimant="report", scope="entire city", row=1)
    tl = Timeline([(part, "p")], place)
    assert tl.entries[0].partial and tl.entries[0].status == "controlled"
    st = tl.state_at("p", at(7, 7))
    assert (st.status, st.actor, st.scope) == ("partial", "Government", "city centre")
    assert st.label == "Government: city centre (partial control)"
    assert st.short_label == "Government: city centre"
    assert "part: city centre" in st.reason
    assert Timeline([(whole, "p")], place).state_at("p", at(7, 7)).label == "controlled by Government"


def test_claimant_sides_use_the_place_country_as_context():
    # As the pipeline makes them: the country's name for display, its code for context.
    places = {"k": MapPlace("k", "Kherson", "populated_place", country="Ukraine", country_code="UA"),
              "q": MapPlace("q", "Qala-e-Naw", "populated_place", country="Afghanistan", country_code="AF")}
    t = ts(2022, 3, 2)
    tl = Timeline([
        (claim("Kherson", t, "controlled", actor="Russian troops", claimant="Russian Defence Ministry on Telegram",
               status_raw="captured"), "k"),
        (claim("Kherson", t, "contested", actor="Russian troops", claimant="Defence Ministry"), "k"),
        (claim("Qala-e-Naw", t, "contested", actor="Taliban", claimant="Defence Ministry (via Facebook)"), "q"),
    ], places)
    sides = [(e.claimant, e.channel, e.side) for e in tl.entries]
    assert sides == [("Russian Defence Ministry", "Telegram", "Government of Russia"),
                     ("Defence Ministry", "", "Government of Ukraine"),
                     ("Defence Ministry", "Facebook", "Government of Afghanistan")]
    assert tl.entries[0].actor == "Government of Russia"
