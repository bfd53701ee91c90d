"""Corpus inputs: which files, cut into which partitions, and the documents of one partition.

A partition is a frozen :class:`Partition` value, planned on the client and read on a
worker, so a rerun plans the same partitions and can skip the finished ones:

* a plain JSON Lines file is cut every ``partition_size`` lines (the byte offset of each
  cut is recorded, so a worker seeks to its first line);
* a gzip-compressed JSON Lines file is one partition (a gzip stream cannot be entered in
  the middle; dask's ``read_text`` does the same);
* a Parquet file gives one partition per row group.

Document ids default to ``<file name>:<line>`` (JSON Lines) or ``<file name>:<row>``
(Parquet, 1-based), as ``conflictmap geoparse`` names id-less documents.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from mapper._optional import require
from mapper.errors import CorpusInputError, ScaleDependencyMissing

#: Documents per partition of a plain JSON Lines file, unless asked otherwise.
DEFAULT_PARTITION_SIZE = 1000
PARQUET_SUFFIXES = (".parquet", ".pq")
#: File names that are read as a corpus (``conflictmap extract`` takes them as documents, not articles).
CORPUS_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", *PARQUET_SUFFIXES)
#: Bytes read at a time while counting lines.
_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True)
class InputFile:
    """One input file as planned: its path as given, format and state (size, mtime) when planned."""

    path: str
    fmt: str  # "jsonl", "jsonl.gz" or "parquet"
    size: int
    mtime_ns: int

    def to_dict(self) -> dict:
        return {"path": os.path.abspath(self.path), "format": self.fmt}


@dataclass(frozen=True)
class Partition:
    """A slice of the corpus processed as one task and written as one output file.

    ``first_line`` (1-based) and ``n_lines`` (0: to the end) with the byte ``offset`` of
    the first line for JSON Lines; ``row_group`` for Parquet; ``index`` for a partition of
    a Dask collection handed in by the caller.
    """

    key: str
    path: str = ""
    fmt: str = ""
    size: int = 0
    mtime_ns: int = 0
    first_line: int = 1
    n_lines: int = 0
    offset: int = 0
    row_group: int = -1
    index: int = -1

    def to_dict(self) -> dict:
        d = {"key": self.key, "format": self.fmt}
        if self.path:
            d.update(input=os.path.abspath(self.path), size=self.size, mtime_ns=self.mtime_ns)
        if self.fmt in ("jsonl", "jsonl.gz"):
            d.update(first_line=self.first_line, n_lines=self.n_lines)
        if self.row_group >= 0:
            d["row_group"] = self.row_group
        if self.index >= 0:
            d["index"] = self.index
        return d


@dataclass(frozen=True)
class DocumentProblem:
    """A document that could not be read or processed: its id (or where it is) and why."""

    id: str
    error: str

    def to_dict(self) -> dict:
        return {"id": self.id, "error": self.error}


def is_corpus_path(path) -> bool:
    """True for a JSON Lines, gzip JSON Lines or Parquet file name, or a glob pattern."""
    path = os.fspath(path)
    return path.lower().endswith(CORPUS_SUFFIXES) or glob.has_magic(path)


def _format_of(path: str) -> str:
    low = path.lower()
    if low.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if low.endswith(".gz"):
        return "jsonl.gz"
    return "jsonl"


def expand_inputs(inputs) -> list:
    """The input files of ``inputs`` (paths and glob patterns), in the order given, each once.

    Raises
    ------
    CorpusInputError
        When a pattern matches nothing or a path is not a file.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    out, seen = [], set()
    for item in inputs:
        item = os.fspath(item)
        if glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise CorpusInputError(f"{item}: no file matches this pattern", path=item)
        else:
            if not os.path.isfile(item):
                raise CorpusInputError(f"{item}: no such file (expected JSON Lines, .jsonl.gz or Parquet)",
                                       path=item)
            matches = [item]
        for m in matches:
            key = os.path.abspath(m)
            if key not in seen and os.path.isfile(m):
                seen.add(key)
                st = os.stat(m)
                out.append(InputFile(m, _format_of(m), st.st_size, st.st_mtime_ns))
    if not out:
        raise CorpusInputError("no input files", path=None)
    return out


