"""Counts of events per admin unit and period from ACLED, UCDP GED or claims tables of any size.

The pipeline, the same in-process (pandas/geopandas, for small inputs) and on Dask:

1. **read** the inputs in parts of bounded size: a CSV/TSV is streamed once by the client in
   chunks of ``chunk_rows`` rows (exact row numbers, also across quoted line breaks); a
   Parquet file gives one part per row group, read by the worker that processes it; JSON,
   JSON Lines and GeoJSON claims files go through :func:`mapper.claims.read_claims` whole;
2. **normalise** each part with the rules of :mod:`mapper.claims` (format detection and
   column mapping, and for every row: the date, ACLED/UCDP/claims status words onto the
   status vocabulary, coordinates). Each rule is applied once per *distinct* value of a part,
   not once per row; a row that fails a check is handed to the format's own row builder, so the
   rejection reads exactly as ``conflictmap map`` would report it;
3. **assign** each event to a unit of the gazetteer (countries, provinces, or districts of an
   added boundary set): point in polygon (``geopandas.sjoin`` on each part; on a cluster the
   parts are partitions of a dask-geopandas GeoDataFrame of the points, joined one by one, since
   ``dask_geopandas.sjoin`` keeps only the matched points), else by the row's admin name
   (``method`` says which),
   else the row is reported as **unassigned** with its row number and why;
4. **count** events and sum fatalities per unit, period and (optionally) status and actor.

The result table is also a claims table: ``place``, ``place_id``, ``time`` (the period:
``2021-07-06``, ``2021-W27``, ``2021-07``), ``status``, ``actor``, ``scope`` (``N events``) and
``claimant``, so ``conflictmap map COUNTS.csv`` draws every counted unit with its counts in the
popups.

Examples
--------
>>> import pandas as pd
>>> from mapper.scale.aggregate import AggregateSpec, aggregate_frame
>>> events = pd.DataFrame({"event_date": ["2021-07-06", "2021-07-20", "2021-08-02", "2021-07-07"],
...     "event_type": ["Battles", "Battles", "Explosions/Remote violence", "Battles"],
...     "sub_event_type": ["Armed clash", "Armed clash", "Air/drone strike", "Armed clash"],
...     "actor1": ["Taliban"] * 4, "actor2": [""] * 4,
...     "location": ["Qala i Naw", "Qala i Naw", "Kunduz", "Nowhere"],
...     "latitude": [34.99, 34.99, 36.73, None], "longitude": [63.13, 63.13, 68.86, None],
...     "country": ["Afghanistan"] * 4, "admin1": ["Badghis", "Badghis", "Kunduz", ""]})
>>> result = aggregate_frame(events, AggregateSpec(by="admin1", every="month"))  # doctest: +SKIP
>>> result.counts[["place", "time", "status", "events"]].values.tolist()       # doctest: +SKIP
[['Badghis', '2021-07', 'contested', 2], ['Kunduz', '2021-08', 'attacked', 1]]
>>> [(u.row, u.reason) for u in result.unassigned]  # rows are the frame's index   # doctest: +SKIP
[(3, 'no coordinates and no admin1 name')]
"""

from __future__ import annotations

import glob
import json
import logging
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from mapper._optional import require
from mapper.claims import RowIssue, detect_format, read_claims
from mapper.claims.cells import COUNTRY_BOXES, SURROGATE_RE, RowContext, country_code, text
from mapper.claims.formats import Schema, get_format
from mapper.claims.readers import CSV_FIELD_LIMIT, csv_field_limit, sniff_delimiter
from mapper.errors import (
    CellError,
    ClaimsFileError,
    ScaleDependencyMissing,
    ScaleError,
    TimeParseError,
    UnknownStatus,
)
from mapper.status import acled_status, normalize_status, ucdp_status
from mapper.timespan import parse_time, resolve_tz

# pandas comes with the scale extra (geopandas, a core dependency, also pulls it in)
pd = require("pandas", "scale", purpose="conflictmap aggregate", error=ScaleDependencyMissing)

__all__ = [
    "LEVELS",
    "PERIODS",
    "BREAKDOWNS",
    "METHOD_POINT",
    "METHOD_NAME",
    "OUTPUT_COLUMNS",
    "AggregateSpec",
    "Unassigned",
    "AggregateResult",
    "aggregate",
    "aggregate_frame",
    "load_units",
    "write_counts",
]

logger = logging.getLogger(__name__)

#: Units events are counted in, coarsest first.
LEVELS = ("country", "admin1", "admin2")
#: Periods events are counted per.
PERIODS = ("day", "week", "month")
#: Optional breakdowns of the counts.
BREAKDOWNS = ("status", "actor")
METHOD_POINT = "point_in_polygon"
METHOD_NAME = "name"
#: Rows per part: a part of ACLED's 31 columns takes about 150 MB in pandas.
DEFAULT_CHUNK_ROWS = 200_000
#: Claimant written on every output row (the map groups claims by claimant).
CLAIMANT = "conflictmap aggregate"
#: Columns of the result table, in order.
OUTPUT_COLUMNS = (
    "place", "place_id", "level", "country", "admin1", "time", "period_start", "period_end",
    "status", "actor", "events", "fatalities", "method", "scope", "claimant", "quote",
)
PARQUET_SUFFIXES = (".parquet", ".pq")
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")

#: Which role each mapper.claims field plays here, per family of formats (keys are mapper.claims'
#: column keys after its own mapping, e.g. ACLED's legacy ``Type`` is ``event_type``).
_ROLES = {
    "acled": {"place": "location", "date": "event_date", "lat": "latitude", "lon": "longitude",
              "country": "country", "admin1": "admin1", "admin2": "admin2", "precision": "geo_precision"},
    "ucdp": {"place": "where_coordinates", "date": "date_start", "lat": "latitude", "lon": "longitude",
             "country": "country", "admin1": "adm_1", "admin2": "adm_2", "precision": "where_prec"},
    "canonical": {"place": "place", "date": "time", "lat": "lat", "lon": "lon", "country": "country",
                  "admin1": "admin1", "admin2": "admin2", "precision": "location_precision",
                  "status": "status", "actor": "actor", "tz": "tz"},
}
#: Dataset columns outside mapper.claims' schema that the counts use (lower-case names).
_FATALITY_COLUMNS = {"acled": "fatalities", "ucdp": "best", "canonical": "fatalities"}
_STATUS_INPUTS = {"acled": ("event_type", "sub_event_type", "actor1", "actor2"),
                  "ucdp": ("type_of_violence", "side_a"), "canonical": ()}

#: The finest level a dataset's coordinates stand for, by precision code: UCDP ``where_prec`` 4,
#: 5, 6 are the centroid of a district, a province, the country and 7 international waters;
#: ACLED ``geo_precision`` 3 a provincial capital or larger area. A point counts only at this
#: level and coarser; finer levels use the row's admin names.
_POINT_LEVEL = {"ucdp": {4: 2, 5: 1, 6: 0, 7: -1}, "acled": {3: 1}}
_PRECISION_WHAT = {"ucdp": {5: "a province's centroid (UCDP where_prec 5)", 6: "the country's centroid "
                            "(UCDP where_prec 6)", 7: "international waters (UCDP where_prec 7)"},
                   "acled": {3: "a provincial capital or larger area (ACLED geo_precision 3)"}}


