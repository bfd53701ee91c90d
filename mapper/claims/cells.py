"""Cell validation shared by every claims format: text, links, numbers, coordinates, geometry, times.

A format's row builder (see :mod:`mapper.claims.formats`) reads each cell through these helpers
with the row's :class:`RowContext`. A cell that makes the row unusable raises
:class:`~mapper.errors.CellError` (column and reason); a cell that is repaired (control
characters removed, text capped, a non-http link dropped) adds a note to the context, which the
loader puts in the :class:`~mapper.claims.LoadReport`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from mapper.claims.report import RowIssue
from mapper.errors import CellError, TimeParseError
from mapper.model import TimeSpan
from mapper.timespan import parse_time

__all__ = [
    "LONG_CAP",
    "SHORT_CAP",
    "SOURCE_CAP",
    "URL_CAP",
    "COUNTRY_BOXES",
    "SURROGATE_RE",
    "RowContext",
    "confidence",
    "country_code",
    "extras",
    "geometry",
    "join_notes",
    "lat_lon",
    "number",
    "show",
    "text",
    "time_span",
    "url",
    "whole_number",
]

SHORT_CAP = 500  # place, actor, claimant, ... one-line fields
URL_CAP = 2048
LONG_CAP = 10_000  # quote, notes
SOURCE_CAP = 4_000  # source: UCDP lists several articles in one cell
_MAX_ISSUE_VALUE = 80

_LONG_FIELDS = ("quote", "notes")
_CAPS = {
    "quote": LONG_CAP,
    "notes": LONG_CAP,
    "source": SOURCE_CAP,
    "url": URL_CAP,
    "archive_url": URL_CAP,
}

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Surrogate escapes: where text decoded with ``errors="surrogateescape"`` had bytes that are not UTF-8.
SURROGATE_RE = re.compile("[\udc80-\udcff]")


# Rough country boxes (min_lon, min_lat, max_lon, max_lat), padded by 0.5 degree, to catch
# swapped coordinates for the countries the project works on. Others are only range-checked.
COUNTRY_BOXES = {
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


class RowContext:
    """One row being read: where it is, the zone of naive times, and what happened to its cells.

    ``format`` is the format's name (it goes into the claim's :class:`~mapper.model.Origin`);
    ``stem`` (the file name without suffix) makes default ids ``<stem>-<row>``; ``tz`` is the
    zone of naive times given to :func:`~mapper.claims.read_claims` (None: UTC); ``geometry``
    is the GeoJSON geometry of a Feature record (None for table rows); ``status_mapping`` labels
    the status mappings the row records (the format's
    :attr:`~mapper.claims.formats.ClaimsFormat.status_mapping`).
    """

    __slots__ = ("path", "row", "line", "format", "stem", "tz", "geometry", "status_mapping",
                 "notes", "mappings", "note_texts")

    def __init__(self, path: str, row: int, line: int | None, format: str, stem: str, *, tz=None,
                 geometry: Any = None, status_mapping: str = ""):
        self.path, self.row, self.line, self.format, self.stem = path, row, line, format, stem
        self.tz, self.geometry, self.status_mapping = tz, geometry, status_mapping
        self.notes: list = []
        self.mappings: list = []  # (raw, status, how)
        self.note_texts: list = []  # appended to the claim's notes

    def note(self, column: str, reason: str, *, on_claim: bool = False) -> None:
        """Record a note about this (accepted) row; ``on_claim`` also appends it to the claim's notes."""
        self.notes.append(RowIssue(self.path, self.row, column, reason, self.line))
        if on_claim:
            self.note_texts.append(f"[{reason}]")

    def map_status(self, raw: str, status: str, how: str | None = None) -> None:
        """Record that the word or event type ``raw`` was mapped onto ``status``.

        ``how`` names the rule (default: the format's ``status_mapping``); the load report lists
        each mapping with its rows.
        """
        self.mappings.append((raw, status, how or self.status_mapping))

    def issue(self, column: str, reason: str) -> RowIssue:
        """A :class:`RowIssue` for ``column`` of the current row, with ``reason``."""
        return RowIssue(self.path, self.row, column, reason, self.line)


