"""A stand-in geoparser for extraction tests: finds listed names, returns hand-made Places."""

from __future__ import annotations

import re

from gazetteer import Place
from mapper.geoparse.mention import Mention


class FakeGeoparser:
    """``places`` maps a name to (kind, country_code, admin1) or (kind, country_code, admin1, lat, lon)."""

    def __init__(self, places: dict):
        self.places = places
        names = sorted(places, key=len, reverse=True)
        self._re = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")

    def parse(self, text: str) -> list:
        out = []
        for m in self._re.finditer(text):
            kind, cc, admin1, *latlon = self.places[m.group(0)]
            lat, lon = latlon if latlon else (0.0, 0.0)
            place = Place(id=f"test:{m.group(0)}", name=m.group(0), kind=kind, lat=lat, lon=lon,
                          country_code=cc, admin1=admin1)
            out.append(Mention(m.start(), m.end(), m.group(0), kind=kind, place=place, score=0.9))
        return out


AFGHAN = {
    "Qala-e-Naw": ("populated_place", "AF", "Badghis"),
    "Qal-e-Naw": ("populated_place", "AF", "Badghis"),
    "Badghis": ("admin1", "AF", ""),
    "Badakhshan": ("admin1", "AF", ""),
    "Takhar": ("admin1", "AF", ""),
    "Kunduz": ("admin1", "AF", ""),
    "Helmand": ("admin1", "AF", ""),
    "Afghanistan": ("country", "AF", ""),
    "Tajikistan": ("country", "TJ", ""),
    "KABUL": ("populated_place", "AF", "Kabul"),
}