# ---- options and results ----------------------------------------------------------------------
@dataclass(frozen=True)
class AggregateSpec:
    """What to count: units (``by``), periods (``every``), breakdowns (``per``) and filters.

    ``statuses``/``actors`` keep only events of these statuses / actors (actor names are
    compared case-insensitively); ``tz`` is the zone of times that carry none (UTC by default).
    """

    by: str = "admin1"
    every: str = "month"
    per: tuple = ("status",)
    statuses: tuple = ()
    actors: tuple = ()
    tz: str | None = None

    def __post_init__(self):
        if self.by not in LEVELS:
            raise ScaleError(f"by={self.by!r}: count per one of {', '.join(LEVELS)}")
        if self.every not in PERIODS:
            raise ScaleError(f"every={self.every!r}: count per one of {', '.join(PERIODS)}")
        per = (self.per,) if isinstance(self.per, str) else tuple(self.per)
        bad = [p for p in per if p not in BREAKDOWNS]
        if bad:
            raise ScaleError(f"per={','.join(bad)!r}: the counts can be broken down by {', '.join(BREAKDOWNS)}")
        object.__setattr__(self, "per", tuple(p for p in BREAKDOWNS if p in per))
        from mapper.model import STATUSES

        statuses = (self.statuses,) if isinstance(self.statuses, str) else tuple(self.statuses)
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise ScaleError(f"status {bad[0]!r} is not one of {', '.join(STATUSES)}")
        object.__setattr__(self, "statuses", statuses)
        actors = (self.actors,) if isinstance(self.actors, str) else tuple(self.actors)
        object.__setattr__(self, "actors", actors)
        if self.tz is not None:
            try:
                resolve_tz(self.tz)
            except TimeParseError as err:
                raise ScaleError(str(err)) from err

    @property
    def level_rank(self) -> int:
        """Position of ``by`` in :data:`LEVELS` (0 = country, the coarsest)."""
        return LEVELS.index(self.by)

    @property
    def keys(self) -> list:
        """Group-by columns of the counts."""
        return ["unit_id", "method", "period", *self.per]


@dataclass(frozen=True)
class Unassigned:
    """A valid row that could not be counted in any unit: file, row (header = row 0) and why."""

    path: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{os.path.basename(self.path) or self.path} row {self.row}: {self.reason}"


@dataclass(frozen=True)
class AggregateResult:
    """The counts (:data:`OUTPUT_COLUMNS`, one row per unit, period, method and breakdown) and
    what was not counted: ``rejected`` rows (:class:`mapper.claims.RowIssue`, with mapper.claims'
    reasons), ``unassigned`` rows (:class:`Unassigned`) and ``filtered`` (rows outside the
    ``--status``/``--actor`` filters)."""

    counts: pd.DataFrame
    spec: AggregateSpec
    rows: int = 0
    rejected: tuple = ()
    unassigned: tuple = ()
    filtered: int = 0
    files: tuple = ()  # (path, format) per input
    parts: int = 0

    @property
    def events(self) -> int:
        """Events counted (the sum of ``counts.events``)."""
        return int(self.counts["events"].sum()) if len(self.counts) else 0

    def summary(self, limit: int = 20) -> str:
        """A few lines for stderr: events counted by each assignment method, then what was not
        counted (up to ``limit`` rejected or unassigned rows named)."""
        by_method = self.counts.groupby("method")["events"].sum().to_dict() if len(self.counts) else {}
        how = ", ".join(f"{int(v):,} by {k.replace('_', ' ')}" for k, v in sorted(by_method.items()))
        lines = [
            f"Read {self.rows:,} rows from {len(self.files)} file{'s' if len(self.files) != 1 else ''} "
            f"in {self.parts} part{'s' if self.parts != 1 else ''}: {self.events:,} events counted in "
            f"{self.counts['place_id'].nunique() if len(self.counts) else 0:,} {self.spec.by} units"
            + (f" ({how})" if how else "")
            + f", {len(self.unassigned):,} unassigned, {len(self.rejected):,} rejected"
            + (f", {self.filtered:,} outside the filters" if self.filtered else "") + "."
        ]
        for label, items in (("Rejected rows", self.rejected), ("Unassigned rows", self.unassigned)):
            if items:
                lines.append(f"{label}:")
                lines.extend(f"  {i}" for i in items[:limit])
                if len(items) > limit:
                    lines.append(f"  ... and {len(items) - limit:,} more (see the .unassigned.csv report)")
        return "\n".join(lines)


# ---- inputs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Source:
    """One input table: its path, mapper.claims format and where each role's column is."""

    path: str
    fmt: str  # mapper.claims format name: canonical, acled, acled-2019, acled-legacy, ucdp-ged-*
    container: str  # csv, tsv, parquet, claims (read through mapper.claims), frame
    columns: tuple = ()  # ((key, raw column name), ...) for the columns the counts read

    @property
    def family(self) -> str:
        return "acled" if self.fmt.startswith("acled") else "ucdp" if self.fmt.startswith("ucdp") else "canonical"

    @property
    def column_map(self) -> dict:
        return dict(self.columns)


@dataclass(frozen=True)
class _Part:
    """A slice of one input: rows ``first_row`` .. of ``source``; ``row_groups`` of a Parquet
    file (read where the part is processed) or the ``values`` a CSV chunk carries."""

    source: int  # index into the job's sources
    first_row: int  # row number of the first data row of the part (header = row 0)
    row_groups: tuple = ()
    values: pd.DataFrame | None = field(default=None, compare=False)


def _source_for(path: str, header: list, container: str) -> _Source:
    """Detect the format from the header with mapper.claims and note which column holds each key."""
    fmt = detect_format(header)
    schema = Schema(get_format(fmt), list(header))  # mapper.claims' own header -> key mapping
    columns: dict = {}
    for key, name in zip(schema.keys, schema.names):
        if key and key not in columns:
            columns[key] = name
    family = "acled" if fmt.startswith("acled") else "ucdp" if fmt.startswith("ucdp") else "canonical"
    lowered = {}
    for name in schema.names:
        lowered.setdefault(name.lower(), name)
    extra = _FATALITY_COLUMNS[family]
    if extra in lowered and extra not in columns:
        columns["fatalities" if family != "ucdp" else "best"] = lowered[extra]
    return _Source(str(path), fmt, container, tuple(columns.items()))