def _jsonl_cuts(path: str, partition_size: int) -> list:
    """``(first_line, n_lines, offset)`` of each partition of a plain JSON Lines file."""
    cuts = []
    line, offset, start_line, start_offset = 1, 0, 1, 0
    tail = False  # bytes after the last newline (a last line without one)
    with open(path, "rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            pos = 0
            while True:
                nl = chunk.find(b"\n", pos)
                if nl == -1:
                    tail = pos < len(chunk)
                    offset += len(chunk) - pos
                    break
                offset += nl + 1 - pos
                pos = nl + 1
                line += 1
                tail = False
                if line - start_line == partition_size:
                    cuts.append((start_line, partition_size, start_offset))
                    start_line, start_offset = line, offset
    n_last = line - start_line + (1 if tail else 0)
    if n_last > 0 or not cuts:
        cuts.append((start_line, n_last, start_offset))
    return cuts


def _parquet_file(path: str):
    pq = require("pyarrow.parquet", "scale", purpose="reading Parquet", error=ScaleDependencyMissing)
    try:
        return pq.ParquetFile(path)
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise CorpusInputError(f"{path}: not a readable Parquet file ({err})", path=path) from err


def plan_partitions(files: list, partition_size: int = DEFAULT_PARTITION_SIZE) -> list:
    """The partitions of the input files, keyed ``<file number>-<partition number in the file>``
    (``0000-00000``, ``0000-00001``, ``0001-00000``...), so that a changed input file changes
    the partitions of that file only.

    Raises
    ------
    CorpusInputError
        When a Parquet file has no ``text`` column.
    """
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, not {partition_size}")
    parts: list = []
    for fi, f in enumerate(files):
        mine: list = []

        def add(mine=mine, fi=fi, f=f, **kw):
            mine.append(Partition(key=f"{fi:04d}-{len(mine):05d}", size=f.size, mtime_ns=f.mtime_ns, **kw))

        if f.fmt == "parquet":
            pf = _parquet_file(f.path)
            names = pf.schema_arrow.names
            if "text" not in names:
                raise CorpusInputError(f"{f.path}: no 'text' column (columns: {', '.join(names)}); expected "
                                       "'id' and 'text', optionally 'published', 'source', 'url'", path=f.path)
            for rg in range(pf.metadata.num_row_groups):
                add(path=f.path, fmt="parquet", row_group=rg)
        elif f.fmt == "jsonl.gz":
            add(path=f.path, fmt="jsonl.gz", first_line=1, n_lines=0)
        else:
            for first, n, offset in _jsonl_cuts(f.path, partition_size):
                add(path=f.path, fmt="jsonl", first_line=first, n_lines=n, offset=offset)
        parts.extend(mine)
    return parts


def document_from_line(raw: bytes, path: str, lineno: int) -> dict | None:
    """The document ``{"id", "text", ...}`` of one JSON Lines line (None for a blank line).

    The id defaults to ``<file name>:<line>``.

    Raises
    ------
    CorpusInputError
        When the line is not a JSON object with a string ``text``.
    """
    if not raw.strip():
        return None
    try:
        doc = json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as err:
        raise CorpusInputError(f"{path}, line {lineno}: not JSON ({err.msg}); expected one "
                               '{"id": ..., "text": ...} object per line', path=path) from err
    if not isinstance(doc, dict) or not isinstance(doc.get("text", ""), str):
        raise CorpusInputError(f"{path}, line {lineno}: expected an object with a string 'text'", path=path)
    doc.setdefault("id", f"{os.path.basename(path)}:{lineno}")
    return doc


def read_partition(part: Partition) -> Iterator:
    """Yield ``(document, None)`` or ``(None, DocumentProblem)`` for each document of ``part``."""
    if part.fmt == "parquet":
        yield from _parquet_documents(part)
        return
    opener = gzip.open if part.fmt == "jsonl.gz" else open
    with opener(part.path, "rb") as fh:
        if part.offset:
            fh.seek(part.offset)
        for i, raw in enumerate(fh):
            if part.n_lines and i >= part.n_lines:
                break
            lineno = part.first_line + i
            try:
                doc = document_from_line(raw, part.path, lineno)
            except CorpusInputError as err:
                yield None, DocumentProblem(f"{os.path.basename(part.path)}:{lineno}", str(err))
                continue
            if doc is not None:
                yield doc, None


def _parquet_documents(part: Partition) -> Iterator:
    pf = _parquet_file(part.path)
    row0 = sum(pf.metadata.row_group(i).num_rows for i in range(part.row_group))
    rows = pf.read_row_group(part.row_group).to_pylist()
    name = os.path.basename(part.path)
    for i, row in enumerate(rows, start=row0 + 1):
        doc = {k: v for k, v in row.items() if v is not None}
        if doc.get("id") in (None, ""):
            doc["id"] = f"{name}:{i}"
        if not isinstance(doc.get("text"), str):
            yield None, DocumentProblem(str(doc["id"]), f"{part.path}, row {i}: 'text' is "
                                        f"{'missing' if 'text' not in doc else type(doc['text']).__name__}, "
                                        "expected a string")
            continue
        yield doc, None
