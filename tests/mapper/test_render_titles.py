"""Default titles from the claims: places claimed most first, the dates the claims cover."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from map_samples import claim
from shapely.geometry import box

from mapper.model import TimeSpan
from mapper.render.titles import FALLBACK_TITLE, date_range, default_title, place_list
from mapper.timeline import MapPlace, Timeline

KYIV = timezone(timedelta(hours=3))


def _span(y, m, d, h=12, tz=KYIV):
    start = datetime(y, m, d, h, tzinfo=tz)
    return TimeSpan(start, start + timedelta(hours=1), "hour", "")


def _places():
    return {
        "admin1:UA-65": MapPlace("admin1:UA-65", "Kherson", "admin1", "unit", 46.7, 33.6,
                                 geometry=box(32.0, 45.9, 35.2, 47.6)),
        "geonames:706448": MapPlace("geonames:706448", "Kherson", "populated_place", "point", 46.64, 32.61),
        "geonames:700569": MapPlace("geonames:700569", "Mykolaiv", "populated_place", "point", 46.97, 31.99),
        "geonames:1": MapPlace("geonames:1", "Snihurivka", "populated_place", "point", 47.07, 32.80),
    }


def test_most_claimed_places_first_and_a_city_and_its_province_named_once():
    claims = [
        (claim("Mykolaiv", _span(2022, 3, 7), "controlled", actor="Ukraine", claimant="Governor"), "geonames:700569"),
        (claim("Kherson", _span(2022, 3, 2), "controlled", actor="Russia", claimant="MoD"), "geonames:706448"),
        (claim("Kherson", _span(2022, 11, 11), "controlled", actor="Ukraine", claimant="MoD"), "geonames:706448"),
        (claim("Kherson Oblast", _span(2022, 8, 29), "contested", actor="Ukraine", claimant="Command"),
         "admin1:UA-65"),
    ]
    tl = Timeline(claims, _places())
    assert default_title(tl) == "Kherson and Mykolaiv: reported control, 2 March – 11 November 2022"


def test_dates_are_the_claims_local_dates():
    # 23:30 in Kyiv on 1 March is 20:30 UTC: the title says 1 March, the date the report gave.
    claims = [
        (claim("Snihurivka", _span(2022, 3, 1, 23), "controlled", actor="Russia", claimant="GS"), "geonames:1"),
        (claim("Snihurivka", _span(2022, 3, 3, 1), "contested", actor="Ukraine", claimant="GS"), "geonames:1"),
    ]
    assert default_title(Timeline(claims, _places())) == "Snihurivka: reported control, 1–3 March 2022"


def test_no_claims_gives_the_fallback():
    assert default_title(Timeline([], {})) == FALLBACK_TITLE


def test_date_ranges_and_place_lists():
    assert date_range(date(2023, 4, 15), date(2023, 4, 15)) == "15 April 2023"
    assert date_range(date(2023, 5, 2), date(2023, 4, 15)) == "15 April – 2 May 2023"
    assert place_list(["Goma"]) == "Goma"
    assert place_list(["Goma", "Sake", "Bunagana"]) == "Goma, Sake and Bunagana"
    assert place_list(["A" * 60]) == "A" * 39 + "…"
    assert place_list([]) == ""
