"""The canonical claims table (conflictmap's own schema): ``place``, ``time``, ``status`` and more.

Columns are :data:`mapper.claims.schema.CANONICAL_COLUMNS` (case-insensitive, with the aliases of
:data:`~mapper.claims.schema.COLUMN_ALIASES`); a GeoJSON Feature's geometry (lon, lat order)
overrides place resolution. Status words go through :func:`mapper.status.normalize_status`.
"""

from __future__ import annotations

from typing import Any

from mapper.claims import cells
from mapper.claims.cells import RowContext
from mapper.claims.formats.registry import ClaimsFormat
from mapper.claims.schema import (
    CANONICAL_COLUMNS,
    REQUIRED_COLUMNS,
    WRITTEN_IF_USED,
    canonical_names,
)
from mapper.errors import CellError, TimeParseError, UnknownStatus
from mapper.model import Claim, Origin
from mapper.status import normalize_status
from mapper.timespan import resolve_tz


def build_claim(rec: dict, extra: list, ctx: RowContext) -> Claim:
    """Build a claim from a record whose keys are canonical names."""
    g = rec.get
    row_tz = ctx.tz
    tz_text = cells.text(g("tz"), "tz", ctx, cap=64)
    if tz_text:
        try:
            row_tz = resolve_tz(tz_text)
        except TimeParseError as err:
            raise CellError("tz", str(err)) from None

    place = cells.text(g("place"), "place", ctx)
    status_text = cells.text(g("status"), "status", ctx)
    time_value = g("time")
    if not place:
        raise CellError("place", "empty place (expected a place name such as Qala-e-Naw)")
    if not status_text:
        raise CellError(
            "status", "empty status (expected controlled, contested, attacked or not_controlled)"
        )
    span = cells.time_span(time_value, "time", row_tz, ctx)
    if span is None:
        raise CellError(
            "time", "empty time (expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00)"
        )
    end = cells.time_span(g("time_end"), "time_end", row_tz, ctx)
    if end is not None and end.latest < span.earliest:
        raise CellError(
            "time_end",
            f"time_end '{end.text}' ends before time '{span.text}' starts (time_end is when the claimed state ends)",
        )
    try:
        status, how = normalize_status(status_text)
    except UnknownStatus as err:
        raise CellError("status", str(err)) from None
    status_raw = cells.text(g("status_raw"), "status_raw", ctx) or status_text
    if how != "exact":
        ctx.map_status(status_text.lower(), status, how)

    country = cells.text(g("country"), "country", ctx)
    geometry: Any = ctx.geometry
    geom = cells.geometry(geometry if geometry is not None else g("geometry"), "geometry", ctx)
    lat, lon = cells.lat_lon(g("lat"), g("lon"), country, ctx)
    if geom is not None and geom["type"] == "Point":
        glon, glat = float(geom["coordinates"][0]), float(geom["coordinates"][1])
        if lat is not None and (abs(lat - glat) > 1e-6 or abs(lon - glon) > 1e-6):
            ctx.note(
                "geometry",
                f"geometry point ({glon:g}, {glat:g}) overrides lat {lat:g}, lon {lon:g}",
            )
        lat, lon = glat, glon

    notes = cells.text(g("notes"), "notes", ctx)
    cid = cells.text(g("id"), "id", ctx) or f"{ctx.stem}-{ctx.row}"
    return Claim(
        place=place,
        time=span,
        status=status,
        id=cid,
        actor=cells.text(g("actor"), "actor", ctx),
        claimant=cells.text(g("claimant"), "claimant", ctx),
        source=cells.text(g("source"), "source", ctx),
        url=cells.url(g("url"), "url", ctx),
        archive_url=cells.url(g("archive_url"), "archive_url", ctx),
        quote=cells.text(g("quote"), "quote", ctx),
        time_end=end,
        scope=cells.text(g("scope"), "scope", ctx),
        confidence=cells.confidence(g("confidence")),
        country=country,
        admin1=cells.text(g("admin1"), "admin1", ctx),
        admin2=cells.text(g("admin2"), "admin2", ctx),
        place_id=cells.text(g("place_id"), "place_id", ctx),
        lat=lat,
        lon=lon,
        geometry=geom,
        notes=cells.join_notes(notes, ctx),
        status_raw=status_raw,
        location_precision=cells.whole_number(g("location_precision"), "location_precision"),
        origin=Origin(ctx.path, ctx.row, ctx.format),
        extra=cells.extras(extra, ctx),
    )


def _column_keys(names) -> list:
    mapping = canonical_names(names)
    return [mapping.get(n) for n in names]


#: Any table with place, time and status (or their aliases, e.g. location, date: the default
#: detection through ``column_keys``), tried last: dataset headers may carry such names too.
CANONICAL = ClaimsFormat(
    name="canonical",
    description="conflictmap claims (place, time, status, ...)",
    build=build_claim,
    columns=frozenset(CANONICAL_COLUMNS + WRITTEN_IF_USED),  # read through column_keys (aliases)
    column_keys=_column_keys,
    label="a claims table",
    requires=REQUIRED_COLUMNS,
    list_missing=True,
    status_mapping="synonym",
    geometry=True,
    priority=1000,
)
