"""Read claims from tables and datasets; write them back in the canonical schema.

Inputs, detected by their header (CSV) or keys (JSON):

* **canonical** claims: CSV/TSV, JSON (a list of objects, ``{"claims": [...]}``),
  JSON Lines, or GeoJSON Features whose ``properties`` hold the columns and whose
  ``geometry`` (lon, lat order) overrides place resolution. Required: ``place``,
  ``time``, ``status``. See :data:`CANONICAL_COLUMNS` and the README.
* **ACLED** exports: the current 31-column layout (``acled``), the older 30-column
  one with ``event_id_no_cnty``/``gwcode`` (``acled-2019``) and R-processed legacy
  files with capitalised names and ``28 September 2019`` dates (``acled-legacy``).
* **UCDP GED** event CSVs, v23.1 (``ucdp-ged-23.1``) and v19.1 (``ucdp-ged-19.1``).

Bad rows never stop a load and are never dropped silently: each becomes a
:class:`RowIssue` (file, row, line, column, reason) in the :class:`LoadReport`
that :func:`read_claims` returns with the claims. ``strict=True`` raises
:class:`~mapper.errors.ClaimsFileError` at the first one instead.

Row numbers: the header is row 0, the first data row is row 1 (JSON: the first
object; JSON Lines: the line number). ``line`` is the physical line a CSV row
starts on, as an editor or spreadsheet shows it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from mapper.errors import ClaimsFileError, OutputExists, TimeParseError, UnknownStatus
from mapper.model import Claim, Origin, TimeSpan
from mapper.status import acled_status, normalize_status, ucdp_status
from mapper.timespan import parse_time, precision_for_width, resolve_tz, span_to_iso, span_tz_name

__all__ = [
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "FORMATS",
    "LoadReport",
    "RowIssue",
    "StatusMapping",
    "FileReport",
    "read_claims",
    "read_claims_csv",
    "read_claims_json",
    "read_claims_jsonl",
    "detect_format",
    "write_claims_csv",
    "claim_to_record",
]

logger = logging.getLogger(__name__)

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

#: Input schemas :func:`detect_format` can name.
FORMATS = {
    "canonical": "conflictmap claims (place, time, status, ...)",
    "acled": "ACLED export, current layout (31 columns, disorder_type)",
    "acled-2019": "ACLED export, older layout (30 columns, event_id_no_cnty, gwcode)",
    "acled-legacy": "ACLED R-processed legacy layout (Actor1, Location, Notes, Sub_type)",
    "ucdp-ged-23.1": "UCDP GED event data, v23.1 layout (where_description, relid)",
    "ucdp-ged-19.1": "UCDP GED event data, v19.1 layout",
}

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

_SHORT_CAP = 500  # place, actor, claimant, ... one-line fields
_URL_CAP = 2048
_LONG_CAP = 10_000  # quote, notes
_SOURCE_CAP = 4_000  # source: UCDP lists several articles in one cell
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # hostile cells above this are rejected by the csv module
_MAX_ISSUE_VALUE = 80

_LONG_FIELDS = ("quote", "notes")
_CAPS = {
    "quote": _LONG_CAP,
    "notes": _LONG_CAP,
    "source": _SOURCE_CAP,
    "url": _URL_CAP,
    "archive_url": _URL_CAP,
}
_URL_FIELDS = ("url", "archive_url")
_TEXT_FIELDS = (
    "id",
    "place",
    "actor",
    "claimant",
    "source",
    "scope",
    "country",
    "admin1",
    "admin2",
    "place_id",
    "status_raw",
)

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_URL_RE = re.compile(r"https?://[^\s\"'<>;,]+")

# Rough country boxes (min_lon, min_lat, max_lon, max_lat), padded by 0.5 degree, to catch
# swapped coordinates for the countries the project works on. Others are only range-checked.
_COUNTRY_BOXES = {
    "AF": (60.0, 28.9, 75.4, 39.0),
    "TJ": (66.9, 36.2, 75.7, 41.6),
    "PK": (60.4, 23.1, 77.9, 37.6),
    "IR": (43.5, 24.5, 63.8, 40.3),
    "UZ": (55.5, 36.7, 73.7, 46.1),
    "TM": (52.0, 34.7, 67.3, 43.3),
    "SY": (35.2, 31.8, 42.9, 37.8),
    "IQ": (38.3, 28.6, 49.1, 37.9),
}
_COUNTRY_NAMES = {
    "afghanistan": "AF",
    "tajikistan": "TJ",
    "pakistan": "PK",
    "iran": "IR",
    "uzbekistan": "UZ",
    "turkmenistan": "TM",
    "syria": "SY",
    "iraq": "IQ",
    "af": "AF",
    "afg": "AF",
    "tj": "TJ",
    "pk": "PK",
    "ir": "IR",
    "uz": "UZ",
    "tm": "TM",
    "sy": "SY",
    "iq": "IQ",
    "iran (islamic republic of)": "IR",
    "syrian arab republic": "SY",
}

_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


# ---- report ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowIssue:
    """A rejected row, or a note about an accepted one (text capped, coordinates suspicious ...).

    ``row`` is None for problems with a whole file (empty, unknown header).
    """

    path: str
    row: int | None
    column: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = os.path.basename(self.path) or self.path
        if self.row is not None:
            where += f" row {self.row}"
            if self.line is not None:
                where += f" (line {self.line})"
        if self.column:
            where += f", column `{self.column}`"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class StatusMapping:
    """Rows whose status word (or dataset event type) was mapped onto the vocabulary."""

    raw: str
    status: str
    how: str  # "synonym", "acled" or "ucdp"
    rows: tuple  # ((path, row), ...)

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file."""

    path: str
    format: str  # schema: canonical, acled, acled-2019, acled-legacy, ucdp-ged-23.1, ucdp-ged-19.1 ("" if unknown)
    container: str  # csv, tsv, json, jsonl, geojson
    rows: int = 0  # data rows read (blank lines excluded)
    accepted: int = 0
    rejected: int = 0
    blank: int = 0
    error: str = ""  # a problem with the whole file


