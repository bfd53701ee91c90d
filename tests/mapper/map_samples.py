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
