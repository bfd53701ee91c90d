"""CLI: gazetteer add/fetch/remove/info and --online on resolve/geocode (local servers only)."""

import csv
import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazetteer import Gazetteer
from mapper.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CONFLICTMAP_ONLINE_MIN_DELAY", "0")  # local test server only


@pytest.fixture
def server():
    spec = importlib.util.spec_from_file_location("fixture_server", FIXTURES / "server.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with mod.FixtureServer() as srv:
        yield srv


def _run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


@pytest.mark.parametrize("path", [("add", "geonames"), ("add", "boundaries"), ("add", "aliases"),
                                  ("fetch", "geonames"), ("fetch", "geoboundaries")])
def test_source_commands_have_help_with_an_example(path):
    r = _run("gazetteer", *path, "--help")
    assert r.exit_code == 0 and "Example" in r.output


def test_add_boundaries_info_remove(gz_dir, shared_data):
    adm2 = shared_data / "boundaries" / "afg" / "geoBoundaries-AFG-ADM2.geojson"
    embedded = json.loads(_run("gazetteer", "info", "--format", "json", "--data-dir", gz_dir).stdout)
    embedded_admin2 = embedded["stats"]["by_country"].get("AF", {}).get("admin2", 0)
    r = _run("gazetteer", "add", "boundaries", adm2, "--level", "2", "--data-dir", gz_dir)
    assert r.exit_code == 0, r.output
    # Districts the embedded admin-2 units already hold are merged into them, not added again.
    added = 398 - embedded_admin2
    assert f"boundaries:geoBoundaries-AFG-ADM2: 398 rows read, {added} places added" in r.stderr
    info = json.loads(_run("gazetteer", "info", "--format", "json", "--data-dir", gz_dir).stdout)
    assert info["stats"]["by_country"]["AF"]["admin2"] == 398
    assert info["stats"]["by_source"]["boundaries:geoBoundaries-AFG-ADM2"] == added
    assert any("geoBoundaries" in a for a in info["attribution"])
    text = _run("gazetteer", "info", "--data-dir", gz_dir).stdout
    assert "AF: admin1 34, admin2 398" in text
    r = _run("gazetteer", "remove", "boundaries:geoBoundaries-AFG-ADM2", "--data-dir", gz_dir)
    assert r.exit_code == 0 and f"{added} places" in r.stderr
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.stats()["by_kind"].get("admin2", 0) == embedded["stats"]["by_kind"].get("admin2", 0)
    assert gz.get("geonames:1129867").admin2_id is None
    gz.close()
    r = _run("gazetteer", "remove", "boundaries:geoBoundaries-AFG-ADM2", "--data-dir", gz_dir)
    assert r.exit_code != 0 and "no source" in r.output


def test_add_aliases_reports_rows_and_strict_fails(gz_dir, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name,lat,lon\nCamp Shorabak,31.8667,64.2167\nBroken,north,64\n", encoding="utf-8")
    r = _run("gazetteer", "add", "aliases", path, "--strict", "--data-dir", gz_dir)
    assert r.exit_code == 1 and f"{path}:3" in r.output and "nothing was loaded" in r.output
    r = _run("gazetteer", "add", "aliases", path, "--format", "json", "--data-dir", gz_dir)
    assert r.exit_code == 0
    (report,) = json.loads(r.stdout)
    assert report["added"] == 1 and report["malformed"] == 1 and report["problems"][0].startswith(str(path))
    out = _run("resolve", "Camp Shorabak", "--format", "json", "--data-dir", gz_dir)
    assert json.loads(out.stdout)[0]["best"]["id"] == "alias:names:camp-shorabak"


def test_add_geonames_files(gz_dir, tmp_path):
    dump = tmp_path / "AF.zip"
    with zipfile.ZipFile(dump, "w") as z:
        z.write(FIXTURES / "geonames" / "AF.txt", arcname="AF.txt")
    r = _run("gazetteer", "add", "geonames", dump, FIXTURES / "geonames" / "admin2Codes.txt",
             "--format", "json", "--data-dir", gz_dir)
    assert r.exit_code == 0, r.output
    reports = json.loads(r.stdout)
    assert [x["source"] for x in reports] == ["geonames:admin2Codes", "geonames:AF"]
    out = json.loads(_run("resolve", "Murghab Valley", "--country", "AF", "--format", "json",
                          "--data-dir", gz_dir).stdout)[0]
    assert out["best"]["feature_code"] == "VAL" and out["best"]["admin2"] == "Murghāb"


def test_fetch_commands_against_a_local_server(gz_dir, server):
    for name in ("countryInfo.txt", "admin1CodesASCII.txt", "admin2Codes.txt"):
        server.route(f"/dump/{name}", (200, {}, (FIXTURES / "geonames" / name).read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(FIXTURES / "geonames" / "AF.txt", arcname="AF.txt")
    server.route("/dump/AF.zip", (200, {}, buf.getvalue()))
    r = _run("gazetteer", "fetch", "geonames", "AF", "--base-url", server.url + "/dump/", "--data-dir", gz_dir)
    assert r.exit_code == 0, r.output
    assert "geonames:AF: 3 rows read, 3 places added" in r.stderr
    api = (FIXTURES / "geoboundaries" / "api-AFG-ADM2.json").read_text(encoding="utf-8").replace("{base}", server.url)
    server.route("/api/current/gbOpen/AFG/ADM2/", (200, {}, api))
    server.route("/data/geoBoundaries-AFG-ADM2.geojson",
                 (200, {}, (FIXTURES / "geoboundaries" / "fixture-AFG-ADM2.geojson").read_bytes()))
    r = _run("gazetteer", "fetch", "geoboundaries", "AFG", "--level", "2", "--base-url",
             server.url + "/api/current/", "--data-dir", gz_dir)
    assert r.exit_code == 0, r.output
    assert "2 places added" in r.stderr
    r = _run("gazetteer", "fetch", "geonames", "Afghanistan", "--base-url", server.url, "--data-dir", gz_dir)
    assert r.exit_code != 0 and "alpha-2" in r.output


def _nominatim(server):
    def search(query):
        if query.get("q") == "Kotal-e Sabzak Checkpoint":
            return 200, {"Content-Type": "application/json"}, json.dumps([{
                "osm_type": "node", "osm_id": 7, "lat": "34.83", "lon": "62.9", "type": "locality",
                "addresstype": "locality", "name": "Kotal-e Sabzak", "licence": "ODbL 1.0",
                "display_name": "Kotal-e Sabzak, Hirat, Afghanistan", "address": {"country_code": "af"}}])
        return 200, {"Content-Type": "application/json"}, "[]"

    server.route("/search", search)


def test_resolve_online_uses_the_cache_on_the_second_run(gz_dir, server):
    _nominatim(server)
    args = ["resolve", "Qala-e-Naw", "Kotal-e Sabzak Checkpoint", "Xqzzy Unknown", "--country", "AF", "--format",
            "json", "--online", "nominatim", "--online-url", server.url, "--data-dir", gz_dir]
    r = _run(*args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [o["status"] for o in out] == ["resolved", "resolved", "not_found"]
    assert out[1]["best"]["id"] == "online:nominatim:node7" and out[1]["best"]["match"] == "online"
    assert [q["q"] for q in server.requests("/search")] == ["Kotal-e Sabzak Checkpoint", "Xqzzy Unknown"]
    assert "2 names not found offline, 0 answered from the cache, 2 requests, 1 found" in r.stderr
    r = _run(*args)
    assert len(server.requests("/search")) == 2  # nothing asked twice
    assert "1 names not found offline, 1 answered from the cache, 0 requests" in r.stderr  # one now offline
    assert json.loads(r.stdout)[1]["best"]["source"] == "online:nominatim"
    # Off by default: no request without --online.
    _run("resolve", "Another Unknown Name", "--data-dir", gz_dir)
    assert len(server.requests("/search")) == 2


def test_geocode_online(gz_dir, server, tmp_path):
    _nominatim(server)
    table = tmp_path / "events.csv"
    table.write_text("location,country\nQala-e-Naw,Afghanistan\nKotal-e Sabzak Checkpoint,Afghanistan\n",
                     encoding="utf-8")
    out = tmp_path / "out.csv"
    r = _run("geocode", table, "--place-column", "location", "--country-column", "country", "-o", out,
             "--online", "nominatim", "--online-url", server.url, "--data-dir", gz_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[1]["geo_id"] == "online:nominatim:node7" and float(rows[1]["geo_lat"]) == pytest.approx(34.83)
    assert rows[0]["geo_id"] == "geonames:1129867"
    assert "online (nominatim)" in r.stderr
