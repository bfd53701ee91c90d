"""Geoparse or extract a corpus partition by partition, in-process or on a Dask cluster.

Every partition (:mod:`mapper.scale._inputs`) is one task that writes one file,
``part-<key>.jsonl`` or ``part-<key>.parquet``, under a temporary name renamed into
place when whole. ``manifest.json`` in the output folder records the job (inputs,
options, format, gazetteer index identity) and each partition's input slice (with its
file's size and modification time), status, counts and failed documents; it is
rewritten (atomically) every few seconds while partitions finish and at the end, so
after a crash a rerun of the same job skips the recorded partitions and runs the
others (and those of an input file that changed since).

A document that fails (bad JSON line, bad spans, an error in the geoparser) is
recorded with its id and error, and the rest of its partition is kept; a partition
that fails as a whole (unreadable file, worker killed) is recorded with the error
and runs again on the next run.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import time
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from mapper._optional import require
from mapper.atomic import open_atomic, write_atomic
from mapper.errors import CorpusInputError, ManifestMismatch, ScaleDependencyMissing
from mapper.scale._inputs import (
    DEFAULT_PARTITION_SIZE,
    DocumentProblem,
    Partition,
    expand_inputs,
    plan_partitions,
    read_partition,
)
from mapper.scale._state import IndexState, index_identity
from mapper.scale._tasks import ExtractTask, GeoparseTask
from mapper.scale.scheduler import dask_client, parse_scheduler

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
OUTPUT_FORMATS = ("jsonl", "parquet")
#: The manifest is rewritten at most this often while partitions finish (and always at the end).
MANIFEST_SAVE_SECONDS = 2.0
#: Failed documents kept per partition in the manifest (the count is always exact).
MAX_PROBLEMS_PER_PARTITION = 1000


# ---------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PartitionResult:
    """The outcome of one partition: ``status`` is ``done`` or ``failed``.

    ``documents`` counts documents processed, ``items`` their toponyms or claims,
    ``failed_documents`` the documents that could not be read or processed (with ids),
    ``error`` why a failed partition failed, ``skipped`` whether it was finished by an
    earlier run.
    """

    key: str
    status: str
    file: str = ""
    documents: int = 0
    items: int = 0
    failed_documents: tuple = ()
    n_failed_documents: int = 0
    error: str = ""
    worker: str = ""
    seconds: float = 0.0
    skipped: bool = False

    def to_dict(self) -> dict:
        """This partition as the JSON object the manifest stores."""
        return {"key": self.key, "status": self.status, "file": self.file, "documents": self.documents,
                "items": self.items, "n_failed_documents": self.n_failed_documents,
                "failed_documents": [p.to_dict() for p in self.failed_documents], "error": self.error,
                "worker": self.worker, "seconds": round(self.seconds, 3)}

    @classmethod
    def from_dict(cls, d: dict) -> PartitionResult:
        """The partition a manifest entry (from :meth:`to_dict`) describes."""
        return cls(key=d["key"], status=d.get("status", ""), file=d.get("file", ""),
                   documents=int(d.get("documents", 0)), items=int(d.get("items", 0)),
                   failed_documents=tuple(DocumentProblem(p["id"], p["error"])
                                          for p in d.get("failed_documents", ())),
                   n_failed_documents=int(d.get("n_failed_documents", 0)), error=d.get("error", ""),
                   worker=d.get("worker", ""), seconds=float(d.get("seconds", 0.0)))


@dataclass(frozen=True)
class CorpusResult:
    """What a corpus run left in ``out_dir``: one :class:`PartitionResult` per partition, in order.

    ``ok`` is True when every partition is done (documents may still have failed: see
    ``failed_documents``). ``seconds`` is this run's wall time.
    """

    command: str
    out_dir: Path
    manifest: Path
    partitions: tuple
    seconds: float = 0.0
    scheduler: str = "in-process"

    @property
    def ok(self) -> bool:
        """True when every partition is done."""
        return all(p.status == "done" for p in self.partitions)

    @property
    def documents(self) -> int:
        """Documents read, over all partitions."""
        return sum(p.documents for p in self.partitions)

    @property
    def items(self) -> int:
        """Output rows written (mentions or draft claims), over all partitions."""
        return sum(p.items for p in self.partitions)

    @property
    def failed_partitions(self) -> tuple:
        """The partitions not done (failed or lost with their worker); a rerun does them."""
        return tuple(p for p in self.partitions if p.status != "done")

    @property
    def failed_documents(self) -> tuple:
        """Every recorded :class:`DocumentProblem` (document id and error), in partition order."""
        return tuple(d for p in self.partitions for d in p.failed_documents)

    @property
    def n_failed_documents(self) -> int:
        """How many documents failed, including those beyond the recorded examples."""
        return sum(p.n_failed_documents for p in self.partitions)

    @property
    def skipped(self) -> int:
        """Partitions this run skipped because an earlier run had finished them."""
        return sum(1 for p in self.partitions if p.skipped)

    @property
    def files(self) -> tuple:
        """Paths of the finished partitions' output files, in order."""
        return tuple(self.out_dir / p.file for p in self.partitions if p.status == "done")


