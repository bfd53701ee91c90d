"""The geoparser's output type: a place mention in a text, resolved or not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """A toponym found in a text: ``text[start:end] == name``.

    ``place`` is the gazetteer :class:`~gazetteer.Place` it resolved to (None
    when unresolved); ``kind`` is the place's kind, or a hint from the
    wording ("X province" -> admin1) when unresolved; ``score`` is the
    resolver's score (0..1). ``form`` is how the place was named: ``name``,
    ``adjective`` ("Russian" -> Russia, "Russians" -> Russia), ``code`` ("US"), or
    ``contained`` (a given span the gazetteer does not know, placed at the place
    named inside it: "Cavan Institute" -> Cavan).
    """

    start: int
    end: int
    name: str
    kind: str = ""
    place: object | None = None
    score: float = 0.0
    form: str = "name"

    @property
    def lat(self) -> float | None:
        """Latitude of the resolved place (None when unresolved)."""
        return self.place.lat if self.place is not None else None

    @property
    def lon(self) -> float | None:
        """Longitude of the resolved place (None when unresolved)."""
        return self.place.lon if self.place is not None else None

    @property
    def place_id(self) -> str:
        """Gazetteer id of the resolved place ("" when unresolved)."""
        return self.place.id if self.place is not None else ""

    @property
    def country_code(self) -> str:
        """ISO country code of the resolved place ("" when unresolved or unknown)."""
        return (self.place.country_code or "") if self.place is not None else ""

    @property
    def admin1(self) -> str:
        """First-level unit of the resolved place (the place itself when it is one; "" when unresolved)."""
        if self.place is None:
            return ""
        if self.place.kind == "admin1":
            return self.place.name
        return self.place.admin1 or ""

    def to_dict(self) -> dict:
        """The JSON form used by ``conflictmap geoparse --format jsonl``."""
        return {
            "start": self.start,
            "end": self.end,
            "name": self.name,
            "lat": round(self.lat, 5) if self.lat is not None else None,
            "lon": round(self.lon, 5) if self.lon is not None else None,
            "id": self.place_id or None,
            "kind": self.kind or None,
            "score": round(self.score, 3),
        }
