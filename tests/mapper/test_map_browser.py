"""The map as a reader sees it: Debian chromium driven by Playwright, with the network cut.

Every request that is not for the file itself is aborted and recorded; a
test fails on any such request, any console error, any uncaught exception or
any dialog. Skipped (with the reason) when Playwright or chromium is missing.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from map_samples import CITY, badghis_children, badghis_places, claim, qala_claims, ts
from offline_page import OfflinePage

from mapper.render.html import render_html
from mapper.state import MapState
from mapper.timeline import MapPlace, Timeline

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"
UTC = timezone.utc


def minutes(dt) -> int:
    return int(dt.timestamp() // 60)


class Opened(OfflinePage):
    """The map page opened offline, once its script has set up ``window.conflictmap``."""

    def __init__(self, browser, path: Path, hash_: str = "", viewport=(1280, 800)):
        super().__init__(browser, viewport)
        self.goto(path, hash_)
        self.page.wait_for_selector("#cm-map.leaflet-container")
        for _ in range(50):
            if self.page.evaluate("typeof window.conflictmap") == "object":
                break
            self.page.wait_for_timeout(50)

    def states(self) -> list:
        return self.page.evaluate("window.conflictmap.states()")

    def time(self) -> int:
        return self.page.evaluate("window.conflictmap.time()")



@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Hand-made Badghis timeline (districts loaded) rendered to a file."""
    tl = Timeline(qala_claims(), badghis_places(), children=badghis_children())
    out = tmp_path_factory.mktemp("sample") / "sample.html"
    render_html(MapState.from_timeline(tl, title="Qala-e-Naw sample"), out)
    return tl, out


@pytest.fixture(scope="module")
def example(tmp_path_factory, small_gazetteer):
    """The shipped example, through the real pipeline and gazetteer."""
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} not found")
    from mapper.pipeline import build_map

    out = tmp_path_factory.mktemp("example") / "qala-e-naw.html"
    result = build_map([EXAMPLE], gazetteer=small_gazetteer, output=out, title="Qala-e-Naw, July 2021")
    return result, out


def test_example_loads_offline_without_errors(browser, example):
    result, out = example
    page = Opened(browser, out)
    try:
        states = page.states()
        assert {s["place"] for s in states} >= {"Qala-e-Naw", "Badghis"}
        # The page drew something for every mapped place: polygons and towns in SVG (no canvas over the areas).
        assert page.page.locator(".leaflet-cm-units-pane path.leaflet-interactive").count() >= 1
        assert page.page.locator(".leaflet-cm-points-pane path.leaflet-interactive").count() >= 1
        assert page.page.locator(".leaflet-cm-points-pane canvas").count() == 0
        assert page.page.locator("#cm-asof").inner_text() != "\u2014"
        page.assert_clean()
    finally:
        page.close()