# ------------------------------------------------------------------------------- one partition
def _write_partition(rows, path: Path, fmt: str, task) -> None:
    """Write the rows of a partition to ``path`` through a temporary file and a rename."""
    if fmt == "jsonl":
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        write_atomic(path, data)
        return
    pa = require("pyarrow", "scale", purpose="Parquet output", error=ScaleDependencyMissing)
    pq = require("pyarrow.parquet", "scale", purpose="Parquet output", error=ScaleDependencyMissing)

    table = pa.Table.from_pylist([task.parquet_row(r) for r in rows], schema=task.parquet_schema())
    with open_atomic(path) as fh:
        pq.write_table(table, fh)


def _process(part: Partition, docs, task, state, out_dir: str, fmt: str, worker: str) -> PartitionResult:
    """Run ``task`` over ``docs`` (``(doc, problem)`` pairs) and write the partition's file."""
    t0 = time.perf_counter()
    rows, problems, n_docs, n_problems = [], [], 0, 0

    def problem(p: DocumentProblem) -> None:
        nonlocal n_problems
        n_problems += 1
        if len(problems) < MAX_PROBLEMS_PER_PARTITION:
            problems.append(p)

    for doc, bad in docs:
        if bad is not None:
            problem(bad)
            continue
        try:
            rows.extend(task.process(doc, state))
        except Exception as err:  # noqa: BLE001 - one document's failure is recorded with its id, its partition kept
            log.debug("document %s failed", doc.get("id"), exc_info=True)
            problem(DocumentProblem(str(doc.get("id")), f"{type(err).__name__}: {err}"))
            continue
        n_docs += 1
    name = f"part-{part.key}.{fmt}"
    _write_partition(rows, Path(out_dir) / name, fmt, task)
    return PartitionResult(part.key, "done", file=name, documents=n_docs, items=task.count(rows),
                           failed_documents=tuple(problems), n_failed_documents=n_problems, worker=worker,
                           seconds=time.perf_counter() - t0)


def _collection_docs(records) -> list:
    """``(doc, problem)`` pairs of a partition of a Dask bag (dicts) or dataframe (pandas)."""
    if hasattr(records, "to_dict") and hasattr(records, "columns"):
        records = records.to_dict("records")
    out = []
    for i, r in enumerate(records):
        if not isinstance(r, dict) or not isinstance(r.get("text", ""), str):
            rid = str(r.get("id")) if isinstance(r, dict) and r.get("id") is not None else f"#{i}"
            out.append((None, DocumentProblem(rid, "expected a mapping with a string 'text'")))
        else:
            doc = dict(r)
            doc.setdefault("id", f"#{i}")
            out.append((doc, None))
    return out


