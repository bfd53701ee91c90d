"""The Dask worker plugin: each worker opens the gazetteer index once and keeps its geoparsers.

Registered by :func:`mapper.scale.geoparse_corpus` / :func:`~mapper.scale.extract_corpus`
on the client; ``distributed`` runs :meth:`GazetteerPlugin.setup` on every worker,
including workers that join later. A worker whose index is missing or differs from the
client's (:class:`~mapper.errors.WorkerIndexMismatch`) fails the registration with a
message naming the worker, so no partition is processed with another gazetteer.
"""

from __future__ import annotations

from distributed import WorkerPlugin, get_worker

from mapper.errors import WorkerIndexMismatch
from mapper.scale._state import IndexIdentity, IndexState

#: Name under which the plugin is registered on the workers.
PLUGIN_NAME = "conflictmap-gazetteer"


class GazetteerPlugin(WorkerPlugin):
    """Open the gazetteer index in ``data_dir`` read-only on each worker, checked against ``expected``.

    ``data_dir`` is the folder as the workers see it: a shared path, or where the
    client's index folder was copied on every worker.
    """

    name = PLUGIN_NAME

    def __init__(self, data_dir, expected: IndexIdentity):
        self.data_dir = str(data_dir)
        self.expected = expected
        self.state: IndexState | None = None

    def setup(self, worker) -> None:
        self.state = IndexState(self.data_dir, self.expected, where=f"worker {worker.address}")
        self.state.open()

    def teardown(self, worker) -> None:
        if self.state is not None:
            self.state.close()


def worker_state() -> IndexState:
    """The :class:`IndexState` of the worker running the current task.

    Raises
    ------
    WorkerIndexMismatch
        When the plugin is not set up on this worker (its registration failed here).
    """
    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    state = getattr(plugin, "state", None)
    if state is None:
        raise WorkerIndexMismatch(f"worker {worker.address} has no gazetteer index: the conflictmap worker "
                                  "plugin is not set up there (see the worker's log)", worker=worker.address)
    return state


def plugin_opens(dask_worker) -> int:
    """How many times the plugin of ``dask_worker`` opened the index (for ``client.run``)."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    state = getattr(plugin, "state", None)
    return 0 if state is None else state.opens