def test_slider_follows_the_claims_and_python_rules(browser, sample):
    """Step through every time step with the keyboard; the browser's states equal mapper.timeline's."""
    tl, out = sample
    page = Opened(browser, out)
    try:
        steps = page.page.evaluate("window.conflictmap.steps()")
        # Steps: claim starts and ends, each on the minute it is reached (never "13:29" for 13:29:59.999).
        ceil = lambda t: -(-int(t.timestamp() * 1e6) // 60_000_000)  # noqa: E731
        assert steps == sorted({minutes(e.start) for e in tl.entries} | {ceil(e.end) for e in tl.entries if e.end})
        page.page.keyboard.press("Home")
        seen = {}
        for i, step in enumerate(steps):
            if i:
                page.page.keyboard.press("ArrowRight")
            assert page.time() == step
            t = datetime.fromtimestamp(step * 60, tz=UTC)
            for s in page.states():
                py = tl.state_at(s["id"], t)
                assert (s["status"], s["actor"]) == (py.status, py.actor), (s, py, t)
                assert sorted(s["claims"]) == sorted(py.entries)
            city = next(s for s in page.states() if s["id"] == CITY)
            style = page.page.evaluate("window.conflictmap.layerStyle('Qala-e-Naw', 'populated_place')")
            seen.setdefault(city["label"], (step, style))
        # The story of the city, in colours: Taliban, then disputed (hatched, dashed), which stands: the
        # ministry's retaking came within the dispute window of the capture claims (timeline rule 4).
        assert seen["controlled by Taliban"][0] < seen["disputed (claims disagree)"][0]
        assert "controlled by Government" not in seen
        assert seen["disputed (claims disagree)"][1]["fillColor"] == "pattern"
        assert seen["disputed (claims disagree)"][1]["dashArray"]
        page.page.evaluate(f"window.conflictmap.setTime({minutes(datetime(2021, 7, 6, 14, tzinfo=UTC))})")
        # Districts carry the fill ("all districts" claim); the province keeps a Taliban-coloured outline.
        assert page.page.evaluate("window.conflictmap.layerStyle('Ghormach')")["fillColor"] == "#D55E00"
        province = page.page.evaluate("window.conflictmap.layerStyle('Badghis')")
        assert province["color"] == "#D55E00" and province["fillOpacity"] == 0
        assert page.page.evaluate("window.conflictmap.layerStyle('Qala-e-Naw', 'populated_place')")["fillColor"] == "#D55E00"
        page.page.evaluate(f"window.conflictmap.setTime({minutes(datetime(2021, 7, 9, 14, tzinfo=UTC))})")
        city_states = [s for s in page.states() if s["id"] == CITY]
        assert city_states[0]["label"] == "disputed (claims disagree)"
        assert city_states[0]["age"] == "last reported 2 days ago"
        page.assert_clean()
    finally:
        page.close()


def test_counts_panel_matches_python(browser, sample):
    tl, out = sample
    t = datetime(2021, 7, 6, 14, tzinfo=UTC)
    page = Opened(browser, out, f"#date={t:%Y-%m-%dT%H:%M}")
    try:
        text = page.page.locator("#cm-counts").inner_text()
        for c in tl.rollups_at(t):
            assert f"{c.n} of {c.total} {c.category}" in text
        assert "Badghis (7 districts)" in text
        page.assert_clean()
    finally:
        page.close()


def test_popup_shows_quotes_in_time_order(browser, example):
    result, out = example
    page = Opened(browser, out)
    try:
        pt = page.page.evaluate("window.conflictmap.pointOf('Qala-e-Naw', 'populated_place')")
        assert pt, "Qala-e-Naw is not on the map"
        page.page.mouse.click(pt["x"], pt["y"])
        popup = page.page.locator(".leaflet-popup-content").last
        popup.wait_for()
        text = popup.inner_text()
        assert "Qala-e-Naw" in text
        assert "captured Qala-e-Naw on Tuesday afternoon" in text
        assert "driven from Qala-e-Naw" in text
        # Claims in time order: the MP's Tuesday-afternoon claim is the first item, Wednesday's come later.
        items = popup.locator(".cm-claims > li").all_inner_texts()
        city = next(k for k, p in result.timeline.places.items() if p.name == "Qala-e-Naw")
        assert len(items) == len(result.timeline.claims_for(city))
        assert "Tuesday afternoon" in items[0] and "6 Jul 2021, afternoon" in items[0]
        assert any("driven from Qala-e-Naw" in it for it in items[1:])
        for a in popup.locator("a").all():
            assert a.get_attribute("rel") == "noopener noreferrer" and a.get_attribute("target") == "_blank"
            assert a.get_attribute("href").startswith(("http://", "https://"))
        page.assert_clean()
    finally:
        page.close()


def test_popup_links_sources_and_archives(browser, sample):
    tl, out = sample
    page = Opened(browser, out, "#date=2021-07-07T12:00")
    try:
        pt = page.page.evaluate("window.conflictmap.pointOf('Qala-e-Naw', 'populated_place')")
        page.page.mouse.click(pt["x"], pt["y"])
        popup = page.page.locator(".leaflet-popup-content").last
        popup.wait_for()
        links = popup.locator("a")
        hrefs = [a.get_attribute("href") for a in links.all()]
        assert "https://example.org/mod" in hrefs
        assert "https://web.archive.org/web/2021/https://example.org/mod" in hrefs
        assert popup.locator("a", has_text="archived copy").count() == 1
        for a in links.all():
            assert a.get_attribute("rel") == "noopener noreferrer" and a.get_attribute("target") == "_blank"
        page.assert_clean()
    finally:
        page.close()


def test_hash_opens_the_map_at_that_time_and_follows_the_slider(browser, sample):
    tl, out = sample
    page = Opened(browser, out, "#date=2021-07-06T09:00")
    try:
        assert page.time() == minutes(datetime(2021, 7, 6, 9, tzinfo=UTC))
        assert page.page.locator("#cm-asof").inner_text() == "6 Jul 2021, 09:00 UTC"
        city = next(s for s in page.states() if s["id"] == CITY)
        assert city["label"] == "controlled by Taliban"
        page.page.keyboard.press("ArrowRight")
        new_hash = page.page.evaluate("location.hash")
        assert re.fullmatch(r"#date=\d{4}-\d\d-\d\dT\d\d:\d\d", new_hash) and new_hash != "#date=2021-07-06T09:00"
        t = datetime.strptime(new_hash[6:], "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
        assert page.time() == minutes(t)
        page.assert_clean()
    finally:
        page.close()


def test_play_button_and_claimant_filter(browser, sample):
    tl, out = sample
    page = Opened(browser, out, "#date=2021-07-07T12:00")
    try:
        t = datetime(2021, 7, 7, 12, tzinfo=UTC)
        assert next(s for s in page.states() if s["id"] == CITY)["status"] == "disputed"
        # Only Government-side claims: the Defence Ministry's retaking stands alone.
        page.page.locator(".cm-group", has_text="Government of Afghanistan side").locator("button.cm-only").click()
        gov = [name for name, side in tl.claimants() if side == "Government of Afghanistan"]
        expected = tl.state_at(CITY, t, claimants=gov)
        got = next(s for s in page.states() if s["id"] == CITY)
        assert (got["status"], got["actor"]) == (expected.status, expected.actor) == ("controlled", "Government of Afghanistan")
        # Only Taliban-side claims.
        page.page.locator(".cm-group", has_text="Taliban side").locator("button.cm-only").click()
        got = next(s for s in page.states() if s["id"] == CITY)
        assert got["label"] == "controlled by Taliban"
        # One claimant at a time.
        page.page.locator("input[name=cm-view][value=claimant]").check()
        assert page.page.locator("input[name=cm-one]").count() == len(tl.claimants())
        # Play advances time; pause stops it.
        page.page.locator("#cm-first").click()  # (Home is the radio's own key while a radio has focus)
        before = page.time()
        page.page.locator("#cm-play").click()
        for _ in range(50):  # (wait_for_function would need eval, which the page's CSP forbids)
            if page.time() > before:
                break
            page.page.wait_for_timeout(100)
        assert page.time() > before
        page.page.locator("#cm-play").click()
        assert page.page.locator("#cm-play").get_attribute("aria-pressed") == "false"
        page.assert_clean()
    finally:
        page.close()


XSS = "<img src=x onerror=\"window.__xss=1;alert(1)\">"
XSS2 = "</script><script>window.__xss=2;alert(2)</script>"
XSS3 = "\"'><svg onload=\"window.__xss=3;alert(3)\">"


@pytest.fixture(scope="module")
def xss_map(tmp_path_factory):
    places = {
        "p": MapPlace("p", XSS, "populated_place", "point", 35.0, 63.0),
        "u": MapPlace("u", XSS2, "admin1", "approximate", 35.5, 64.0, radius_m=30_000),
    }
    claims = []
    for i, probe in enumerate((XSS, XSS2, XSS3, "javascript:alert(4)")):
        for key in ("p", "u"):
            claims.append((claim(probe, ts(2021, 7, 6, i), "controlled" if i % 2 else "contested", actor=probe,
                                 claimant=probe, quote=probe, source=probe, scope=probe, url="javascript:alert(5)",
                                 archive_url="https://example.org/\"><img src=x onerror=alert(6)>", row=i + 1,
                                 status_raw=probe), key))
    out = tmp_path_factory.mktemp("xss") / "xss.html"
    render_html(MapState.from_timeline(Timeline(claims, places), title=XSS + XSS2), out)
    return out


def test_xss_probes_do_nothing(browser, xss_map):
    page = Opened(browser, xss_map)
    try:
        for name, _kind in ((XSS, "populated_place"), (XSS2, "admin1")):
            assert page.page.evaluate("(n) => window.conflictmap.openPlace(n)", name)
            popup = page.page.locator(".leaflet-popup-content").last
            popup.wait_for()
            text = popup.inner_text()
            assert XSS in text and "javascript:alert(4)" in text  # shown as text
        page.page.locator("#cm-counts details").first.evaluate("d => d.open = true")
        page.page.wait_for_timeout(200)
        assert page.page.evaluate("window.__xss") is None
        assert page.page.locator("img").count() == 0
        assert page.page.locator("svg[onload], [onerror]").count() == 0
        assert page.page.locator("script").count() == 4
        assert page.page.locator("a[href^='javascript']").count() == 0
        assert page.page.title() == XSS + XSS2
        page.assert_clean()
    finally:
        page.close()


def test_screenshot_of_example(browser, example, tmp_path):
    result, out = example
    page = Opened(browser, out, "#date=2021-07-07T09:00", viewport=(1400, 900))
    try:
        shot = tmp_path / "qala-e-naw.png"
        page.page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 20_000
        page.assert_clean()
    finally:
        page.close()


def test_embed_mode_page_runs_at_phone_width(browser, tmp_path, small_gazetteer):
    """`map --embed` restyles only the page's CSS: its scripts (and CSP hashes) still run."""
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} not found")
    from mapper.pipeline import build_map

    out = tmp_path / "embed.html"
    build_map([EXAMPLE], gazetteer=small_gazetteer, output=out, embed=True)
    page = Opened(browser, out, "#date=2021-07-07T09:00", viewport=(360, 640))
    try:
        assert any(s["place"] == "Qala-e-Naw" and s["status"] == "disputed" for s in page.states())
        assert page.page.evaluate("document.documentElement.scrollWidth") <= 360
        page.assert_clean()
    finally:
        page.close()


# ------------------------------------------------------------------ a map a reader can trust (Kherson 2022)
OUTPUTS = REPO / "outputs"


@pytest.fixture(scope="module")
def kherson(tmp_path_factory):
    """Another war: Kherson and Mykolaiv 2022, claims from February to November in Kyiv time."""
    from map_samples import kherson_children, kherson_claims, kherson_places

    places = kherson_places()
    tl = Timeline(kherson_claims(), places, children=kherson_children())
    folder = tmp_path_factory.mktemp("kherson")
    page, _ = render_html(MapState.from_timeline(tl, title="Kherson 2022: who holds what"), None)
    (folder / "kherson.html").write_text(page, encoding="utf-8")
    from mapper.render.embed import make_embeddable

    (folder / "kherson-embed.html").write_text(make_embeddable(page), encoding="utf-8")
    return tl, places, folder / "kherson.html", folder / "kherson-embed.html"


def _drawn_shape(place, page, lonlat_per_px):
    """What the page draws for a place, in (lon, lat): the polygon, the approximate circle, a town's dot."""
    import math

    from shapely import affinity
    from shapely.geometry import Point

    if place.drawn_as == "unit":
        return place.geometry
    if place.drawn_as == "approximate":
        r = place.radius_m / 111_320
        return affinity.scale(Point(place.lon, place.lat).buffer(r), 1 / math.cos(math.radians(place.lat)), 1)
    return Point(place.lon, place.lat).buffer(12 * lonlat_per_px)  # a town's dot and its click tolerance


def _page_box(page, rect):
    """A page rectangle {x, y, width, height} as a (lon, lat) box."""
    from shapely.geometry import box

    south_west = page.evaluate("([x, y]) => window.conflictmap.unproject(x, y)", [rect["x"], rect["y"] + rect["height"]])
    north_east = page.evaluate("([x, y]) => window.conflictmap.unproject(x, y)", [rect["x"] + rect["width"], rect["y"]])
    return box(south_west[1], south_west[0], north_east[1], north_east[0])


def _open_popup_title(page):
    """The title of the one open popup (a replaced popup fades out for a moment first)."""
    popup = page.locator(".leaflet-popup-content h3")
    popup.last.wait_for(timeout=3000)
    for _ in range(30):
        if popup.count() == 1:
            break
        page.wait_for_timeout(50)
    return popup.inner_text()


def test_every_drawn_area_and_town_opens_its_popup(browser, kherson):
    """Click inside every drawn polygon (where nothing is drawn over it) and on every town: each opens its popup."""
    from shapely.ops import unary_union

    tl, places, out, _ = kherson
    opened = Opened(browser, out)
    page = opened.page
    try:
        by_name = {p.name: p for p in places.values()}
        drawn = [d for d in page.evaluate("window.conflictmap.places()") if d["drawn"] != "none"]
        view = page.evaluate("window.conflictmap.view()")
        per_px = (view["east"] - view["west"]) / view["width"]
        mapbox = page.locator("#cm-map").bounding_box()
        shapes = [_drawn_shape(by_name[d["name"]], page, per_px) for d in drawn]
        towns = [i for i, d in enumerate(drawn) if d["drawn"] == "point"]
        areas = [i for i, d in enumerate(drawn) if d["drawn"] != "point"]
        assert len(areas) == 7 and len(towns) == 4  # Ukraine, 2 oblasts, 3 districts, 1 approximate area; 4 towns
        clicked = []
        for i in areas:
            # (framed and measured again each time: a popup pans the map to show itself)
            page.evaluate("window.conflictmap.frame()")
            inner = _page_box(page, {"x": mapbox["x"] + 4, "y": mapbox["y"] + 4,
                                     "width": mapbox["width"] - 8, "height": mapbox["height"] - 8})
            controls = page.locator(".leaflet-control")
            covered_by_controls = unary_union([_page_box(page, controls.nth(k).bounding_box())
                                               for k in range(controls.count()) if controls.nth(k).is_visible()])
            # Where this area is the topmost thing drawn: minus areas drawn after it, towns, controls, the edge.
            above = [shapes[j] for j in areas if j > i] + [shapes[j] for j in towns]
            visible = shapes[i].intersection(inner).difference(unary_union(above + [covered_by_controls]))
            assert not visible.is_empty, f"{drawn[i]['name']} is drawn but nowhere visible"
            part = max(getattr(visible, "geoms", [visible]), key=lambda g: g.area)
            pt = part.representative_point()
            xy = page.evaluate("([lat, lon]) => window.conflictmap.project(lat, lon)", [pt.y, pt.x])
            hit = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); "
                                "return e ? e.tagName + '.' + e.getAttribute('class') : null; }", [xy["x"], xy["y"]])
            page.mouse.click(xy["x"], xy["y"])
            assert page.locator(".leaflet-popup-content h3").count() == 1, (drawn[i], pt, xy, hit)
            assert _open_popup_title(page) == drawn[i]["name"], (drawn[i], pt)
            clicked.append(drawn[i]["name"])
            page.keyboard.press("Escape")
            page.locator(".leaflet-popup").wait_for(state="detached", timeout=3000)
        for i in towns:
            p = by_name[drawn[i]["name"]]
            page.evaluate("window.conflictmap.frame()")
            xy = page.evaluate("([lat, lon]) => window.conflictmap.project(lat, lon)", [p.lat, p.lon])
            page.mouse.click(xy["x"], xy["y"])
            assert _open_popup_title(page) == p.name
            clicked.append(p.name)
            page.keyboard.press("Escape")
            page.locator(".leaflet-popup").wait_for(state="detached", timeout=3000)
        assert len(clicked) == len(drawn) == 11
        # A district's popup leads to its oblast (the way to a province whose districts cover it).
        opened.page.evaluate("window.conflictmap.openPlace('Khersonskyi raion')")
        page.locator(".cm-popup .cm-up").click()
        assert _open_popup_title(page) == "Kherson Oblast"
        OUTPUTS.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUTS / "map-kherson-1280-popup.png"))
        opened.assert_clean()
    finally:
        opened.close()