def _where(state) -> str:
    """Who runs a partition: the state's worker, else this process's Dask worker, else in-process."""
    if state is not None:
        return state.where
    try:
        from distributed import get_worker

        return f"worker {get_worker().address}"
    except (ImportError, ValueError):  # not on a worker
        return "in-process"


def _run_file_partition(part, task, out_dir, fmt, state=None) -> PartitionResult:
    """The task of one file partition (on a Dask worker when ``state`` is None)."""
    if state is None and task.needs_index:
        from mapper.scale._plugin import worker_state

        state = worker_state()
    return _process(part, read_partition(part), task, state, out_dir, fmt, _where(state))


def _run_collection_partition(records, part, task, out_dir, fmt, state=None) -> PartitionResult:
    """The task of one partition of a Dask collection (its records computed by Dask)."""
    if state is None and task.needs_index:
        from mapper.scale._plugin import worker_state

        state = worker_state()
    return _process(part, _collection_docs(records), task, state, out_dir, fmt, _where(state))


# ------------------------------------------------------------------------------------ manifest
class _Manifest:
    """``manifest.json``: the job and each partition's result, rewritten atomically on each change."""

    def __init__(self, path: Path, job: dict, parts: list):
        self.path = path
        self.job = job
        self.parts = parts
        self.results: dict = {}
        self._saved_at = 0.0
        self._save_cost = 0.0

    def load_previous(self, overwrite: bool) -> None:
        if not self.path.exists():
            leftovers = [p.name for p in self.path.parent.glob("part-*")]
            if leftovers and not overwrite:
                raise ManifestMismatch(f"{self.path.parent} holds partition files but no {MANIFEST_NAME}; "
                                       "pass overwrite (--overwrite) or another output folder", path=self.path)
            return
        try:
            old = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ManifestMismatch(f"{self.path} is not a readable manifest ({err}); pass overwrite "
                                   "(--overwrite) to start again", path=self.path) from err
        if old.get("job") != self.job:
            if not overwrite:
                diff = sorted(k for k in set(self.job) | set(old.get("job") or {})
                              if (old.get("job") or {}).get(k) != self.job.get(k))
                raise ManifestMismatch(
                    f"{self.path.parent} holds the output of another job (different {', '.join(diff)}); pass "
                    "overwrite (--overwrite) to replace it, or another output folder", path=self.path)
            return
        planned = {p.key: p.to_dict() for p in self.parts}
        for d in old.get("partitions", ()):
            res = PartitionResult.from_dict(d)
            same_input = planned.get(res.key) == {k: d.get(k) for k in planned.get(res.key, {})}
            if same_input and res.status == "done" and res.file and (self.path.parent / res.file).exists():
                self.results[res.key] = res

    def record(self, res: PartitionResult) -> None:
        """Add a result; the file is rewritten at most every :data:`MANIFEST_SAVE_SECONDS` (or 10 times
        as long as a rewrite takes), so that a job of many thousand partitions does not spend its time
        rewriting the manifest. A crash loses at most that many seconds of records: those partitions
        run again (their files are replaced whole)."""
        self.results[res.key] = res
        if time.monotonic() - self._saved_at >= max(MANIFEST_SAVE_SECONDS, 10 * self._save_cost):
            self.save()

    def save(self) -> None:
        t0 = time.monotonic()
        parts = []
        for p in self.parts:
            res = self.results.get(p.key)
            d = p.to_dict()
            d.update(res.to_dict() if res else {"status": "pending"})
            parts.append(d)
        done = [r for r in self.results.values() if r.status == "done"]
        doc = {
            "manifest_version": MANIFEST_VERSION,
            "job": self.job,
            "counts": {"partitions": len(self.parts), "done": len(done),
                       "failed": sum(1 for r in self.results.values() if r.status == "failed"),
                       "pending": len(self.parts) - len(self.results),
                       "documents": sum(r.documents for r in done), "items": sum(r.items for r in done),
                       "failed_documents": sum(r.n_failed_documents for r in done)},
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "partitions": parts,
        }
        write_atomic(self.path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        self._saved_at = time.monotonic()
        self._save_cost = self._saved_at - t0


# ------------------------------------------------------------------------------------ schedulers
def _require_distributed():
    return require("distributed", "scale", purpose="running on a Dask cluster", error=ScaleDependencyMissing)


@contextmanager
def _client(scheduler):
    """A ``distributed.Client`` for ``scheduler``: a Client as given, else the ``--scheduler``
    value (``local[:N]`` or an address) through :func:`mapper.scale.scheduler.dask_client`."""
    distributed = _require_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    with dask_client(parse_scheduler(str(scheduler))) as client:
        yield client


def _scheduler_name(scheduler) -> str:
    if scheduler is None:
        return "in-process"
    return str(scheduler) if isinstance(scheduler, str) else f"client of {getattr(scheduler.scheduler, 'address', '?')}"


# ------------------------------------------------------------------------------------- the runner
def _is_dask_collection(inputs) -> bool:
    return hasattr(inputs, "__dask_graph__") and hasattr(inputs, "to_delayed")


def _run(task, inputs, out_dir, *, scheduler, fmt, partition_size, data_dir, worker_data_dir, overwrite,
         progress, on_partition) -> CorpusResult:
    t0 = time.perf_counter()
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"output format {fmt!r}: expected one of {', '.join(OUTPUT_FORMATS)}")
    if fmt == "parquet":
        require("pyarrow", "scale", purpose="Parquet output", error=ScaleDependencyMissing)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CorpusInputError(f"{out} is a file; the output of a corpus is a folder", path=out)
    collection = _is_dask_collection(inputs)
    if collection:
        delayed_parts = inputs.to_delayed()
        if hasattr(delayed_parts, "flatten"):  # dask dataframe -> array of delayed
            delayed_parts = list(delayed_parts.flatten())
        parts = [Partition(key=f"c-{i:05d}", fmt="collection", index=i) for i in range(len(delayed_parts))]
        input_doc = [{"collection": type(inputs).__name__, "name": str(getattr(inputs, "name", "") or
                                                                          getattr(inputs, "_name", "")),
                      "npartitions": len(parts)}]
    else:
        files = expand_inputs(inputs)
        parts = plan_partitions(files, partition_size)
        input_doc = [f.to_dict() for f in files]

    state = identity = None
    if task.needs_index:
        state = IndexState(data_dir)
        state.open()
        identity = index_identity(state.gz)
    job = {"command": task.command, "options": task.options(), "format": fmt, "partition_size": partition_size,
           "inputs": input_doc, "index": identity.identity if identity else None}
    out.mkdir(parents=True, exist_ok=True)
    if overwrite:
        for p in out.glob("part-*"):
            p.unlink()
    for p in out.glob(".part-*.tmp"):  # left by a run that was killed while writing
        p.unlink()
    manifest = _Manifest(out / MANIFEST_NAME, job, parts)
    manifest.load_previous(overwrite)
    todo = [p for p in parts if p.key not in manifest.results]
    skipped = {k: r for k, r in manifest.results.items()}
    manifest.save()
    if skipped:
        log.info("%d of %d partitions were finished by an earlier run; running %d", len(skipped), len(parts),
                 len(todo))
    from tqdm import tqdm

    bar = tqdm(total=len(parts), initial=len(parts) - len(todo), unit="partition", file=sys.stderr,
               disable=not progress, desc=f"{task.command} ({_scheduler_name(scheduler)})", mininterval=0.5)

    def finished(res: PartitionResult) -> None:
        manifest.record(res)
        bar.update(1)
        bar.set_postfix(documents=sum(r.documents for r in manifest.results.values()), refresh=False)
        if on_partition is not None:
            on_partition(res)

    try:
        if scheduler is None:
            for p in todo:
                try:
                    if collection:
                        dask = require("dask", "scale", purpose="a Dask collection", error=ScaleDependencyMissing)
                        (records,) = dask.compute(delayed_parts[p.index], scheduler="sync")
                        res = _run_collection_partition(records, p, task, str(out), fmt, state)
                    else:
                        res = _run_file_partition(p, task, str(out), fmt, state)
                except (OSError, EOFError, zlib.error, ValueError, ScaleDependencyMissing) as err:
                    # an unreadable or truncated input, an output that cannot be written
                    res = PartitionResult(p.key, "failed", error=f"{type(err).__name__}: {err}",
                                          worker="in-process")
                finished(res)
        else:
            _run_distributed(task, todo, out, fmt, scheduler, state, identity, worker_data_dir or data_dir,
                             delayed_parts if collection else None, finished)
    finally:
        manifest.save()
        bar.close()
        if state is not None:
            state.close()
    results = tuple(
        (replace(manifest.results[p.key], skipped=True) if p.key in skipped else manifest.results[p.key])
        if p.key in manifest.results else PartitionResult(p.key, "failed", error="not run")
        for p in parts)
    return CorpusResult(task.command, out, manifest.path, results, time.perf_counter() - t0,
                        _scheduler_name(scheduler))