@dataclass(frozen=True)
class LoadReport:
    """Result of loading claims: counts, rejected rows with reasons, status mappings, notes.

    ``str(report)`` / :meth:`summary` give a human summary for stderr;
    :meth:`to_dict` a JSON-serialisable one.
    """

    files: tuple = ()
    rejected: tuple = ()  # RowIssue, one per rejected row (and per unreadable file)
    notes: tuple = ()  # RowIssue about accepted rows that were changed or look suspicious
    mappings: tuple = ()  # StatusMapping

    @property
    def read(self) -> int:
        """Data rows read, in all files."""
        return sum(f.rows for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected_rows(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def file_errors(self) -> tuple:
        return tuple(i for i in self.rejected if i.row is None)

    @property
    def formats(self) -> dict:
        """Rows read per input format, e.g. ``{"acled (csv)": 300, "canonical (geojson)": 4}``."""
        counts: Counter = Counter()
        for f in self.files:
            if f.format:
                counts[f"{f.format} ({f.container})"] += f.rows
        return dict(counts)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.rejected

    def summary(self, limit: int = 20) -> str:
        """Human summary: per-file counts, status mappings, rejected rows, notes (``limit`` lines each)."""
        n_files = len(self.files)
        rows_word = "row" if self.read == 1 else "rows"
        files_word = "file" if n_files == 1 else "files"
        lines = [
            (
                f"Read {self.read:,} {rows_word} from {n_files} {files_word}: "
                f"{self.accepted:,} accepted, {self.rejected_rows:,} rejected."
            )
        ]
        for f in self.files:
            name = os.path.basename(f.path) or f.path
            if f.error:
                lines.append(f"  {name}: not read: {f.error}")
                continue
            blank = f", {f.blank} blank skipped" if f.blank else ""
            lines.append(
                f"  {name}: {f.format} ({f.container}), {f.rows} rows, {f.accepted} accepted, {f.rejected} rejected{blank}"
            )
        if self.mappings:
            lines.append("Status mappings:")
            for m in self.mappings[:limit]:
                lines.append(
                    f"  '{m.raw}' -> {m.status} ({m.how}): {m.count} row{'s' if m.count != 1 else ''} "
                    f"({_rows_text(m.rows)})"
                )
            if len(self.mappings) > limit:
                lines.append(f"  ... and {len(self.mappings) - limit} more mappings")
        row_issues = [i for i in self.rejected if i.row is not None]
        if row_issues:
            lines.append("Rejected rows:")
            lines.extend(f"  {i}" for i in row_issues[:limit])
            if len(row_issues) > limit:
                lines.append(f"  ... and {len(row_issues) - limit} more (see LoadReport.rejected)")
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {i}" for i in self.notes[:limit])
            if len(self.notes) > limit:
                lines.append(f"  ... and {len(self.notes) - limit} more (see LoadReport.notes)")
        return "\n".join(lines)

    __str__ = summary

    def to_dict(self) -> dict:
        def issue(i: RowIssue) -> dict:
            return {
                "path": i.path,
                "row": i.row,
                "line": i.line,
                "column": i.column,
                "reason": i.reason,
            }

        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected_rows,
            "formats": self.formats,
            "files": [f.__dict__.copy() for f in self.files],
            "rejected_rows": [issue(i) for i in self.rejected],
            "notes": [issue(i) for i in self.notes],
            "mappings": [
                {
                    "raw": m.raw,
                    "status": m.status,
                    "how": m.how,
                    "count": m.count,
                    "rows": [{"path": p, "row": r} for p, r in m.rows],
                }
                for m in self.mappings
            ],
        }


def _rows_text(rows: tuple, limit: int = 8) -> str:
    by_file: dict = {}
    for path, row in rows:
        by_file.setdefault(os.path.basename(path) or path, []).append(row)
    parts = []
    for name, nums in by_file.items():
        shown = ", ".join(str(n) for n in nums[:limit])
        more = f", ... (+{len(nums) - limit})" if len(nums) > limit else ""
        parts.append(f"{name} row{'s' if len(nums) > 1 else ''} {shown}{more}")
    return "; ".join(parts)


# ---- loading machinery -----------------------------------------------------------------------
class _RowError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


class _Loader:
    """Accumulates claims and issues over several files; builds the frozen LoadReport."""

    def __init__(self, *, tz, strict: bool, encoding: str):
        self.tz = resolve_tz(tz) if tz is not None else None
        self.strict = strict
        self.encoding = encoding
        self.claims: list = []
        self.files: list = []
        self.rejected: list = []
        self.notes: list = []
        self.mappings: dict = {}
        self.seen_ids: set = set()

    def report(self) -> LoadReport:
        mappings = tuple(
            StatusMapping(raw, status, how, tuple(rows))
            for (raw, status, how), rows in sorted(
                self.mappings.items(), key=lambda kv: (-len(kv[1]), kv[0])
            )
        )
        return LoadReport(tuple(self.files), tuple(self.rejected), tuple(self.notes), mappings)

    def file_error(self, path: str, container: str, reason: str, fmt: str = "") -> None:
        issue = RowIssue(path, None, "", reason)
        if self.strict:
            raise ClaimsFileError(str(issue), path=path)
        self.rejected.append(issue)
        self.files.append(FileReport(path, fmt, container, error=reason))
        logger.warning("%s", issue)

    def reject(self, issue: RowIssue) -> None:
        if self.strict:
            raise ClaimsFileError(
                str(issue), path=issue.path, row=issue.row, column=issue.column or None
            )
        self.rejected.append(issue)

    def accept(self, claim: Claim, ctx: _RowCtx) -> Claim:
        cid = claim.id
        if cid in self.seen_ids:
            n = 2
            while f"{cid}~{n}" in self.seen_ids:
                n += 1
            new = f"{cid}~{n}"
            ctx.note("id", f"id '{cid}' already used by an earlier row; this claim is '{new}'")
            claim = _replace(claim, id=new)
            cid = new
        self.seen_ids.add(cid)
        self.claims.append(claim)
        for mapping in ctx.mappings:
            self.mappings.setdefault(mapping, []).append((ctx.path, ctx.row))
        self.notes.extend(ctx.notes)
        return claim


def _replace(claim: Claim, **changes) -> Claim:
    from dataclasses import replace

    return replace(claim, **changes)


class _RowCtx:
    __slots__ = ("path", "row", "line", "fmt", "stem", "notes", "mappings", "note_texts")

    def __init__(self, path: str, row: int, line: int | None, fmt: str, stem: str):
        self.path, self.row, self.line, self.fmt, self.stem = path, row, line, fmt, stem
        self.notes: list = []
        self.mappings: list = []
        self.note_texts: list = []  # appended to the claim's notes

    def note(self, column: str, reason: str, *, on_claim: bool = False) -> None:
        self.notes.append(RowIssue(self.path, self.row, column, reason, self.line))
        if on_claim:
            self.note_texts.append(f"[{reason}]")

    def issue(self, column: str, reason: str) -> RowIssue:
        return RowIssue(self.path, self.row, column, reason, self.line)


def _show(value: Any) -> str:
    s = str(value)
    s = _SURROGATE_RE.sub("\ufffd", s)
    s = _CONTROL_RE.sub("", s).replace("\n", " ")
    return s if len(s) <= _MAX_ISSUE_VALUE else s[: _MAX_ISSUE_VALUE - 1] + "…"


def _text(
    value: Any, column: str, ctx: _RowCtx, *, cap: int | None = None, multi_line: bool = False
) -> str:
    """Clean one text cell: no control characters, capped length, UTF-8 only.

    Line breaks are kept in quote/notes (or with ``multi_line``), folded to spaces elsewhere.
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (dict, list)):
        raise _RowError(
            column, f"expected text, got a JSON {'object' if isinstance(value, dict) else 'array'}"
        )
    s = value if isinstance(value, str) else str(value)
    if not s:
        return s
    if s.isprintable() and len(s) <= min(
        cap or _SHORT_CAP, _SHORT_CAP
    ):  # common case: nothing to clean
        return s.strip()
    if _SURROGATE_RE.search(s):
        bad = _SURROGATE_RE.search(s).group()
        raise _RowError(
            column,
            f"contains bytes that are not UTF-8 (0x{ord(bad) - 0xDC00:02X} in {_show(s)!r}): "
            "save the file as UTF-8, or pass encoding= (e.g. 'cp1252') when reading",
        )
    multi_line = multi_line or column in _LONG_FIELDS
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL_RE.search(s):
        s = _CONTROL_RE.sub("", s)
        ctx.note(column, "control characters removed")
    if not multi_line and ("\n" in s or "\t" in s):
        s = re.sub(r"\s*[\n\t]\s*", " ", s)
    s = s.strip()
    cap = cap or _CAPS.get(column) or (_LONG_CAP if multi_line else _SHORT_CAP)
    if len(s) > cap:
        ctx.note(column, f"{column} truncated from {len(s):,} to {cap:,} characters", on_claim=True)
        s = (
            s[: cap - 1].rstrip() + "…"
        )  # the result is within the cap, so a re-read does not cut again
    return s


def _url(value: Any, column: str, ctx: _RowCtx) -> str:
    s = _text(value, column, ctx)
    if s and not re.match(r"https?://", s, re.IGNORECASE):
        ctx.note(column, f"'{_show(s)}' is not an http(s) address; removed", on_claim=True)
        return ""
    return s


def _float(value: Any, column: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _RowError(column, f"'{value}' is not a number")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise _RowError(
            column, f"'{_show(value)}' is not a number (expected decimal degrees, e.g. 34.9)"
        ) from None
    if math.isnan(f) or math.isinf(f):
        raise _RowError(column, f"'{_show(value)}' is not a finite number")
    return f


def _country_code(country: str) -> str | None:
    c = (country or "").strip().lower()
    return _COUNTRY_NAMES.get(c)


def _coords(lat_raw: Any, lon_raw: Any, country: str, ctx: _RowCtx) -> tuple:
    """Validated (lat, lon) or (None, None). Out-of-range or apparently swapped pairs are errors."""
    lat, lon = _float(lat_raw, "lat"), _float(lon_raw, "lon")
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise _RowError(
            missing,
            f"{'lon' if missing == 'lat' else 'lat'} is given but {missing} is empty: give both or neither",
        )
    if abs(lat) > 90:
        if abs(lon) <= 90:
            raise _RowError(
                "lat",
                f"lat {lat:g} is outside [-90, 90] and lon {lon:g} fits: the columns look swapped "
                f"(did you mean lat={lon:g}, lon={lat:g}?)",
            )
        raise _RowError("lat", f"lat {lat:g} is outside [-90, 90]")
    if abs(lon) > 180:
        raise _RowError("lon", f"lon {lon:g} is outside [-180, 180]")
    code = _country_code(country)
    box = _COUNTRY_BOXES.get(code) if code else None
    if box:
        inside = box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
        swapped_inside = box[0] <= lat <= box[2] and box[1] <= lon <= box[3]
        if not inside and swapped_inside:
            raise _RowError(
                "lat",
                f"lat {lat:g}, lon {lon:g} is outside {code} but lat {lon:g}, lon {lat:g} is inside: "
                "the columns look swapped",
            )
        if not inside:
            ctx.note("lat", f"lat {lat:g}, lon {lon:g} is outside the country hint {country!r}")
    return lat, lon


def _geometry(geom: Any, column: str, ctx: _RowCtx) -> dict | None:
    """A validated GeoJSON geometry (positions are [lon, lat])."""
    if geom is None or geom == "":
        return None
    if isinstance(geom, str):
        try:
            geom = json.loads(geom)
        except ValueError as err:
            raise _RowError(column, f"not GeoJSON ({err.msg} at character {err.pos})") from None
    if not isinstance(geom, dict) or geom.get("type") not in _GEOMETRY_TYPES:
        t = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
        raise _RowError(column, f"geometry type {t!r} is not one of {', '.join(_GEOMETRY_TYPES)}")
    if geom["type"] == "GeometryCollection":
        parts = geom.get("geometries")
        if not isinstance(parts, list):
            raise _RowError(column, "GeometryCollection without a 'geometries' list")
        return {
            "type": "GeometryCollection",
            "geometries": [_geometry(g, column, ctx) for g in parts],
        }
    coords = geom.get("coordinates")
    depth = {
        "Point": 0,
        "MultiPoint": 1,
        "LineString": 1,
        "MultiLineString": 2,
        "Polygon": 2,
        "MultiPolygon": 3,
    }

    def check(c, d):
        if d == 0:
            if not (
                isinstance(c, (list, tuple))
                and len(c) >= 2
                and all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                    for x in c[:3]
                )
            ):
                raise _RowError(column, f"position {_show(c)} is not [lon, lat]")
            lon, lat = c[0], c[1]
            if abs(lat) > 90 or abs(lon) > 180:
                hint = (
                    " (GeoJSON positions are [lon, lat]; this looks like [lat, lon])"
                    if abs(lat) > 90 >= abs(lon)
                    else ""
                )
                raise _RowError(column, f"position [{lon:g}, {lat:g}] is out of range{hint}")
            return
        if not isinstance(c, (list, tuple)) or not c:
            raise _RowError(column, f"{geom['type']} coordinates are empty or malformed")
        for part in c:
            check(part, d - 1)

    check(coords, depth[geom["type"]])
    return {"type": geom["type"], "coordinates": coords}


def _time_field(value: Any, column: str, tzi, ctx: _RowCtx) -> TimeSpan | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = _text(value, column, ctx, cap=200)
    try:
        return parse_time(text, tz=tzi)
    except TimeParseError as err:
        raise _RowError(column, str(err)) from None


def _confidence(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    s = str(value).strip()
    pct = s.endswith("%")
    try:
        f = float(s.rstrip("%").strip())
    except ValueError:
        raise _RowError(
            "confidence",
            f"'{_show(s)}' is not a number (expected 0..1 or a percentage such as 80%)",
        ) from None
    if pct:
        f /= 100.0
    if not 0.0 <= f <= 1.0 or math.isnan(f):
        raise _RowError("confidence", f"'{_show(s)}' is outside 0..1 (write 0.8 or 80%)")
    return f


def _int(value: Any, column: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        f = float(value)
        if f != int(f):
            raise ValueError
        return int(f)
    except (TypeError, ValueError):
        raise _RowError(column, f"'{_show(value)}' is not a whole number") from None


# ---- format detection ------------------------------------------------------------------------
_ACLED_LEGACY_NAMES = {"type": "event_type", "sub_type": "sub_event_type"}
_ACLED_CORE = {"event_date", "actor1", "location", "latitude", "longitude"}
_UCDP_CORE = {"type_of_violence", "where_coordinates", "date_start", "date_end", "side_a", "side_b"}


def _canonical_names(header: Iterable[str]) -> dict:
    """Map each header column to its canonical name (exact names win over aliases)."""
    names = [str(h).strip().lstrip("\ufeff") for h in header]
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


def detect_format(header: Iterable[str]) -> str:
    """Name the input schema from a CSV header or JSON keys.

    Returns one of :data:`FORMATS`.

    Raises
    ------
    ClaimsFileError
        When the columns match no known schema; the message lists what is missing.

    Examples
    --------
    >>> detect_format(["place", "time", "status", "quote"])
    'canonical'
    >>> detect_format(["event_date", "Year", "Type", "Sub_type", "Actor1", "Actor2", "Location", "latitude", "longitude"])
    'acled-legacy'
    >>> detect_format(["place", "date"])
    Traceback (most recent call last):
    ...
    mapper.errors.ClaimsFileError: columns place, date match no known format: a claims table needs place, time, status (missing: status); ACLED needs event_date, actor1, location, latitude, longitude; UCDP GED needs type_of_violence, where_coordinates, date_start, date_end, side_a, side_b
    """
    names = [str(h).strip().lstrip("\ufeff") for h in header]
    low = {n.lower() for n in names}
    if _UCDP_CORE <= low:
        return "ucdp-ged-23.1" if ({"where_description", "relid"} & low) else "ucdp-ged-19.1"
    if _ACLED_CORE <= low and ({"event_type", "type"} & low):
        if "sub_type" in low or any(
            n in ("Actor1", "Location", "Notes", "Sub_type") for n in names
        ):
            return "acled-legacy"
        if "disorder_type" not in low and ({"event_id_no_cnty", "gwcode"} & low):
            return "acled-2019"
        return "acled"
    mapped = set(_canonical_names(names).values())
    missing = [c for c in REQUIRED_COLUMNS if c not in mapped]
    if not missing:
        return "canonical"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    raise ClaimsFileError(
        f"columns {shown or '(none)'} match no known format: a claims table needs place, time, status "
        f"(missing: {', '.join(missing)}); ACLED needs {', '.join(sorted(_ACLED_CORE, key=_acled_order))}; "
        f"UCDP GED needs {', '.join(sorted(_UCDP_CORE, key=_ucdp_order))}"
    )


def _acled_order(name: str) -> int:
    return ["event_date", "actor1", "location", "latitude", "longitude"].index(name)


def _ucdp_order(name: str) -> int:
    return [
        "type_of_violence",
        "where_coordinates",
        "date_start",
        "date_end",
        "side_a",
        "side_b",
    ].index(name)


# ---- row builders ----------------------------------------------------------------------------
def _canonical_claim(
    rec: dict, extra: list, ctx: _RowCtx, loader_tz, geometry: Any = None
) -> Claim:
    """Build a claim from a record whose keys are canonical names."""
    g = rec.get
    row_tz = loader_tz
    tz_text = _text(g("tz"), "tz", ctx, cap=64)
    if tz_text:
        try:
            row_tz = resolve_tz(tz_text)
        except TimeParseError as err:
            raise _RowError("tz", str(err)) from None

    place = _text(g("place"), "place", ctx)
    status_text = _text(g("status"), "status", ctx)
    time_value = g("time")
    if not place:
        raise _RowError("place", "empty place (expected a place name such as Qala-e-Naw)")
    if not status_text:
        raise _RowError(
            "status", "empty status (expected controlled, contested, attacked or not_controlled)"
        )
    span = _time_field(time_value, "time", row_tz, ctx)
    if span is None:
        raise _RowError(
            "time", "empty time (expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00)"
        )
    end = _time_field(g("time_end"), "time_end", row_tz, ctx)
    if end is not None and end.latest < span.earliest:
        raise _RowError(
            "time_end",
            f"time_end '{end.text}' ends before time '{span.text}' starts (time_end is when the claimed state ends)",
        )
    try:
        status, how = normalize_status(status_text)
    except UnknownStatus as err:
        raise _RowError("status", str(err)) from None
    status_raw = _text(g("status_raw"), "status_raw", ctx) or status_text
    if how != "exact":
        ctx.mappings.append((status_text.lower(), status, how))

    country = _text(g("country"), "country", ctx)
    geom = _geometry(geometry if geometry is not None else g("geometry"), "geometry", ctx)
    lat, lon = _coords(g("lat"), g("lon"), country, ctx)
    if geom is not None and geom["type"] == "Point":
        glon, glat = float(geom["coordinates"][0]), float(geom["coordinates"][1])
        if lat is not None and (abs(lat - glat) > 1e-6 or abs(lon - glon) > 1e-6):
            ctx.note(
                "geometry",
                f"geometry point ({glon:g}, {glat:g}) overrides lat {lat:g}, lon {lon:g}",
            )
        lat, lon = glat, glon

    notes = _text(g("notes"), "notes", ctx)
    cid = _text(g("id"), "id", ctx) or f"{ctx.stem}-{ctx.row}"
    claim = Claim(
        place=place,
        time=span,
        status=status,
        id=cid,
        actor=_text(g("actor"), "actor", ctx),
        claimant=_text(g("claimant"), "claimant", ctx),
        source=_text(g("source"), "source", ctx),
        url=_url(g("url"), "url", ctx),
        archive_url=_url(g("archive_url"), "archive_url", ctx),
        quote=_text(g("quote"), "quote", ctx),
        time_end=end,
        scope=_text(g("scope"), "scope", ctx),
        confidence=_confidence(g("confidence")),
        country=country,
        admin1=_text(g("admin1"), "admin1", ctx),
        admin2=_text(g("admin2"), "admin2", ctx),
        place_id=_text(g("place_id"), "place_id", ctx),
        lat=lat,
        lon=lon,
        geometry=geom,
        notes=_join_notes(notes, ctx),
        status_raw=status_raw,
        location_precision=_int(g("location_precision"), "location_precision"),
        origin=Origin(ctx.path, ctx.row, ctx.fmt),
        extra=_extras(extra, ctx),
    )
    return claim


def _extras(extra: list, ctx: _RowCtx) -> tuple:
    """Columns outside the schema, kept as cleaned text (JSON values serialised)."""
    out = []
    for k, v in extra:
        if isinstance(v, (dict, list)):
            v = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        out.append((str(k), _text(v, str(k), ctx, cap=_LONG_CAP)))
    return tuple(out)


def _join_notes(notes: str, ctx: _RowCtx) -> str:
    if not ctx.note_texts:
        return notes
    return " ".join([notes] + ctx.note_texts if notes else ctx.note_texts)


def _acled_claim(rec: dict, extra: list, ctx: _RowCtx, loader_tz) -> Claim:
    """ACLED row (keys lower-cased, legacy names mapped) -> claim."""
    g = rec.get
    place = _text(g("location"), "location", ctx)
    if not place:
        raise _RowError("location", "empty location (the place of the event)")
    date_text = _text(g("event_date"), "event_date", ctx, cap=64)
    if not date_text:
        raise _RowError("event_date", "empty event_date")
    try:
        span = parse_time(date_text, tz=loader_tz)
    except TimeParseError as err:
        raise _RowError("event_date", str(err)) from None
    tp = _int(g("time_precision"), "time_precision")
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
    event_type = _text(g("event_type"), "event_type", ctx)
    sub_type = _text(g("sub_event_type"), "sub_event_type", ctx)
    actor1 = _text(g("actor1"), "actor1", ctx)
    actor2 = _text(g("actor2"), "actor2", ctx)
    status, actor = acled_status(event_type, sub_type, actor1, actor2)
    raw = f"{event_type}: {sub_type}" if sub_type else event_type
    ctx.mappings.append((raw, status, "acled"))
    country = _text(g("country"), "country", ctx)
    lat, lon = _coords(g("latitude"), g("longitude"), country, ctx)
    source = _text(g("source"), "source", ctx)
    cid = _text(g("event_id_cnty"), "event_id_cnty", ctx) or f"{ctx.stem}-{ctx.row}"
    extra = list(extra)
    if actor != actor1 and actor1:
        extra.append(("actor1", actor1))
    if actor2:
        extra.append(("actor2", actor2))
    return Claim(
        place=place,
        time=span,
        status=status,
        id=cid,
        actor=actor,
        claimant=source or "ACLED",
        source=source or "ACLED",
        quote=_text(g("notes"), "notes", ctx),
        country=country,
        admin1=_text(g("admin1"), "admin1", ctx),
        admin2=_text(g("admin2"), "admin2", ctx),
        lat=lat,
        lon=lon,
        notes=_join_notes("", ctx),
        status_raw=raw,
        location_precision=_int(g("geo_precision"), "geo_precision"),
        origin=Origin(ctx.path, ctx.row, ctx.fmt),
        extra=_extras(extra, ctx),
    )


_ACLED_USED = {
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


def _ucdp_claim(rec: dict, extra: list, ctx: _RowCtx, loader_tz) -> Claim:
    g = rec.get
    place = _text(g("where_coordinates"), "where_coordinates", ctx)
    if not place:
        raise _RowError("where_coordinates", "empty where_coordinates (the place of the event)")
    try:
        start = parse_time(_text(g("date_start"), "date_start", ctx, cap=64), tz=loader_tz)
    except TimeParseError as err:
        raise _RowError("date_start", str(err)) from None
    end_text = _text(g("date_end"), "date_end", ctx, cap=64)
    span = start
    if end_text:
        try:
            end = parse_time(end_text, tz=loader_tz)
        except TimeParseError as err:
            raise _RowError("date_end", str(err)) from None
        if end.latest < start.earliest:
            raise _RowError("date_end", f"date_end {end_text} is before date_start {start.text}")
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
        raise _RowError("type_of_violence", str(err)) from None
    raw = f"type_of_violence {str(g('type_of_violence')).strip()} ({label})"
    ctx.mappings.append((raw, status, "ucdp"))
    country = _text(g("country"), "country", ctx)
    lat, lon = _coords(g("latitude"), g("longitude"), country, ctx)
    article = _text(g("source_article"), "source_article", ctx, cap=_SOURCE_CAP)
    if len(article) >= 2 and article[0] == article[-1] == '"':
        article = article[1:-1].strip()
    headline = _text(g("source_headline"), "source_headline", ctx, cap=_LONG_CAP, multi_line=True)
    m = _URL_RE.search(article) or _URL_RE.search(headline)
    side_b = _text(g("side_b"), "side_b", ctx)
    extra = list(extra)
    if side_b:
        extra.append(("side_b", side_b))
    cid = _text(g("id"), "id", ctx)
    return Claim(
        place=place,
        time=span,
        status=status,
        id=cid or f"{ctx.stem}-{ctx.row}",
        actor=_text(g("side_a"), "side_a", ctx),
        claimant="UCDP GED",
        source=article or _text(g("source_office"), "source_office", ctx) or "UCDP GED",
        url=m.group().rstrip(".)") if m else "",
        quote=headline,
        country=country,
        admin1=_text(g("adm_1"), "adm_1", ctx),
        admin2=_text(g("adm_2"), "adm_2", ctx),
        lat=lat,
        lon=lon,
        notes=_join_notes(
            _text(g("where_description"), "where_description", ctx, multi_line=True), ctx
        ),
        status_raw=raw,
        location_precision=_int(g("where_prec"), "where_prec"),
        origin=Origin(ctx.path, ctx.row, ctx.fmt),
        extra=_extras(extra, ctx),
    )


_UCDP_USED = {
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


class _Schema:
    """How records of one format become claims."""

    def __init__(self, fmt: str, header: list):
        self.fmt = fmt
        names = [str(h).strip().lstrip("\ufeff") for h in header]
        if fmt == "canonical":
            mapping = _canonical_names(names)
            self.keys = [mapping.get(n) for n in names]
            self.build = _canonical_claim
        else:
            low = [n.lower() for n in names]
            if fmt.startswith("acled"):
                low = [_ACLED_LEGACY_NAMES.get(n, n) for n in low]
                used, self.build = _ACLED_USED, _acled_claim
            else:
                used, self.build = _UCDP_USED, _ucdp_claim
            self.keys = [n if n in used else None for n in low]
        self.names = names

    def split(self, values: list) -> tuple:
        """(record of known fields, [(column, value) of other columns])."""
        rec: dict = {}
        extra: list = []
        for key, name, value in zip(self.keys, self.names, values):
            if key is None:
                if value not in ("", None):
                    extra.append((name, value))
            elif key not in rec:
                rec[key] = value
        return rec, extra


def _process(
    loader: _Loader, schema: _Schema, values: list, ctx: _RowCtx, geometry: Any = None
) -> bool:
    rec, extra = schema.split(values)
    try:
        if schema.fmt == "canonical":
            claim = _canonical_claim(rec, extra, ctx, loader.tz, geometry)
        else:
            claim = schema.build(rec, extra, ctx, loader.tz)
    except _RowError as err:
        loader.reject(ctx.issue(err.column, err.reason))
        return False
    loader.accept(claim, ctx)
    return True


# ---- containers ------------------------------------------------------------------------------
def _source_name(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return getattr(source, "name", None) or "<stream>"


def _read_bytes(source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        if str(source) == "-":
            return sys.stdin.buffer.read()
        p = Path(source)
        if not p.is_file():
            raise ClaimsFileError(f"claims file not found: {p} (check the path)", path=str(p))
        return p.read_bytes()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(data: bytes, encoding: str) -> tuple:
    """Text of a file (surrogate escapes mark non-UTF-8 bytes) and notes about it."""
    notes = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        notes.append("UTF-8 byte-order mark skipped")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), ["UTF-16 file decoded"]
    errors = "surrogateescape" if codecs.lookup(encoding).name == "utf-8" else "replace"
    text = data.decode(encoding, errors=errors)
    if "\x00" in text:
        text = text.replace("\x00", "")
        notes.append("NUL bytes removed")
    return text, notes


def _container_of(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".geojson",):
        return "geojson"
    if suffix in (".jsonl", ".ndjson", ".geojsonl", ".geojsons"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix == ".tsv":
        return "tsv"
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "json"
    return "csv"


def read_claims(paths, *, tz=None, strict: bool = False, encoding: str = "utf-8") -> tuple:
    """Read claims from one or more files (any supported format) into one list.

    Parameters
    ----------
    paths : str, Path, file object, or a list of them
        ``"-"`` reads standard input. The format of each file is detected from its
        header or keys (:func:`detect_format`) and its extension/contents.
    tz : str or tzinfo, optional
        Zone of naive times (IANA name such as ``"Asia/Kabul"`` or ``"+04:30"``);
        UTC when None. A ``tz`` column or an explicit offset in a value wins.
    strict : bool
        Raise :class:`~mapper.errors.ClaimsFileError` at the first bad row or file
        instead of collecting it in the report.
    encoding : str
        Text encoding of the inputs (UTF-8 with or without BOM by default).

    Returns
    -------
    (list of Claim, LoadReport)
        Claims in input order (files in the order given, rows in file order).

    Raises
    ------
    ClaimsFileError
        When a path does not exist (always), or on any bad row/file with ``strict``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text("place,time,status\\nQala-e-Naw,2021-07-06 afternoon,captured\\nX,2021-13-07,controlled\\n")
    >>> claims, report = read_claims(d / "c.csv", tz="Asia/Kabul")
    >>> [(c.place, c.status, c.status_raw) for c in claims]
    [('Qala-e-Naw', 'controlled', 'captured')]
    >>> print(report.rejected[0])
    c.csv row 2 (line 3), column `time`: '2021-13-07' is not a date (expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00): month 13 does not exist
    """
    if isinstance(paths, (str, os.PathLike)) or hasattr(paths, "read"):
        paths = [paths]
    loader = _Loader(tz=tz, strict=strict, encoding=encoding)
    for source in paths:
        _load_one(loader, source, container=None)
    return loader.claims, loader.report()


def _load_one(loader: _Loader, source, container: str | None) -> None:
    name = _source_name(source)
    data = _read_bytes(source)
    text, file_notes = _decode(data, loader.encoding)
    container = container or _container_of(name, text)
    for n in file_notes:
        loader.notes.append(RowIssue(name, None, "", n))
    if not text.strip():
        loader.file_error(
            name, container, "file is empty (expected a header line such as place,time,status)"
        )
        return
    before = len(loader.claims), len(loader.rejected)
    if container in ("json", "geojson"):
        result = _load_json(loader, name, text, container)
    elif container == "jsonl":
        result = _load_jsonl(loader, name, text)
    else:
        result = _load_csv(loader, name, text, "\t" if container == "tsv" else None)
    if result is None:
        return
    fmt, cont, rows, blank = result
    accepted = len(loader.claims) - before[0]
    rejected = len(loader.rejected) - before[1]
    loader.files.append(FileReport(name, fmt, cont, rows, accepted, rejected, blank))
    logger.info(
        "%s: %s (%s), %d rows, %d accepted, %d rejected", name, fmt, cont, rows, accepted, rejected
    )


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _load_csv(loader: _Loader, name: str, text: str, delimiter: str | None):
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = delimiter or _sniff_delimiter(first_line)
    container = "tsv" if delimiter == "\t" else "csv"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = None
    last_line = 0
    rows = blank = 0
    schema = None
    stem = Path(name).stem or "claims"
    while True:
        start_line = last_line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            last_line = reader.line_num
            if header is None:
                loader.file_error(name, container, f"header line is not valid CSV ({err})")
                return None
            rows += 1
            loader.reject(RowIssue(name, rows, "", f"not valid CSV ({err})", start_line))
            continue
        last_line = reader.line_num
        if header is None:
            if not values or all(not v.strip() for v in values):
                continue
            header = values
            try:
                fmt = detect_format(header)
            except ClaimsFileError as err:
                loader.file_error(name, container, str(err))
                return None
            schema = _Schema(fmt, header)
            continue
        if not values or all(not v.strip() for v in values):
            blank += 1
            continue
        rows += 1
        ctx = _RowCtx(name, rows, start_line, schema.fmt, stem)
        if len(values) != len(header):
            if len(values) > len(header) and all(not v.strip() for v in values[len(header) :]):
                values = values[: len(header)]
            else:
                loader.reject(
                    ctx.issue(
                        "",
                        f"{len(values)} fields, expected {len(header)} (as in the header): "
                        "check for an unquoted comma, a missing quote or a missing field",
                    )
                )
                continue
        _process(loader, schema, values, ctx)
    if header is None:
        loader.file_error(
            name, container, "file has no header line (expected e.g. place,time,status)"
        )
        return None
    return schema.fmt, container, rows, blank


def _json_records(obj) -> tuple:
    """(records, container) from a parsed JSON document."""
    if isinstance(obj, list):
        return obj, "json"
    if isinstance(obj, dict):
        t = obj.get("type")
        if t == "FeatureCollection":
            feats = obj.get("features")
            return (feats if isinstance(feats, list) else []), "geojson"
        if t == "Feature":
            return [obj], "geojson"
        for key in ("claims", "data", "events", "records"):
            if isinstance(obj.get(key), list):
                return obj[key], "json"
        return [obj], "json"
    return None, "json"


def _split_feature(rec) -> tuple:
    """(properties, geometry or None, is_feature)."""
    if isinstance(rec, dict) and rec.get("type") == "Feature":
        props = rec.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        props = dict(props)
        if "id" in rec and "id" not in props and rec["id"] not in (None, ""):
            props["id"] = rec["id"]
        return props, rec.get("geometry"), True
    return rec, None, False


def _detect_json_format(records: list) -> str:
    keys: list = []
    for rec in records[:50]:
        props, _, _ = _split_feature(rec)
        if isinstance(props, dict):
            for k in props:
                if k not in keys:
                    keys.append(k)
    return detect_format(keys)


def _load_records(loader: _Loader, name: str, records: list, container: str, numbers=None):
    fmt = _detect_json_format(records)
    stem = Path(name).stem or "claims"
    rows = 0
    for i, rec in enumerate(records):
        row = numbers[i] if numbers else i + 1
        rows += 1
        ctx = _RowCtx(name, row, numbers[i] if numbers else None, fmt, stem)
        props, geometry, is_feature = _split_feature(rec)
        if not isinstance(props, dict):
            loader.reject(ctx.issue("", f"expected a JSON object, got {type(props).__name__}"))
            continue
        keys = list(props)
        schema = _Schema(fmt, keys)
        if fmt != "canonical" and geometry is not None:
            loader.notes.append(
                ctx.issue("geometry", "geometry ignored for a dataset record (lat/lon used)")
            )
            geometry = None
        _process(loader, schema, [props[k] for k in keys], ctx, geometry if is_feature else None)
    return fmt, container, rows, 0


def _load_json(loader: _Loader, name: str, text: str, container: str):
    try:
        obj = json.loads(text)
    except ValueError as err:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines[:5]):
            return _load_jsonl(loader, name, text)
        loader.file_error(
            name, container, f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
        )
        return None
    records, kind = _json_records(obj)
    container = "geojson" if kind == "geojson" else container
    if records is None:
        loader.file_error(
            name,
            container,
            'expected a JSON array of objects, a FeatureCollection or {"claims": [...]}',
        )
        return None
    if not records:
        loader.file_error(name, container, "no records in the file")
        return None
    try:
        return _load_records(loader, name, records, container)
    except ClaimsFileError as err:
        if loader.strict and err.row is not None:
            raise
        loader.file_error(name, container, str(err))
        return None


def _load_jsonl(loader: _Loader, name: str, text: str):
    records, numbers = [], []
    bad: list = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
            numbers.append(lineno)
        except ValueError as err:
            bad.append(
                RowIssue(
                    name, lineno, "", f"not valid JSON ({err.msg} at character {err.pos})", lineno
                )
            )
    container = "jsonl"
    if not records:
        loader.file_error(name, container, "no JSON objects in the file")
        return None
    try:
        fmt, cont, rows, blank = _load_records(loader, name, records, container, numbers)
    except ClaimsFileError as err:
        if loader.strict and err.row is not None:
            raise
        loader.file_error(name, container, str(err))
        return None
    for issue in bad:
        loader.reject(issue)
    return fmt, cont, rows + len(bad), blank


def read_claims_csv(path, *, tz=None, strict: bool = False, encoding: str = "utf-8") -> tuple:
    """Read one CSV/TSV file (canonical, ACLED or UCDP GED). Returns ``(claims, LoadReport)``."""
    loader = _Loader(tz=tz, strict=strict, encoding=encoding)
    _load_one(loader, path, container="tsv" if str(path).lower().endswith(".tsv") else "csv")
    return loader.claims, loader.report()


def read_claims_json(path, *, tz=None, strict: bool = False, encoding: str = "utf-8") -> tuple:
    """Read one JSON or GeoJSON file. Returns ``(claims, LoadReport)``."""
    loader = _Loader(tz=tz, strict=strict, encoding=encoding)
    _load_one(loader, path, container="json")
    return loader.claims, loader.report()


def read_claims_jsonl(path, *, tz=None, strict: bool = False, encoding: str = "utf-8") -> tuple:
    """Read one JSON Lines file (objects or GeoJSON Features, one per line). Returns ``(claims, LoadReport)``."""
    loader = _Loader(tz=tz, strict=strict, encoding=encoding)
    _load_one(loader, path, container="jsonl")
    return loader.claims, loader.report()


# ---- writing ---------------------------------------------------------------------------------
def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def claim_to_record(claim: Claim) -> dict:
    """The canonical fields of a claim as strings (``time`` in its own zone, ``tz`` naming it)."""
    tz_name = span_tz_name(claim.time)
    end = ""
    if claim.time_end is not None:
        e = claim.time_end
        tzi = claim.time.earliest.tzinfo
        if e.earliest.tzinfo is not tzi:
            e = TimeSpan(e.earliest.astimezone(tzi), e.latest.astimezone(tzi), e.precision, e.text)
        end = span_to_iso(e)
    return {
        "id": claim.id,
        "place": claim.place,
        "time": span_to_iso(claim.time),
        "time_end": end,
        "tz": tz_name,
        "status": claim.status,
        "actor": claim.actor,
        "claimant": claim.claimant,
        "source": claim.source,
        "url": claim.url,
        "archive_url": claim.archive_url,
        "quote": claim.quote,
        "scope": claim.scope,
        "confidence": _num(claim.confidence),
        "country": claim.country,
        "admin1": claim.admin1,
        "admin2": claim.admin2,
        "place_id": claim.place_id,
        "lat": _num(claim.lat),
        "lon": _num(claim.lon),
        "notes": claim.notes,
        "status_raw": claim.status_raw
        if claim.status_raw and claim.status_raw != claim.status
        else "",
        "location_precision": ""
        if claim.location_precision is None
        else str(claim.location_precision),
        "geometry": json.dumps(claim.geometry, separators=(",", ":")) if claim.geometry else "",
    }


def write_claims_csv(
    claims: Iterable[Claim], path, *, overwrite: bool = False, extra: bool = True
) -> int:
    """Write claims as canonical CSV (UTF-8, RFC 4180 quoting). Returns the number of rows.

    Columns are :data:`CANONICAL_COLUMNS`, then ``status_raw``, ``location_precision``
    and ``geometry`` when some claim has them, then (``extra=True``) the columns
    outside the schema that the inputs carried. Reading the file back with
    :func:`read_claims` gives the same claims (``origin`` aside).

    Raises
    ------
    OutputExists
        When ``path`` exists and ``overwrite`` is False.
    """
    claims = list(claims)
    records = [claim_to_record(c) for c in claims]
    columns = list(CANONICAL_COLUMNS)
    columns += [c for c in WRITTEN_IF_USED if any(r[c] for r in records)]
    extra_cols: list = []
    if extra:
        seen = set(columns)
        for c in claims:
            for k, _ in c.extra:
                if k not in extra_cols:
                    extra_cols.append(k)
        renamed = {}
        for k in extra_cols:
            out = k
            # Rename only what would be read back as a schema column: a written column, or an
            # alias whose target column is not written (aliases never replace a present column).
            while out.lower() in seen or (COLUMN_ALIASES.get(out.lower()) or "") in (
                set(WRITTEN_IF_USED) - seen
            ):
                out = f"extra_{out}"
            renamed[k] = out
            seen.add(out.lower())
        for rec, c in zip(records, claims):
            for k, v in c.extra:
                rec[renamed[k]] = v
        columns += [renamed[k] for k in extra_cols]

    def emit(fh) -> None:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(records)

    if hasattr(path, "write"):
        emit(path)
        return len(records)
    p = Path(path)
    if p.exists() and not overwrite:
        raise OutputExists(
            f"{p} exists: choose another name or allow overwriting (overwrite=True / --overwrite)"
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", newline="") as fh:
        emit(fh)
    return len(records)