def _expand(paths) -> list:
    """Files of the inputs: a folder gives its Parquet files, a glob its matches, in order."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        text = str(p)
        if os.path.isdir(text):
            found = sorted(f for f in glob.glob(os.path.join(text, "**", "*"), recursive=True)
                           if f.lower().endswith(PARQUET_SUFFIXES))
            if not found:
                raise ClaimsFileError(f"{text}: folder holds no .parquet files", path=text)
            out.extend(found)
        elif any(ch in text for ch in "*?[") and not os.path.exists(text):
            found = sorted(glob.glob(text, recursive=True))
            if not found:
                raise ClaimsFileError(f"no file matches {text!r}", path=text)
            out.extend(found)
        else:
            if not os.path.isfile(text):
                raise ClaimsFileError(f"events file not found: {text} (check the path)", path=text)
            out.append(text)
    return out


def _plan(paths, chunk_rows: int) -> tuple:
    """(sources, iterator of parts). CSV parts are read lazily as the iterator advances."""
    sources: list = []
    plans: list = []
    for path in _expand(paths):
        low = path.lower()
        if low.endswith(PARQUET_SUFFIXES):
            pyarrow = require("pyarrow", "scale", purpose="reading Parquet events",
                              error=ScaleDependencyMissing)
            pq = require("pyarrow.parquet", "scale", purpose="reading Parquet events",
                         error=ScaleDependencyMissing)

            try:
                meta = pq.ParquetFile(path).metadata
            except (pyarrow.ArrowException, OSError) as err:
                raise ClaimsFileError(f"{path}: not a readable Parquet file ({err})", path=path) from err
            src = _source_for(path, meta.schema.to_arrow_schema().names, "parquet")
            sources.append(src)
            plans.append(("parquet", len(sources) - 1, meta))
        elif low.endswith(_TEXT_SUFFIXES) or not low.endswith((".json", ".jsonl", ".ndjson", ".geojson",
                                                                ".geojsonl", ".geojsons")):
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
                first = fh.readline()
            if first.lstrip()[:1] in ("[", "{"):
                sources.append(_Source(path, "", "claims"))
                plans.append(("claims", len(sources) - 1, None))
                continue
            delim = "\t" if low.endswith(".tsv") else sniff_delimiter(first)
            # closed at once, so the csv field-size limit is put back
            with closing(_csv_rows(path, delim)) as records:
                header = next(records, None)
            if header is None:
                raise ClaimsFileError(f"{path}: file is empty (expected a header line)", path=path)
            src = _source_for(path, header[1], "tsv" if delim == "\t" else "csv")
            sources.append(src)
            plans.append(("csv", len(sources) - 1, delim))
        else:
            sources.append(_Source(path, "", "claims"))
            plans.append(("claims", len(sources) - 1, None))

    def parts() -> Iterator[_Part]:
        for kind, i, extra in plans:
            if kind == "parquet":
                yield from _parquet_parts(i, extra, chunk_rows)
            elif kind == "csv":
                yield from _csv_parts(i, sources[i], extra, chunk_rows)
            else:
                yield _claims_part(i, sources, chunk_rows)

    return sources, parts()


def _parquet_parts(i: int, meta, chunk_rows: int) -> Iterator[_Part]:
    first, groups, n = 1, [], 0
    for g in range(meta.num_row_groups):
        groups.append(g)
        n += meta.row_group(g).num_rows
        if n >= chunk_rows:
            yield _Part(i, first, tuple(groups))
            first, groups, n = first + n, [], 0
    if groups:
        yield _Part(i, first, tuple(groups))


def _csv_rows(path: str, delimiter: str) -> Iterator[tuple]:
    """(line, values) of the non-blank records of a CSV file, as :mod:`mapper.claims` numbers them.

    The csv module's field-size limit is raised (as :mod:`mapper.claims` reads CSV) only while
    the file is read: from the first record until the generator is exhausted or closed.
    """
    import csv

    # surrogate escapes mark bytes that are not UTF-8: such rows are rejected, as mapper.claims does
    with csv_field_limit(CSV_FIELD_LIMIT), open(path, encoding="utf-8-sig", errors="surrogateescape",
                                               newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        last = 0
        while True:
            start = last + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                last = reader.line_num
                yield start, err
                continue
            last = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            yield start, values


def _csv_parts(i: int, src: _Source, delimiter: str, chunk_rows: int) -> Iterator[_Part]:
    """CSV chunks of ``chunk_rows`` rows as string frames; a row with the wrong number of fields
    (or invalid CSV) is carried as a row whose ``__error__`` column says why."""
    with closing(_csv_rows(src.path, delimiter)) as rows:
        yield from _csv_chunks(i, src, rows, chunk_rows)


def _csv_chunks(i: int, src: _Source, rows: Iterator[tuple], chunk_rows: int) -> Iterator[_Part]:
    _, header = next(rows)
    width = len(header)
    wanted = [header.index(name) for _, name in src.columns]
    names = [key for key, _ in src.columns]
    batch, lines, errors, row, first = [], [], [], 0, 1
    for line, values in rows:
        row += 1
        err = ""
        if isinstance(values, Exception):
            err, values = f"not valid CSV ({values})", [""] * width
        elif len(values) != width:
            if len(values) > width and all(not v.strip() for v in values[width:]):
                values = values[:width]
            else:
                err = (f"{len(values)} fields, expected {width} (as in the header): check for an unquoted "
                       "comma, a missing quote or a missing field")
                values = [""] * width
        if not err and SURROGATE_RE.search("".join(values)):
            err, values = _not_utf8(values, header, src), [""] * width
        batch.append([values[j] for j in wanted])
        lines.append(line)
        errors.append(err)
        if len(batch) >= chunk_rows:
            yield _Part(i, first, values=_chunk_frame(batch, names, lines, errors))
            first, batch, lines, errors = row + 1, [], [], []
    if batch:
        yield _Part(i, first, values=_chunk_frame(batch, names, lines, errors))


def _not_utf8(values: list, header: list, src: _Source) -> str:
    """``column\x00reason`` for the first cell holding bytes that are not UTF-8, in mapper.claims' words."""
    keys = {name: key for key, name in src.columns}
    for name, value in zip(header, values):
        if SURROGATE_RE.search(value):
            column = keys.get(name, name)
            ctx = RowContext(src.path, 0, None, src.fmt, Path(src.path).stem)
            try:
                text(value, column, ctx)
            except CellError as err:
                return f"{err.column}\x00{err.reason}"
            return f"{column}\x00contains bytes that are not UTF-8"
    return ""


def _chunk_frame(batch, names, lines, errors) -> pd.DataFrame:
    frame = pd.DataFrame(batch, columns=names, dtype=object)
    frame["__line__"] = np.asarray(lines, dtype=np.int64)
    frame["__error__"] = errors
    return frame


def _claims_part(i: int, sources: list, chunk_rows: int) -> _Part:
    """A JSON/JSON Lines/GeoJSON claims file, read whole by mapper.claims (these formats carry
    claims, not millions of events), as a canonical frame."""
    src = sources[i]
    claims, report = read_claims(src.path)
    fmt = next((f.format for f in report.files if f.format), "canonical")
    rows = [{"place": c.place, "time": c.time.text, "tz": "",
             "status": c.status, "actor": c.actor, "country": c.country, "admin1": c.admin1,
             "admin2": c.admin2, "lat": c.lat, "lon": c.lon, "location_precision": c.location_precision,
             "__row__": c.origin.row, "__error__": ""} for c in claims]
    for issue in report.rejected:  # mapper.claims' own reasons, carried to the report
        rows.append({"__row__": issue.row if issue.row is not None else 0,
                     "__error__": f"{issue.column}\x00{issue.reason}"})
    keys = ("place", "time", "tz", "status", "actor", "country", "admin1", "admin2", "lat", "lon",
            "location_precision")
    # mapper.claims has applied the dataset's rules (status words, dates): the frame is canonical
    sources[i] = _Source(src.path, "canonical", "claims", tuple((k, k) for k in keys))
    logger.info("%s: %s claims file read whole by mapper.claims", src.path, fmt)
    frame = pd.DataFrame(rows, columns=[*keys, "__row__", "__error__"])
    # mapper.claims has applied the dataset rules already (status, dates): read back as canonical
    frame["tz"] = ""
    frame["time"] = [c.time.earliest.isoformat() for c in claims] + [""] * len(report.rejected)
    return _Part(i, 1, values=frame)


def _read_part(part: _Part, source: _Source) -> pd.DataFrame:
    """The raw columns of a part, named by mapper.claims key (the worker side of a Parquet part)."""
    if part.values is not None:
        return part.values
    pq = require("pyarrow.parquet", "scale", purpose="reading Parquet events",
                 error=ScaleDependencyMissing)
    names = [name for _, name in source.columns]
    table = pq.ParquetFile(source.path).read_row_groups(list(part.row_groups), columns=names)
    frame = table.to_pandas()
    frame.columns = [key for key, _ in source.columns]
    return frame


