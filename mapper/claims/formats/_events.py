"""Steps shared by the event datasets (ACLED, UCDP GED): one row is one event with a place
column, dates, a dataset event type, admin hints, coordinates and a location-precision code.

Each format reads its own columns in its own order; these helpers only do what both do the same
way. The order in which cells are read is kept (a truncated cell adds its note to the claim's
notes in reading order).
"""

from __future__ import annotations

from mapper.claims import cells
from mapper.claims.cells import RowContext
from mapper.errors import CellError, TimeParseError
from mapper.model import Claim, Origin, TimeSpan
from mapper.timespan import parse_time


def required_text(rec: dict, column: str, ctx: RowContext, *, what: str = "", cap: int | None = None) -> str:
    """The cleaned text of ``column``; CellError "empty COLUMN (WHAT)" when it is empty."""
    value = cells.text(rec.get(column), column, ctx, cap=cap)
    if not value:
        raise CellError(column, f"empty {column}" + (f" ({what})" if what else ""))
    return value


def event_time(text: str, column: str, ctx: RowContext) -> TimeSpan:
    """``text`` parsed as a time (naive times in the row's zone); CellError naming ``column``."""
    try:
        return parse_time(text, tz=ctx.tz)
    except TimeParseError as err:
        raise CellError(column, str(err)) from None


def event_claim(
    rec: dict,
    extra: list,
    ctx: RowContext,
    *,
    admin_columns: tuple,
    precision_column: str,
    notes_column: str | None = None,
    **fields,
) -> Claim:
    """The claim of one event row: ``fields`` (place, time, status, actor, ...) plus the parts
    every event format fills the same way.

    Read in this order after ``fields``: the two admin hint columns (``admin_columns``, admin1
    then admin2), the notes (``notes_column``, multi-line, followed by the cells' own notes), the
    location-precision code (``precision_column``), then the columns outside the format as
    ``extra``. ``status_raw``, ``country``, ``lat`` and ``lon`` come in ``fields``.
    """
    admin1_col, admin2_col = admin_columns
    admin1 = cells.text(rec.get(admin1_col), admin1_col, ctx)
    admin2 = cells.text(rec.get(admin2_col), admin2_col, ctx)
    notes = cells.text(rec.get(notes_column), notes_column, ctx, multi_line=True) if notes_column else ""
    return Claim(
        **fields,
        admin1=admin1,
        admin2=admin2,
        notes=cells.join_notes(notes, ctx),
        location_precision=cells.whole_number(rec.get(precision_column), precision_column),
        origin=Origin(ctx.path, ctx.row, ctx.format),
        extra=cells.extras(extra, ctx),
    )
