"""The HTML renderer: one self-contained file, no external URL, input escaped, data complete."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from html import unescape
from pathlib import Path

import pytest
from map_samples import badghis_children, badghis_places, claim, qala_claims, ts
from shapely.geometry import box

from mapper.errors import OutputExists, RenderError
from mapper.render.html import render_html, safe_url, script_json
from mapper.state import MapState
from mapper.timeline import MapPlace, Timeline

PROBES = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "\"'><svg onload=alert(1)>",
    "\u2028\u2029 line separators",
    "`${alert(1)}`",
]


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="conflictmap-data">(.*?)</script>', html, re.S)
    assert m, "data block missing"
    return json.loads(m.group(1))


def _steps(data: dict) -> list:
    """Step instants, in minutes since 1970 (absolute: mapper.render.embed reads them too)."""
    return data["steps"]


def _meta(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="conflictmap-metadata">(.*?)</script>', html, re.S)
    assert m, "metadata block missing"
    return json.loads(m.group(1))


@pytest.fixture()
def timeline():
    return Timeline(qala_claims(), badghis_places(), children=badghis_children())


def test_no_external_urls_and_csp(timeline):
    html, report = render_html(MapState.from_timeline(timeline, title="Qala-e-Naw"))
    # Nothing loaded from elsewhere: no src/href/url() pointing outside the file.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"<script[^>]+\bsrc\s*=", html, re.I)
    assert "@import" not in html
    assert not re.search(r"unpkg\.com|jsdelivr|cdnjs|googleapis|leafletjs\.com\"", html)
    # Every http(s) address left is text: the SVG namespace and Leaflet's licence notice.
    page = re.sub(r'id="conflictmap-data">.*?</script>', "", html, flags=re.S)  # claim links are data
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "https://leafletjs.com"}, addresses
    # Leaflet's relative image URLs are removed, so nothing is requested next to the file either.
    assert not re.search(r"url\(\s*['\"]?images/", html)
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-", csp)
    assert report.bytes == len(html.encode("utf-8"))


def test_csp_hashes_match_inline_scripts(timeline):
    import base64
    import hashlib

    html, _ = render_html(MapState.from_timeline(timeline))
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    bodies = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(bodies) == 2
    for body in bodies:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert digest in allowed


def test_tiles_only_when_asked(timeline):
    html, _ = render_html(MapState.from_timeline(timeline), tiles="osm")
    assert _data(html)["tiles"]["url"].startswith("https://tile.openstreetmap.org/")
    assert "img-src data: blob: https://tile.openstreetmap.org" in html
    html, _ = render_html(MapState.from_timeline(timeline))
    assert _data(html)["tiles"] is None
    with pytest.raises(RenderError, match="tiles 'google'"):
        render_html(MapState.from_timeline(timeline), tiles="google")


def test_input_text_is_escaped_and_round_trips():
    places = {"p": MapPlace("p", PROBES[0], "populated_place", "point", 35.0, 63.0)}
    claims = [
        (claim(PROBES[0], ts(2021, 7, 6, i), "controlled", actor=PROBES[i % 3], claimant=p, quote=p, source=p,
               url="https://example.org/?q=<script>", scope=PROBES[1], row=i + 1), "p")
        for i, p in enumerate(PROBES)
    ]
    tl = Timeline(claims, places)
    html, _ = render_html(MapState.from_timeline(tl, title=PROBES[1] + " & <b>title</b>"))
    lowered = html.lower()
    # The only script tags are the four of the page itself.
    assert lowered.count("<script") == 4
    assert lowered.count("</script") == 4
    assert "<img" not in lowered and "<svg onload" not in lowered
    assert "\u2028" not in html and "\u2029" not in html
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;title&lt;/b&gt;</title>" in html
    data = _data(html)
    quotes = {row[10] for row in data["claims"]}
    assert quotes == set(PROBES)
    # Claimant names have their whitespace collapsed (U+2028 is whitespace), nothing else changes.
    assert {c["name"] for c in data["claimants"]} == {" ".join(p.split()) for p in PROBES}
    assert data["places"][0]["n"] == PROBES[0]


def test_only_http_urls_are_linked():
    places = {"p": MapPlace("p", "P", "populated_place", "point", 35.0, 63.0)}
    bad = ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "//evil.example/x",
           "https://ok.example/a b"]
    claims = [(claim("P", ts(2021, 7, 6, i), "controlled", claimant=f"c{i}", url=u, archive_url=u, row=i + 1), "p")
              for i, u in enumerate(bad)]
    claims.append((claim("P", ts(2021, 7, 7), "controlled", claimant="ok", url="https://example.org/a?b=1&c=2",
                         row=9), "p"))
    data = _data(render_html(MapState.from_timeline(Timeline(claims, places)))[0])
    urls = [data["strings"][row[12]] for row in data["claims"]]
    assert urls[:-1] == [""] * len(bad)
    assert urls[-1] == "https://example.org/a?b=1&c=2"
    assert all("not linked" in data["strings"][row[18]] for row in data["claims"][:-1])
    assert safe_url("http://x.example") == "http://x.example"


def test_data_present_and_shared_per_place(timeline):
    html, report = render_html(MapState.from_timeline(timeline, title="T"))
    data = _data(html)
    names = {p["n"] for p in data["places"]}
    assert {"Badghis", "Qala-e-Naw", "Ghormach"} <= names
    assert len(data["claims"]) == len(timeline.entries)
    # Each claim stored once, pointing at its place; places only count their claims.
    for i, p in enumerate(data["places"]):
        assert p["e"] == sum(1 for row in data["claims"] if row[0] == i)
    steps = _steps(data)
    # Every change instant of the timeline, on the minute it is reached (a claim ending 13:29:59.999 -> 13:30).
    assert steps == sorted(set(steps)) and steps == sorted({math.ceil(t.timestamp() / 60) for t in timeline.steps()})
    assert report.steps == len(steps)
    # Claim times: starts relative to t_base, ends as durations.
    first = next(e for e in timeline.entries if e.end is not None)  # standing claims have no end (None)
    row = data["claims"][first.index]
    assert row[4] + data["t_base"] == int(first.start.timestamp() // 60)
    assert row[4] + row[5] + data["t_base"] == int(first.end.timestamp() // 60)
    assert all(r[5] is None for r, e in zip(data["claims"], timeline.entries) if e.end is None)
    # The province has its districts, districts point back to it.
    prov = next(i for i, p in enumerate(data["places"]) if p["n"] == "Badghis")
    assert len(data["places"][prov]["ch"]) == 7
    assert all(data["places"][c]["up"] == prov for c in data["places"][prov]["ch"])
    # Units carry polygons, the city a point: never a unit drawn as a pin.
    assert data["places"][prov]["d"] == "unit" and data["places"][prov]["g"]["type"] == "Polygon"
    city = next(p for p in data["places"] if p["k"] == "populated_place")
    assert city["d"] == "point" and city["ll"] == [34.985, 63.128]
    # Derived district copies point at their province claim and carry no text of their own.
    derived = [row for row in data["claims"] if row[6] >= 0]
    assert len(derived) == 7 and all(len(row) == 7 for row in derived)
    quotes = {row[10] for row in data["claims"] if row[6] < 0}
    assert "the city was completely under the control of ANDSF" in quotes


def test_opening_time_and_range(timeline):
    at = datetime(2021, 7, 7, 12, tzinfo=timezone.utc)
    data = _data(render_html(MapState.from_timeline(timeline, at=at))[0])
    assert data["initial"] == int(at.timestamp() // 60)
    t0, t1 = datetime(2021, 7, 7, tzinfo=timezone.utc), datetime(2021, 7, 8, tzinfo=timezone.utc)
    data = _data(render_html(MapState.from_timeline(timeline, t_from=t0, t_to=t1))[0])
    assert _steps(data)[0] == int(t0.timestamp() // 60)
    assert all(t0.timestamp() // 60 <= s <= t1.timestamp() // 60 for s in _steps(data))
    default = _data(render_html(MapState.from_timeline(timeline))[0])
    assert default["initial"] == int(timeline.default_time().timestamp() // 60)


def test_metadata_block(timeline):
    html, _ = render_html(MapState.from_timeline(timeline), metadata={"version": "9.9", "inputs_sha256": "ab" * 32})
    meta = _meta(html)
    assert meta["version"] == "9.9" and meta["inputs_sha256"] == "ab" * 32
    assert meta["render"]["claims"] == len(timeline.entries)


def test_budget_simplifies_geometry_and_says_so():
    # A detailed boundary: 20,000 vertices with a jagged edge that fine simplification keeps.
    import math
    import random

    from shapely.geometry import Polygon

    rng = random.Random(3)
    ring = [(63.5 + (1 + 0.02 * rng.random()) * math.cos(2 * math.pi * i / 20000),
             35.0 + (1 + 0.02 * rng.random()) * math.sin(2 * math.pi * i / 20000)) for i in range(20000)]
    big = Polygon(ring).buffer(0)
    places = {"u": MapPlace("u", "Big", "admin1", "unit", 35.0, 63.5, geometry=big)}
    tl = Timeline([(claim("Big", ts(2021, 7, 1), "controlled", actor="Taliban", claimant="a"), "u")], places)
    html_fine, fine = render_html(MapState.from_timeline(tl))
    html_small, small = render_html(MapState.from_timeline(tl), budget=fine.bytes - 150_000)
    assert small.bytes < fine.bytes
    assert small.tolerance > fine.tolerance
    assert any("simplified" in a for a in small.actions)
    def vertices(html):
        return len(re.findall(r"\[-?[\d.]+, ?-?[\d.]+\]", json.dumps(_data(html)["places"][0]["g"])))

    assert vertices(html_small) < 0.8 * vertices(html_fine)


def test_claims_over_budget_keep_moderate_geometry(timeline):
    html, report = render_html(MapState.from_timeline(timeline), budget=50_000)  # less than Leaflet itself
    assert report.tolerance == 0.002 and report.decimals == 4
    assert any("claims are never dropped" in a for a in report.actions)
    assert len(_data(html)["claims"]) == len(timeline.entries)


def test_refuses_to_overwrite(tmp_path, timeline):
    out = tmp_path / "m.html"
    render_html(MapState.from_timeline(timeline), out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(OutputExists, match="overwrite"):
        render_html(MapState.from_timeline(timeline), out)
    render_html(MapState.from_timeline(timeline), out, overwrite=True)


def test_empty_timeline_renders():
    html, report = render_html(MapState.from_timeline(Timeline([], {})))
    data = _data(html)
    assert data["places"] == [] and data["steps"] == [] and data["initial"] is None
    assert report.places == 0


def test_approximate_area_is_not_a_pin():
    places = {"u": MapPlace("u", "Ghor", "admin1", "approximate", 34.1, 64.9, radius_m=80_000)}
    tl = Timeline([(claim("Ghor", ts(2021, 7, 1), "controlled", actor="Taliban", claimant="a"), "u")], places)
    p = _data(render_html(MapState.from_timeline(tl))[0])["places"][0]
    assert p["d"] == "approximate" and p["r"] == 80_000


def test_script_json_escapes():
    s = script_json({"a": "</script>&\u2028"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == {"a": "</script>&\u2028"}


def test_view_must_be_known(timeline):
    with pytest.raises(RenderError, match="view"):
        render_html(MapState.from_timeline(timeline), view="other")
    assert _data(render_html(MapState.from_timeline(timeline), view="claimant")[0])["view"] == "claimant"


def test_repeated_text_is_stored_once(timeline):
    data = _data(render_html(MapState.from_timeline(timeline))[0])
    assert len(data["strings"]) == len(set(data["strings"]))
    sources = [data["strings"][row[11]] for row in data["claims"] if row[6] < 0]
    assert set(sources) == {"Test Wire"} and data["strings"].count("Test Wire") == 1
    labels = [data["strings"][row[7]] for row in data["claims"] if row[6] < 0]
    assert "6 Jul 2021, 07:30\u201313:30 (UTC)" in labels  # the precision of the span is kept
    assert len(set(labels)) < len(labels)  # repeated labels ...
    assert all(data["strings"].count(label) == 1 for label in labels)  # ... stored once


def test_partial_control_code(timeline):
    data = _data(render_html(MapState.from_timeline(timeline))[0])
    breitbart = [row for row in data["claims"] if row[6] < 0 and data["strings"][row[9]] == "six out of seven districts"]
    assert breitbart and breitbart[0][2] == 4  # partial control
    assert breitbart[0][19] == [6, 7]


def test_unit_geometry_box_bounds(timeline):
    data = _data(render_html(MapState.from_timeline(timeline))[0])
    (s, w), (n, e) = data["bounds"]
    assert (w, s, e, n) == pytest.approx(box(62.9, 34.5, 64.4, 35.7).bounds)


def test_page_frames_the_claims_names_the_zone_and_carries_place_warnings():
    """Kherson 2022: the opening view is the claimed places (not the country), Kyiv time with its summer
    offset, a point inside each area for popups opened from the list, per-place warnings."""
    from map_samples import SNIHURIVKA, UKRAINE, kherson_children, kherson_claims, kherson_places
    from shapely.geometry import Point

    places = kherson_places()
    tl = Timeline(kherson_claims(), places, children=kherson_children())
    data = _data(render_html(MapState.from_timeline(tl, title="K"))[0])
    (south, west), (north, east) = data["bounds"]
    ukraine = places[UKRAINE].geometry.bounds
    assert east - west < (ukraine[2] - ukraine[0]) / 2 and west >= 30.0 and east <= 35.5
    assert data["zone"]["name"] == "Kyiv time" and data["zone"]["key"] == "Europe/Kyiv"
    assert {off for _, off in data["zone"]["offsets"]} == {120, 180}  # winter and summer time
    by_name = {p["n"]: p for p in data["places"]}
    for p in data["places"]:
        if p["d"] == "unit":
            lat, lon = p["c"]
            key = next(k for k, v in places.items() if v.name == p["n"])
            assert places[key].geometry.contains(Point(lon, lat)), p["n"]
    assert by_name["Snihurivka"]["w"] == list(places[SNIHURIVKA].warnings)
    assert "w" not in by_name["Mykolaiv"]
    # Steps are the claims' times: a 14:00 Kyiv claim is a step at 12:00 UTC, no window ends in odd minutes.
    assert all(m % 60 == 0 for m in _steps(data))


def test_zone_label_rule():
    from mapper.render.html import zone_label

    assert zone_label("Asia/Kabul") == "Kabul time"
    assert zone_label("Africa/Khartoum") == "Khartoum time"
    assert zone_label("America/Port_of_Spain") == "Port of Spain time"
    assert zone_label("Etc/GMT-3") == "" and zone_label("UTC") == "UTC"


def test_fallback_view_is_not_hard_coded_on_one_country():
    js = (Path(__file__).resolve().parents[2] / "mapper" / "render" / "assets" / "conflictmap.js").read_text()
    assert "34.5, 66" not in js and "[34.5," not in js
    data = _data(render_html(MapState.from_timeline(Timeline([], {}), title="T"))[0])
    assert data["bounds"] is None  # the page then opens on the whole world


def test_geometry_helpers_catch_only_geometry_errors():
    from shapely.geometry import Point, Polygon

    from mapper.render.html import _count_points, _inside_point

    assert _count_points(None) == 0 and _count_points("not a geometry") == 0
    assert _count_points(Point(1, 2)) == 1
    assert _inside_point(Polygon()) is None
    lon, lat = _inside_point(Polygon([(0, 0), (2, 0), (2, 2), (0, 2)]))
    assert 0 < lon < 2 and 0 < lat < 2
    with pytest.raises(AttributeError):  # a programming error is not hidden as "odd geometry"
        _inside_point(object())
