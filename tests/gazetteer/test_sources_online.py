"""Opt-in online geocoding: a fake geocoder and a local Nominatim-like server (no internet)."""

import importlib.util
import json
import time
from pathlib import Path

import pytest

from gazetteer import Gazetteer
from gazetteer.errors import OnlineGeocodingError
from gazetteer.sources import remove_source
from gazetteer.sources.online import OnlineGazetteer, OnlineGeocoder, user_agent

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


class _Location:
    def __init__(self, lat, lon, address, raw):
        self.latitude, self.longitude, self.address, self.raw = lat, lon, address, raw


class FakeGeocoder:
    """geopy-like: geocode(query, **kw) -> location or None; can raise scripted errors first."""

    def __init__(self, answers, errors=()):
        self.answers = answers
        self.errors = list(errors)
        self.calls = []

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        if self.errors:
            raise self.errors.pop(0)
        hit = self.answers.get(query)
        if hit is None:
            return None
        lat, lon, typ = hit
        return _Location(lat, lon, f"{query}, Badghis, Afghanistan",
                         {"osm_type": "node", "osm_id": abs(hash(query)) % 10**8, "addresstype": typ,
                          "name": query, "address": {"country_code": "af"}, "licence": "ODbL test"})


def _geocoder(tmp_path, fake, **kw):
    # A private server URL: the public Nominatim's 1 request/s floor would slow the test down.
    return OnlineGeocoder("nominatim", geocoder=fake, cache_path=tmp_path / "cache" / "online.sqlite",
                          url="http://127.0.0.1:9", min_delay=0, sleep=kw.pop("sleep", lambda s: None), **kw)


def test_only_unresolved_names_go_online_and_results_become_a_source(gz_dir, tmp_path):
    fake = FakeGeocoder({"Kotal-e Sabzak Checkpoint": (35.1, 63.3, "village")})
    gz = OnlineGazetteer(Gazetteer.open(gz_dir, build=False), _geocoder(tmp_path, fake))
    assert gz.resolve("Qala-e-Naw", country="AF").best.place.id == "geonames:1129867"
    assert gz.resolve("Badghis", country="AF", kind="admin1").status == "resolved"
    assert fake.calls == []  # resolved locally: no request
    res = gz.resolve("Kotal-e Sabzak Checkpoint", country="Afghanistan")
    assert res.status == "resolved" and res.best.match == "online"
    p = res.best.place
    assert (p.lat, p.lon, p.kind, p.source) == (35.1, 63.3, "populated_place", "online:nominatim")
    assert p.admin1 == "Badghis" and p.country_code == "AF"  # linked by point in polygon
    assert fake.calls[0][1]["country_codes"] == "af"
    assert gz.resolve("Xqzzy Nowhere", country="AF").status == "not_found"
    gz.close()
    # Next run: the stored answer resolves offline, the negative answer comes from the cache.
    fake2 = FakeGeocoder({})
    geo2 = _geocoder(tmp_path, fake2)
    gz = OnlineGazetteer(Gazetteer.open(gz_dir, build=False), geo2)
    local = gz.resolve("Kotal-e Sabzak Checkpoint", country="AF")
    assert local.best.match == "exact" and local.best.place.source == "online:nominatim"
    assert gz.resolve("Xqzzy Nowhere", country="AF").status == "not_found"
    assert fake2.calls == [] and geo2.stats["cache_hits"] == 1
    assert "1 answered from the cache, 0 requests" in gz.summary()
    info = next(s for s in gz.sources() if s["name"] == "online:nominatim")
    assert info["count"] == 1 and "OpenStreetMap" in info["attribution"]
    gz.close()
    remove_source(gz_dir, "online:nominatim")
    assert Gazetteer.open(gz_dir, build=False).resolve("Kotal-e Sabzak Checkpoint", country="AF").status == "not_found"


