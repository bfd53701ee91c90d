"""Shared machinery of the source loaders: index paths, load reports, malformed-row accounting,
and the one-transaction add/replace wrapper."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gazetteer import store
from gazetteer.errors import IndexNotBuilt, SourceDataError

log = logging.getLogger(__name__)

#: Malformed rows shown in a report (all are counted).
SHOW_MALFORMED = 5


@dataclass(frozen=True)
class LoadReport:
    """What one ``add`` did.

    ``added`` new places, ``merged`` incoming records folded into places that
    already existed (names, codes, polygons attached), ``linked`` other places
    that gained a link (e.g. a populated place its district), ``malformed`` rows
    skipped, with the first few described in ``problems`` ("file:line field: why").
    """

    source: str
    added: int = 0
    merged: int = 0
    linked: int = 0
    names: int = 0
    rows: int = 0
    malformed: int = 0
    problems: tuple = ()
    replaced: bool = False
    seconds: float = 0.0
    details: dict = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{self.source}: {self.rows:,} rows read, {self.added:,} places added"]
        if self.merged:
            parts.append(f"{self.merged:,} merged into existing places")
        if self.linked:
            parts.append(f"{self.linked:,} places linked")
        parts.append(f"{self.names:,} names")
        if self.malformed:
            parts.append(f"{self.malformed:,} malformed rows skipped")
        s = ", ".join(parts) + f" in {self.seconds:.1f} s"
        return s + (" (replaced the previous load)" if self.replaced else "")


class Problems:
    """Counts malformed rows and keeps the first few; fatal in strict mode."""

    def __init__(self, path, strict: bool = False):
        self.path = str(path)
        self.strict = strict
        self.count = 0
        self.shown: list = []

    def add(self, line, field_name, message) -> None:
        where = f"{self.path}:{line}" if line is not None else self.path
        text = f"{where}" + (f" field {field_name!r}" if field_name else "") + f": {message}"
        if self.strict:
            raise SourceDataError(text + " (--strict: nothing was loaded)", path=self.path, line=line,
                                  field=field_name)
        self.count += 1
        if len(self.shown) < SHOW_MALFORMED:
            self.shown.append(text)
            log.warning("skipped malformed row: %s", text)


def index_path(index) -> Path:
    """The index file for a Gazetteer, a data folder or a file path; it must exist."""
    from gazetteer.resolver import INDEX_FILENAME

    path = getattr(index, "path", None) or Path(index)
    path = Path(path)
    if path.is_dir():
        path = path / INDEX_FILENAME
    if not path.exists():
        raise IndexNotBuilt(
            f"no gazetteer index at {path}; run `conflictmap gazetteer build` first"
        )
    return path


def source_name(kind: str, path) -> str:
    """``kind:<file stem>``, the stem without archive/format suffixes (``boundaries:geoBoundaries-AFG-ADM2``)."""
    name = Path(str(path)).name
    name = re.sub(r"(\.(zip|gz|txt|csv|tsv|geojson|json|gpkg|shp|fgb|parquet))+$", "", name, flags=re.IGNORECASE)
    return f"{kind}:{name}"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_add(path_index, source: str, info: dict, work, *, progress=False) -> LoadReport:
    """Run ``work(conn, report_fields)`` in one transaction, replacing an earlier load of ``source``.

    ``work`` fills the ``report_fields`` dict (added, merged, linked, names, rows,
    malformed, problems, details) and may raise: then nothing changes.
    """
    t0 = time.perf_counter()
    fields: dict[str, Any] = {"added": 0, "merged": 0, "linked": 0, "names": 0, "rows": 0, "malformed": 0, "problems": (),
                              "details": {}}
    with store.write_transaction(path_index) as conn:
        prev = store.delete_source(conn, source)
        work(conn, fields)
        store.register_source(conn, {**info, "name": source, "removable": True, "count": fields["added"],
                                     "merged": fields["merged"], "loaded": now()})
    report = LoadReport(source=source, replaced=prev["existed"], seconds=round(time.perf_counter() - t0, 2),
                        **fields)
    log.info("%s", report.summary())
    return report


def remove_source(index, source: str) -> dict:
    """Undo an add: delete the source's places, names, polygons and links in one transaction.

    Raises :class:`SourceDataError` when no such source is loaded (embedded sources
    cannot be removed: rebuild instead).
    """
    path = index_path(index)
    with store.write_transaction(path) as conn:
        if store.source_info(conn, source) is None:
            loaded = [r[0] for r in conn.execute("SELECT name FROM sources ORDER BY name")]
            raise SourceDataError(
                f"no source {source!r} is loaded; loaded sources: {', '.join(loaded) or 'none'}"
            )
        if not store.source_info(conn, source).get("removable"):
            raise SourceDataError(
                f"{source!r} is embedded data and cannot be removed; rebuild with "
                "`conflictmap gazetteer build --force` instead"
            )
        return store.delete_source(conn, source)


def summary(index) -> dict:
    """Counts by kind and country, by source, and the sources table (for ``gazetteer info``)."""
    import json

    path = index_path(index)
    conn = store.connect(path)
    try:
        by_cc: dict = {}
        for cc, kind, n in store.counts_by_kind_country(conn):
            by_cc.setdefault(cc, {})[kind] = n
        return {
            "by_country": by_cc,
            "by_source": store.counts_by_source(conn),
            "sources": [json.loads(v) for (v,) in conn.execute("SELECT info FROM sources ORDER BY name")],
        }
    finally:
        conn.close()


def strip_cc_prefix(code: str, cc: str) -> str:
    """``AF-BDG`` / ``AF_KAN`` -> ``BDG`` / ``KAN`` (geoBoundaries writes both)."""
    code = (code or "").strip()
    for sep in ("-", "_", "."):
        if cc and code.upper().startswith(cc.upper() + sep):
            return code[len(cc) + 1:]
    return code


def optional(value) -> str | None:
    if value is None:
        return None
    try:
        import math

        if isinstance(value, float) and math.isnan(value):
            return None
    except TypeError:
        pass
    s = str(value).strip()
    return s or None
