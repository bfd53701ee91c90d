"""Claim extraction on the two seed articles: the claims the issue lists must be found."""

from __future__ import annotations

from datetime import date

import pytest
from extract_fakes import AFGHAN, FakeGeoparser

from mapper.extract import extract_article, extract_claims
from mapper.model import CONTESTED, CONTROLLED, NOT_CONTROLLED

PUBLISHED = date(2021, 7, 7)  # a Wednesday


@pytest.fixture(scope="module")
def seed_claims(request):
    from tests_paths import seeds_dir

    folder = seeds_dir()
    geo = FakeGeoparser(AFGHAN)
    denied = extract_article(folder / "badghis-takeover-denied.txt", published=PUBLISHED, source="Breitbart",
                             geoparser=geo)
    overrun = extract_article(folder / "qala-e-naw-overrun.txt", published=PUBLISHED, source="Khaama Press",
                              geoparser=geo)
    return denied, overrun


def _find(claims, **want):
    out = []
    for c in claims:
        ok = True
        for k, v in want.items():
            got = getattr(c, k)
            if callable(v):
                ok = ok and v(got)
            else:
                ok = ok and got == v
        if ok:
            out.append(c)
    return out


def _local(span):
    return span.earliest.date(), span.precision


def test_mp_says_captured_tuesday_afternoon(seed_claims):
    denied, _ = seed_claims
    found = _find(denied, place="Qala-e-Naw", status=CONTROLLED, actor="Taliban",
                  claimant=lambda c: "Abdulbasir Osmani" in c)
    assert found, [(c.place, c.status, c.claimant) for c in denied]
    c = found[0]
    assert _local(c.time) == (date(2021, 7, 6), "daypart") and "afternoon" in c.time.text.lower()
    assert "Khaama Press" in c.notes
    assert c.quote.startswith("A representative to the Afghan parliament")
    text = (pytest.importorskip("tests_paths").seeds_dir() / "badghis-takeover-denied.txt").read_text()
    start, end = dict(c.extra)["sentence_start"], dict(c.extra)["sentence_end"]
    assert text[start:end].startswith("A representative") and text[start:end].endswith("fallen.") is False


def test_other_report_dates_the_takeover_wednesday_afternoon(seed_claims):
    _, overrun = seed_claims
    taken = _find(overrun, status=CONTROLLED, actor="Taliban", place=lambda p: p in ("Qala-e-Naw", "Qal-e-Naw"))
    assert taken
    # "taking control of the local prison" has no time of its own: the publication date (same day), not
    # the "Wednesday afternoon" of the sentence before (a time is never inherited from another sentence).
    assert all(c.time.earliest.date() == date(2021, 7, 7) for c in taken)
    assert not any("earlier sentence" in c.notes for c in taken)
    attacked = _find(overrun, status="attacked", place="Qala-e-Naw")
    assert attacked and _local(attacked[0].time) == (date(2021, 7, 7), "daypart")


def test_taliban_spokesman_says_city_and_province_fell(seed_claims):
    denied, _ = seed_claims
    fell = _find(denied, claimant="Taliban spokesman", status=CONTROLLED, actor="Taliban")
    assert {c.place for c in fell} >= {"Qala-e-Naw", "Badghis"}


def test_security_officials_deny(seed_claims):
    denied, _ = seed_claims
    found = _find(denied, place="Badghis", status=NOT_CONTROLLED, actor="Taliban",
                  claimant=lambda c: "security officials" in c.lower())
    assert found
    assert _local(found[0].time) == (date(2021, 7, 7), "day")  # "on Wednesday denied"
    # The denied Taliban claim itself is kept, with lower confidence.
    claimed = _find(denied, place="Badghis", status=CONTROLLED, claimant="Taliban")
    assert claimed and claimed[0].confidence < found[0].confidence


def test_governor_pushed_back_is_contested(seed_claims):
    denied, _ = seed_claims
    found = _find(denied, place="Qala-e-Naw", status=CONTESTED, claimant=lambda c: "Shams" in c,
                  status_raw=lambda r: r.startswith("pushed back"))
    assert found
    assert found[0].scope == "several parts of the city"
    assert _local(found[0].time) == (date(2021, 7, 7), "daypart")


def test_defence_ministry_says_city_under_government_control(seed_claims):
    denied, _ = seed_claims
    found = _find(denied, place="Qala-e-Naw", status=CONTROLLED, actor="Government of Afghanistan",
                  claimant=lambda c: "Defense Ministry" in c)
    assert found and "Facebook" in found[0].notes


def test_district_scopes(seed_claims):
    denied, overrun = seed_claims
    six = _find(denied, place="Badghis", status=CONTROLLED, actor="Taliban", scope="6 of 7 districts")
    assert six and "provinces" in six[0].notes  # the article's slip is noted, not hidden
    for prov in ("Badakhshan", "Takhar", "Kunduz"):
        assert _find(denied, place=prov, status=CONTROLLED, actor="Taliban", scope="majority of districts"), prov
    assert _find(overrun, place="Badghis", status=CONTROLLED, scope="all districts")


def test_no_claims_from_boilerplate(seed_claims):
    denied, overrun = seed_claims
    for c in denied + overrun:
        assert "Attack.jpg" not in c.quote and "skip to content" not in c.quote
        assert 0 <= c.confidence <= 1


def test_empty_and_placeless_text():
    assert extract_claims("", published=PUBLISHED) == []
    geo = FakeGeoparser(AFGHAN)
    assert extract_claims("Prices fell sharply on Tuesday.", published=PUBLISHED, geoparser=geo) == []
    assert extract_claims("Kunduz is a province in the north.", published=PUBLISHED, geoparser=geo) == []


def test_bad_published_date_is_an_error():
    from mapper.errors import TimeParseError

    with pytest.raises(TimeParseError, match="2021-13-45"):
        extract_claims("Herat fell.", published="2021-13-45")
