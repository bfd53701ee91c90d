"""mapper.scale corpus jobs: in-process and on a 2-worker LocalCluster (the ``dask_client`` fixture).

The corpus mixes the development corpora (../shared/data/geoparse: Canadian and
global news, virus outbreaks) with a few hand-written reports from Afghanistan and
its neighbours, in plain JSON Lines, gzip JSON Lines and Parquet; the reference
output is computed here by reading the files independently and geoparsing each
document with :func:`mapper.geoparse.geoparse_documents`.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import sqlite3
import threading

import pytest

from mapper.errors import (
    CorpusInputError,
    ManifestMismatch,
    ScaleDependencyMissing,
    ScaleError,
    WorkerIndexMismatch,
)
from mapper.scale import MANIFEST_NAME, extract_corpus, geoparse_corpus, parse_scheduler
from mapper.scale._inputs import _jsonl_cuts, expand_inputs, plan_partitions

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'conflictmap[scale]')")
pq = pytest.importorskip("pyarrow.parquet")

HANDWRITTEN = [
    "Border guards in Khorog reported shelling from across the Panj river on Thursday, Tajik officials said.",
    "Residents fled Spin Boldak as fighting spread towards the Chaman crossing into Pakistan.",
    "A convoy left Mazar-i-Sharif for Termez in Uzbekistan before dawn, a driver told reporters.",
    "Militants briefly held a checkpoint outside Quetta, police in Balochistan said.",
    "Iranian border police said trade through Islam Qala resumed after the clashes near Herat.",
]
PARTITION = 15


def _shared_docs(shared_data, name, n, start=0):
    with open(shared_data / "geoparse" / name, encoding="utf-8") as fh:
        lines = fh.readlines()[start:start + n]
    return [{k: v for k, v in json.loads(x).items() if k in ("id", "text")} for x in lines]


@pytest.fixture(scope="module")
def corpus(shared_data, tmp_path_factory):
    """``(inputs, reference docs in output order)``: a.jsonl (with 2 bad lines), b.jsonl.gz, c.parquet."""
    folder = tmp_path_factory.mktemp("corpus")
    docs_a = _shared_docs(shared_data, "trnews.jsonl", 30) + [{"id": f"hand-{i}", "text": t}
                                                               for i, t in enumerate(HANDWRITTEN)]
    random.Random(16).shuffle(docs_a)
    lines = [json.dumps(d) for d in docs_a]
    lines.insert(7, "{not json")
    lines.insert(20, json.dumps({"id": "numeric-text", "text": 12}))
    lines.insert(25, "")
    (folder / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")  # no newline after the last line
    docs_b = _shared_docs(shared_data, "geovirus.jsonl", 12)
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(d) + "\n" for d in docs_b)
    docs_c = _shared_docs(shared_data, "geowebnews.jsonl", 10)
    ids = [None if i == 3 else d["id"] for i, d in enumerate(docs_c)]
    pq.write_table(pa.table({"id": ids, "text": [d["text"] for d in docs_c]}), folder / "c.parquet",
                   row_group_size=6)
    ref_c = [dict(d, id=d["id"] if i != 3 else "c.parquet:4") for i, d in enumerate(docs_c)]
    inputs = [str(folder / "a.jsonl"), str(folder / "b.jsonl.gz"), str(folder / "c.parquet")]
    return inputs, docs_a + docs_b + ref_c


@pytest.fixture(scope="module")
def reference(corpus, small_gazetteer):
    from mapper.geoparse import Geoparser, geoparse_documents

    return list(geoparse_documents(corpus[1], Geoparser(small_gazetteer)))


def _rows(result):
    rows = []
    for path in result.files:
        if path.suffix == ".parquet":
            for r in pq.read_table(path).to_pylist():
                rows.append({"id": r["id"], "toponyms": r["toponyms"]})
        else:
            rows.extend(json.loads(x) for x in path.read_text(encoding="utf-8").splitlines())
    return rows


def _run(corpus, out, **kw):
    kw.setdefault("partition_size", PARTITION)
    return geoparse_corpus(corpus[0], out, data_dir=kw.pop("data_dir"), **kw)


# ------------------------------------------------------------------------------------ planning
@pytest.mark.parametrize("size", [1, 2, 3, 7, 100])
@pytest.mark.parametrize("ending", ["\n", "", "\n\n"])
def test_jsonl_cuts_cover_every_line_once(tmp_path, size, ending):
    lines = [f'{{"id": {i}, "text": "{"x" * (i % 5)}"}}' for i in range(23)]
    path = tmp_path / "c.jsonl"
    path.write_bytes(("\n".join(lines) + ending).encode())
    cuts = _jsonl_cuts(str(path), size)
    raw = path.read_bytes()
    seen = []
    for first, n, offset in cuts:
        assert raw[:offset].count(b"\n") == first - 1
        chunk = raw[offset:].split(b"\n")
        seen.extend(chunk[:n] if n else chunk)
    assert [s for s in seen if s] == [x.encode() for x in lines]
    assert all(n == size for _f, n, _o in cuts[:-1])


def test_inputs_globs_and_errors(tmp_path):
    (tmp_path / "x1.jsonl").write_text('{"text": "a"}\n')
    (tmp_path / "x2.jsonl.gz").write_bytes(gzip.compress(b'{"text": "b"}\n'))
    files = expand_inputs([str(tmp_path / "x*"), str(tmp_path / "x1.jsonl")])
    assert [(os.path.basename(f.path), f.fmt) for f in files] == [("x1.jsonl", "jsonl"), ("x2.jsonl.gz", "jsonl.gz")]
    assert [p.key for p in plan_partitions(files, 10)] == ["0000-00000", "0001-00000"]
    with pytest.raises(CorpusInputError, match="no file matches"):
        expand_inputs([str(tmp_path / "none-*.jsonl")])
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "t.parquet")
    with pytest.raises(CorpusInputError, match="no 'text' column .*columns: body"):
        plan_partitions(expand_inputs([str(tmp_path / "t.parquet")]))


@pytest.mark.parametrize("value, expected", [("local", ("local", None)), ("local:3", ("local", 3)),
                                             ("tcp://10.0.0.5:8786", ("address", "tcp://10.0.0.5:8786"))])
def test_parse_scheduler(value, expected):
    spec = parse_scheduler(value)
    assert (spec.kind, spec.address or spec.workers) == expected


@pytest.mark.parametrize("value", ["local:0", "locale", "10.0.0.5:8786", "local:x"])
def test_parse_scheduler_rejects(value):
    with pytest.raises(ScaleError, match="expected local, local:N"):
        parse_scheduler(value)


# ---------------------------------------------------------------------------------- in-process
def test_in_process_matches_the_document_stream_and_records_bad_lines(corpus, reference, small_gazetteer_dir,
                                                                     tmp_path):
    r = _run(corpus, tmp_path / "out", data_dir=small_gazetteer_dir)
    assert r.ok and r.scheduler == "in-process"
    assert _rows(r) == reference
    assert r.items == sum(len(x["toponyms"]) for x in reference) > 0
    bad = {d.id: d.error for d in r.failed_documents}
    assert set(bad) == {"a.jsonl:8", "a.jsonl:21"}
    assert "line 8: not JSON" in bad["a.jsonl:8"] and "string 'text'" in bad["a.jsonl:21"]
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    assert manifest["counts"]["documents"] == len(reference) and manifest["counts"]["failed_documents"] == 2
    assert [p["status"] for p in manifest["partitions"]] == ["done"] * len(r.partitions)
    assert len(r.partitions) == 3 + 1 + 2  # 37 lines / 15, one gzip file, two row groups

    again = _run(corpus, tmp_path / "out", data_dir=small_gazetteer_dir)
    assert again.skipped == len(r.partitions) and _rows(again) == reference
    with pytest.raises(ManifestMismatch, match="another job .*options"):
        _run(corpus, tmp_path / "out", data_dir=small_gazetteer_dir, country="PK")


def test_parquet_output_same_rows(corpus, reference, small_gazetteer_dir, tmp_path):
    r = _run(corpus, tmp_path / "pq", data_dir=small_gazetteer_dir, fmt="parquet")
    assert r.ok and all(f.suffix == ".parquet" for f in r.files)
    assert _rows(r) == [dict(x, id=str(x["id"])) for x in reference]


def test_missing_dask_is_one_clear_error(corpus, small_gazetteer_dir, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ScaleDependencyMissing, match=r"pip install 'conflictmap\[scale\]'"):
        _run(corpus, tmp_path / "x", data_dir=small_gazetteer_dir, scheduler="local:1")


# -------------------------------------------------------------------------------- on the cluster
def test_cluster_output_equals_in_process_and_index_opened_once_per_worker(
        corpus, reference, small_gazetteer_dir, tmp_path, dask_client):
    from mapper.scale._plugin import plugin_opens

    r = _run(corpus, tmp_path / "dist", data_dir=small_gazetteer_dir, scheduler=dask_client, partition_size=5)
    assert r.ok and _rows(r) == reference
    assert {d.id for d in r.failed_documents} == {"a.jsonl:8", "a.jsonl:21"}
    workers = {p.worker for p in r.partitions}
    assert len(r.partitions) > 8 and len(workers) == 2, workers  # both workers ran partitions
    assert set(dask_client.run(plugin_opens).values()) == {1}


def test_worker_with_another_index_is_refused(corpus, small_gazetteer_dir, tmp_path, dask_client):
    import shutil

    from gazetteer.resolver import INDEX_FILENAME

    other = tmp_path / "other-index"
    other.mkdir()
    shutil.copy(small_gazetteer_dir / INDEX_FILENAME, other / INDEX_FILENAME)
    with sqlite3.connect(other / INDEX_FILENAME) as conn:  # another build of the same data
        conn.execute("UPDATE meta SET v = '1999-01-01T00:00:00+00:00' WHERE k = 'built'")
    with pytest.raises(WorkerIndexMismatch, match="built 1999-01-01.*is not the client.s"):
        _run(corpus, tmp_path / "o", data_dir=small_gazetteer_dir, scheduler=dask_client,
             worker_data_dir=other)
    with pytest.raises(WorkerIndexMismatch, match="cannot open the gazetteer index"):
        _run(corpus, tmp_path / "o", data_dir=small_gazetteer_dir, scheduler=dask_client,
             worker_data_dir=tmp_path / "empty", overwrite=True)


def test_failing_partition_is_reported_and_resumed(corpus, reference, small_gazetteer_dir, tmp_path,
                                                   dask_client):
    inputs, _ = corpus
    broken = tmp_path / "b.jsonl.gz"
    good = open(inputs[1], "rb").read()
    broken.write_bytes(good[: len(good) // 2])  # a truncated download
    job = [inputs[0], str(broken), inputs[2]]
    r = geoparse_corpus(job, tmp_path / "out", scheduler=dask_client, data_dir=small_gazetteer_dir,
                        partition_size=PARTITION)
    assert not r.ok
    (failed,) = r.failed_partitions
    assert failed.key == "0001-00000" and ("EOF" in failed.error or "gzip" in failed.error.lower())
    assert not (tmp_path / "out" / "part-0001-00000.jsonl").exists()  # nothing half-written
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    assert {p["key"]: p["status"] for p in manifest["partitions"]}["0001-00000"] == "failed"

    in_process = geoparse_corpus(job, tmp_path / "out-in-process", data_dir=small_gazetteer_dir,
                                 partition_size=PARTITION)
    assert [p.key for p in in_process.failed_partitions] == ["0001-00000"]

    broken.write_bytes(good)  # fixed: only that file's partition runs again
    ran = []
    r2 = geoparse_corpus(job, tmp_path / "out", scheduler=dask_client, data_dir=small_gazetteer_dir,
                         partition_size=PARTITION, on_partition=lambda p: ran.append(p.key))
    assert r2.ok and ran == ["0001-00000"] and r2.skipped == len(r2.partitions) - 1
    assert _rows(r2) == reference


def test_killed_worker_is_reported_and_the_rerun_completes(corpus, reference, small_gazetteer_dir, tmp_path,
                                                           dask_client):
    cluster_scheduler = dask_client.cluster.scheduler
    old = cluster_scheduler.allowed_failures
    cluster_scheduler.allowed_failures = 0  # a task on a dead worker fails instead of being retried
    killed = []
    lock = threading.Lock()

    async def exit_now():  # client.run(wait=False) takes a coroutine; defined here so it is pickled by value
        os._exit(1)

    def kill_a_busy_worker(_result):
        with lock:
            if killed:
                return
            busy = [w for w, keys in dask_client.processing().items()
                    if any(str(k).startswith("conflictmap-geoparse") for k in keys)]
            if busy:
                killed.append(busy[0])
                dask_client.run(exit_now, workers=[busy[0]], wait=False)

    try:
        r = _run(corpus, tmp_path / "out", data_dir=small_gazetteer_dir, scheduler=dask_client, partition_size=3,
                 on_partition=kill_a_busy_worker)
    finally:
        cluster_scheduler.allowed_failures = old
    assert killed
    assert not r.ok and all("KilledWorker" in p.error for p in r.failed_partitions)
    dask_client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker
    r2 = _run(corpus, tmp_path / "out", data_dir=small_gazetteer_dir, scheduler=dask_client, partition_size=3)
    assert r2.ok and r2.skipped == len(r2.partitions) - len(r.failed_partitions)
    assert _rows(r2) == reference


def test_lost_partition_runs_again(corpus, reference, small_gazetteer_dir, tmp_path, dask_client):
    """A crash between writing a partition and recording it: the file is gone and the manifest says pending."""
    out = tmp_path / "out"
    r = _run(corpus, out, data_dir=small_gazetteer_dir, scheduler=dask_client)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    lost = manifest["partitions"][2]
    (out / lost["file"]).unlink()
    manifest["partitions"][2] = {k: lost[k] for k in ("key", "format", "input", "size", "mtime_ns",
                                                       "first_line", "n_lines")} | {"status": "pending"}
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    ran = []
    r2 = _run(corpus, out, data_dir=small_gazetteer_dir, scheduler=dask_client, on_partition=lambda p: ran.append(p.key))
    assert r.ok and r2.ok and ran == [lost["key"]] and _rows(r2) == reference


def test_dask_bag_and_dataframe_inputs(corpus, reference, small_gazetteer_dir, tmp_path, dask_client):
    db = pytest.importorskip("dask.bag")
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")

    docs = corpus[1]
    bag = db.from_sequence(docs, npartitions=4)
    r = geoparse_corpus(bag, tmp_path / "bag", scheduler=dask_client, data_dir=small_gazetteer_dir)
    assert r.ok and len(r.partitions) == 4 and _rows(r) == reference
    r_local = geoparse_corpus(bag, tmp_path / "bag-local", data_dir=small_gazetteer_dir)
    assert _rows(r_local) == reference
    frame = dd.from_pandas(pd.DataFrame(docs), npartitions=3)
    r = geoparse_corpus(frame, tmp_path / "frame", scheduler=dask_client, data_dir=small_gazetteer_dir)
    assert r.ok and _rows(r) == reference


def test_extract_corpus_on_the_cluster(small_gazetteer_dir, small_gazetteer, tmp_path, dask_client):
    from mapper.extract import extract_claims
    from mapper.geoparse import Geoparser
    from mapper.scale._tasks import claim_row

    docs = [
        {"id": "k1", "text": "Taliban fighters captured Kunduz on Sunday, a provincial official said.",
         "published": "2021-08-09", "source": "Pajhwok"},
        {"id": "k2", "text": "Government forces retook Qala-i-Naw in Badghis on Tuesday, the army said.",
         "published": "2021-07-08"},
        {"id": "k3", "text": "The Taliban seized Spin Boldak, residents said.", "source": "Tolo"},  # no date
        {"id": "k4", "text": "Weather was mild in Herat.", "published": "2021-07-01"},
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    r = extract_corpus([str(path)], tmp_path / "claims", scheduler=dask_client, data_dir=small_gazetteer_dir,
                       source="Wire", partition_size=2)
    gp = Geoparser(small_gazetteer, filter_model=None)
    expected = [claim_row(c, d["id"]) for d in docs if d.get("published")
                for c in extract_claims(d["text"], published=d["published"], source=d.get("source", "Wire"),
                                        geoparser=gp, name=d["id"])]
    assert r.ok and len(expected) >= 2
    assert _rows_plain(r) == expected
    assert [(d.id, "no publication date" in d.error) for d in r.failed_documents] == [("k3", True)]
    r_local = extract_corpus([str(path)], tmp_path / "claims-local", data_dir=small_gazetteer_dir, source="Wire",
                             partition_size=2, published="2021-07-10")
    assert r_local.n_failed_documents == 0 and r_local.items >= r.items


def _rows_plain(result):
    return [json.loads(x) for p in result.files for x in p.read_text(encoding="utf-8").splitlines()]
