"""Container readers: CSV/TSV, JSON, JSON Lines and GeoJSON files, and :func:`read_claims`.

A reader decodes the file, finds its records and their header (CSV) or keys (JSON), asks the
formats registry which format they are in (:func:`mapper.claims.formats.format_for_header`) and
hands each record to the loader. The container comes from the file's suffix, else its first
character (``[``/``{``: JSON, else CSV).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import sys
from pathlib import Path

from gazetteer.csvlimit import csv_field_limit
from mapper.claims._loader import Loader
from mapper.claims.cells import RowContext
from mapper.claims.formats import ClaimsFormat, Schema, format_for_header
from mapper.claims.report import FileReport, RowIssue
from mapper.errors import ClaimsFileError

__all__ = [
    "CSV_FIELD_LIMIT",
    "csv_field_limit",
    "read_claims",
    "read_claims_csv",
    "read_claims_json",
    "read_claims_jsonl",
    "sniff_delimiter",
]

logger = logging.getLogger(__name__)

CSV_FIELD_LIMIT = 64 * 1024 * 1024  # hostile cells above this are rejected by the csv module

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
    loader = Loader(tz=tz, strict=strict, encoding=encoding)
    for source in paths:
        _load_one(loader, source, container=None)
    return loader.claims, loader.report()


def _load_one(loader: Loader, source, container: str | None) -> None:
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


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV header line: the most frequent of comma, tab and semicolon (comma
    on a tie or when none occurs)."""
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _load_csv(loader: Loader, name: str, text: str, delimiter: str | None):
    with csv_field_limit(CSV_FIELD_LIMIT):
        return _read_csv_rows(loader, name, text, delimiter)


def _read_csv_rows(loader: Loader, name: str, text: str, delimiter: str | None):
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = delimiter or sniff_delimiter(first_line)
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
                fmt = format_for_header(header)
            except ClaimsFileError as err:
                loader.file_error(name, container, str(err))
                return None
            schema = Schema(fmt, header)
            continue
        if not values or all(not v.strip() for v in values):
            blank += 1
            continue
        rows += 1
        ctx = RowContext(name, rows, start_line, schema.name, stem, tz=loader.tz,
                         status_mapping=fmt.status_mapping)
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
        loader.process(schema, values, ctx)
    if header is None:
        loader.file_error(
            name, container, "file has no header line (expected e.g. place,time,status)"
        )
        return None
    return schema.name, container, rows, blank


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


def _detect_json_format(records: list) -> ClaimsFormat:
    keys: list = []
    for rec in records[:50]:
        props, _, _ = _split_feature(rec)
        if isinstance(props, dict):
            for k in props:
                if k not in keys:
                    keys.append(k)
    return format_for_header(keys)


def _load_records(loader: Loader, name: str, records: list, container: str, numbers=None):
    fmt = _detect_json_format(records)
    stem = Path(name).stem or "claims"
    rows = 0
    for i, rec in enumerate(records):
        row = numbers[i] if numbers else i + 1
        rows += 1
        ctx = RowContext(name, row, numbers[i] if numbers else None, fmt.name, stem, tz=loader.tz,
                         status_mapping=fmt.status_mapping)
        props, geometry, is_feature = _split_feature(rec)
        if not isinstance(props, dict):
            loader.reject(ctx.issue("", f"expected a JSON object, got {type(props).__name__}"))
            continue
        keys = list(props)
        schema = Schema(fmt, keys)
        if not fmt.geometry and geometry is not None:
            loader.notes.append(
                ctx.issue("geometry", "geometry ignored for a dataset record (lat/lon used)")
            )
            geometry = None
        ctx.geometry = geometry if is_feature else None
        loader.process(schema, [props[k] for k in keys], ctx)
    return fmt.name, container, rows, 0


def _load_json(loader: Loader, name: str, text: str, container: str):
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


def _load_jsonl(loader: Loader, name: str, text: str):
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
    loader = Loader(tz=tz, strict=strict, encoding=encoding)
    _load_one(loader, path, container="tsv" if str(path).lower().endswith(".tsv") else "csv")
    return loader.claims, loader.report()


def read_claims_json(path, *, tz=None, strict: bool = False, encoding: str = "utf-8") -> tuple:
    """Read one JSON or GeoJSON file. Returns ``(claims, LoadReport)``."""
    loader = Loader(tz=tz, strict=strict, encoding=encoding)
    _load_one(loader, path, container="json")
    return loader.claims, loader.report()


def read_claims_jsonl(path, *, tz=None, strict: bool = False, encoding: str = "utf-8") -> tuple:
    """Read one JSON Lines file (objects or GeoJSON Features, one per line). Returns ``(claims, LoadReport)``."""
    loader = Loader(tz=tz, strict=strict, encoding=encoding)
    _load_one(loader, path, container="jsonl")
    return loader.claims, loader.report()