def test_places_list_is_the_keyboard_path_to_every_popup(browser, kherson):
    tl, places, out, _ = kherson
    opened = Opened(browser, out)
    page = opened.page
    try:
        for _ in range(120):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == "cm-places-button":
                break
        else:
            pytest.fail("the Places button cannot be reached with Tab")
        page.keyboard.press("Enter")
        listed = page.locator("#cm-places .cm-placeitem")
        assert listed.count() == 11
        assert page.evaluate("document.activeElement.classList.contains('cm-placeitem')")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        name = page.evaluate("document.activeElement.querySelector('.cm-placename').textContent").replace(" \u26a0", "")
        page.keyboard.press("Enter")
        assert _open_popup_title(page) == name
        assert page.locator("#cm-places").is_hidden()
        assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')"), "focus moves into the popup"
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached", timeout=3000)
        page.wait_for_timeout(50)
        assert page.evaluate("document.activeElement.id") == "cm-places-button", "focus returns to the button"
        # Esc also closes the list itself.
        page.keyboard.press("Enter")
        assert page.locator("#cm-places").is_visible()
        page.keyboard.press("Escape")
        assert page.locator("#cm-places").is_hidden()
        assert page.get_attribute("#cm-places-button", "aria-expanded") == "false"
        opened.assert_clean()
    finally:
        opened.close()


