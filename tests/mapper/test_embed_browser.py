"""An article embedding a map, as a reader sees it: Debian chromium driven by Playwright.

The article (its own fonts, margins and column) is served from 127.0.0.1 with
the snippet of ``conflictmap embed`` in it; every other request is aborted and
recorded. At 360 px (phone) and 1280 px (desktop) widths: the map fills the
column without horizontal overflow, the host page's fonts and margins are those
of the same page without the snippet, the map inside the frame draws and its
controls are usable, and links in the map open outside the frame. Screenshots
go to ``outputs/``. Skipped (with the reason) when Playwright or chromium is missing.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from map_samples import DISTRICTS, badghis_children, badghis_places, qala_claims

from mapper.cli.serve import make_server
from mapper.render.embed import embed_snippet, make_embeddable
from mapper.render.html import render_html
from mapper.state import MapState
from mapper.timeline import Timeline

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
OUTPUTS = REPO / "outputs"
TITLE = "Qala-e-Naw: who holds the city? <claims>"

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Article</title>
<style>
body {{ margin: 0 18px; font: 19px/1.6 Georgia, "DejaVu Serif", serif; color: #222; background: #fffdf6; }}
main {{ max-width: 680px; margin: 0 auto; padding: 12px 0 40px; }}
h1 {{ font: bold 30px/1.2 Georgia, "DejaVu Serif", serif; margin: 20px 0 16px; }}
p {{ margin: 0 0 1.1em; }}
</style></head>
<body><main>
<h1 id="headline">Taliban claim Badghis capital; ministry says city retaken</h1>
<p id="before">Conflicting claims emerged on Wednesday about who controls Qala-e-Naw, the capital of
Badghis province. The map below shows each claim and what it means for the city at every moment.</p>
{snippet}
<p id="after">Security officials denied that the province had fallen, while the governor said Taliban
fighters had been pushed back from several parts of the city.</p>
</main></body></html>
"""

