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
from mapper.render.html import render_html
from mapper.timeline import MapPlace, Timeline

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"
UTC = timezone.utc


def minutes(dt) -> int:
    return int(dt.timestamp() // 60)


class Opened:
    """A page with everything a test needs to check: outside requests, console errors, dialogs."""

    def __init__(self, browser, path: Path, hash_: str = "", viewport=(1280, 800)):
        self.external, self.errors, self.dialogs = [], [], []
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri() + hash_)
        self.page.wait_for_selector("#cm-map.leaflet-container")
        for _ in range(50):
            if self.page.evaluate("typeof window.conflictmap") == "object":
                break
            self.page.wait_for_timeout(50)

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:") or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def states(self) -> list:
        return self.page.evaluate("window.conflictmap.states()")

    def time(self) -> int:
        return self.page.evaluate("window.conflictmap.time()")

    def close(self):
        self.page.close()

    def assert_clean(self):
        assert self.external == [], f"requests outside the file: {self.external}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Hand-made Badghis timeline (districts loaded) rendered to a file."""
    tl = Timeline(qala_claims(), badghis_places(), children=badghis_children())
    out = tmp_path_factory.mktemp("sample") / "sample.html"
    render_html(tl, out, title="Qala-e-Naw sample")
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
        # The page drew something for every mapped place: polygons in SVG, points on canvas.
        assert page.page.locator(".leaflet-cm-units-pane path.leaflet-interactive").count() >= 1
        assert page.page.locator(".leaflet-cm-points-pane canvas").count() == 1
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
        assert steps == [minutes(t) for t in tl.steps()]
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
        # The story of the city, in colours: Taliban, disputed (hatched, dashed), then Government.
        assert seen["controlled by Taliban"][0] < seen["disputed (claims disagree)"][0] < seen["controlled by Government of Afghanistan"][0]
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
        assert city_states[0]["label"] == "controlled by Government of Afghanistan"
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
        page.page.keyboard.press("Home")
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
    render_html(Timeline(claims, places), out, title=XSS + XSS2)
    return out


def test_xss_probes_do_nothing(browser, xss_map):
    page = Opened(browser, xss_map)
    try:
        for name, kind in ((XSS, "populated_place"), (XSS2, "admin1")):
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