def show(value: Any) -> str:
    """A value as quoted in a message: one line, no control characters, at most 80 characters."""
    s = str(value)
    s = SURROGATE_RE.sub("\ufffd", s)
    s = _CONTROL_RE.sub("", s).replace("\n", " ")
    return s if len(s) <= _MAX_ISSUE_VALUE else s[: _MAX_ISSUE_VALUE - 1] + "…"


def text(
    value: Any, column: str, ctx: RowContext, *, cap: int | None = None, multi_line: bool = False
) -> str:
    """Clean one text cell: no control characters, capped length, UTF-8 only.

    Line breaks are kept in quote/notes (or with ``multi_line``), folded to spaces elsewhere.
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (dict, list)):
        raise CellError(
            column, f"expected text, got a JSON {'object' if isinstance(value, dict) else 'array'}"
        )
    s = value if isinstance(value, str) else str(value)
    if not s:
        return s
    if s.isprintable() and len(s) <= min(
        cap or SHORT_CAP, SHORT_CAP
    ):  # common case: nothing to clean
        return s.strip()
    if SURROGATE_RE.search(s):
        bad = SURROGATE_RE.search(s).group()
        raise CellError(
            column,
            f"contains bytes that are not UTF-8 (0x{ord(bad) - 0xDC00:02X} in {show(s)!r}): "
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
    cap = cap or _CAPS.get(column) or (LONG_CAP if multi_line else SHORT_CAP)
    if len(s) > cap:
        ctx.note(column, f"{column} truncated from {len(s):,} to {cap:,} characters", on_claim=True)
        s = (
            s[: cap - 1].rstrip() + "…"
        )  # the result is within the cap, so a re-read does not cut again
    return s


def url(value: Any, column: str, ctx: RowContext) -> str:
    """An http(s) link; anything else is removed with a note on the claim."""
    s = text(value, column, ctx)
    if s and not re.match(r"https?://", s, re.IGNORECASE):
        ctx.note(column, f"'{show(s)}' is not an http(s) address; removed", on_claim=True)
        return ""
    return s


def number(value: Any, column: str) -> float | None:
    """A finite decimal number, None if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(column, f"'{value}' is not a number")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise CellError(
            column, f"'{show(value)}' is not a number (expected decimal degrees, e.g. 34.9)"
        ) from None
    if math.isnan(f) or math.isinf(f):
        raise CellError(column, f"'{show(value)}' is not a finite number")
    return f


def country_code(country: str) -> str | None:
    """The ISO code of a country name or code that :data:`COUNTRY_BOXES` has a box for, else None."""
    c = (country or "").strip().lower()
    return _COUNTRY_NAMES.get(c)


def lat_lon(lat_raw: Any, lon_raw: Any, country: str, ctx: RowContext) -> tuple:
    """Validated (lat, lon) or (None, None). Out-of-range or apparently swapped pairs are errors."""
    lat, lon = number(lat_raw, "lat"), number(lon_raw, "lon")
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise CellError(
            missing,
            f"{'lon' if missing == 'lat' else 'lat'} is given but {missing} is empty: give both or neither",
        )
    if abs(lat) > 90:
        if abs(lon) <= 90:
            raise CellError(
                "lat",
                f"lat {lat:g} is outside [-90, 90] and lon {lon:g} fits: the columns look swapped "
                f"(did you mean lat={lon:g}, lon={lat:g}?)",
            )
        raise CellError("lat", f"lat {lat:g} is outside [-90, 90]")
    if abs(lon) > 180:
        raise CellError("lon", f"lon {lon:g} is outside [-180, 180]")
    code = country_code(country)
    box = COUNTRY_BOXES.get(code) if code else None
    if box:
        inside = box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
        swapped_inside = box[0] <= lat <= box[2] and box[1] <= lon <= box[3]
        if not inside and swapped_inside:
            raise CellError(
                "lat",
                f"lat {lat:g}, lon {lon:g} is outside {code} but lat {lon:g}, lon {lat:g} is inside: "
                "the columns look swapped",
            )
        if not inside:
            ctx.note("lat", f"lat {lat:g}, lon {lon:g} is outside the country hint {country!r}")
    return lat, lon


