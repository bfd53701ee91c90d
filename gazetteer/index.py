"""Index access: find, build, upgrade, open and close the gazetteer's SQLite index file, and read
what it says about itself (meta, sources, counts, whether this version built it).

:class:`GazetteerIndex` owns the connection; :class:`gazetteer.Gazetteer` holds one and reads
candidates through :class:`gazetteer.candidates.CandidateReader`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from gazetteer import store
from gazetteer.errors import IndexNotBuilt

log = logging.getLogger(__name__)

INDEX_FILENAME = "gazetteer.sqlite"
#: Sources the embedded build writes; an index holding only these can be rebuilt without loss.
EMBEDDED_SOURCES = ("geonames-cities500", "natural-earth-admin", "conflictmap-regions", "conflictmap-physical")


def default_data_dir() -> Path:
    """Per-user data folder (platformdirs), used when neither --data-dir nor the env var is set."""
    env = os.environ.get("CONFLICTMAP_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("conflictmap", appauthor=False))


class GazetteerIndex:
    """An open index file (read-only connection).

    Raises :class:`~gazetteer.errors.IndexNotBuilt` when ``path`` does not exist; with
    ``upgrade`` an index written by an older version is migrated first
    (:func:`gazetteer.store.upgrade_file`).
    """

    def __init__(self, path: Path | str, *, upgrade: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            raise IndexNotBuilt(
                f"no gazetteer index at {self.path}; run `conflictmap gazetteer build` to create it"
            )
        if upgrade:
            self._upgrade_schema()
        self.conn: sqlite3.Connection = store.connect(self.path)

    @classmethod
    def open(cls, data_dir=None, *, build: bool = True, progress: bool = False, countries=None) -> GazetteerIndex:
        """The index in ``data_dir`` (default: :func:`default_data_dir`), built if missing and
        rebuilt when an older version built it from embedded data only (see
        :meth:`gazetteer.Gazetteer.open`)."""
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        path = data_dir / INDEX_FILENAME
        if not path.exists():
            if not build:
                raise IndexNotBuilt(
                    f"no gazetteer index in {data_dir}; run `conflictmap gazetteer build --data-dir {data_dir}`"
                )
            from gazetteer.build import build_index

            log.warning("building the offline gazetteer index in %s (first use, about a minute)", data_dir)
            build_index(path, progress=progress, countries=countries)
        index = cls(path, upgrade=False)  # an index about to be rebuilt is not upgraded first
        if not index.is_current():
            embedded_only = all(s["name"] in EMBEDDED_SOURCES for s in index.sources())
            if build and embedded_only:
                from gazetteer.build import build_index

                log.warning("the index in %s was built by an older conflictmap; rebuilding it", data_dir)
                index.close()
                with store.connect(path) as conn:
                    row = conn.execute("SELECT v FROM meta WHERE k = 'countries_filter'").fetchone()
                    gz_filter = row[0].split(",") if row and row[0] else None
                build_index(path, progress=progress, countries=countries or gz_filter)
                return cls(path)
            log.warning(
                "the index in %s was built by an older conflictmap (name keys or embedded data); run "
                "`conflictmap gazetteer build --force` and re-add your sources for best results", data_dir,
            )
        index._upgrade_schema(reconnect=True)
        return index

    def _upgrade_schema(self, reconnect: bool = False) -> None:
        """Migrate an index written by an older version to the current tables
        (:func:`gazetteer.store.upgrade_file`, one transaction)."""
        if store.upgrade_file(self.path):
            log.warning("upgraded the gazetteer index %s to schema version %d", self.path, store.SCHEMA_VERSION)
            if reconnect:
                self.conn.close()
                self.conn = store.connect(self.path)

    def is_current(self) -> bool:
        """True when the index was built with this version's name-key functions and embedded data
        (:data:`gazetteer.normalize.NORMALIZE_VERSION`, :data:`gazetteer.build.DATA_VERSION`)."""
        from gazetteer.build import DATA_VERSION
        from gazetteer.normalize import NORMALIZE_VERSION

        meta = self.meta()
        return meta.get("normalize_version") == NORMALIZE_VERSION and meta.get("data_version") == DATA_VERSION

    def close(self) -> None:
        """Close the SQLite connection."""
        self.conn.close()

    def __enter__(self) -> GazetteerIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sources(self) -> list[dict[str, Any]]:
        """The loaded sources' descriptions (name, attribution, licence...), by name."""
        return [json.loads(v) for (v,) in self.conn.execute("SELECT info FROM sources ORDER BY name")]

    def meta(self) -> dict[str, str]:
        """The index's ``meta`` table as a dict (schema, normaliser and data versions, build time,
        country filter...)."""
        return dict(self.conn.execute("SELECT k, v FROM meta"))

    def attribution(self) -> list[str]:
        """Attribution lines renderers must show for the loaded sources."""
        seen: list[str] = []
        for s in self.sources():
            if s.get("attribution") and s["attribution"] not in seen:
                seen.append(s["attribution"])
        return seen

    def stats(self) -> dict[str, Any]:
        """Counts of places (in all and per kind) and of indexed names."""
        kinds = dict(self.conn.execute("SELECT kind, COUNT(*) FROM places GROUP BY kind"))
        names = self.conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
        return {"places": sum(kinds.values()), "by_kind": kinds, "names": names}
