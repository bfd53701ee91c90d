"""Plain-language descriptions: built from the timeline only, deterministic, nothing invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from map_samples import CITY, PROVINCE, badghis_children, badghis_places, claim, qala_claims, ts

from mapper.describe import CAVEAT, describe
from mapper.model import Claim, TimeSpan
from mapper.state import MapState
from mapper.timelabels import as_of_label, format_local, local_offset_minutes
from mapper.timeline import MapPlace, Timeline

UTC = timezone.utc
KABUL = timezone(timedelta(hours=4, minutes=30))


@pytest.fixture()
def timeline():
    return Timeline(qala_claims(), badghis_places(), children=badghis_children())


def test_each_place_gets_the_timeline_assessment_and_its_current_claims(timeline):
    t = datetime(2021, 7, 7, 6, 0, tzinfo=UTC)
    d = describe(timeline, t)
    by_name = {p.name: p for p in d.places}
    for key in (CITY, PROVINCE):
        st = timeline.state_at(key, t)
        p = by_name[timeline.places[key].name]
        assert p.status == st.status and p.actor == st.actor
        current = {e.claimant for e in timeline.current(key, t)}
        assert {c.claimant for c in p.claims} == current
        for name in current:
            assert name in d.text
    city = by_name["Qala-e-Naw"]
    assert '"war is raging"' in next(
        c.text for c in city.claims if c.claimant == "Defence Ministry"
    )
    # Later the ministry's own new claim supersedes it: the old one is no longer described.
    later = describe(timeline, datetime(2021, 7, 7, 12, 0, tzinfo=UTC))
    mod = [
        c.text
        for p in later.places
        if p.name == "Qala-e-Naw"
        for c in p.claims
        if c.claimant == "Defence Ministry"
    ]
    assert (
        len(mod) == 1
        and mod[0].startswith("controlled by Government")
        and "war is raging" not in later.text
    )
    assert d.text.startswith("As of 7 Jul 2021, 06:00 UTC: ")
    assert d.text.endswith(CAVEAT)


def test_claim_words_keep_the_source_wording_scope_and_time_precision(timeline):
    t = datetime(2021, 7, 6, 14, 0, tzinfo=UTC)
    d = describe(timeline, t)
    city = next(p for p in d.places if p.name == "Qala-e-Naw")
    texts = {c.claimant: c.text for c in city.claims}
    assert texts["Taliban spokesman"].startswith("controlled by Taliban (")
    assert '"captured"' in texts["Taliban spokesman"]
    assert "6 Jul 2021" in texts["Taliban spokesman"]
    province = next(p for p in d.places if p.name == "Badghis")
    assert any("scope: all districts" in c.text for c in province.claims)


def test_disagreement_comes_first_and_the_order_is_stable(timeline):
    t = datetime(2021, 7, 7, 6, 0, tzinfo=UTC)
    a, b = describe(timeline, t), describe(timeline, t)
    assert a == b
    ranks = {"disputed": 0, "contested": 1, "controlled": 2, "attacked": 3, "unknown": 4}
    order = [ranks[p.status] for p in a.places]
    assert order == sorted(order)


def test_derived_district_claims_name_the_claim_they_come_from(timeline):
    t = datetime(2021, 7, 6, 14, 0, tzinfo=UTC)
    districts = [k for k in badghis_children()[PROVINCE]]
    d = describe(timeline, t, keys=districts)
    assert d.places, "the province's 'all districts' claim applies to each district"
    for p in d.places:
        assert all("from the claim about Badghis" in c.text for c in p.claims)


def test_before_any_claim_and_without_claims():
    tl = Timeline(qala_claims(), badghis_places(), children=badghis_children())
    d = describe(tl, datetime(2021, 7, 1, tzinfo=UTC))
    assert "no claim is current for any mapped place" in d.text
    assert "No current claim about Badghis and Qala-e-Naw." in d.text
    assert describe(Timeline([], {})).text == "No claims are mapped."


def test_max_claims_counts_the_rest(timeline):
    t = datetime(2021, 7, 7, 6, 0, tzinfo=UTC)
    full = describe(timeline, t)
    city = next(p for p in full.places if p.name == "Qala-e-Naw")
    assert len(city.claims) >= 2
    short = describe(timeline, t, max_claims=1)
    c1 = next(p for p in short.places if p.name == "Qala-e-Naw")
    assert len(c1.claims) == 1 and c1.omitted == len(city.claims) - 1
    assert f"and {c1.omitted} more current claim" in short.text


def test_local_time_of_the_claims_is_shown_next_to_utc():
    span = TimeSpan(
        datetime(2021, 7, 7, 14, tzinfo=KABUL),
        datetime(2021, 7, 7, 17, 59, tzinfo=KABUL),
        "daypart",
    )
    q = MapPlace("q", "Qala-e-Naw", "populated_place", "point", 34.98, 63.13)
    tl = Timeline(
        [(Claim("Qala-e-Naw", span, "contested", actor="Taliban", claimant="Governor"), "q")],
        {"q": q},
    )
    assert local_offset_minutes(tl) == 270
    d = describe(tl, datetime(2021, 7, 7, 13, 30, tzinfo=UTC))
    assert d.as_of == "7 Jul 2021, 13:30 UTC (18:00 at UTC+04:30)"
    assert (
        d.short
        == "As of 7 Jul 2021, 13:30 UTC (18:00 at UTC+04:30): Qala-e-Naw contested (per the claims mapped)."
    )
    assert "Governor: contested, involving Taliban" in d.text
    assert format_local(datetime(2021, 7, 7, 21, 0, tzinfo=UTC), -300) == "16:00 at UTC-05:00"
    assert as_of_label(datetime(2021, 7, 7, tzinfo=UTC)) == "7 Jul 2021, 00:00 UTC"


def test_denials_alone_say_nobody_is_known_to_hold_the_place():
    p = MapPlace("b", "Badghis", "admin1", "unit", 35.0, 63.7)
    c = claim(
        "Badghis",
        ts(2021, 7, 7, 4),
        "not_controlled",
        actor="Taliban",
        claimant="Security officials",
        status_raw="denied",
    )
    d = describe(Timeline([(c, "b")], {"b": p}), datetime(2021, 7, 7, 5, tzinfo=UTC))
    assert "Badghis: denied: not held by Taliban (last reported 1 hour ago)" in d.text
    assert 'Security officials: not controlled by Taliban ("denied"' in d.text
    assert "Badghis \u2014 denied: not held by Taliban" in d.short


def test_city_and_its_same_named_province_are_named_apart_with_the_age_of_each_state():
    places = {
        "c": MapPlace("c", "Kherson", "populated_place", "point", 46.64, 32.61, country="UA"),
        "o": MapPlace("o", "Kherson Oblast", "admin1", "unit", 46.7, 33.3, country="UA"),
    }
    city = claim("Kherson", ts(2022, 3, 2, 10), "controlled", actor="Russian forces",
                 claimant="Russian Defence Ministry", status_raw="captured")
    oblast = claim("Kherson Oblast", ts(2022, 3, 20, 10), "controlled", actor="Russian forces",
                   claimant="Regional council", status_raw="control", scope="most of the region")
    d = describe(Timeline([(city, "c"), (oblast, "o")], places), datetime(2022, 6, 15, tzinfo=UTC))
    assert "Kherson city: controlled by Government of Russia (last reported 3 months ago)" in d.text
    assert "Kherson Oblast (province): Government of Russia: most of region (partial control) (last reported 2 months ago)" \
        in d.text
    assert "contested" not in d.text
    assert [p["shown_name"] for p in d.to_dict()["places"]] == ["Kherson Oblast (province)", "Kherson city"]


def test_map_state_describe_uses_its_opening_time(timeline):
    st = MapState.from_timeline(timeline)
    assert st.at == timeline.default_time()
    assert st.describe().at == timeline.default_time()
    assert st.describe().to_dict()["at"].endswith("Z")