def test_rate_limited_answers_wait_for_retry_after(gz_dir, tmp_path):
    from geopy.exc import GeocoderRateLimited, GeocoderTimedOut

    waits = []
    fake = FakeGeocoder({"Sangar": (35.0, 63.2, "hamlet")},
                        errors=[GeocoderRateLimited("429", retry_after=7), GeocoderTimedOut("slow")])
    geo = _geocoder(tmp_path, fake, sleep=waits.append)
    hit = geo.lookup("Sangar", country="AF")
    assert hit is not None and hit.lat == 35.0
    assert waits == [7.0, 4.0]  # Retry-After honoured, then exponential backoff (2 * 2**1)
    assert geo.stats["requests"] == 3


def test_refusal_stops_online_lookups(gz_dir, tmp_path):
    from geopy.exc import GeocoderInsufficientPrivileges

    fake = FakeGeocoder({}, errors=[GeocoderInsufficientPrivileges("403 Forbidden")])
    geo = _geocoder(tmp_path, fake)
    assert geo.lookup("A Place") is None and geo.disabled
    assert geo.lookup("Another Place") is None
    assert len(fake.calls) == 1


def test_rate_limiter_spaces_requests(tmp_path):
    fake = FakeGeocoder({})
    geo = OnlineGeocoder("nominatim", geocoder=fake, cache_path=tmp_path / "c.sqlite", min_delay=0.3,
                         url="http://127.0.0.1:9")
    t = time.perf_counter()
    for name in ("One", "Two", "Three"):
        geo.lookup(name)
    assert time.perf_counter() - t >= 0.55  # two gaps of 0.3 s
    public = OnlineGeocoder("nominatim", geocoder=FakeGeocoder({}), cache_path=tmp_path / "d.sqlite", min_delay=0)
    assert public.min_delay == 1.0  # the public server's policy cannot be lowered


def test_unknown_provider_and_missing_account():
    with pytest.raises(OnlineGeocodingError, match="not a geopy geocoding service"):
        OnlineGeocoder("no-such-service")
    with pytest.raises(OnlineGeocodingError, match="CONFLICTMAP_GEONAMES_USERNAME"):
        OnlineGeocoder("geonames")


def _server():
    spec = importlib.util.spec_from_file_location("fixture_server", FIXTURES / "server.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.FixtureServer()


def test_real_geopy_nominatim_against_a_local_server(gz_dir, tmp_path):
    def search(query):
        if query.get("q") == "Kotal-e Sabzak Checkpoint":
            return 200, {"Content-Type": "application/json"}, json.dumps([{
                "place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0", "osm_type": "node",
                "osm_id": 424242, "lat": "35.1", "lon": "63.3", "class": "place", "type": "village",
                "addresstype": "village", "name": "Chahar Dara", "display_name": "Chahar Dara, Badghis, Afghanistan",
                "address": {"village": "Chahar Dara", "country": "Afghanistan", "country_code": "af"},
            }])
        return 200, {"Content-Type": "application/json"}, "[]"

    with _server() as srv:
        # geopy's requests adapter itself retries a 429 twice (urllib3 honours Retry-After); when the
        # third answer is still 429, geopy raises GeocoderRateLimited and OnlineGeocoder waits Retry-After.
        srv.route("/search", (429, {"Retry-After": "0"}, "slow down"), (429, {"Retry-After": "0"}, "slow down"),
                  (429, {"Retry-After": "3"}, "slow down"), search)
        waits = []
        geo = OnlineGeocoder("nominatim", url=srv.url, cache_path=tmp_path / "c.sqlite", min_delay=0,
                             sleep=waits.append, timeout=5)
        gz = OnlineGazetteer(Gazetteer.open(gz_dir, build=False), geo)
        res = gz.resolve("Kotal-e Sabzak Checkpoint", country="AF")
        assert res.status == "resolved" and res.best.place.id == "online:nominatim:node424242"
        assert waits == [3.0]  # HTTP 429 + Retry-After: 3 became a wait of 3 s
        assert len(srv.requests("/search")) == 4
        queries = srv.requests("/search")
        assert queries[-1]["q"] == "Kotal-e Sabzak Checkpoint" and queries[-1]["countrycodes"] == "af"
        assert {ua for _p, _q, ua in srv.log} == {user_agent()}
        assert user_agent().startswith("conflictmap/")
        gz.close()
