"""The canonical claims schema: its columns, the other names accepted for them, header cleaning.

The canonical format (:mod:`mapper.claims.formats.canonical`) reads these columns and
:func:`mapper.claims.write_claims_csv` writes them; dataset formats (ACLED, UCDP GED) map their
own columns onto a :class:`~mapper.model.Claim` instead.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CANONICAL_COLUMNS",
    "COLUMN_ALIASES",
    "REQUIRED_COLUMNS",
    "WRITTEN_IF_USED",
    "canonical_names",
    "clean_names",
]

#: Columns of the canonical schema, in the order :func:`write_claims_csv` writes them.
CANONICAL_COLUMNS = (
    "id",
    "place",
    "time",
    "time_end",
    "tz",
    "status",
    "actor",
    "claimant",
    "source",
    "url",
    "archive_url",
    "quote",
    "scope",
    "confidence",
    "country",
    "admin1",
    "admin2",
    "place_id",
    "lat",
    "lon",
    "notes",
)
#: Columns written only when some claim needs them, and read back.
WRITTEN_IF_USED = ("status_raw", "location_precision", "geometry")
REQUIRED_COLUMNS = ("place", "time", "status")

#: Other names accepted for canonical columns (case-insensitive). Exact names win.
COLUMN_ALIASES = {
    "location": "place",
    "place_name": "place",
    "name": "place",
    "toponym": "place",
    "date": "time",
    "datetime": "time",
    "start": "time",
    "time_start": "time",
    "start_time": "time",
    "end": "time_end",
    "date_end": "time_end",
    "end_time": "time_end",
    "end_date": "time_end",
    "timezone": "tz",
    "time_zone": "tz",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "claim_id": "id",
    "archive": "archive_url",
    "archived_url": "archive_url",
    "archive_link": "archive_url",
    "link": "url",
    "country_code": "country",
    "province": "admin1",
    "admin_1": "admin1",
    "district": "admin2",
    "admin_2": "admin2",
    "geo_precision": "location_precision",
    "where_prec": "location_precision",
}


def clean_names(header: Iterable) -> list:
    """Header cells as column names: stripped, without a UTF-8 byte-order mark."""
    return [str(h).strip().lstrip("\ufeff") for h in header]


def canonical_names(header: Iterable) -> dict:
    """Map each header column to its canonical name (exact names win over aliases).

    >>> canonical_names(["Location", "date", "Time", "status"])
    {'Time': 'time', 'status': 'status', 'Location': 'place'}
    """
    names = clean_names(header)
    lowered = [n.lower() for n in names]
    known = set(CANONICAL_COLUMNS) | set(WRITTEN_IF_USED)
    mapping: dict = {}
    taken: set = set()
    for n, low in zip(names, lowered):
        if low in known and low not in taken:
            mapping[n] = low
            taken.add(low)
    for n, low in zip(names, lowered):
        if n in mapping:
            continue
        alias = COLUMN_ALIASES.get(low)
        if alias and alias not in taken:
            mapping[n] = alias
            taken.add(alias)
    return mapping