def _run_distributed(task, todo, out: Path, fmt, scheduler, state, identity, worker_data_dir, delayed_parts,
                     finished) -> None:
    distributed = _require_distributed()
    with _client(scheduler) as client:
        if task.needs_index:
            from mapper.scale._plugin import GazetteerPlugin

            if worker_data_dir is None:
                worker_data_dir = Path(state.gz.path).parent
            # every worker (and any that joins later) opens and checks the index once
            client.register_plugin(GazetteerPlugin(os.fspath(worker_data_dir), identity))
        token = secrets.token_hex(4)
        futures = {}
        for p in todo:
            key = f"conflictmap-{task.command}-{p.key}-{token}"
            if delayed_parts is None:
                fut = client.submit(_run_file_partition, p, task, str(out.resolve()), fmt, key=key, pure=False)
            else:
                dask = require("dask", "scale", purpose="a Dask collection", error=ScaleDependencyMissing)
                # the partition's records are computed on the cluster by the caller's graph, then processed
                fut = client.compute(dask.delayed(_run_collection_partition)(
                    delayed_parts[p.index], p, task, str(out.resolve()), fmt, dask_key_name=key))
            futures[fut] = p
        for fut in distributed.as_completed(futures):
            p = futures[fut]
            try:
                res = fut.result()
            except distributed.client.FutureCancelledError as err:
                res = PartitionResult(p.key, "failed", error=f"cancelled: {err}")
            except Exception as err:  # noqa: BLE001 - a task's error (or a killed worker) is this partition's, recorded
                res = PartitionResult(p.key, "failed", error=_task_error(err))
            finished(res)