def _inside(r, box, slack=0.5):
    return (r["x"] >= box["x"] - slack and r["y"] >= box["y"] - slack and r["x"] + r["width"] <= box["x"] + box["width"] + slack
            and r["y"] + r["height"] <= box["y"] + box["height"] + slack)


def _overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("mode", ["page", "embed"])
def test_popups_fit_a_phone_and_credits_cover_nothing(browser, kherson, mode):
    tl, places, out, embed_out = kherson
    opened = Opened(browser, out if mode == "page" else embed_out, viewport=(360, 740))
    page = opened.page
    try:
        screen = {"x": 0, "y": 0, "width": 360, "height": 740}
        mapbox = page.locator("#cm-map").bounding_box()
        credits = page.locator(".cm-credits").bounding_box()
        for sel in (".leaflet-control-zoom", ".leaflet-control-scale", ".cm-tools"):
            assert not _overlap(credits, page.locator(sel).bounding_box()), f"the credits cover {sel}"
        # Folded on a phone: a button, the text behind it.
        assert page.locator(".cm-credits-text").is_hidden()
        page.locator(".cm-credits-toggle").click()
        assert page.locator(".cm-credits-text").is_visible()
        widths = []
        for name in [p.name for p in places.values()]:
            page.evaluate("(n) => window.conflictmap.openPlace(n)", name)
            page.locator(".leaflet-popup").wait_for()
            page.wait_for_timeout(350)  # the pan that brings the popup into view
            popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
            widths.append(popup["width"])
            assert _inside(popup, screen) and _inside(popup, mapbox), (name, popup, mapbox)
            close = page.locator(".leaflet-popup-close-button").bounding_box()
            assert _inside(close, popup) and close["width"] >= 24 and close["height"] >= 24, close
            assert page.locator(".cm-credits").is_hidden(), "no credit line over an open popup"
            text = page.locator(".leaflet-popup-content")
            assert text.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"{name}: text is cut"
            if name == "Snihurivka":
                OUTPUTS.mkdir(exist_ok=True)
                page.screenshot(path=str(OUTPUTS / f"map-kherson-360-{mode}-popup.png"))
            page.locator(".leaflet-popup-close-button").click()
            page.locator(".leaflet-popup").wait_for(state="detached", timeout=3000)
        assert max(widths) <= 360 - 8, widths
        print(f"popup widths at 360 px ({mode}): {min(widths):.0f}-{max(widths):.0f} px")
        opened.assert_clean()
    finally:
        opened.close()


