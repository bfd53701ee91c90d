"""ACLED exports: the current layout (``acled``), the older one with ``event_id_no_cnty``/``gwcode``
(``acled-2019``) and R-processed legacy files with capitalised names (``acled-legacy``).

One row is one event: ``location`` (with country/admin1/admin2 hints) at ``event_date``;
territory events become ``controlled`` by the actor that gains the place, battles ``contested``,
everything else ``attacked`` (:func:`mapper.status.acled_status`; the event type is kept in
``status_raw``). ``time_precision`` 2 widens the date to ±3 days, 3 to the month.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from mapper.claims import cells
from mapper.claims.cells import RowContext
from mapper.claims.formats._events import event_claim, event_time, required_text
from mapper.claims.formats.registry import ClaimsFormat
from mapper.model import Claim, TimeSpan
from mapper.status import acled_status
from mapper.timespan import parse_time

#: Legacy column names (lower-cased) -> current ones.
LEGACY_NAMES = {"type": "event_type", "sub_type": "sub_event_type"}
#: Columns every ACLED layout has (lower-cased), besides an event type column.
CORE = ("event_date", "actor1", "location", "latitude", "longitude")
_EVENT_TYPE = {"event_type", "type"}
#: Column names as the R-processed legacy files capitalise them.
_LEGACY_CAPITALISED = ("Actor1", "Location", "Notes", "Sub_type")
#: Radius (metres) of the approximate area for ``geo_precision`` codes: 2 is a nearby town,
#: 3 a district or province centroid.
PRECISION_RADIUS_M = {2: 10_000, 3: 25_000}


def build_claim(rec: dict, extra: list, ctx: RowContext) -> Claim:
    """ACLED row (keys lower-cased, legacy names mapped) -> claim."""
    g = rec.get
    place = required_text(rec, "location", ctx, what="the place of the event")
    date_text = required_text(rec, "event_date", ctx, cap=64)
    span = event_time(date_text, "event_date", ctx)
    tp = cells.whole_number(g("time_precision"), "time_precision")
    if tp == 2:  # ACLED codes the middle of a reported week or few days
        span = TimeSpan(
            span.earliest - timedelta(days=3),
            span.latest + timedelta(days=3),
            "week",
            f"{date_text} (±3 days, ACLED time_precision 2)",
        )
    elif tp == 3:  # ... or the middle of a reported month
        month = parse_time(f"{span.earliest:%Y-%m}", tz=span.earliest.tzinfo)
        span = TimeSpan(
            month.earliest, month.latest, "month", f"{date_text} (month of, ACLED time_precision 3)"
        )
    event_type = cells.text(g("event_type"), "event_type", ctx)
    sub_type = cells.text(g("sub_event_type"), "sub_event_type", ctx)
    actor1 = cells.text(g("actor1"), "actor1", ctx)
    actor2 = cells.text(g("actor2"), "actor2", ctx)
    status, actor = acled_status(event_type, sub_type, actor1, actor2)
    raw = f"{event_type}: {sub_type}" if sub_type else event_type
    ctx.map_status(raw, status)
    country = cells.text(g("country"), "country", ctx)
    lat, lon = cells.lat_lon(g("latitude"), g("longitude"), country, ctx)
    source = cells.text(g("source"), "source", ctx)
    cid = cells.text(g("event_id_cnty"), "event_id_cnty", ctx) or f"{ctx.stem}-{ctx.row}"
    extra = list(extra)
    if actor != actor1 and actor1:
        extra.append(("actor1", actor1))
    if actor2:
        extra.append(("actor2", actor2))
    return event_claim(
        rec,
        extra,
        ctx,
        admin_columns=("admin1", "admin2"),
        precision_column="geo_precision",
        place=place,
        time=span,
        status=status,
        id=cid,
        actor=actor,
        claimant=source or "ACLED",
        source=source or "ACLED",
        quote=cells.text(g("notes"), "notes", ctx),
        country=country,
        lat=lat,
        lon=lon,
        status_raw=raw,
    )


COLUMNS = {
    "location",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "latitude",
    "longitude",
    "source",
    "notes",
    "admin1",
    "admin2",
    "geo_precision",
    "event_id_cnty",
}


def _is_acled(names) -> bool:
    low = {n.lower() for n in names}
    return set(CORE) <= low and bool(_EVENT_TYPE & low)


def _is_legacy(names) -> bool:
    low = {n.lower() for n in names}
    return _is_acled(names) and ("sub_type" in low or any(n in _LEGACY_CAPITALISED for n in names))


def _is_2019(names) -> bool:
    low = {n.lower() for n in names}
    return _is_acled(names) and "disorder_type" not in low and bool({"event_id_no_cnty", "gwcode"} & low)


ACLED = ClaimsFormat(
    name="acled",
    description="ACLED export, current layout (31 columns, disorder_type)",
    detect=_is_acled,
    build=build_claim,
    columns=frozenset(COLUMNS),
    renames=LEGACY_NAMES,
    label="ACLED",
    requires=CORE,
    precision_radius=PRECISION_RADIUS_M,
    status_mapping="acled",
    priority=22,
)
ACLED_2019 = replace(
    ACLED,
    name="acled-2019",
    description="ACLED export, older layout (30 columns, event_id_no_cnty, gwcode)",
    detect=_is_2019,
    priority=21,
)
ACLED_LEGACY = replace(
    ACLED,
    name="acled-legacy",
    description="ACLED R-processed legacy layout (Actor1, Location, Notes, Sub_type)",
    detect=_is_legacy,
    priority=20,
)