def _task_error(err: BaseException) -> str:
    name = type(err).__name__
    if name == "KilledWorker":
        return (f"KilledWorker: the worker(s) running this partition died ({err}); it runs again on the "
                "next run of the same job")
    return f"{name}: {err}"


# ----------------------------------------------------------------------------------- public API
def geoparse_corpus(inputs, out_dir, *, scheduler=None, fmt: str = "jsonl", country: str | None = None,
                    span_filter: bool = True, resolve_only: bool = False, with_text: bool = False,
                    partition_size: int = DEFAULT_PARTITION_SIZE, data_dir=None, worker_data_dir=None,
                    overwrite: bool = False, progress: bool = False,
                    on_partition: Callable | None = None) -> CorpusResult:
    """Geoparse a corpus into one file per partition plus ``manifest.json`` in ``out_dir``.

    Parameters
    ----------
    inputs : path, glob pattern, list of them, dask.bag.Bag or dask.dataframe.DataFrame
        JSON Lines files (``.jsonl``, ``.jsonl.gz``...) or Parquet files of documents with
        ``id`` and ``text``; or a Dask bag of such dicts / a dataframe with those columns.
    out_dir : path
        Folder of the output: ``part-<key>.jsonl`` (``{"id", "toponyms"}`` per line, as
        ``conflictmap geoparse``) or ``part-<key>.parquet``, and ``manifest.json``.
    scheduler : None, "local", "local:N", "tcp://HOST:PORT" or distributed.Client
        None runs the partitions one after the other in this process (no Dask needed for
        files); otherwise on Dask workers, each opening the gazetteer index once.
    fmt : "jsonl" or "parquet"
    country, span_filter, resolve_only, with_text
        As ``conflictmap geoparse --country / --no-filter / --resolve-only / --with-text``.
    partition_size : int
        Lines per partition of a plain JSON Lines file.
    data_dir, worker_data_dir
        The index folder on this machine (default: the usual one) and as the workers see
        it (default: the same path, i.e. a shared folder).
    overwrite : bool
        Discard the output of another job in ``out_dir`` instead of refusing.
    progress : bool
        A progress bar (partitions) on stderr.
    on_partition : callable, optional
        Called with each :class:`PartitionResult` as it finishes.

    Returns
    -------
    CorpusResult
        A rerun of the same job skips the partitions already done (``skipped``).

    Raises
    ------
    CorpusInputError, ManifestMismatch, WorkerIndexMismatch, ScaleDependencyMissing

    Examples
    --------
    >>> r = geoparse_corpus("news/*.jsonl.gz", "out/toponyms", scheduler="local:2")  # doctest: +SKIP
    >>> r.ok, r.documents, [d.id for d in r.failed_documents][:3]                 # doctest: +SKIP
    (True, 20000, ['feed-03.jsonl.gz:17'])
    >>> geoparse_corpus("missing/*.jsonl", "out")                                  # doctest: +SKIP
    Traceback (most recent call last):
    CorpusInputError: missing/*.jsonl: no file matches this pattern
    """
    task = GeoparseTask(country=country, span_filter=span_filter, resolve_only=resolve_only, with_text=with_text)
    return _run(task, inputs, out_dir, scheduler=scheduler, fmt=fmt, partition_size=partition_size,
                data_dir=data_dir, worker_data_dir=worker_data_dir, overwrite=overwrite, progress=progress,
                on_partition=on_partition)