def test_place_warnings_show_in_the_popup_as_text(browser, kherson):
    tl, places, out, _ = kherson
    opened = Opened(browser, out)
    page = opened.page
    try:
        assert page.evaluate("window.conflictmap.openPlace('Snihurivka')")
        items = page.locator(".leaflet-popup .cm-warnings li")
        assert items.all_inner_texts() == list(places["geonames:693000"].warnings)
        assert page.locator(".leaflet-popup .cm-warnings b").count() == 0  # shown, not interpreted
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached", timeout=3000)
        assert page.evaluate("window.conflictmap.openPlace('Mykolaiv')")
        assert page.locator(".leaflet-popup .cm-warnings").count() == 0
        opened.assert_clean()
    finally:
        opened.close()


def test_time_control_over_months(browser, kherson):
    """Steps at the claims' times, ticks in proportion to time, Kyiv time named, keyboard stepping."""
    from zoneinfo import ZoneInfo

    tl, places, out, _ = kherson
    opened = Opened(browser, out, viewport=(1280, 800))
    page = opened.page
    kyiv = ZoneInfo("Europe/Kyiv")
    try:
        steps = page.evaluate("window.conflictmap.steps()")
        starts = sorted({minutes(e.start) for e in tl.entries})
        assert set(starts) <= set(steps)
        assert page.locator("#cm-keys").is_visible() and "Home" in page.locator("#cm-keys").inner_text()
        slider = page.locator("#cm-slider")
        slider.focus()
        page.keyboard.press("Home")
        assert opened.time() == steps[0]
        t0 = datetime.fromtimestamp(steps[0] * 60, tz=UTC).astimezone(kyiv)
        info = page.locator("#cm-stepinfo").inner_text()
        assert info.startswith(f"{t0.day} {t0:%b %Y, %H:%M} \u2014 step 1 of {len(steps)}"), info
        assert page.locator("#cm-zone").inner_text().startswith("Times in Kyiv time, UTC+2")
        page.keyboard.press("ArrowRight")
        assert opened.time() == steps[1]
        page.keyboard.press("End")
        assert opened.time() == steps[-1]
        # A summer step is shown at UTC+3 (the zone's own rule, not one fixed offset).
        summer = next(s for s in steps if datetime.fromtimestamp(s * 60, tz=UTC).month == 7 or
                      datetime.fromtimestamp(s * 60, tz=UTC).month == 6)
        page.evaluate(f"window.conflictmap.setTime({summer})")
        t = datetime.fromtimestamp(summer * 60, tz=UTC).astimezone(kyiv)
        assert page.locator("#cm-asof").inner_text() == f"{t.day} {t:%b %Y, %H:%M} Kyiv time"
        assert page.locator("#cm-zone").inner_text().startswith("Times in Kyiv time, UTC+3")
        # Ticks sit in proportion to time, under the slider's thumb.
        box = slider.bounding_box()
        ticks = page.locator(".cm-tick-step")
        assert ticks.count() == len(steps)
        for i in (0, len(steps) // 2, len(steps) - 1):
            page.evaluate(f"window.conflictmap.setTime({steps[i]})")
            f = (steps[i] - steps[0]) / (steps[-1] - steps[0])
            tick = ticks.nth(i).bounding_box()
            assert abs(tick["x"] + tick["width"] / 2 - (box["x"] + 8 + f * (box["width"] - 16))) <= 2.5, (i, tick, box)
        labels = page.locator(".cm-ticklabel").all_inner_texts()
        assert 3 <= len(labels) <= 7 and any("2022" in x for x in labels), labels
        # The gap from March to June is wider on the axis than the days of early March.
        xs = [ticks.nth(i).bounding_box()["x"] for i in range(len(steps))]
        gaps = sorted(((b - a), i) for i, (a, b) in enumerate(zip(xs, xs[1:])))
        big = gaps[-1][1]
        assert steps[big + 1] - steps[big] == max(b - a for a, b in zip(steps, steps[1:]))
        page.locator("#cm-slider").screenshot(path=str(OUTPUTS / "map-kherson-slider.png"))
        page.locator(".cm-time").screenshot(path=str(OUTPUTS / "map-kherson-time.png"))
        opened.assert_clean()
    finally:
        opened.close()


def test_a_map_without_claims_or_basemap_opens_on_the_world(browser, tmp_path):
    out = tmp_path / "empty.html"
    render_html(MapState.from_timeline(Timeline([], {}), title="Nothing yet"), out)
    opened = Opened(browser, out)
    try:
        view = opened.page.evaluate("window.conflictmap.view()")
        assert view["west"] < -60 and view["east"] > 60, view  # not a country's view
        opened.assert_clean()
    finally:
        opened.close()


def test_many_towns_on_canvas_leave_the_areas_clickable(browser, tmp_path):
    """Above the clustering threshold towns go to one canvas over the whole map: areas stay clickable."""
    from shapely.geometry import box

    from mapper.render.html import CLUSTER_THRESHOLD

    n = CLUSTER_THRESHOLD + 100
    places = {"r": MapPlace("r", "Darfur test region", "admin1", "unit", 13.0, 24.0, geometry=box(22.0, 11.0, 26.0, 15.0))}
    claims = [(claim("Darfur test region", ts(2023, 5, 1, 8), "contested", actor="RSF", claimant="Monitor"), "r")]
    for i in range(n):  # a grid of villages in the north-west quarter of the region
        lat, lon = 14.9 - (i // 40) * 0.05, 22.1 + (i % 40) * 0.05
        key = f"v{i}"
        places[key] = MapPlace(key, f"Village {i}", "populated_place", "point", lat, lon)
        claims.append((claim(f"Village {i}", ts(2023, 5, 2, 8), "controlled", actor="RSF", claimant="Monitor",
                             row=i + 2), key))
    out = tmp_path / "many.html"
    render_html(MapState.from_timeline(Timeline(claims, places), title="Many villages"), out)
    opened = Opened(browser, out)
    page = opened.page
    try:
        assert page.locator(".leaflet-cm-points-pane canvas").count() == 1
        # Zoomed in past clustering, a village's dot opens its popup ...
        page.evaluate("window.conflictmap.zoomTo('Village 0')")
        page.wait_for_timeout(300)
        xy = page.evaluate("window.conflictmap.project(14.9, 22.1)")
        page.mouse.click(xy["x"], xy["y"])
        assert _open_popup_title(page) == "Village 0"
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached", timeout=3000)
        # ... and the region under the canvas, away from the dots, opens the region's.
        xy = page.evaluate("window.conflictmap.project(14.925, 22.125)")
        page.mouse.click(xy["x"], xy["y"])
        assert _open_popup_title(page) == "Darfur test region"
        opened.assert_clean()
    finally:
        opened.close()
