"""UCDP GED event data: the v23.1 layout (``ucdp-ged-23.1``, with ``where_description`` and
``relid``) and the v19.1 one (``ucdp-ged-19.1``).

One row is one event at ``where_coordinates`` from ``date_start`` to ``date_end``;
``type_of_violence`` 1 and 2 become ``contested``, 3 ``attacked``
(:func:`mapper.status.ucdp_status`); ``side_a`` is the actor, the claimant is "UCDP GED", the
first link of ``source_article`` (or the headline) is the url.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mapper.claims import cells
from mapper.claims.cells import RowContext
from mapper.claims.formats._events import event_claim, event_time, required_text
from mapper.claims.formats.registry import ClaimsFormat
from mapper.errors import CellError, UnknownStatus
from mapper.model import Claim, TimeSpan
from mapper.status import ucdp_status
from mapper.timespan import precision_for_width

#: Columns every UCDP GED layout has.
CORE = ("type_of_violence", "where_coordinates", "date_start", "date_end", "side_a", "side_b")

#: Radius (metres) of the approximate area for ``where_prec`` codes whose coordinates are only a
#: centroid: 4 an admin-2 unit, 5 an admin-1 unit, 6 the country, 7 international waters/airspace.
PRECISION_RADIUS_M = {4: 15_000, 5: 60_000, 6: 250_000, 7: 100_000}

_URL_RE = re.compile(r"https?://[^\s\"'<>;,]+")


def build_claim(rec: dict, extra: list, ctx: RowContext) -> Claim:
    """UCDP GED row (keys lower-cased) -> claim."""
    g = rec.get
    place = required_text(rec, "where_coordinates", ctx, what="the place of the event")
    start = event_time(cells.text(g("date_start"), "date_start", ctx, cap=64), "date_start", ctx)
    end_text = cells.text(g("date_end"), "date_end", ctx, cap=64)
    span = start
    if end_text:
        end = event_time(end_text, "date_end", ctx)
        if end.latest < start.earliest:
            raise CellError("date_end", f"date_end {end_text} is before date_start {start.text}")
        if end.latest != start.latest:
            span = TimeSpan(
                start.earliest,
                end.latest,
                precision_for_width(start.earliest, end.latest),
                f"{start.text}/{end_text}",
            )
    try:
        status, label = ucdp_status(g("type_of_violence"))
    except UnknownStatus as err:
        raise CellError("type_of_violence", str(err)) from None
    raw = f"type_of_violence {str(g('type_of_violence')).strip()} ({label})"
    ctx.map_status(raw, status)
    country = cells.text(g("country"), "country", ctx)
    lat, lon = cells.lat_lon(g("latitude"), g("longitude"), country, ctx)
    article = cells.text(g("source_article"), "source_article", ctx, cap=cells.SOURCE_CAP)
    if len(article) >= 2 and article[0] == article[-1] == '"':
        article = article[1:-1].strip()
    headline = cells.text(g("source_headline"), "source_headline", ctx, cap=cells.LONG_CAP, multi_line=True)
    m = _URL_RE.search(article) or _URL_RE.search(headline)
    side_b = cells.text(g("side_b"), "side_b", ctx)
    extra = list(extra)
    if side_b:
        extra.append(("side_b", side_b))
    cid = cells.text(g("id"), "id", ctx)
    return event_claim(
        rec,
        extra,
        ctx,
        admin_columns=("adm_1", "adm_2"),
        precision_column="where_prec",
        notes_column="where_description",
        place=place,
        time=span,
        status=status,
        id=cid or f"{ctx.stem}-{ctx.row}",
        actor=cells.text(g("side_a"), "side_a", ctx),
        claimant="UCDP GED",
        source=article or cells.text(g("source_office"), "source_office", ctx) or "UCDP GED",
        url=m.group().rstrip(".)") if m else "",
        quote=headline,
        country=country,
        lat=lat,
        lon=lon,
        status_raw=raw,
    )


COLUMNS = {
    "where_coordinates",
    "date_start",
    "date_end",
    "type_of_violence",
    "country",
    "latitude",
    "longitude",
    "source_article",
    "source_headline",
    "side_a",
    "side_b",
    "id",
    "adm_1",
    "adm_2",
    "where_description",
    "where_prec",
}



def _is_v23(names) -> bool:
    low = {n.lower() for n in names}
    return set(CORE) <= low and bool({"where_description", "relid"} & low)


UCDP_GED_23_1 = ClaimsFormat(
    name="ucdp-ged-23.1",
    description="UCDP GED event data, v23.1 layout (where_description, relid)",
    detect=_is_v23,
    build=build_claim,
    columns=frozenset(COLUMNS),
    label="UCDP GED",
    requires=CORE,
    precision_radius=PRECISION_RADIUS_M,
    status_mapping="ucdp",
    priority=10,
)
UCDP_GED_19_1 = replace(
    UCDP_GED_23_1,
    name="ucdp-ged-19.1",
    description="UCDP GED event data, v19.1 layout",
    detect=None,  # the CORE columns (requires) are enough
    priority=11,
)