def extract_corpus(inputs, out_dir, *, scheduler=None, fmt: str = "jsonl", published=None, source: str = "",
                   url: str = "", tz: str | None = None, use_gazetteer: bool = True, actors=None,
                   actors_name: str = "", max_chars: int = 2_000_000,
                   partition_size: int = DEFAULT_PARTITION_SIZE, data_dir=None, worker_data_dir=None,
                   overwrite: bool = False, progress: bool = False,
                   on_partition: Callable | None = None) -> CorpusResult:
    """Extract draft claims from a corpus into one file per partition plus ``manifest.json``.

    Inputs, ``out_dir``, ``scheduler`` and the run options are as :func:`geoparse_corpus`.
    Each document's ``published``, ``source``, ``url`` and ``tz`` fields are used when
    present, else ``published``, ``source``, ``url``, ``tz`` given here (a document with no
    date at all fails, with its id, and the others go on). Each output row is a claim
    record as ``conflictmap extract --format json`` writes it, with ``doc_id`` first.

    Examples
    --------
    >>> r = extract_corpus("wire/*.parquet", "out/claims", published="2024-01-01")  # doctest: +SKIP
    >>> r.items, r.n_failed_documents                                               # doctest: +SKIP
    (1834, 0)
    """
    task = ExtractTask(published=None if published is None else str(published), source=source, url=url, tz=tz,
                       use_gazetteer=use_gazetteer, actors=actors, actors_name=actors_name, max_chars=max_chars)
    return _run(task, inputs, out_dir, scheduler=scheduler, fmt=fmt, partition_size=partition_size,
                data_dir=data_dir, worker_data_dir=worker_data_dir, overwrite=overwrite, progress=progress,
                on_partition=on_partition)


__all__ = ["CorpusResult", "PartitionResult", "extract_corpus", "geoparse_corpus",
           "MANIFEST_NAME"]
