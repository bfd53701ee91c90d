"""Value types of the mapper: time spans and claims.

A claim never holds an instant: it holds a :class:`TimeSpan` (earliest,
latest, precision) so that "Tuesday afternoon" or "2021-07" keep the
uncertainty the source gave them. Sorting uses the parsed datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Status vocabulary (see README, "Claims schema").
CONTROLLED = "controlled"
CONTESTED = "contested"
ATTACKED = "attacked"
NOT_CONTROLLED = "not_controlled"
STATUSES = (CONTROLLED, CONTESTED, ATTACKED, NOT_CONTROLLED)

#: Time precisions, coarsest first.
PRECISIONS = ("year", "month", "week", "day", "daypart", "hour", "minute", "second")


@dataclass(frozen=True, order=False)
class TimeSpan:
    """An interval [earliest, latest] with the precision the source gave.

    Datetimes are timezone-aware (UTC unless the source said otherwise).
    ``text`` keeps the original wording for display and audit.
    """

    earliest: datetime
    latest: datetime
    precision: str
    text: str = ""

    @property
    def midpoint(self) -> datetime:
        """The instant halfway between ``earliest`` and ``latest``."""
        return self.earliest + (self.latest - self.earliest) / 2

    def sort_key(self) -> tuple:
        """(earliest, latest), for sorting spans in time order."""
        return (self.earliest, self.latest)


@dataclass(frozen=True)
class Origin:
    """Where a claim came from: file path, 1-based data row, input format."""

    path: str = ""
    row: int | None = None
    format: str = ""


@dataclass(frozen=True)
class Claim:
    """One assertion by a claimant about a place at a time.

    ``status`` is one of :data:`STATUSES`; ``status_raw`` keeps the word
    the source used (e.g. "retook"). ``lat``/``lon`` are only set when the
    input carried coordinates (ACLED/UCDP rows, GeoJSON, explicit columns).
    """

    place: str
    time: TimeSpan
    status: str
    id: str = ""
    actor: str = ""
    claimant: str = ""
    source: str = ""
    url: str = ""
    archive_url: str = ""
    quote: str = ""
    time_end: TimeSpan | None = None
    scope: str = ""
    confidence: float | None = None
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    place_id: str = ""
    lat: float | None = None
    lon: float | None = None
    geometry: dict | None = None  # GeoJSON geometry (lon, lat order) overriding resolution
    notes: str = ""
    status_raw: str = ""
    location_precision: int | None = None  # dataset precision code (ACLED geo_precision, UCDP where_prec)
    origin: Origin = field(default_factory=Origin)
    extra: tuple = ()  # (key, value) pairs of columns outside the schema, kept for export