# ---- normalising -------------------------------------------------------------------------------
#: Columns of a normalised events frame (one row per input row; rejected rows carry a reason).
EVENT_DTYPES = {
    "src": "int32", "row": "int64", "period": "datetime64[s]", "status": "str", "actor": "str",
    "lon": "float64", "lat": "float64", "point_level": "int8", "country": "str", "admin1": "str",
    "admin2": "str", "fatalities": "float64", "reject_column": "str", "reject_reason": "str",
}


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVENT_DTYPES.items()})


def _text_col(frame: pd.DataFrame, key: str | None) -> pd.Series:
    """A column as stripped text ("" for missing cells), vectorised."""
    if key is None or key not in frame:
        return pd.Series("", index=frame.index, dtype="str")
    col = frame[key]
    if pd.api.types.is_float_dtype(col):  # 1.0 -> "1", as the value was written
        col = col.map(lambda v: "" if v != v else f"{v:g}")
    return col.where(col.notna(), "").astype("str").str.strip()


def _period_start(days: pd.Series, every: str) -> pd.Series:
    """First day of the period holding each (naive) date."""
    if every == "day":
        return days
    if every == "week":  # ISO weeks start on Monday
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days.dt.to_period("M").dt.start_time.astype("datetime64[s]")


def _dates(frame: pd.DataFrame, src: _Source, tz) -> tuple:
    """(naive dates as datetime64[s], reasons) with the time parser of mapper.claims, once per
    distinct text."""
    key = _ROLES[src.family]["date"]
    col = frame[key] if key in frame else pd.Series([""] * len(frame), index=frame.index)
    if pd.api.types.is_datetime64_any_dtype(col):  # a typed Parquet column is already a date
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_localize(None)
        days = col.dt.floor("D").astype("datetime64[s]")
        return days, pd.Series(np.where(days.isna(), f"empty {key}", ""), index=frame.index)
    if col.dtype == object and len(col) and isinstance(col.iloc[0], date):
        col = col.map(lambda v: v.isoformat() if isinstance(v, date) else v)
    text = _text_col(frame, key)
    zones = _text_col(frame, "tz") if src.family == "canonical" else pd.Series("", index=frame.index, dtype="str")
    pairs = pd.DataFrame({"t": text.to_numpy(), "z": zones.to_numpy()})
    uniq = pairs.drop_duplicates().reset_index(drop=True)
    default_tz = resolve_tz(tz)
    day_of, why_of = [], []
    for t, z in uniq.itertuples(index=False):
        if not t:
            day_of.append(pd.NaT)
            why_of.append(f"empty {key}")
            continue
        try:
            earliest = parse_time(t, tz=resolve_tz(z) if z else default_tz).earliest
            day_of.append(pd.Timestamp(earliest.date()))
            why_of.append("")
        except TimeParseError as err:
            day_of.append(pd.NaT)
            why_of.append(str(err))
    uniq["day"] = pd.to_datetime(pd.Series(day_of, dtype="datetime64[s]"))
    uniq["why"] = pd.Series(why_of, dtype="str")
    merged = pairs.merge(uniq, on=["t", "z"], how="left")  # a left merge keeps the rows' order
    return (pd.Series(merged["day"].to_numpy(), index=frame.index).astype("datetime64[s]"),
            pd.Series(merged["why"].to_numpy(), index=frame.index, dtype="str"))


def _statuses(frame: pd.DataFrame, src: _Source) -> tuple:
    """(status, actor, reasons) with mapper.status's rules, once per distinct combination."""
    fam = src.family
    if fam == "acled":
        cols = [_text_col(frame, k) for k in _STATUS_INPUTS["acled"]]
        combos = pd.DataFrame(dict(zip("abcd", cols)))

        def rule(a, b, c, d):
            return (*acled_status(a, b, c, d), "")
    elif fam == "ucdp":
        combos = pd.DataFrame({"a": _text_col(frame, "type_of_violence"), "b": _text_col(frame, "side_a")})

        def rule(a, b):
            try:
                return ucdp_status(a)[0], b, ""
            except UnknownStatus as err:
                return "", b, str(err)
    else:
        combos = pd.DataFrame({"a": _text_col(frame, "status"), "b": _text_col(frame, "actor")})

        def rule(a, b):
            if not a:
                return "", b, "empty status (expected controlled, contested, attacked or not_controlled)"
            try:
                return normalize_status(a)[0], b, ""
            except UnknownStatus as err:
                return "", b, str(err)
    uniq = combos.drop_duplicates().reset_index(drop=True)
    results = [rule(*r) for r in uniq.itertuples(index=False)]
    uniq["_status"] = pd.Series([r[0] for r in results], dtype="str")
    uniq["_actor"] = pd.Series([r[1] for r in results], dtype="str")
    uniq["_why"] = pd.Series([r[2] for r in results], dtype="str")
    merged = combos.reset_index(drop=True).merge(uniq, on=list(combos.columns), how="left")
    return tuple(pd.Series(merged[c].to_numpy(), index=frame.index, dtype="str") for c in ("_status", "_actor", "_why"))


def _numbers(frame: pd.DataFrame, key: str) -> tuple:
    """(float values, True where a non-empty cell is not a number)."""
    if key not in frame:
        nan = pd.Series(np.nan, index=frame.index)
        return nan, pd.Series(False, index=frame.index)
    col = frame[key]
    if pd.api.types.is_numeric_dtype(col):
        return col.astype("float64"), pd.Series(False, index=frame.index)
    text = _text_col(frame, key)
    num = pd.to_numeric(text.where(text != "", None), errors="coerce").astype("float64")
    return num, (text != "") & num.isna()


def _coordinate_suspects(lat, lon, bad_lat, bad_lon, country) -> pd.Series:
    """Rows whose coordinates mapper.claims would question: not numbers, one of the pair missing,
    out of range, not finite, or outside the country's box while the swapped pair is inside
    (:func:`mapper.claims.cells.lat_lon` decides these rows, see :func:`_owner_verdicts`)."""
    one = lat.isna() ^ lon.isna()
    out = (lat.abs() > 90) | (lon.abs() > 180) | np.isinf(lat) | np.isinf(lon)
    sus = bad_lat | bad_lon | one | out
    names = country.unique()
    codes = country.map({c: country_code(c) if c else None for c in names})
    for code in codes.dropna().unique():
        box = COUNTRY_BOXES.get(code)
        if not box:
            continue
        m = (codes == code) & lat.notna() & lon.notna()
        inside = lon.between(box[0], box[2]) & lat.between(box[1], box[3])
        swapped = lat.between(box[0], box[2]) & lon.between(box[1], box[3])
        sus |= m & ~inside & swapped
    return sus


