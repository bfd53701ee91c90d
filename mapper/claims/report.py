"""The load report: what happened to every file and row read by :func:`mapper.claims.read_claims`.

:class:`LoadReport` holds one :class:`FileReport` per input, a :class:`RowIssue` per rejected row
(and per unreadable file), notes about accepted rows that were changed or look suspicious, and
the :class:`StatusMapping` of every status word or dataset event type that was mapped onto the
vocabulary. Row numbers: the header is row 0, the first data row is row 1 (JSON: the first
object; JSON Lines: the line number); ``line`` is the physical line a CSV row starts on.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

__all__ = ["FileReport", "LoadReport", "RowIssue", "StatusMapping"]


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
    how: str  # "synonym", or the format's status_mapping ("acled", "ucdp", ...)
    rows: tuple  # ((path, row), ...)

    @property
    def count(self) -> int:
        """Number of rows mapped this way."""
        return len(self.rows)


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file."""

    path: str
    format: str  # a registered format name (mapper.claims.formats), "" if unknown
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
        """Claims accepted over all files."""
        return sum(f.accepted for f in self.files)

    @property
    def rejected_rows(self) -> int:
        """Rows rejected over all files."""
        return sum(f.rejected for f in self.files)

    @property
    def file_errors(self) -> tuple:
        """Problems with whole files (issues without a row)."""
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
        """The report as a JSON-ready dict: per-file counts, rejected rows, status mappings and notes."""
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

