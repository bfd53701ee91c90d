"""Geocode a table: every row kept, in order, with geo_* columns added.

Row context (country, admin1, admin2 columns) narrows each lookup, and is a
constraint: a place outside the row's admin2/admin1 is never written as
``resolved``, even when a namesake elsewhere matches exactly. When the place
itself cannot be resolved (or only outside its unit) but its admin2 or admin1
can, the row falls back to that unit and ``geo_kind`` says so
(``admin1 (fallback)``), with the reason in ``geo_note``; a row is never placed
at 0,0.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from typing import Iterable, Optional

from gazetteer.errors import SourceDataError
from gazetteer.model import NOT_FOUND, Resolution

log = logging.getLogger(__name__)

GEO_COLUMNS = ("geo_lat", "geo_lon", "geo_id", "geo_name", "geo_kind", "geo_status", "geo_score", "geo_note")
#: geo_status values.
STATUS_FALLBACK = "fallback"


@dataclass(frozen=True)
class RowResult:
    """The outcome for one row: the resolution of the place and what was written."""

    row_number: int
    query: str
    resolution: Optional[Resolution]
    lat: Optional[float]
    lon: Optional[float]
    place_id: str
    name: str
    kind: str
    status: str
    score: Optional[float]
    note: str = ""  # why the row fell back or stayed unresolved (e.g. the place lies outside its admin1)
    #: The name matched a place, but only outside the row's admin unit: that unit's name.
    outside: str = ""

    def columns(self) -> dict:
        fmt = lambda v: "" if v is None else (f"{v:.6f}" if isinstance(v, float) else str(v))  # noqa: E731
        return {
            "geo_lat": fmt(self.lat),
            "geo_lon": fmt(self.lon),
            "geo_id": self.place_id,
            "geo_name": self.name,
            "geo_kind": self.kind,
            "geo_status": self.status,
            "geo_score": "" if self.score is None else f"{self.score:.3f}",
            "geo_note": self.note,
        }


def geocode_row(gz, row_number: int, place: str, *, country=None, admin1=None, admin2=None) -> RowResult:
    """Resolve one row's place with its context, falling back to admin2/admin1.

    The row's admin1 (and admin2, when it lies in that admin1) is the ``within`` hint of
    the lookup, so a place outside it is ``not_found`` (and the row falls back to the
    unit) rather than a namesake resolved elsewhere; ``note`` says why.
    """
    country = (country or "").strip() or None
    admin1 = (admin1 or "").strip() or None
    admin2 = (admin2 or "").strip() or None
    cc = gz.country_code(country) if country else None
    within, notes = None, []
    for unit_name, kind in ((admin1, "admin1"), (admin2, "admin2")):
        if not unit_name:
            continue
        w = gz.resolve(unit_name, country=cc or country, kind=kind, within=within)
        if w.best and w.best.place.is_admin_unit and w.status != NOT_FOUND:
            within = w.best.place
        else:
            notes.append(f"{kind} {unit_name!r} is not a known unit{' in ' + within.name if within else ''}; "
                         "not used as a hint")
    res = gz.resolve(place, country=cc or country, within=within)
    if res.best is not None and res.status != NOT_FOUND:
        p = res.best.place
        return RowResult(row_number, place, res, p.lat, p.lon, p.id, p.name, p.kind, res.status, res.best.score,
                         "; ".join(notes))
    ruled_out = gz.outside_hint(res, within) if within is not None else None
    outside = within.name if ruled_out is not None else ""
    if res.message:
        notes.insert(0, res.message)
    for unit_name, kind in ((admin2, "admin2"), (admin1, "admin1")):
        if not unit_name:
            continue
        u = gz.resolve(unit_name, country=cc or country, kind=kind,
                       within=within if kind == "admin2" and within is not None and within.kind == "admin1" else None)
        if u.best is not None and u.status != NOT_FOUND and u.best.place.is_admin_unit:
            p = u.best.place
            notes.append(f"placed at the {kind} {p.name} instead")
            return RowResult(
                row_number, place, res, p.lat, p.lon, p.id, p.name, f"{p.kind} (fallback)", STATUS_FALLBACK,
                u.best.score, "; ".join(notes), outside,
            )
    return RowResult(row_number, place, res, None, None, "", "", "", res.status, None, "; ".join(notes), outside)


def geocode_csv(
    src,
    dst,
    gz,
    *,
    place_column: str,
    country_column: Optional[str] = None,
    admin1_column: Optional[str] = None,
    admin2_column: Optional[str] = None,
    progress: bool = False,
) -> list:
    """Read CSV text from ``src`` (file object), write it with geo_* columns to ``dst``.

    Returns the :class:`RowResult` list (one per data row, in order). Raises
    :class:`SourceDataError` when a named column is missing.
    """
    reader = csv.DictReader(src)
    header = reader.fieldnames or []
    for opt, col in (("--place-column", place_column), ("--country-column", country_column),
                     ("--admin1-column", admin1_column), ("--admin2-column", admin2_column)):
        if col and col not in header:
            raise SourceDataError(
                f"{opt}: column {col!r} is not in the table (columns: {', '.join(header) or 'none'})",
                field=col,
            )
    out_header = list(header) + [c for c in GEO_COLUMNS if c not in header]
    writer = csv.DictWriter(dst, fieldnames=out_header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    results = []
    rows: Iterable = reader
    if progress:
        from tqdm import tqdm

        rows = tqdm(reader, desc="geocoding", unit="row", leave=False)
    for i, row in enumerate(rows, start=1):
        if None in row:  # more cells than header columns: keep them, say so
            log.warning("row %d has %d extra cell(s) beyond the header; kept unnamed", i, len(row[None]))
            row = {k: v for k, v in row.items() if k is not None}
        r = geocode_row(
            gz, i, row.get(place_column) or "",
            country=row.get(country_column) if country_column else None,
            admin1=row.get(admin1_column) if admin1_column else None,
            admin2=row.get(admin2_column) if admin2_column else None,
        )
        results.append(r)
        writer.writerow({**{k: ("" if v is None else v) for k, v in row.items()}, **r.columns()})
    return results