def _normalize(raw: pd.DataFrame, src_index: int, src: _Source, first_row: int, tz=None,
               index_rows: bool = False) -> pd.DataFrame:
    """A raw part (columns named by mapper.claims key) -> events frame (:data:`EVENT_DTYPES`)."""
    n = len(raw)
    if n == 0:
        return _empty_events()
    raw = raw.reset_index(drop=not index_rows)
    if "__row__" in raw:
        rows = raw["__row__"].astype("int64").to_numpy()
    elif index_rows:
        rows = pd.to_numeric(raw.iloc[:, 0], errors="coerce").fillna(-1).astype("int64").to_numpy()
    else:
        rows = np.arange(first_row, first_row + n, dtype=np.int64)
    roles = _ROLES[src.family]
    days, date_why = _dates(raw, src, tz)
    status, actor, status_why = _statuses(raw, src)
    lat, bad_lat = _numbers(raw, roles["lat"])
    lon, bad_lon = _numbers(raw, roles["lon"])
    country = _text_col(raw, roles["country"])
    place = _text_col(raw, roles["place"])
    prec, _ = _numbers(raw, roles["precision"])
    fat_key = "best" if src.family == "ucdp" else "fatalities"
    fat, _ = _numbers(raw, fat_key)
    events = pd.DataFrame({
        "src": np.int32(src_index), "row": rows, "period": days, "status": status, "actor": actor,
        "lon": lon.to_numpy(), "lat": lat.to_numpy(), "point_level": np.int8(2), "country": country,
        "admin1": _text_col(raw, roles["admin1"]), "admin2": _text_col(raw, roles["admin2"]),
        "fatalities": fat.to_numpy(), "reject_column": "", "reject_reason": "",
    }, index=raw.index)
    levels = _POINT_LEVEL.get(src.family)
    if levels:
        point_level = np.full(n, 2, dtype=np.int8)
        for code, level in levels.items():
            point_level[(prec == code).to_numpy()] = level
        events["point_level"] = point_level
    # 0,0 is a missing value in these datasets, never a place (as mapper.placing reads rows)
    zero = (events["lat"] == 0) & (events["lon"] == 0)
    events.loc[zero, ["lat", "lon"]] = np.nan

    # What mapper.claims would reject, first reason first (its builder has the last word below).
    why = pd.Series("", index=raw.index, dtype=object)
    column = pd.Series("", index=raw.index, dtype=object)
    pre = raw["__error__"] if "__error__" in raw else pd.Series("", index=raw.index)
    checks = [
        (pre.astype(str) != "", "", pre.astype(str)),
        (place == "", roles["place"], pd.Series(
            "empty place (expected a place name such as Qala-e-Naw)" if src.family == "canonical"
            else f"empty {roles['place']} (the place of the event)", index=raw.index)),
        (date_why != "", roles["date"], date_why),
        (status_why != "", "status" if src.family == "canonical" else "type_of_violence", status_why),
    ]
    for mask, col, reason in checks:
        new = mask & (why == "")
        why[new], column[new] = reason[new], col
    suspects = _coordinate_suspects(lat, lon, bad_lat, bad_lon, country) & (why == "")
    if suspects.any() or (why != "").any():
        _owner_verdicts(raw, src, events, why, column, suspects, tz)
    events["reject_reason"], events["reject_column"] = why, column
    return events.astype(EVENT_DTYPES).reset_index(drop=True)


def _owner_verdicts(raw, src, events, why, column, suspects, tz) -> None:
    """Let the format's row builder (:mod:`mapper.claims.formats`) decide the doubtful rows: its
    reason replaces ours for rejected rows (the same words ``conflictmap map`` reports); a
    suspect it accepts keeps the coordinates it read."""
    for i in why.index[why.str.contains("\x00", regex=False)]:  # "column\x00reason" of a row judged before
        col, _, reason = str(why[i]).partition("\x00")
        why[i], column[i] = reason, col
    if src.container == "claims":  # mapper.claims has already judged these rows
        return
    schema = Schema(get_format(src.fmt), [name for k, name in src.columns if k in raw])
    keys = [k for k, _ in src.columns if k in raw]
    builder_tz = resolve_tz(tz) if tz else None
    for i in why.index[(why != "") | suspects]:
        if str(raw.at[i, "__error__"] if "__error__" in raw else ""):
            continue  # a CSV structure problem: mapper.claims gives the same reason
        values = [_cell(raw.at[i, k]) for k in keys]
        rec, extra = schema.split(values)
        ctx = RowContext(src.path, int(events.at[i, "row"]), None, src.fmt, Path(src.path).stem,
                         tz=builder_tz, status_mapping=schema.format.status_mapping)
        try:
            claim = schema.build(rec, extra, ctx)  # the format's own row builder
        except CellError as err:
            why[i], column[i] = err.reason, err.column
            continue
        if why[i] == "":  # a coordinate suspect that mapper.claims accepts (e.g. only a note)
            events.at[i, "lat"] = claim.lat if claim.lat is not None else np.nan
            events.at[i, "lon"] = claim.lon if claim.lon is not None else np.nan


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()[:10] if not getattr(value, "hour", 0) else value.isoformat()
    return value if isinstance(value, str) else (f"{value:g}" if isinstance(value, float) else str(value))


def _filter(events: pd.DataFrame, spec: AggregateSpec) -> tuple:
    """(kept events, number of valid rows outside the filters)."""
    valid = events["reject_reason"] == ""
    keep = valid.copy()
    if spec.statuses:
        keep &= events["status"].isin(spec.statuses)
    if spec.actors:
        wanted = {a.casefold() for a in spec.actors}
        keep &= events["actor"].str.casefold().isin(wanted)
    return keep, int((valid & ~keep).sum())


# ---- units -------------------------------------------------------------------------------------
def load_units(gazetteer, level: str):
    """The gazetteer's units of ``level`` that have a polygon, as a GeoDataFrame (EPSG:4326)
    with ``unit_id``, ``unit``, ``country_code``, ``country``, ``admin1`` and ``geometry``.

    Countries and provinces come with the embedded index; districts only from added boundary
    sets (``conflictmap gazetteer add boundaries FILE --level 2``), so without one every
    ``admin2`` count is made by name.
    """
    import geopandas

    if level not in LEVELS:
        raise ScaleError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    pairs = gazetteer.outlines(kinds=(level,))
    pairs.sort(key=lambda pg: pg[0].id)  # a point on a shared border goes to the first id
    return geopandas.GeoDataFrame({
        "unit_id": [p.id for p, _ in pairs], "unit": [p.name for p, _ in pairs],
        "country_code": [p.country_code or "" for p, _ in pairs],
        "country": [p.country or "" for p, _ in pairs], "admin1": [p.admin1 or "" for p, _ in pairs],
    }, geometry=[g for _, g in pairs], crs="EPSG:4326")


def _first_match(joined: pd.DataFrame) -> pd.DataFrame:
    """After a left spatial join: one unit per event (the first id when a point lies on a
    border shared by two units), ``unit_id`` "" when the point lies in none. Keeps the
    events' index."""
    joined = pd.DataFrame(joined.drop(columns=[c for c in ("index_right", "geometry") if c in joined]))
    joined["unit_id"] = joined["unit_id"].fillna("").astype("str")
    joined = joined.sort_values("unit_id", kind="stable").sort_index(kind="stable")
    return joined[~joined.index.duplicated(keep="first")]


def _assign_points(events: pd.DataFrame, units, spec: AggregateSpec) -> pd.DataFrame:
    """``unit_id`` of each usable point by point in polygon (``geopandas.sjoin``). ``events`` may
    be a GeoDataFrame partition whose geometry already holds the points (dask-geopandas)."""
    import geopandas

    usable = events["lat"].notna() & (events["point_level"] >= spec.level_rank)
    pts = events[usable]
    out = pd.DataFrame(events.drop(columns=[c for c in ("geometry",) if c in events])).assign(unit_id="")
    if len(pts) and len(units):
        geometry = (pts.geometry.values if isinstance(pts, geopandas.GeoDataFrame)
                    else geopandas.points_from_xy(pts["lon"], pts["lat"]))
        gdf = geopandas.GeoDataFrame(pts[["row"]].copy(), geometry=geometry, crs="EPSG:4326")
        joined = geopandas.sjoin(gdf, units[["unit_id", "geometry"]], how="left", predicate="intersects")
        first = _first_match(joined)
        out.loc[first.index, "unit_id"] = first["unit_id"].to_numpy()
    return out


def _names_key(events: pd.DataFrame, rank: int) -> pd.Series:
    """The admin names a row offers for the name fallback at level ``rank`` ("" when it has none)."""
    name = events[LEVELS[rank]]
    key = events["country"].astype(str) + "\x1f" + events["admin1"].astype(str)
    if rank == 2:
        key = key + "\x1f" + events["admin2"].astype(str)
    return key.where(name.astype(str) != "", "")


