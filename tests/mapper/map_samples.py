"""Hand-made places and claims for the timeline, renderer and map tests.

Badghis province with seven districts (boxes), the city of Qala-e-Naw in
the first district, and claims modelled on the seed articles: Taliban and an
MP say the city fell on Tuesday afternoon (6 Jul 2021), security officials
deny the province was taken, the governor says fighting continues, the
Defence Ministry says the city was retaken on Wednesday afternoon.
Times are UTC (Afghanistan is UTC+4:30).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from shapely.geometry import box

from mapper.model import Claim, Origin, TimeSpan
from mapper.timeline import MapPlace

UTC = timezone.utc


def ts(y, m, d, h=0, mi=0, *, hours=0.0, precision="hour", text=""):
    start = datetime(y, m, d, h, mi, tzinfo=UTC)
    return TimeSpan(start, start + timedelta(hours=hours), precision, text)


def claim(place, time, status, *, actor="", claimant="", row=1, **kw):
    kw.setdefault("quote", f"{claimant} says {place} {status}")
    kw.setdefault("source", "Test Wire")
    return Claim(place=place, time=time, status=status, actor=actor, claimant=claimant,
                 origin=Origin("claims.csv", row, "csv"), **kw)


PROVINCE = "admin1:AF-02"
CITY = "geonames:1131316"
DISTRICTS = [f"admin2:AF-02-{i}" for i in range(1, 8)]
DISTRICT_NAMES = ["Qala-e-Naw", "Ab Kamari", "Ghormach", "Jawand", "Muqur", "Murghab", "Qadis"]


def badghis_places() -> dict:
    """Badghis (63-64.4 E, 34.6-35.6 N, roughly) split into seven boxes, and the city."""
    places = {
        PROVINCE: MapPlace(PROVINCE, "Badghis", "admin1", "unit", 35.0, 63.7, country="Afghanistan",
                           gazetteer_id=PROVINCE, geometry=box(62.9, 34.5, 64.4, 35.7)),
        CITY: MapPlace(CITY, "Qala-e-Naw", "populated_place", "point", 34.985, 63.128, parent_key=DISTRICTS[0],
                       admin1="Badghis", country="Afghanistan", gazetteer_id=CITY),
    }
    for i, (key, name) in enumerate(zip(DISTRICTS, DISTRICT_NAMES)):
        x0 = 62.9 + i * (1.5 / 7)
        places[key] = MapPlace(key, name, "admin2", "unit", 35.1, x0 + 0.1, parent_key=PROVINCE,
                               admin1="Badghis", country="Afghanistan", gazetteer_id=key,
                               geometry=box(x0, 34.5, x0 + 1.5 / 7, 35.7))
    return places


def badghis_children() -> dict:
    return {PROVINCE: list(DISTRICTS)}


def qala_claims() -> list:
    """(Claim, place_key) pairs in input order (deliberately not time order)."""
    return [
        (claim("Qala-e-Naw", ts(2021, 7, 7, 10, 30, hours=4, precision="daypart", text="7 Jul 2021, afternoon"),
               "controlled", actor="Government", claimant="Defence Ministry", row=7, status_raw="retook",
               quote="the city was completely under the control of ANDSF",
               url="https://example.org/mod", archive_url="https://web.archive.org/web/2021/https://example.org/mod"),
         CITY),
        (claim("Qala-e-Naw", ts(2021, 7, 6, 7, 30, hours=6, precision="daypart", text="6 Jul 2021, afternoon"),
               "controlled", actor="Taliban", claimant="Taliban spokesman", row=1, status_raw="captured"), CITY),
        (claim("Qala-e-Naw", ts(2021, 7, 6, 7, 30, hours=6, precision="daypart", text="6 Jul 2021, afternoon"),
               "controlled", actor="Taliban", claimant="MP Abdulbasir Osmani (Khaama Press)", row=2,
               status_raw="captured"), CITY),
        (claim("Badghis", ts(2021, 7, 6, 12, hours=12, precision="daypart", text="6 Jul 2021"),
               "controlled", actor="Taliban", claimant="Taliban spokesman", row=3, scope="all districts",
               status_raw="fallen"), PROVINCE),
        (claim("Badghis", ts(2021, 7, 7, 4, hours=8, precision="day", text="7 Jul 2021"), "not_controlled",
               actor="Taliban", claimant="Security officials", row=4, status_raw="denied"), PROVINCE),
        (claim("Qala-e-Naw", ts(2021, 7, 7, 5, hours=2, precision="daypart", text="7 Jul 2021, morning"),
               "contested", actor="Taliban", claimant="Defence Ministry", row=5, status_raw="war is raging"), CITY),
        (claim("Badghis", ts(2021, 7, 7, 4, hours=8, precision="day", text="7 Jul 2021"), "controlled",
               actor="Taliban", claimant="Breitbart News", row=6, scope="six out of seven districts"), PROVINCE),
    ]


# ----------------------------------------------------------------------------- Kherson 2022
# A second war for the map tests: rough hand-drawn outlines (not real boundaries) of Ukraine,
# Kherson and Mykolaiv oblasts, three of Kherson's districts (the rest of the oblast stays
# visible), four towns and one approximate area; claims from March to November 2022 in
# Europe/Kyiv time (UTC+2 in winter, UTC+3 in summer). The sentences are written for these tests.
from dataclasses import dataclass as _dataclass  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from shapely.geometry import Polygon  # noqa: E402

KYIV = ZoneInfo("Europe/Kyiv")
UKRAINE = "country:UA"
KHERSON_OBLAST, MYKOLAIV_OBLAST = "admin1:UA-65", "admin1:UA-48"
KHERSON_DISTRICTS = ["admin2:UA-65-1", "admin2:UA-65-2", "admin2:UA-65-3"]
KHERSON_CITY, NOVA_KAKHOVKA, SNIHURIVKA, MYKOLAIV_CITY = (
    "geonames:706448", "geonames:699000", "geonames:693000", "geonames:700569")
KINBURN = "approx:kinburn"


@_dataclass(frozen=True)
class WarnedPlace(MapPlace):
    """A MapPlace with the per-place ``warnings`` the pipeline adds (outliers, approximate placements)."""

    warnings: tuple = ()


def kyiv(y, m, d, h=0, mi=0, *, hours=0.0, precision="hour", text=""):
    start = datetime(y, m, d, h, mi, tzinfo=KYIV)
    return TimeSpan(start, start + timedelta(hours=hours), precision, text)


def kherson_places() -> dict:
    oblast = Polygon([(32.0, 46.1), (32.6, 47.3), (33.6, 47.7), (35.2, 47.2), (35.3, 46.1), (33.6, 45.9)])
    parts = [box(32.0, 46.3, 33.1, 47.1), box(33.1, 46.8, 34.2, 47.7), box(33.4, 46.3, 34.6, 46.8)]
    names = ["Khersonskyi raion", "Beryslavskyi raion", "Kakhovskyi raion"]
    places = {
        UKRAINE: MapPlace(UKRAINE, "Ukraine", "country", "unit", 49.0, 31.0, country="Ukraine", gazetteer_id=UKRAINE,
                          geometry=Polygon([(22.1, 48.2), (24.0, 51.6), (30.5, 52.4), (34.4, 52.2), (40.2, 49.6),
                                            (38.2, 47.1), (35.0, 45.3), (33.5, 44.4), (30.0, 45.3), (28.2, 45.5)])),
        KHERSON_OBLAST: MapPlace(KHERSON_OBLAST, "Kherson Oblast", "admin1", "unit", 46.7, 33.6, country="Ukraine",
                                 gazetteer_id=KHERSON_OBLAST, geometry=oblast),
        MYKOLAIV_OBLAST: MapPlace(MYKOLAIV_OBLAST, "Mykolaiv Oblast", "admin1", "unit", 47.3, 31.4, country="Ukraine",
                                  gazetteer_id=MYKOLAIV_OBLAST,
                                  geometry=Polygon([(30.2, 46.6), (30.4, 48.0), (31.6, 48.3), (32.6, 47.3),
                                                    (32.0, 46.1), (31.0, 46.3)])),
        KHERSON_CITY: MapPlace(KHERSON_CITY, "Kherson", "populated_place", "point", 46.6354, 32.6169,
                               parent_key=KHERSON_DISTRICTS[0], admin1="Kherson Oblast", country="Ukraine",
                               gazetteer_id=KHERSON_CITY),
        NOVA_KAKHOVKA: MapPlace(NOVA_KAKHOVKA, "Nova Kakhovka", "populated_place", "point", 46.7545, 33.3486,
                                parent_key=KHERSON_DISTRICTS[2], admin1="Kherson Oblast", country="Ukraine",
                                gazetteer_id=NOVA_KAKHOVKA),
        SNIHURIVKA: WarnedPlace(SNIHURIVKA, "Snihurivka", "populated_place", "point", 47.0758, 32.8050,
                                admin1="Mykolaiv Oblast", country="Ukraine", gazetteer_id=SNIHURIVKA,
                                warnings=("far from the file's other places? <b>check</b> the placement",
                                          "placed approximately: the row gives only the oblast")),
        MYKOLAIV_CITY: MapPlace(MYKOLAIV_CITY, "Mykolaiv", "populated_place", "point", 46.9750, 31.9946,
                                admin1="Mykolaiv Oblast", country="Ukraine", gazetteer_id=MYKOLAIV_CITY),
        KINBURN: MapPlace(KINBURN, "Kinburn Spit", "other", "approximate", 46.52, 31.62, radius_m=9000,
                          country="Ukraine", note="coordinates of the spit's centre only"),
    }
    for key, name, part in zip(KHERSON_DISTRICTS, names, parts):
        g = part.intersection(oblast)
        places[key] = MapPlace(key, name, "admin2", "unit", g.centroid.y, g.centroid.x, parent_key=KHERSON_OBLAST,
                               admin1="Kherson Oblast", country="Ukraine", gazetteer_id=key, geometry=g)
    return places


def kherson_children() -> dict:
    return {KHERSON_OBLAST: list(KHERSON_DISTRICTS)}


def kherson_claims() -> list:
    """(Claim, place_key) pairs: Russian and Ukrainian forces, ministries and local officials, Feb-Nov 2022."""
    ru, ua = "Russian forces", "Ukrainian forces"
    rows = [
        (UKRAINE, kyiv(2022, 2, 24, 5), "contested", ru, "Ukrainian General Staff",
         "The General Staff said fighting had started along the whole southern front."),
        (NOVA_KAKHOVKA, kyiv(2022, 2, 24, 12, hours=6, precision="daypart", text="24 Feb 2022, afternoon"),
         "controlled", ru, "Russian Defence Ministry", "The ministry said its troops now held the town by the dam."),
        (KHERSON_CITY, kyiv(2022, 3, 2, 11), "controlled", ru, "Russian Defence Ministry",
         "A ministry spokesman said the regional centre was fully under Russian control."),
        (KHERSON_CITY, kyiv(2022, 3, 2, 18), "contested", ua, "Kherson mayor",
         "The mayor said there was still shooting near the river port in the evening."),
        (MYKOLAIV_CITY, kyiv(2022, 3, 5, 9), "attacked", ru, "Mykolaiv regional governor",
         "The governor said rockets hit a residential block in the morning."),
        (MYKOLAIV_OBLAST, kyiv(2022, 3, 6, 10), "contested", ua, "Mykolaiv regional governor",
         "The governor said the fighting had moved to the villages east of the city."),
        (KHERSON_OBLAST, kyiv(2022, 3, 15, 12), "controlled", ru, "Russian Defence Ministry",
         "The ministry claimed the whole region was now under its control."),
        (KHERSON_OBLAST, kyiv(2022, 3, 16, 9), "not_controlled", ru, "Ukrainian General Staff",
         "The General Staff rejected the claim that the region had been taken."),
        (KINBURN, kyiv(2022, 6, 18, 8), "contested", ua, "Ukrainian Navy",
         "A navy spokesman said boats had landed a raiding party on the spit."),
        (KHERSON_DISTRICTS[2], kyiv(2022, 6, 20, 10), "controlled", ru, "Russian-installed administration",
         "The installed administration said the district was calm and under its authority."),
        (KHERSON_DISTRICTS[1], kyiv(2022, 10, 4, 15), "contested", ua, "Ukrainian General Staff",
         "The General Staff said its units were advancing along the river bank."),
        (SNIHURIVKA, kyiv(2022, 11, 10, 9), "controlled", ua, "Ukrainian General Staff",
         "Officers said the town had been freed after a night of fighting."),
        (KHERSON_CITY, kyiv(2022, 11, 11, 14), "controlled", ua, "Ukrainian Defence Ministry",
         "The ministry said its soldiers were entering the city centre to cheering crowds."),
        (KHERSON_CITY, kyiv(2022, 11, 11, 10), "not_controlled", ru, "Russian Defence Ministry",
         "The ministry said the last units had crossed to the left bank."),
        (KHERSON_DISTRICTS[0], kyiv(2022, 11, 12, 12), "controlled", ua, "Ukrainian General Staff",
         "The General Staff said the right-bank district was cleared."),
    ]
    out = []
    for row, (key, time, status, actor, claimant, quote) in enumerate(rows, start=1):
        out.append((Claim(place=kherson_places()[key].name, time=time, status=status, actor=actor, claimant=claimant,
                          quote=quote, source="Test Desk", origin=Origin("kherson.csv", row, "csv")), key))
    return out