def geometry(geom: Any, column: str, ctx: RowContext) -> dict | None:
    """A validated GeoJSON geometry (positions are [lon, lat])."""
    if geom is None or geom == "":
        return None
    if isinstance(geom, str):
        try:
            geom = json.loads(geom)
        except ValueError as err:
            raise CellError(column, f"not GeoJSON ({err.msg} at character {err.pos})") from None
    if not isinstance(geom, dict) or geom.get("type") not in _GEOMETRY_TYPES:
        t = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
        raise CellError(column, f"geometry type {t!r} is not one of {', '.join(_GEOMETRY_TYPES)}")
    if geom["type"] == "GeometryCollection":
        parts = geom.get("geometries")
        if not isinstance(parts, list):
            raise CellError(column, "GeometryCollection without a 'geometries' list")
        return {
            "type": "GeometryCollection",
            "geometries": [geometry(g, column, ctx) for g in parts],
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
                raise CellError(column, f"position {show(c)} is not [lon, lat]")
            lon, lat = c[0], c[1]
            if abs(lat) > 90 or abs(lon) > 180:
                hint = (
                    " (GeoJSON positions are [lon, lat]; this looks like [lat, lon])"
                    if abs(lat) > 90 >= abs(lon)
                    else ""
                )
                raise CellError(column, f"position [{lon:g}, {lat:g}] is out of range{hint}")
            return
        if not isinstance(c, (list, tuple)) or not c:
            raise CellError(column, f"{geom['type']} coordinates are empty or malformed")
        for part in c:
            check(part, d - 1)

    check(coords, depth[geom["type"]])
    return {"type": geom["type"], "coordinates": coords}


def time_span(value: Any, column: str, tzi, ctx: RowContext) -> TimeSpan | None:
    """The time of a cell as a :class:`~mapper.model.TimeSpan` (naive times in ``tzi``), None if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    s = text(value, column, ctx, cap=200)
    try:
        return parse_time(s, tz=tzi)
    except TimeParseError as err:
        raise CellError(column, str(err)) from None


def confidence(value: Any) -> float | None:
    """A confidence in 0..1 from ``0.8`` or ``80%``, None if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    s = str(value).strip()
    pct = s.endswith("%")
    try:
        f = float(s.rstrip("%").strip())
    except ValueError:
        raise CellError(
            "confidence",
            f"'{show(s)}' is not a number (expected 0..1 or a percentage such as 80%)",
        ) from None
    if pct:
        f /= 100.0
    if not 0.0 <= f <= 1.0 or math.isnan(f):
        raise CellError("confidence", f"'{show(s)}' is outside 0..1 (write 0.8 or 80%)")
    return f


def whole_number(value: Any, column: str) -> int | None:
    """An integer cell (``3`` or ``3.0``), None if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        f = float(value)
        if f != int(f):
            raise ValueError
        return int(f)
    except (TypeError, ValueError):
        raise CellError(column, f"'{show(value)}' is not a whole number") from None


def extras(extra: list, ctx: RowContext) -> tuple:
    """Columns outside the schema, kept as cleaned text (JSON values serialised)."""
    out = []
    for k, v in extra:
        if isinstance(v, (dict, list)):
            v = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        out.append((str(k), text(v, str(k), ctx, cap=LONG_CAP)))
    return tuple(out)


def join_notes(notes: str, ctx: RowContext) -> str:
    """The row's notes followed by the notes its cells put on the claim ("[quote truncated ...]")."""
    if not ctx.note_texts:
        return notes
    return " ".join([notes] + ctx.note_texts if notes else ctx.note_texts)