def _no_unit_reason(ev: pd.DataFrame, spec: AggregateSpec, sources: list) -> pd.Series:
    """Why a row without a unit and without a name could not be counted."""
    level = spec.by
    has = ev["lat"].notna()
    coarse = has & (ev["point_level"] < spec.level_rank)
    out = pd.Series(f"no coordinates and no {level} name", index=ev.index, dtype=object)
    if has.any():
        pts = ev[has & ~coarse]
        out[pts.index] = [f"point (lon {x:g}, lat {y:g}) lies in no {level} unit with a boundary in the "
                          f"gazetteer, and the row has no {level} name" for x, y in zip(pts["lon"], pts["lat"])]
    for i in ev.index[coarse]:
        fam = sources[int(ev.at[i, "src"])].family
        code = next((c for c, lv in _POINT_LEVEL.get(fam, {}).items() if lv == ev.at[i, "point_level"]), None)
        what = _PRECISION_WHAT.get(fam, {}).get(code, "a coarser place")
        out[i] = f"the coordinates are only {what}, too coarse for {level}, and the row has no {level} name"
    return out


@dataclass
class _Partial:
    """Counts and leftovers of one or more parts (combined by :meth:`add`)."""

    counts: list = field(default_factory=list)
    fallback: list = field(default_factory=list)
    unassigned: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    rows: int = 0
    filtered: int = 0
    parts: int = 0


def _count(frame: pd.DataFrame, keys: list) -> pd.DataFrame:
    if not len(frame):
        return pd.DataFrame(columns=[*keys, "events", "fatalities", "has_fatalities"])
    g = frame.assign(events=1, has_fatalities=frame["fatalities"].notna().astype("int64"),
                     fatalities=frame["fatalities"].fillna(0.0))
    return g.groupby(keys, dropna=False, sort=False, observed=True)[["events", "fatalities", "has_fatalities"]].sum().reset_index()


def _split(ev: pd.DataFrame, spec: AggregateSpec, sources: list) -> dict:
    """Events with a unit (or not) -> counts, name-fallback rows, unassigned rows, rejected rows."""
    bad = ev[ev["reject_reason"] != ""]
    keep, filtered = _filter(ev, spec)
    ev = ev[keep]
    ev = ev.assign(period=_period_start(ev["period"], spec.every))
    has_unit = ev["unit_id"] != ""
    counted = ev[has_unit].assign(method=METHOD_POINT)
    rest = ev[~has_unit]
    names = _names_key(rest, spec.level_rank)
    fallback = rest[names != ""].assign(names=names[names != ""])
    lost = rest[names == ""]
    return {
        "counts": _count(counted, spec.keys),
        "fallback": fallback[["src", "row", "names", "period", *spec.per, "fatalities"]],
        "unassigned": pd.DataFrame({"src": lost["src"], "row": lost["row"],
                                    "reason": _no_unit_reason(lost, spec, sources)}),
        "rejected": bad[["src", "row", "reject_column", "reject_reason"]],
        "filtered": filtered,
    }


def _process(part: _Part, sources: list, units, spec: AggregateSpec) -> dict:
    """One part, in-process: read, normalise, assign, count (the unit of work of a job)."""
    src = sources[part.source]
    ev = _normalize(_read_part(part, src), part.source, src, part.first_row, spec.tz)
    out = _split(_assign_points(ev, units, spec), spec, sources)
    out["rows"] = len(ev)
    return out


def _merge(acc: _Partial, out: dict, keys: list) -> None:
    acc.parts += 1
    acc.rows += out["rows"]
    acc.filtered += out["filtered"]
    acc.counts.append(out["counts"])
    for name in ("fallback", "unassigned", "rejected"):
        if len(out[name]):
            getattr(acc, name).append(out[name])
    if len(acc.counts) >= 8:  # keep the running counts small
        acc.counts = [_recount(acc.counts, keys)]


def _recount(frames: list, keys: list) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*keys, "events", "fatalities", "has_fatalities"])
    both = pd.concat(frames, ignore_index=True)
    return both.groupby(keys, dropna=False, sort=False)[["events", "fatalities", "has_fatalities"]].sum().reset_index()


# ---- name fallback and the final table ---------------------------------------------------------
def _resolve_names(keys: Iterable[str], gazetteer, level: str) -> dict:
    """names key -> (unit id, "") or ("", reason), one gazetteer lookup per distinct key.

    A name that is exactly the name of one unit of that level in the row's country (in its
    province, for districts) is that unit; other names go through the resolver, which also
    reads variant spellings ("Hirat" / "Herat province") but refuses, e.g., nationality words
    (Ethiopia's "Somali" region)."""
    out = {}
    cache: dict = {}
    for key in keys:
        parts = key.split("\x1f")
        country, admin1 = parts[0], parts[1]
        admin2 = parts[2] if len(parts) > 2 else ""
        cc = _country_code(gazetteer, country)
        if level == "country":
            if not cc:
                out[key] = ("", f"country name {country!r} is not known to the gazetteer")
                continue
            try:
                out[key] = (gazetteer.get(f"country:{cc}").id, "")
            except LookupError:
                out[key] = ("", f"country {country!r} ({cc}) has no unit in the gazetteer")
            continue
        name = admin1 if level == "admin1" else admin2
        within = admin1 if level == "admin2" and admin1 else None
        exact = _unit_named(gazetteer, level, cc, admin1 if level == "admin2" else "", name, cache)
        if exact:
            out[key] = (exact, "")
            continue
        res = gazetteer.resolve(name, country=cc, within=within, kind=level)
        hint = f" (country {country!r}" + (f", admin1 {admin1!r}" if within else "") + ")" if country else ""
        units = [c for c in res.candidates if c.place.kind == level and (not cc or c.place.country_code == cc)]
        if res.status == "resolved" and units and res.best.place.kind == level:
            out[key] = (res.best.place.id, "")
        elif res.status == "ambiguous" and units:
            shown = ", ".join(f"{c.place.name} ({c.place.id})" for c in units[:3])
            out[key] = ("", f"{level} name {name!r}{hint} is ambiguous: {shown}")
        else:
            out[key] = ("", f"{level} name {name!r}{hint} is not an {level} unit of the gazetteer")
    return out


def _unit_named(gazetteer, level: str, cc, admin1: str, name: str, cache: dict) -> str:
    """The id of the one unit of ``level`` in country ``cc`` (and province ``admin1``) whose name
    or type-word-free name is ``name`` (case and accents ignored), else ""."""
    from gazetteer import normalize

    if not cc:
        return ""
    if (level, cc) not in cache:
        try:
            units = gazetteer.children(f"country:{cc}", kind=level)
        except LookupError:
            units = []
        table: dict = {}
        for u in units:
            table.setdefault(normalize(u.name), []).append(u)
        cache[(level, cc)] = table
    found = cache[(level, cc)].get(normalize(name), [])
    if admin1 and len(found) > 1:
        found = [u for u in found if normalize(u.admin1 or "") == normalize(admin1)]
    return found[0].id if len(found) == 1 else ""


def _country_code(gazetteer, country: str) -> str | None:
    """ISO code of a country as datasets spell it ("Afghanistan", "DR Congo (Zaire)", "AF")."""
    if not country:
        return None
    cc = gazetteer.country_code(country)
    if cc:
        return cc
    res = gazetteer.resolve(country, kind="country")
    return res.best.place.country_code if res.status == "resolved" and res.best.place.kind == "country" else None