#: Computed styles of the host page that the snippet must not change.
HOST_STYLES = """() => {
  const pick = (sel) => { const e = document.querySelector(sel); const s = getComputedStyle(e);
    return [s.fontFamily, s.fontSize, s.lineHeight, s.marginTop, s.marginRight, s.marginBottom, s.marginLeft,
            s.color, s.fontWeight]; };
  const r = (sel) => { const b = document.querySelector(sel).getBoundingClientRect(); return [b.left, b.width]; };
  // main's margins are "auto": Chrome's getComputedStyle reports them as 0px or as their used width
  // depending on its content, so main is compared by its box (where the margins put it) instead.
  return {body: pick('body'), h1: pick('#headline'), before: pick('#before'), after: pick('#after'),
          mainFont: pick('main').slice(0, 3), mainBox: r('main'), h1Box: r('#headline'), beforeBox: r('#before'),
          afterBox: r('#after')};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The article, the same article without the map, the embed-mode map and its static image, on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("site")
    places = badghis_places()
    # The district of the same name would shadow the city in openPlace("Qala-e-Naw").
    places[DISTRICTS[0]] = replace(places[DISTRICTS[0]], name="Qala-e-Naw district")
    tl = Timeline(qala_claims(), places, children=badghis_children())
    state = MapState.from_timeline(tl, title=TITLE)
    page, _ = render_html(MapState.from_timeline(tl, title=TITLE), None)
    desc = state.describe()
    (folder / "map.html").write_text(make_embeddable(page, description=desc), encoding="utf-8")
    try:
        from mapper.render.static import render_static

        render_static(state, folder / "map.png", width=600, dpi=100)
        static = "map.png"
    except ImportError:  # matplotlib missing: the snippet simply has no static image
        static = None
    snippet = embed_snippet(
        "map.html", title=TITLE, description=desc.text, short=desc.short, static_src=static
    )
    (folder / "article.html").write_text(ARTICLE.format(snippet=snippet), encoding="utf-8")
    (folder / "baseline.html").write_text(ARTICLE.format(snippet=""), encoding="utf-8")
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", desc
    server.shutdown()
    server.server_close()


def _open(browser, url, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = ctx.new_page()
    outside, errors = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))

    def route(r):
        if r.request.url.startswith(url.split("/article")[0].split("/baseline")[0]):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    return ctx, page, outside, errors


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 900)])
def test_article_embeds_the_map_without_overflow_or_restyling(browser, site, width, height):
    base, desc = site
    ctx0, baseline, _, _ = _open(browser, base + "baseline.html", width, height)
    baseline.wait_for_timeout(300)
    expected = baseline.evaluate(HOST_STYLES)
    ctx0.close()

    ctx, page, outside, errors = _open(browser, base + "article.html", width, height)
    try:
        frame_el = page.locator("iframe")
        frame_el.scroll_into_view_if_needed()
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_selector("#cm-map.leaflet-container", timeout=15000)
        frame.wait_for_function("() => document.querySelectorAll('#cm-map path').length > 3")
        page.wait_for_timeout(300)
        # Measured once the page has settled (Chrome may report auto margins as 0px mid-layout).
        assert page.evaluate(HOST_STYLES) == expected, (
            "the snippet changed the host page's fonts or margins"
        )

        # No horizontal overflow, the map fills the column.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        col_left, col_width = expected["beforeBox"]
        box = frame_el.bounding_box()
        assert abs(box["x"] - col_left) <= 2 and abs(box["width"] - col_width) <= 2, (
            box,
            expected["beforeBox"],
        )
        if width <= 640:  # phones: a 3:4 map, at most 85% of the screen height
            assert abs(box["height"] - min(box["width"] * 4 / 3, 0.85 * height)) <= 3, box
        else:
            assert abs(box["height"] - 480) <= 1, box
        # Inside the frame: the map draws and fits its viewport.
        inner = frame.evaluate("""() => ({
            overflow: document.documentElement.scrollWidth > window.innerWidth,
            w: window.innerWidth, app: document.getElementById('cm-app').getBoundingClientRect().width,
            embed: document.getElementById('cm-app').classList.contains('cm-embed')})""")
        assert inner["embed"] and not inner["overflow"] and abs(inner["app"] - inner["w"]) <= 1, (
            inner
        )
        # Controls are on screen and usable; at phone width they are touch-sized.
        buttons = frame.locator(".cm-buttons button")
        for i in range(buttons.count()):
            b = buttons.nth(i).bounding_box()
            assert (
                b and b["x"] >= box["x"] - 1 and b["x"] + b["width"] <= box["x"] + box["width"] + 1
            ), b
            if width <= 480:
                assert b["height"] >= 32, b
        frame.locator("#cm-first").click()
        first = frame.evaluate("window.conflictmap.time()")
        frame.locator("#cm-next").click()
        assert frame.evaluate("window.conflictmap.time()") > first, (
            "the Next button moves the map in time"
        )
        # The caption carries the description; the page loaded nothing from elsewhere.
        caption = page.locator("figcaption").inner_text()
        assert desc.short in caption
        assert outside == [] and errors == [], (outside, errors)
        OUTPUTS.mkdir(exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(OUTPUTS / f"embed-article-{width}.png"), full_page=True)
        # Links in the map (claim sources in a popup) open outside the frame.
        assert frame.evaluate("window.conflictmap.openPlace('Qala-e-Naw')")
        links = frame.evaluate("""() => [...document.querySelectorAll('a[href]')]
            .filter(a => !a.getAttribute('href').startsWith('#'))   // Leaflet's zoom and close buttons
            .map(a => [a.href, a.target])""")
        assert all(target in ("_blank", "_top") for _, target in links), links
        assert any(href == "https://example.org/mod" for href, _ in links), links
    finally:
        ctx.close()


# ------------------------------------------------------------------ article widths (Kherson 2022)
@pytest.fixture(scope="module")
def kherson_site(tmp_path_factory):
    """A Kherson 2022 map in embed mode, in an article twice: the plain iframe and the --resize snippet."""
    from map_samples import kherson_children, kherson_claims, kherson_places

    folder = tmp_path_factory.mktemp("kherson-site")
    tl = Timeline(kherson_claims(), kherson_places(), children=kherson_children())
    page, _ = render_html(MapState.from_timeline(tl, title="Kherson 2022"), None)
    (folder / "map.html").write_text(make_embeddable(page), encoding="utf-8")
    title = "Kherson 2022: claims on both banks"
    (folder / "article.html").write_text(ARTICLE.format(snippet=embed_snippet("map.html", title=title)), encoding="utf-8")
    (folder / "article-resize.html").write_text(
        ARTICLE.format(snippet=embed_snippet("map.html", title=title, resize=True)), encoding="utf-8")
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", tl
    server.shutdown()
    server.server_close()


def _frame(page):
    el = page.locator("iframe")
    el.scroll_into_view_if_needed()
    frame = el.element_handle().content_frame()
    frame.wait_for_selector("#cm-map.leaflet-container", timeout=15000)
    frame.wait_for_function("() => typeof window.conflictmap === 'object'")
    return el, frame


@pytest.mark.parametrize("width,min_map", [(360, 300), (716, 400)])
def test_article_column_keeps_a_tall_framed_map_and_a_foldable_key(browser, kherson_site, width, min_map):
    """A 324 px phone column and a 680 px article column: map height, claim framing, the key, no overflow."""
    base, tl = kherson_site
    ctx, page, outside, errors = _open(browser, base + "article.html", width, 800)
    try:
        el, frame = _frame(page)
        column = page.locator("#before").bounding_box()["width"]
        assert abs(el.bounding_box()["width"] - column) <= 2
        map_box = frame.locator("#cm-map").bounding_box()
        print(f"column {column:.0f} px: map {map_box['width']:.0f} x {map_box['height']:.0f} px")
        assert map_box["height"] >= min_map, map_box
        # The view frames the claimed places (oblasts, districts, towns), not all of Ukraine.
        view = frame.evaluate("window.conflictmap.view()")
        assert view["east"] - view["west"] < 12, view  # the country outline spans 18 degrees
        assert view["west"] <= 31.0 and view["east"] >= 35.0 and view["south"] <= 46.4 and view["north"] >= 47.6, view
        # The key: a button on the map, inside what the reader sees of the frame; folded on a phone.
        btn = frame.locator("#cm-key-button")
        frame_box = el.bounding_box()
        b = btn.bounding_box()  # (frame-local boxes are page boxes in Playwright)
        assert b["y"] + b["height"] <= frame_box["y"] + frame_box["height"] and b["x"] + b["width"] <= frame_box["x"] + frame_box["width"]
        expanded = btn.get_attribute("aria-expanded") == "true"
        assert not expanded, "folded by default in an article column and on a phone"
        btn.click()
        assert (btn.get_attribute("aria-expanded") == "true") != expanded
        assert frame.locator("#cm-key").is_visible() != expanded
        legend = frame.locator("#cm-key").bounding_box()
        assert legend["y"] + 40 <= frame_box["y"] + frame_box["height"], "the open key shows inside the frame"
        for sel in (".cm-credits", ".leaflet-control-scale"):
            other = frame.locator(sel).bounding_box()
            assert other["y"] >= legend["y"] + legend["height"] or other["x"] >= legend["x"] + legend["width"] \
                or other["x"] + other["width"] <= legend["x"], f"the open key covers {sel}"
        btn.click()  # fold the key again: the credits never cover a control
        credits = frame.locator(".cm-credits").bounding_box()
        for sel in (".leaflet-control-zoom", ".leaflet-control-scale", ".cm-tools"):
            other = frame.locator(sel).bounding_box()
            assert (credits["x"] + credits["width"] <= other["x"] or other["x"] + other["width"] <= credits["x"]
                    or credits["y"] + credits["height"] <= other["y"] or other["y"] + other["height"] <= credits["y"]), sel
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        OUTPUTS.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUTS / f"embed-kherson-{width}.png"), full_page=True)
        assert outside == [] and errors == [], (outside, errors)
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [360, 716])
def test_resize_snippet_fits_the_iframe_to_the_map_page(browser, kherson_site, width):
    base, tl = kherson_site
    ctx, page, outside, errors = _open(browser, base + "article-resize.html", width, 800)
    try:
        el, frame = _frame(page)
        content = frame.evaluate("Math.ceil(document.getElementById('cm-app').getBoundingClientRect().height)")
        for _ in range(40):
            if abs(el.bounding_box()["height"] - content) <= 2:
                break
            page.wait_for_timeout(100)
        assert abs(el.bounding_box()["height"] - content) <= 2, (el.bounding_box(), content)
        assert content > 600, "the panel under the map shows without scrolling inside the frame"
        assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
        # Only messages from its own iframe, of the right shape, are used.
        wrapper = page.locator("[data-conflictmap-embed] iframe").locator("..")
        before = el.bounding_box()["height"]
        page.evaluate("window.postMessage({type: 'conflictmap:height', height: 250}, '*')")  # not from the iframe
        frame.evaluate("window.parent.postMessage({type: 'conflictmap:height', height: '999'}, '*')")  # a string
        frame.evaluate("window.parent.postMessage({type: 'other', height: 999}, '*')")
        frame.evaluate("window.parent.postMessage('conflictmap:height 999', '*')")
        page.wait_for_timeout(200)
        assert abs(el.bounding_box()["height"] - before) <= 1
        frame.evaluate("window.parent.postMessage({type: 'conflictmap:height', height: 777}, '*')")
        page.wait_for_timeout(200)
        assert wrapper.get_attribute("data-conflictmap-height") == "777"
        assert abs(el.bounding_box()["height"] - 777) <= 1
        page.screenshot(path=str(OUTPUTS / f"embed-kherson-resize-{width}.png"), full_page=True)
        assert outside == [] and errors == [], (outside, errors)
    finally:
        ctx.close()
