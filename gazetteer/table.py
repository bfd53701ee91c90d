"""Geocode a table: every row kept, in order, with geo_* columns added.

Row context (country, admin1, admin2 columns) narrows each lookup, and is a
constraint: a place outside the row's admin2/admin1 is never written as
``resolved``, even when a namesake elsewhere matches exactly. When the place
itself cannot be placed (unknown, ambiguous, or only outside its unit) but its
admin2 or admin1 is a known unit, the row falls back to that unit and
``geo_kind`` says so (``admin1 (fallback)``), with the reason in ``geo_note``;
a row is never placed at 0,0. The policy is :mod:`gazetteer.placing`, shared
with ``conflictmap map``.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from gazetteer.csvlimit import csv_field_limit
from gazetteer.errors import SourceDataError
from gazetteer.model import RESOLVED, Resolution
from gazetteer.placing import NOT_FOUND_PROBLEM, OUTSIDE_HINT, RowPlacer

log = logging.getLogger(__name__)

GEO_COLUMNS = ("geo_lat", "geo_lon", "geo_id", "geo_name", "geo_kind", "geo_status", "geo_score", "geo_note")
#: geo_status values.
STATUS_FALLBACK = "fallback"


@dataclass(frozen=True)
class RowResult:
    """The outcome for one row: the resolution of the place and what was written."""

    row_number: int
    query: str
    resolution: Resolution | None
    lat: float | None
    lon: float | None
    place_id: str
    name: str
    kind: str
    status: str
    score: float | None
    note: str = ""  # why the row fell back or stayed unresolved (e.g. the place lies outside its admin1)
    #: The name matched a place, but only outside the row's admin unit: that unit's name.
    outside: str = ""

    def columns(self) -> dict:
        """The ``geo_*`` columns written for this row (coordinates to 6 decimals, score to 3; "" when missing)."""
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


def geocode_row(gz, row_number: int, place: str, *, country=None, admin1=None, admin2=None,
                placer: RowPlacer | None = None) -> RowResult:
    """Resolve one row's place with its context, falling back to admin2/admin1.

    The row goes through :class:`gazetteer.placing.RowPlacer`, the policy ``conflictmap map``
    uses too (so both put the same row in the same place): the row's admin1 (and admin2, when it
    lies in that admin1) constrain the lookup, so a place outside them is a namesake (the row falls
    back to the unit) rather than resolved elsewhere, and a name that stays ambiguous is not placed
    on a guess; ``note`` says why. Pass one ``placer`` for a whole table (it remembers hint units).
    """
    placer = placer or RowPlacer(gz)
    pl = placer.place(place, country=country, admin1=admin1, admin2=admin2)
    notes = [f"{h.kind} {h.name!r} is not a known unit{' in ' + h.within if h.within else ''}; not used as a hint"
             for h in pl.ignored]
    res = pl.resolution
    if pl.place is not None:
        p = pl.place
        score = res.best.score if res is not None and res.best is not None else None
        # A placed row always carries the resolution that placed it (gazetteer.placing.RowPlacer).
        status = res.status if res is not None else RESOLVED
        return RowResult(row_number, place, res, p.lat, p.lon, p.id, p.name, p.kind, status, score,
                         "; ".join(notes))
    # An unplaced row always says why; a bare not_found otherwise.
    problem = pl.unresolved or NOT_FOUND_PROBLEM
    outside = pl.fallback.name if problem.status == OUTSIDE_HINT and pl.fallback is not None else ""
    if problem.message:
        notes.insert(0, problem.message)
    status = res.status if res is not None else problem.status
    if pl.fallback is not None:
        p = pl.fallback
        notes.append(f"placed at the {pl.fallback_kind} {p.name} instead")
        return RowResult(
            row_number, place, res, p.lat, p.lon, p.id, p.name, f"{p.kind} (fallback)", STATUS_FALLBACK,
            pl.fallback_score, "; ".join(notes), outside,
        )
    return RowResult(row_number, place, res, None, None, "", "", "", status, None, "; ".join(notes), outside)


#: The csv module's cell limit while a table is read (its default, 131,072 characters, made a long
#: cell a crash that cut the output short). Raised only while the table is read
#: (:func:`gazetteer.csvlimit.csv_field_limit`), never for the whole process.
CSV_FIELD_LIMIT = 256 * 1024 * 1024
#: Rows whose cells beyond the header get names: ``extra_1``, ``extra_2``, ...
EXTRA_PREFIX = "extra_"
#: How much of a very long cell is repeated in a note.
_SHOW = 40


def _extra_names(header: list, n: int) -> list:
    """``n`` names for cells beyond the header, none clashing with a header column."""
    taken, i = set(header) | set(GEO_COLUMNS), 1
    out: list[str] = []
    while len(out) < n:
        name = f"{EXTRA_PREFIX}{i}"
        if name not in taken:
            out.append(name)
        i += 1
    return out


def _unclosed_quote(cells: list, ncols: int, delimiter: str = ",") -> int | None:
    """Index of a cell that looks like an unclosed quote swallowing the next row(s), else None.

    A quoted cell may hold line breaks; it looks swallowed when a line inside it carries as
    many delimiters as a whole row, or the record comes up short of the header's cells.
    """
    for i, cell in enumerate(cells):
        if "\n" not in cell and "\r" not in cell:
            continue
        later = cell.splitlines()[1:]
        if len(cells) < ncols or (ncols > 1 and any(line.count(delimiter) >= ncols - 1 for line in later)):
            return i
    return None


def geocode_csv(
    src,
    dst,
    gz,
    *,
    place_column: str,
    country_column: str | None = None,
    admin1_column: str | None = None,
    admin2_column: str | None = None,
    progress: bool = False,
) -> list:
    """Read CSV text from ``src`` (file object), write it with geo_* columns to ``dst``.

    Every row is written, in order, whatever its cells: a cell of any length (up to
    :data:`CSV_FIELD_LIMIT`), cells beyond the header (kept under generated names
    ``extra_1``, ... after the geo_* columns), short rows (padded), repeated header
    names (kept: the first one is the column used). A record that looks like an unclosed quote
    swallowing the rows after it is written as read and reported in its ``geo_note``.

    Returns the :class:`RowResult` list (one per data row, in order). Raises
    :class:`SourceDataError` when the table is empty or a named column is missing.
    """
    name = getattr(src, "name", None) or "<input>"
    if isinstance(name, int) or name == "-":
        name = "<stdin>"
    with csv_field_limit(CSV_FIELD_LIMIT):
        return _geocode_rows(src, dst, gz, name, place_column=place_column, country_column=country_column,
                             admin1_column=admin1_column, admin2_column=admin2_column, progress=progress)


def _geocode_rows(src, dst, gz, name: str, *, place_column, country_column, admin1_column, admin2_column,
                  progress) -> list:
    """The body of :func:`geocode_csv`, run while the csv cell limit is raised."""
    import tempfile

    reader = csv.reader(src)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceDataError(f"{name}: the table is empty (no header row with column names)") from None
    except csv.Error as err:
        raise SourceDataError(f"{name}, line {reader.line_num}: not a CSV table ({err})") from None
    if header:
        header[0] = header[0].lstrip("\ufeff")
    for opt, col in (("--place-column", place_column), ("--country-column", country_column),
                     ("--admin1-column", admin1_column), ("--admin2-column", admin2_column)):
        if col and col not in header:
            raise SourceDataError(
                f"{name}: {opt}: column {col!r} is not in the table (columns: {', '.join(header) or 'none'})",
                field=col,
            )
    index = {col: header.index(col) for col in (place_column, country_column, admin1_column, admin2_column) if col}
    geo_kept = [c for c in GEO_COLUMNS if c not in header]  # geo_* columns the table already has are replaced
    replaced = {c: header.index(c) for c in GEO_COLUMNS if c in header}
    ncols = len(header)
    results, most_extra = [], 0
    placer = RowPlacer(gz)
    rows: Iterable = reader
    if progress:
        from tqdm import tqdm

        rows = tqdm(reader, desc="geocoding", unit="row", leave=False)
    # Rows go to a spooled file first: the header can name the extra cells only once all rows are read.
    with tempfile.SpooledTemporaryFile(max_size=16 << 20, mode="w+", encoding="utf-8", newline="") as spool:
        spooled = csv.writer(spool, lineterminator="\n")
        i, first_line = 0, reader.line_num + 1
        iterator = iter(rows)
        while True:
            try:
                cells = next(iterator)
            except StopIteration:
                break
            except csv.Error as err:
                raise SourceDataError(f"{name}, line {reader.line_num}: not CSV ({err}); nothing written") from None
            last_line = reader.line_num
            if not cells:  # a blank line: not a row
                first_line = last_line + 1
                continue
            i += 1
            notes = []
            swallowed = _unclosed_quote(cells, ncols)
            if swallowed is not None:
                col = header[swallowed] if swallowed < ncols else f"{EXTRA_PREFIX}{swallowed - ncols + 1}"
                notes.append(f"row {i} (lines {first_line}-{last_line}): unclosed quote? the cell in column "
                             f"{col!r} runs over {last_line - first_line} line break(s) and holds what look like "
                             "the next rows; check the quotes there")
            extra = max(0, len(cells) - ncols)
            if extra:
                notes.append(f"row {i} has {extra} cell(s) beyond the header, kept as "
                             f"{', '.join(_extra_names(header, extra))}")
            most_extra = max(most_extra, extra)
            cells = cells + [""] * (ncols - len(cells))
            get = lambda col, cells=cells: cells[index[col]] if col else None  # noqa: E731
            r = geocode_row(gz, i, get(place_column) or "", country=get(country_column),
                            admin1=get(admin1_column), admin2=get(admin2_column), placer=placer)
            if notes:
                from dataclasses import replace

                r = replace(r, note="; ".join([r.note] + notes if r.note else notes))
            results.append(r)
            geo = r.columns()
            base = list(cells[:ncols])
            for col, j in replaced.items():
                base[j] = geo[col]
            spooled.writerow(base + [geo[c] for c in geo_kept] + cells[ncols:])
            first_line = last_line + 1
        writer = csv.writer(dst, lineterminator="\n")
        extra_names = _extra_names(header, most_extra)
        writer.writerow(list(header) + geo_kept + extra_names)
        spool.seek(0)
        width = ncols + len(geo_kept)
        for row in csv.reader(spool):
            extras = row[width:]
            writer.writerow(row[:width] + extras + [""] * (most_extra - len(extras)))
    return results