def _finish(acc: _Partial, sources: list, spec: AggregateSpec, gazetteer) -> AggregateResult:
    keys = spec.keys
    unassigned = list(acc.unassigned)
    if acc.fallback:
        fb = pd.concat(acc.fallback, ignore_index=True)
        table = _resolve_names(fb["names"].unique(), gazetteer, spec.by)
        fb["unit_id"] = fb["names"].map(lambda k: table[k][0])
        fb["reason"] = fb["names"].map(lambda k: table[k][1])
        ok = fb["unit_id"] != ""
        acc.counts.append(_count(fb[ok].assign(method=METHOD_NAME), keys))
        unassigned.append(fb.loc[~ok, ["src", "row", "reason"]])
    counts = _recount(acc.counts, keys)
    table = _table(counts, spec, gazetteer)
    paths = [s.path for s in sources]
    un = (pd.concat(unassigned, ignore_index=True).sort_values(["src", "row"]) if unassigned
          else pd.DataFrame(columns=["src", "row", "reason"]))
    rej = (pd.concat(acc.rejected, ignore_index=True).sort_values(["src", "row"]) if acc.rejected
           else pd.DataFrame(columns=["src", "row", "reject_column", "reject_reason"]))
    return AggregateResult(
        counts=table, spec=spec, rows=acc.rows, filtered=acc.filtered, parts=acc.parts,
        files=tuple((s.path, s.fmt) for s in sources),
        unassigned=tuple(Unassigned(paths[int(s)], int(r), str(why))
                         for s, r, why in un[["src", "row", "reason"]].itertuples(index=False)),
        rejected=tuple(RowIssue(paths[int(s)], int(r), str(c), str(why))
                       for s, r, c, why in rej[["src", "row", "reject_column", "reject_reason"]].itertuples(index=False)),
    )


def _period_label(start: pd.Timestamp, every: str) -> str:
    if every == "day":
        return f"{start:%Y-%m-%d}"
    if every == "week":
        y, w, _ = start.isocalendar()
        return f"{y}-W{w:02d}"
    return f"{start:%Y-%m}"


def _period_end(start: pd.Timestamp, every: str) -> pd.Timestamp:
    if every == "day":
        return start
    if every == "week":
        return start + timedelta(days=6)
    return (start + pd.offsets.MonthEnd(0)).normalize()


def _table(counts: pd.DataFrame, spec: AggregateSpec, gazetteer) -> pd.DataFrame:
    """Counts keyed by unit id -> the output table (:data:`OUTPUT_COLUMNS`)."""
    if not len(counts):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "events" else object) for c in OUTPUT_COLUMNS})
    meta = {}
    for uid in counts["unit_id"].unique():
        p = gazetteer.get(uid)
        meta[uid] = (p.name, p.country_code or "", p.admin1 if p.kind == "admin2" else "")
    uid = counts["unit_id"]
    out = pd.DataFrame({
        "place": uid.map({u: m[0] for u, m in meta.items()}),
        "place_id": uid,
        "level": spec.by,
        "country": uid.map({u: m[1] for u, m in meta.items()}),
        "admin1": uid.map({u: m[2] or "" for u, m in meta.items()}),
    })
    starts = pd.to_datetime(counts["period"])
    uniq = starts.unique()
    out["time"] = starts.map({s: _period_label(s, spec.every) for s in uniq})
    out["period_start"] = starts.dt.strftime("%Y-%m-%d")
    out["period_end"] = starts.map({s: _period_end(s, spec.every) for s in uniq}).dt.strftime("%Y-%m-%d")
    out["status"] = counts["status"] if "status" in counts else ""
    out["actor"] = counts["actor"] if "actor" in counts else ""
    events = counts["events"].astype("int64")
    out["events"] = events
    fat = counts["fatalities"].round().astype("Int64")
    out["fatalities"] = fat.where(counts["has_fatalities"] > 0, pd.NA)
    out["method"] = counts["method"]
    out["scope"] = events.astype(str) + np.where(events == 1, " event", " events")
    out["claimant"] = CLAIMANT
    how = out["method"].map({METHOD_POINT: "by point in polygon", METHOD_NAME: "by the rows' admin names"})
    known = out["fatalities"].notna().to_numpy()
    n_fat = out["fatalities"].fillna(0).astype("int64")
    fat_text = np.where(known, ", " + n_fat.astype(str) + np.where(n_fat == 1, " fatality", " fatalities"), "")
    out["quote"] = (out["scope"] + fat_text + " in " + out["place"] + ", " + out["time"] + " (counted " + how + ")")
    text = [c for c in OUTPUT_COLUMNS if c not in ("events", "fatalities")]
    out = out.astype({c: "str" for c in text})  # one string type, whichever engine made the counts
    return out.sort_values(["period_start", "place", "place_id", "status", "actor", "method"],
                           kind="stable").reset_index(drop=True)[list(OUTPUT_COLUMNS)]


# ---- running a job -----------------------------------------------------------------------------
def aggregate(paths, spec: AggregateSpec = AggregateSpec(), *, gazetteer=None, client=None,
              chunk_rows: int = DEFAULT_CHUNK_ROWS, units=None, progress=None) -> AggregateResult:
    """Count the events of ACLED/UCDP/claims tables per unit and period.

    Parameters
    ----------
    paths : str, Path or list of them
        CSV/TSV (streamed in ``chunk_rows`` parts), Parquet files or folders of them (one part
        per row group, read by the workers), or JSON/GeoJSON claims files (read whole).
    spec : AggregateSpec
        Units, periods, breakdowns and filters.
    gazetteer : gazetteer.Gazetteer, optional
        Where units come from (default: the opened default index).
    client : distributed.Client, optional
        Run on this Dask cluster (:func:`mapper.scale.scheduler.dask_client`); None runs the
        same steps in this process with pandas and geopandas.
    units : GeoDataFrame, optional
        Units to count in instead of the gazetteer's (:func:`load_units` columns).
    progress : callable, optional
        Called with the number of parts done.

    Returns
    -------
    AggregateResult

    Raises
    ------
    ClaimsFileError
        An input is missing or its header matches no known format.
    ScaleDependencyMissing
        ``client`` is given but dask/dask-geopandas is not installed.
    """
    gz, own = _gazetteer(gazetteer)
    try:
        units = _units(gz, spec, units)
        sources, parts = _plan(paths, chunk_rows)
        if client is None:
            acc = _Partial()
            for part in parts:
                _merge(acc, _process(part, sources, units, spec), spec.keys)
                if progress:
                    progress(acc.parts)
        else:
            acc = _on_dask(parts, sources, units, spec, client, progress)
        return _finish(acc, sources, spec, gz)
    finally:
        if own:
            gz.close()


def aggregate_frame(frame, spec: AggregateSpec = AggregateSpec(), *, gazetteer=None, client=None,
                    fmt: str | None = None, units=None) -> AggregateResult:
    """Count the events of a pandas or Dask DataFrame with ACLED, UCDP GED or claims columns.

    The format is detected from the column names as for files (or given as ``fmt``); row
    numbers in the report are the frame's index values. A Dask frame is computed on
    ``client`` (or Dask's current scheduler), partition by partition.
    """
    gz, own = _gazetteer(gazetteer)
    try:
        units = _units(gz, spec, units)
        columns = [str(c) for c in frame.columns]
        src = _source_for("<frame>", columns, "frame")
        if fmt:
            src = _Source("<frame>", fmt, "frame", src.columns)
        renamed = {name: key for key, name in src.columns}
        frame = frame[[name for _, name in src.columns]].rename(columns=renamed)
        sources = [src]
        if isinstance(frame, pd.DataFrame):
            ev = _normalize(frame, 0, src, 0, spec.tz, index_rows=True)
            acc = _Partial()
            out = _split(_assign_points(ev, units, spec), spec, sources)
            out["rows"] = len(ev)
            _merge(acc, out, spec.keys)
        else:
            require("dask.dataframe", "scale", purpose="aggregating a Dask DataFrame",
                    error=ScaleDependencyMissing)
            require("dask_geopandas", "scale", purpose="aggregating a Dask DataFrame",
                    error=ScaleDependencyMissing)
            events = frame.map_partitions(_normalize, 0, src, 0, spec.tz, True, meta=_empty_events())
            acc = _dask_counts(events, sources, units, spec, client)
        return _finish(acc, sources, spec, gz)
    finally:
        if own:
            gz.close()


