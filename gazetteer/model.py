"""Value types of the gazetteer: places, scored candidates and resolutions.

Axis order: ``lat``/``lon`` fields are named, ``bbox`` is GeoJSON order
``(min_lon, min_lat, max_lon, max_lat)``, and the two helpers
:attr:`Place.lonlat` (shapely/GeoJSON) and :attr:`Place.latlon`
(folium/geopy) make every swap explicit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Kinds of place, from largest to smallest.
KINDS = ("country", "admin1", "admin2", "admin3", "populated_place", "other")
ADMIN_KINDS = ("country", "admin1", "admin2", "admin3")

RESOLVED = "resolved"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Place:
    """One gazetteer entry.

    ``id`` is stable across rebuilds (``geonames:1129867``, ``admin1:AF-02``,
    ``country:AF``). ``admin1``/``admin2`` hold names, ``admin1_id``/
    ``admin2_id`` the ids of the containing units when known.
    """

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    country_code: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin1_id: str | None = None
    admin2_id: str | None = None
    population: int = 0
    feature_code: str | None = None
    bbox: tuple | None = None  # (min_lon, min_lat, max_lon, max_lat)
    has_geometry: bool = False
    source: str = ""

    @property
    def lonlat(self) -> tuple:
        """(lon, lat): shapely / GeoJSON order."""
        return (self.lon, self.lat)

    @property
    def latlon(self) -> tuple:
        """(lat, lon): folium / geopy order."""
        return (self.lat, self.lon)

    @property
    def is_admin_unit(self) -> bool:
        """True for countries and admin units (``kind`` in ADMIN_KINDS), False for points."""
        return self.kind in ADMIN_KINDS

    def to_dict(self) -> dict:
        """The place as a JSON-ready dict; ``bbox`` a list (min_lon, min_lat, max_lon, max_lat) or None."""
        d = asdict(self)
        d["bbox"] = list(self.bbox) if self.bbox else None
        return d


@dataclass(frozen=True)
class Candidate:
    """A place proposed for a query, with its score (0..1) and why."""

    place: Place
    score: float
    reason: str
    match: str = ""  # how the name matched: exact, variant, fuzzy, fallback
    quality: float = 1.0  # name-match quality alone (0..1), before importance and context
    importance: float = 0.0  # the place's index importance (0..1), before the inexact-match discount

    def to_dict(self) -> dict:
        """The place's dict plus ``score`` (rounded to 4 places), ``reason`` and ``match``."""
        d = self.place.to_dict()
        d["score"] = round(self.score, 4)
        d["reason"] = self.reason
        d["match"] = self.match
        return d


@dataclass(frozen=True)
class Resolution:
    """The answer to one query: status, best candidate, ranked alternatives."""

    query: str
    status: str  # resolved | ambiguous | not_found
    best: Candidate | None = None
    candidates: tuple = ()
    suggestions: tuple = ()
    message: str = ""

    @property
    def place(self) -> Place | None:
        """The best candidate's place, or None when nothing was found."""
        return self.best.place if self.best else None

    def to_dict(self) -> dict:
        """The resolution as a JSON-ready dict (``message`` only when there is one)."""
        return {
            "query": self.query,
            "status": self.status,
            "best": self.best.to_dict() if self.best else None,
            "candidates": [c.to_dict() for c in self.candidates],
            "suggestions": list(self.suggestions),
            **({"message": self.message} if self.message else {}),
        }
