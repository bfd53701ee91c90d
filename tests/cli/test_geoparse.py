"""``conflictmap geoparse`` on the small test gazetteer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mapper.cli import cli

TEXT = "Taliban fighters entered Kunduz on Monday. Officials in Herat said Badghis was calm."


@pytest.fixture()
def run(small_gazetteer_dir):
    def _run(args, **kw):
        return CliRunner().invoke(cli, ["geoparse", *args, "--data-dir", str(small_gazetteer_dir)], **kw)
    return _run


def _docs(path, docs):
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_text_file_to_jsonl(tmp_path, run):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = run([str(p)])
    assert r.exit_code == 0, r.output
    (line,) = r.stdout.splitlines()
    doc = json.loads(line)
    assert doc["id"] == str(p)
    names = [t["name"] for t in doc["toponyms"]]
    assert names == ["Kunduz", "Herat", "Badghis"]
    for t in doc["toponyms"]:
        assert TEXT[t["start"]:t["end"]] == t["name"]
        assert set(t) == {"start", "end", "name", "lat", "lon", "id", "kind", "score"}


def test_jsonl_stream_geojson_and_bad_line(tmp_path, run):
    p = tmp_path / "docs.jsonl"
    p.write_text(json.dumps({"id": "d1", "text": TEXT}) + "\nnot json\n" + json.dumps({"id": "d2", "text": ""}) + "\n",
                 encoding="utf-8")
    r = run([str(p), "--format", "geojson"])
    assert r.exit_code == 1  # the bad line is reported, the rest is still written
    feats = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(feats) == 3 and all(f["properties"]["doc"] == "d1" for f in feats)
    lon, lat = feats[0]["geometry"]["coordinates"]
    assert 60 < lon < 75 and 29 < lat < 39  # GeoJSON order: lon, lat
    assert "line 2" in r.stderr and "not JSON" in r.stderr


def test_resolve_only(tmp_path, run):
    p = _docs(tmp_path / "gold.jsonl", [{"id": "g", "text": TEXT, "toponyms": [{"start": 25, "end": 31}]}])
    r = run([str(p), "--resolve-only"])
    assert r.exit_code == 0, r.output
    (t,) = json.loads(r.stdout)["toponyms"]
    assert (t["start"], t["end"], t["name"]) == (25, 31, "Kunduz") and t["id"]


def test_resolve_only_needs_jsonl(tmp_path, run):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = run([str(p), "--resolve-only"])
    assert r.exit_code == 2 and "JSON Lines" in r.output


def test_html_stdin_table(run):
    html = "<html><body><nav>Kabul Herat</nav><p>Fighting continues in Kunduz.</p></body></html>"
    r = run(["-", "--format", "table"], input=html)
    assert r.exit_code == 0, r.output
    body = r.stdout.splitlines()
    assert body[0].split()[:3] == ["doc", "span", "name"]
    assert len(body) == 2 and "Kunduz" in body[1] and "Herat" not in r.stdout


def test_json_list(tmp_path, run):
    p = _docs(tmp_path / "docs.jsonl", [{"id": 1, "text": TEXT}, {"id": 2, "text": "Nothing here."}])
    r = run([str(p), "--format", "json", "--with-text"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [d["id"] for d in data] == [1, 2] and data[0]["text"] == TEXT and data[1]["toponyms"] == []


def test_country_hint_and_no_filter(tmp_path, run):
    p = tmp_path / "a.txt"
    p.write_text("Reinforcements reached Fayzabad.", encoding="utf-8")  # two Afghan Fayzabads, and others
    r = run([str(p), "--country", "AF", "--no-filter"])
    assert r.exit_code == 0, r.output
    (t,) = json.loads(r.stdout)["toponyms"]
    assert t["name"] == "Fayzabad" and 29 < t["lat"] < 39 and 60 < t["lon"] < 75
