"""Corpus runs of ``conflictmap geoparse`` and ``conflictmap extract`` (-o DIR, --scheduler)."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from mapper.cli import cli

DOCS = [
    {"id": "d1", "text": "Taliban fighters entered Kunduz on Monday. Officials in Herat said Badghis was calm."},
    {"id": "d2", "text": "Pakistani troops closed the Torkham crossing near Jalalabad on Friday."},
    {"id": "d3", "text": "Refugees from Khorog reached Dushanbe after the clashes, Tajik media said."},
    {"id": "d4", "text": "Shelling was reported in Mazar-i-Sharif and Termez overnight."},
    {"id": "d5", "text": "Quiet day."},
]


def _write(path, docs, gz=False):
    data = "".join(json.dumps(d) + "\n" for d in docs).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return str(path)


@pytest.fixture()
def run(small_gazetteer_dir):
    def _run(cmd, args, **kw):
        return CliRunner().invoke(cli, [cmd, *args, "--data-dir", str(small_gazetteer_dir)], **kw)
    return _run


def _rows(folder):
    return [json.loads(x) for p in sorted(folder.glob("part-*.jsonl")) for x in p.read_text().splitlines()]


def test_geoparse_corpus_in_process_equals_stdout(tmp_path, run):
    a = _write(tmp_path / "a.jsonl", DOCS[:3])
    _write(tmp_path / "b.jsonl.gz", DOCS[3:], gz=True)
    plain = run("geoparse", [a, str(tmp_path / "a.jsonl")])  # today's path: stdout
    assert plain.exit_code == 0, plain.output
    out = tmp_path / "out"
    r = run("geoparse", [str(tmp_path / "*.json*"), "-o", str(out), "--partition-size", "2"])
    assert r.exit_code == 0, r.output
    rows = _rows(out)
    assert rows[:3] == [json.loads(x) for x in plain.stdout.splitlines()][:3]
    assert [x["id"] for x in rows] == [d["id"] for d in DOCS]
    assert "3 of 3 partition(s) done" in r.stderr and "in-process" in r.stderr
    again = run("geoparse", [str(tmp_path / "*.json*"), "-o", str(out), "--partition-size", "2"])
    assert again.exit_code == 0 and "(3 from an earlier run)" in again.stderr
    other = run("geoparse", [str(tmp_path / "*.json*"), "-o", str(out), "--partition-size", "3"])
    assert other.exit_code == 2 and "another job (different partition_size)" in other.stderr
    assert "--overwrite" in other.stderr


def test_geoparse_corpus_reports_bad_documents_with_ids(tmp_path, run):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(DOCS[0]) + "\n{oops\n" + json.dumps(DOCS[1]) + "\n", encoding="utf-8")
    r = run("geoparse", [str(path), "-o", str(tmp_path / "out")])
    assert r.exit_code == 1
    assert "document c.jsonl:2: " in r.stderr and "line 2: not JSON" in r.stderr
    assert [x["id"] for x in _rows(tmp_path / "out")] == ["d1", "d2"]  # the rest of the partition is kept


def test_geoparse_parquet_output(tmp_path, run):
    pq = pytest.importorskip("pyarrow.parquet")
    r = run("geoparse", [_write(tmp_path / "a.jsonl", DOCS), "-o", str(tmp_path / "pq"), "--format", "parquet"])
    assert r.exit_code == 0, r.output
    (part,) = (tmp_path / "pq").glob("part-*.parquet")
    table = pq.read_table(part).to_pylist()
    assert [t["id"] for t in table] == [d["id"] for d in DOCS]
    assert any(t["name"] == "Kunduz" for t in table[0]["toponyms"])


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "local:0", "-o", "OUT"], "expected local, local:N"),
    (["--scheduler", "local:2"], "give an output folder"),
    (["--format", "parquet"], "Parquet is for corpus runs"),
    (["-o", "OUT", "--format", "table"], "writes jsonl or parquet"),
])
def test_geoparse_corpus_usage_errors(tmp_path, run, args, message):
    a = _write(tmp_path / "a.jsonl", DOCS)
    r = run("geoparse", [a, *[str(tmp_path / "o") if x == "OUT" else x for x in args]])
    assert r.exit_code == 2 and message in r.stderr, r.output


def test_missing_dask_is_one_line_with_the_install_hint(tmp_path, run, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    r = run("geoparse", [_write(tmp_path / "a.jsonl", DOCS), "-o", str(tmp_path / "o"), "--scheduler", "local:1"])
    assert r.exit_code == 1 and "pip install 'conflictmap[scale]'" in r.stderr
    assert "Traceback" not in r.output


def test_geoparse_and_extract_on_the_cluster(tmp_path, run, dask_client):
    address = dask_client.scheduler.address
    a = _write(tmp_path / "a.jsonl", DOCS)
    r = run("geoparse", [a, "-o", str(tmp_path / "g"), "--scheduler", address, "--partition-size", "2"])
    assert r.exit_code == 0, r.output
    assert run("geoparse", [a, "-o", str(tmp_path / "g-local"), "--partition-size", "2"]).exit_code == 0
    assert _rows(tmp_path / "g") == _rows(tmp_path / "g-local") and len(_rows(tmp_path / "g")) == 5
    assert f"({address})" in r.stderr

    docs = [dict(DOCS[0], text="Taliban fighters captured Kunduz on Sunday, officials said.", published="2021-08-09"),
            dict(DOCS[1], text="The Taliban seized Spin Boldak, residents said.")]
    p = _write(tmp_path / "news.jsonl", docs)
    r = run("extract", [p, "-o", str(tmp_path / "claims"), "--scheduler", address, "--source", "Wire"])
    assert r.exit_code == 1  # d2 has no date and there is no --published
    assert "document d2: ValueError: no publication date" in r.stderr
    claims = _rows(tmp_path / "claims")
    assert {c["doc_id"] for c in claims} == {"d1"} and any(c["place"] == "Kunduz" for c in claims)
    assert all(c["source"] == "Wire" for c in claims)
    r = run("extract", [p, "-o", str(tmp_path / "claims2"), "--published", "2021-07-01"])
    assert r.exit_code == 0, r.output
    assert {c["doc_id"] for c in _rows(tmp_path / "claims2")} == {"d1", "d2"}


def test_extract_articles_still_need_published(tmp_path, run):
    art = tmp_path / "a.txt"
    art.write_text("The Taliban captured Herat on Tuesday.", encoding="utf-8")
    r = run("extract", [str(art), "-o", str(tmp_path / "c.csv")])
    assert r.exit_code == 2 and "--published" in r.stderr
