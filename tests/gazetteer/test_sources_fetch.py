"""Downloads against a local HTTP server serving fixture files in the official formats."""

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

from gazetteer import Gazetteer
from gazetteer.errors import DownloadError, SourceDataError
from gazetteer.sources import fetch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def _server_module():
    spec = importlib.util.spec_from_file_location("fixture_server", FIXTURES / "server.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def server():
    with _server_module().FixtureServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))


def _af_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("AF.txt", (FIXTURES / "geonames" / "AF.txt").read_text(encoding="utf-8"))
        z.writestr("readme.txt", "GeoNames readme")
    return buf.getvalue()


def _serve_geonames(server, *, dump_responses=None):
    for name in ("countryInfo.txt", "admin1CodesASCII.txt", "admin2Codes.txt"):
        server.route(f"/dump/{name}", (200, {}, (FIXTURES / "geonames" / name).read_bytes()))
    server.route("/dump/AF.zip", *(dump_responses or [(200, {}, _af_zip())]))


def test_fetch_geonames_downloads_checks_caches_and_adds(server, gz_dir):
    _serve_geonames(server)
    reports = fetch.fetch_geonames(gz_dir, "af", base_url=server.url + "/dump/", sleep=lambda s: None)
    assert [r.source for r in reports] == ["geonames:countryInfo", "geonames:admin1CodesASCII",
                                           "geonames:admin2Codes", "geonames:AF"]
    assert reports[-1].added == 3
    assert all(ua.startswith("conflictmap/") for _p, _q, ua in server.log)
    gz = Gazetteer.open(gz_dir, build=False)
    valley = gz.resolve("Murghab Valley", country="AF").best.place
    assert valley.feature_code == "VAL" and valley.admin2 == "Murghāb"  # admin2 name from admin2Codes.txt
    gz.close()
    n = len(server.log)
    fetch.fetch_geonames(gz_dir, "AF", base_url=server.url + "/dump/")  # cached: no new request
    assert len(server.log) == n
    fetch.fetch_geonames(gz_dir, "AF", base_url=server.url + "/dump/", refresh=True)
    assert len(server.log) == n + 4


def test_transient_failures_are_retried_with_backoff(server, gz_dir):
    waits = []
    _serve_geonames(server, dump_responses=[
        (503, {}, "busy"),
        (429, {"Retry-After": "7"}, "slow down"),
        (200, {"X-Truncate": "100"}, _af_zip()),  # short read: Content-Length not met
        (200, {}, _af_zip()),
    ])
    paths = fetch.geonames_files("AF", base_url=server.url + "/dump", sleep=waits.append)
    assert paths[-1].name == "AF.zip" and zipfile.is_zipfile(paths[-1])
    assert waits == [2.0, 7.0, 8.0]  # backoff 2 s, Retry-After 7 s, backoff 2*2**2
    assert len(server.requests("/dump/AF.zip")) == 4
    assert not list(paths[-1].parent.glob("*.part"))


def test_an_error_page_is_not_taken_for_the_archive(server):
    _serve_geonames(server, dump_responses=[(200, {"Content-Type": "text/html"}, "<html>maintenance</html>")])
    with pytest.raises(DownloadError, match="not a zip archive") as err:
        fetch.geonames_files("AF", base_url=server.url + "/dump/", sleep=lambda s: None)
    assert err.value.url.endswith("/dump/AF.zip")
    assert len(server.requests("/dump/AF.zip")) == fetch.RETRIES + 1


def test_not_found_is_not_retried(server):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch.download(server.url + "/dump/XX.zip", expect="zip", sleep=lambda s: None)
    assert len(server.log) == 1


def test_bad_codes_are_refused_before_any_request(server):
    with pytest.raises(SourceDataError, match="alpha-2"):
        fetch.geonames_files("Afghanistan", base_url=server.url)
    with pytest.raises(SourceDataError, match="ISO 3166"):
        fetch.geoboundaries_file("XYZ1", 2, base_url=server.url)
    assert server.log == []


def test_fetch_geoboundaries_via_the_api(server, gz_dir, monkeypatch):
    api = (FIXTURES / "geoboundaries" / "api-AFG-ADM2.json").read_text(encoding="utf-8").replace("{base}", server.url)
    server.route("/api/current/gbOpen/AFG/ADM2/", (200, {"Content-Type": "application/json"}, api))
    server.route("/data/geoBoundaries-AFG-ADM2.geojson",
                 (200, {}, (FIXTURES / "geoboundaries" / "fixture-AFG-ADM2.geojson").read_bytes()))
    monkeypatch.setenv("CONFLICTMAP_GEOBOUNDARIES_URL", server.url + "/api/current/")
    report = fetch.fetch_geoboundaries(gz_dir, "AF", 2)  # alpha-2 accepted, asked as AFG
    assert report.source == "boundaries:geoBoundaries-AFG-ADM2" and report.added == 2
    gz = Gazetteer.open(gz_dir, build=False)
    assert any("Fixture districts (test data)" in a for a in gz.attribution())  # licence/producer from the API
    d = gz.resolve("Fixture Eastbox district", country="AF").best.place
    assert d.kind == "admin2" and d.admin1 == "Badghis"
    gz.close()
