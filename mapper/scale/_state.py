"""What a process keeps between partitions: the gazetteer, opened read-only once, and its geoparsers.

:class:`IndexState` is used as it is in-process, and by the Dask worker plugin
(:mod:`mapper.scale._plugin`) on each worker, which checks that the worker's index
is the client's (:func:`index_identity`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from mapper.errors import WorkerIndexMismatch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexIdentity:
    """Which gazetteer index a job reads: its file on the client and the hash of its content
    (:func:`mapper.geoparse.index.gazetteer_identity`: build, sources, counts, ranking rules)."""

    path: str
    identity: str
    built: str = ""

    def to_dict(self) -> dict:
        return {"path": self.path, "identity": self.identity, "built": self.built}


def index_identity(gz) -> IndexIdentity:
    """The :class:`IndexIdentity` of an opened gazetteer."""
    from mapper.geoparse.index import gazetteer_identity

    meta = gz.meta()
    return IndexIdentity(str(Path(gz.path).resolve()), gazetteer_identity(gz),
                         str(meta.get("built_at") or meta.get("built") or ""))


class IndexState:
    """A gazetteer opened read-only from ``data_dir`` once, checked against ``expected``,
    with one :class:`~mapper.geoparse.Geoparser` per option set and thread.

    ``opens`` counts how many times this state opened the index (the tests check it is 1
    per worker however many partitions the worker runs).

    Raises
    ------
    WorkerIndexMismatch
        (from :meth:`open`) when there is no index in ``data_dir`` or it is another one.
    """

    def __init__(self, data_dir, expected: IndexIdentity | None = None, *, where: str = "in-process"):
        self.data_dir = str(data_dir) if data_dir is not None else None
        self.expected = expected
        self.where = where
        self.opens = 0
        self.gz = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def open(self) -> None:
        """Open the index (once) and its scanning index; check its identity."""
        from gazetteer import Gazetteer, GazetteerError
        from mapper.geoparse.index import index_for

        with self._lock:
            if self.gz is not None:
                return
            try:
                gz = Gazetteer.open(self.data_dir, build=False)
            except GazetteerError as err:
                raise WorkerIndexMismatch(
                    f"{self.where}: cannot open the gazetteer index in {self.data_dir} ({err}); copy the "
                    "client's index folder (gazetteer.sqlite and gazetteer.geoparse-cache.sqlite) there, or "
                    "give the workers a shared folder (worker_data_dir / --worker-data-dir)",
                    worker=self.where) from err
            if self.expected is not None:
                mine = index_identity(gz)
                if mine.identity != self.expected.identity:
                    gz.close()
                    raise WorkerIndexMismatch(
                        f"{self.where}: the gazetteer index {mine.path} (identity {mine.identity[:12]}, built "
                        f"{mine.built or '?'}) is not the client's {self.expected.path} (identity "
                        f"{self.expected.identity[:12]}, built {self.expected.built or '?'}); copy the client's "
                        "index folder to the workers again (same build and added sources)", worker=self.where)
            index_for(gz)  # the scanning index, read from its cache beside the gazetteer (built if missing)
            self.opens += 1
            self.gz = gz
            log.info("%s: gazetteer index %s opened", self.where, gz.path)

    def geoparser(self, *, country: str | None = None, span_filter: bool = True):
        """The geoparser for these options, made once per thread (its caches are not shared)."""
        from mapper.geoparse import Geoparser

        self.open()
        cache = getattr(self._local, "geoparsers", None)
        if cache is None:
            cache = self._local.geoparsers = {}
        key = (country, span_filter)
        gp = cache.get(key)
        if gp is None:
            gp = cache[key] = Geoparser(self.gz, country=country,
                                        **({} if span_filter else {"filter_model": None}))
        return gp

    def close(self) -> None:
        with self._lock:
            if self.gz is not None:
                self.gz.close()
                self.gz = None
