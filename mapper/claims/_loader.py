"""The loader behind :func:`mapper.claims.read_claims`: accumulates claims and issues over files.

Private: readers call :meth:`Loader.process` for each row; a row's :class:`~mapper.errors.CellError`
becomes a rejected row (or, with ``strict``, a :class:`~mapper.errors.ClaimsFileError`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from mapper.claims.cells import RowContext
from mapper.claims.report import FileReport, LoadReport, RowIssue, StatusMapping
from mapper.errors import CellError, ClaimsFileError
from mapper.model import Claim
from mapper.timespan import resolve_tz

logger = logging.getLogger(__name__)


class Loader:
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

    def accept(self, claim: Claim, ctx: RowContext) -> Claim:
        cid = claim.id
        if cid in self.seen_ids:
            n = 2
            while f"{cid}~{n}" in self.seen_ids:
                n += 1
            new = f"{cid}~{n}"
            ctx.note("id", f"id '{cid}' already used by an earlier row; this claim is '{new}'")
            claim = replace(claim, id=new)
            cid = new
        self.seen_ids.add(cid)
        self.claims.append(claim)
        for mapping in ctx.mappings:
            self.mappings.setdefault(mapping, []).append((ctx.path, ctx.row))
        self.notes.extend(ctx.notes)
        return claim


    def process(self, schema, values: list, ctx: RowContext) -> bool:
        """Build the claim of one row through ``schema``; accept it, or reject the row with its reason."""
        rec, extra = schema.split(values)
        try:
            claim = schema.build(rec, extra, ctx)
        except CellError as err:
            self.reject(ctx.issue(err.column, err.reason))
            return False
        self.accept(claim, ctx)
        return True