def _units(gz, spec: AggregateSpec, units):
    units = load_units(gz, spec.by) if units is None else units
    if not len(units):
        logger.warning("no %s unit of the gazetteer has a boundary: every row is counted by its %s name "
                       "(add district polygons with `conflictmap gazetteer add boundaries FILE --level 2`)",
                       spec.by, spec.by)
    return units


def _gazetteer(gazetteer):
    if gazetteer is not None:
        return gazetteer, False
    from gazetteer import Gazetteer

    return Gazetteer.open(), True


def _load_events(part: _Part, sources: list, tz) -> pd.DataFrame:
    src = sources[part.source]
    return _normalize(_read_part(part, src), part.source, src, part.first_row, tz)


def _on_dask(parts, sources: list, units, spec: AggregateSpec, client, progress) -> _Partial:
    """Parts -> a Dask DataFrame of events (``dd.from_map``) -> a dask-geopandas GeoDataFrame of
    their points -> per partition the in-process point in polygon, split and counts.

    Parquet parts are read by the workers; CSV parts (already read by the client, which
    streams the file) are sent in batches of a few per worker, so the client's memory stays
    bounded by the batch."""
    dd = require("dask.dataframe", "scale", purpose="aggregating on a Dask cluster",
                 error=ScaleDependencyMissing)
    require("dask_geopandas", "scale", purpose="aggregating on a Dask cluster",
            error=ScaleDependencyMissing)
    require("distributed", "scale", purpose="aggregating on a Dask cluster",
            error=ScaleDependencyMissing)

    acc = _Partial()
    nworkers = max(1, len(client.scheduler_info().get("workers", {})))
    batch: list = []
    done = 0

    def flush():
        nonlocal done
        if not batch:
            return
        events = dd.from_map(_load_events, list(batch), sources=sources, tz=spec.tz, meta=_empty_events(),
                             enforce_metadata=False)
        part_acc = _dask_counts(events, sources, units, spec, client)
        for name in ("counts", "fallback", "unassigned", "rejected"):
            getattr(acc, name).extend(getattr(part_acc, name))
        acc.rows += part_acc.rows
        acc.filtered += part_acc.filtered
        acc.parts += len(batch)
        done += len(batch)
        if len(acc.counts) >= 8:
            acc.counts = [_recount(acc.counts, spec.keys)]
        batch.clear()
        if progress:
            progress(done)

    for part in parts:
        batch.append(part)
        # Parquet parts are descriptors (many per graph); CSV parts carry data (a few per worker).
        if len(batch) >= (2 * nworkers if part.values is not None else 256):
            flush()
    flush()
    return acc


def _dask_counts(events, sources: list, units, spec: AggregateSpec, client) -> _Partial:
    """The Dask half: events as a dask-geopandas GeoDataFrame of points, then per partition the
    same point-in-polygon assignment, split and counts as in-process. Each partition is one
    chain of tasks (read, normalise, points, join, count) whose small result the client merges
    as soon as it is done, so neither the workers nor the client ever hold the whole table."""
    dask = require("dask", "scale", purpose="aggregating on Dask", error=ScaleDependencyMissing)
    dask_geopandas = require("dask_geopandas", "scale", purpose="aggregating on Dask",
                             error=ScaleDependencyMissing)
    gev = dask_geopandas.from_dask_dataframe(
        events, geometry=dask_geopandas.points_from_xy(events, "lon", "lat")).set_crs("EPSG:4326")
    units_d = dask.delayed(units, pure=True)
    split = dask.delayed(_assign_split, pure=True)
    # One task chain per partition (read, normalise, points, join, split): its small result is
    # a dict of frames, merged by the client as soon as it is done.
    delayed = [split(part, units_d, spec, sources) for part in gev.to_delayed()]
    acc = _Partial()

    def merge(got: dict) -> None:
        _merge(acc, got, spec.keys)

    if client is None:  # Dask's local scheduler: a few partitions at a time
        for i in range(0, len(delayed), 4):
            for frame in dask.compute(*delayed[i:i + 4]):
                merge(frame)
    else:
        as_completed = require("distributed", "scale", purpose="aggregating on a Dask cluster",
                               error=ScaleDependencyMissing).as_completed
        for future in as_completed(client.compute(delayed)):
            merge(future.result())
            future.release()
    return acc


def _assign_split(gev: pd.DataFrame, units, spec: AggregateSpec, sources: list) -> dict:
    """One partition of the dask-geopandas points: assign, split and count (as :func:`_process`)."""
    out = _split(_assign_points(gev, units, spec), spec, sources)
    out["rows"] = len(gev)
    return out


# ---- writing -----------------------------------------------------------------------------------
def write_counts(result: AggregateResult, path, *, gazetteer=None, overwrite: bool = False) -> Path:
    """Write the counts to ``.csv``, ``.parquet`` or ``.geojson`` (units' polygons, [lon, lat]),
    atomically, and the unassigned and rejected rows to ``<OUT>.unassigned.csv`` next to it
    (only when there are any). Returns the path written."""
    from mapper.atomic import write_atomic
    from mapper.errors import OutputExists

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".geojson"):
        raise ScaleError(f"{path}: write counts to .csv, .parquet or .geojson")
    if path.exists() and not overwrite:
        raise OutputExists(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    table = result.counts
    if suffix == ".csv":
        write_atomic(path, table.to_csv(index=False))
    elif suffix == ".parquet":
        require("pyarrow", "scale", purpose="writing counts to Parquet",
                error=ScaleDependencyMissing)
        import io

        buf = io.BytesIO()
        table.astype({"fatalities": "Int64"}).to_parquet(buf, index=False)
        write_atomic(path, buf.getvalue())
    else:
        gz, own = _gazetteer(gazetteer)
        try:
            from shapely.geometry import mapping

            geoms = {uid: mapping(gz.geometry(uid)) for uid in table["place_id"].unique()}
        finally:
            if own:
                gz.close()
        feats = []
        for rec in table.to_dict("records"):
            props = {k: (None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else
                         int(v) if isinstance(v, (np.integer,)) else v) for k, v in rec.items()}
            feats.append({"type": "Feature", "geometry": geoms[rec["place_id"]], "properties": props})
        write_atomic(path, json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False))
    report = path.with_name(path.name + ".unassigned.csv") if suffix != ".csv" else path.with_suffix(".unassigned.csv")
    if result.unassigned or result.rejected:
        rows = [{"file": u.path, "row": u.row, "what": "unassigned", "column": "", "reason": u.reason}
                for u in result.unassigned]
        rows += [{"file": i.path, "row": i.row, "what": "rejected", "column": i.column, "reason": i.reason}
                 for i in result.rejected]
        write_atomic(report, pd.DataFrame(rows, columns=["file", "row", "what", "column", "reason"]).to_csv(index=False))
    elif report.exists():
        report.unlink()  # an older run's report would describe other rows
    return path
