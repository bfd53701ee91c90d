"""The locator context of the page as a reader sees it (chromium, network cut): names, land, water.

Checks the issue-14 promises: at the example's first view its neighbours and Kabul are named; on a
map of another war (the Dnipro's left bank, our own claims file) the sea, the river and the towns
around are named; zoomed out to the world the page shows land; context names never cover a claim
label or a claimed marker; names from data stay text; with --tiles and no network the offline land
is still drawn under the (failed) tiles. Screenshots go to outputs/ (git-ignored).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from offline_page import OfflinePage

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"
LEFT_BANK = REPO / "tests" / "fixtures" / "dnipro-left-bank-2023.csv"
OUTPUTS = REPO / "outputs"


def _open(browser, path, viewport=(1280, 800)) -> OfflinePage:
    page = OfflinePage(browser, viewport).goto(path)
    page.page.wait_for_selector("#cm-map.leaflet-container")
    page.page.wait_for_function("typeof window.conflictmap === 'object'")
    page.page.wait_for_timeout(300)  # placeContext runs on the next animation frame
    return page


def _labels(page) -> list:
    return page.page.evaluate("window.conflictmap.contextLabels()")


def _names(page, kind=None) -> set:
    return {x["name"] for x in _labels(page) if kind is None or x["kind"] == kind}


def _shot(page, name):
    OUTPUTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(OUTPUTS / name))


def _claim_boxes(page) -> list:
    """Boxes of the visible claim labels and claimed markers (page pixels)."""
    return page.page.evaluate("""() => {
      const out = [];
      document.querySelectorAll('.leaflet-tooltip.cm-label').forEach(t => {
        if (t.style.visibility !== 'hidden') { const r = t.getBoundingClientRect(); out.push([r.left, r.top, r.right, r.bottom]); }
      });
      document.querySelectorAll('.leaflet-cm-points-pane path.leaflet-interactive').forEach(p => {
        const r = p.getBoundingClientRect(); out.push([r.left, r.top, r.right, r.bottom]);
      });
      return out;
    }""")


def _assert_no_overlap(page):
    claims = _claim_boxes(page)
    for lab in _labels(page):
        for left, top, right, bottom in claims:
            overlap = lab["left"] < right - 0.5 and lab["right"] > left + 0.5 and lab["top"] < bottom - 0.5 and lab["bottom"] > top + 0.5
            assert not overlap, f"context name {lab['name']!r} covers a claim label or marker"


@pytest.fixture(scope="module")
def example_page_file(tmp_path_factory, small_gazetteer):
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} not found")
    from mapper.pipeline import build_map

    out = tmp_path_factory.mktemp("ctx") / "example.html"
    build_map([EXAMPLE], gazetteer=small_gazetteer, output=out, title="Qala-e-Naw, July 2021")
    return out


@pytest.fixture(scope="module")
def ukraine_gazetteer(tmp_path_factory):
    """An index of Ukraine and its neighbours by sea (built once, a few seconds)."""
    from gazetteer import Gazetteer
    from gazetteer.build import build_index
    from gazetteer.resolver import INDEX_FILENAME

    folder = tmp_path_factory.mktemp("gazetteer-ua")
    build_index(folder / INDEX_FILENAME, countries=("UA", "MD", "RO"))
    gz = Gazetteer.open(folder, build=False)
    yield gz
    gz.close()


@pytest.fixture(scope="module")
def left_bank_file(tmp_path_factory, ukraine_gazetteer):
    from mapper.pipeline import build_map

    out = tmp_path_factory.mktemp("ctx") / "left-bank.html"
    build_map([LEFT_BANK], gazetteer=ukraine_gazetteer, output=out, title="Dnipro left bank, 2023")
    return out


def test_example_first_view_names_the_neighbours_and_kabul(browser, example_page_file):
    page = _open(browser, example_page_file)
    try:
        _shot(page, "basemap-example.png")
        countries = _names(page, "country")
        assert {"Iran", "Turkmenistan", "Tajikistan", "Pakistan", "Uzbekistan", "Afghanistan"} <= countries
        assert "Kabul" in _names(page, "capital")
        # Real text in the DOM, in the map's own pane, readable by a screen reader.
        text = page.page.evaluate("document.querySelector('.leaflet-cm-context-pane').textContent")
        assert "Kabul" in text and "Iran" in text
        # Claimed places are not repeated as basemap towns, and claims win every overlap.
        assert not {"Qala-e-Naw", "Badghis"} & _names(page)
        _assert_no_overlap(page)
        credits = page.page.evaluate("document.querySelector('.cm-credits-text').textContent")
        assert "Land, rivers, lakes: Natural Earth" in credits and "GeoNames" in credits
        page.assert_clean()
    finally:
        page.close()


def test_other_region_names_sea_river_and_towns(browser, left_bank_file):
    page = _open(browser, left_bank_file)
    try:
        _shot(page, "basemap-left-bank.png")
        assert "Black Sea" in _names(page, "sea")
        assert "Dnipro" in _names(page, "river")
        assert "Kherson" in _names(page, "city")  # the regional centre, not itself claimed in this file
        _assert_no_overlap(page)
        # One step back, as a reader zooming out: the towns of the coast appear.
        page.page.evaluate("window.conflictmap.setView(46.7, 32.6, 7.5)")
        page.page.wait_for_timeout(200)
        _shot(page, "basemap-left-bank-zoomed-out.png")
        towns = _names(page, "city")
        assert "Odesa" in towns
        assert any(t.startswith("Mykola") for t in towns), towns
        assert "Sea of Azov" in _names(page, "sea")
        _assert_no_overlap(page)
        page.assert_clean()
    finally:
        page.close()


def test_world_view_shows_land(browser, left_bank_file):
    page = _open(browser, left_bank_file)
    try:
        page.page.evaluate("window.conflictmap.setView(20, 10, 2)")
        page.page.wait_for_timeout(300)
        _shot(page, "basemap-world.png")
        png = page.page.locator("#cm-map").screenshot()
        from io import BytesIO

        from PIL import Image

        from mapper.render.style import load_style

        land = tuple(int(load_style().colour("land")[i:i + 2], 16) for i in (1, 3, 5))
        import numpy as np

        px = np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)
        share = float((np.abs(px - np.array(land)).max(axis=2) <= 3).mean())
        assert share > 0.15, f"only {share:.0%} of the world view is land-coloured"
        assert {"Russia", "Brazil", "Australia"} <= _names(page, "country")
        page.assert_clean()
    finally:
        page.close()


def test_tiles_without_network_fall_back_to_the_offline_land(browser, tmp_path, ukraine_gazetteer):
    from mapper.render.html import render_html
    from mapper.state import MapOptions, prepare_state

    state = prepare_state([LEFT_BANK], gazetteer=ukraine_gazetteer, options=MapOptions())
    out = tmp_path / "tiles.html"
    render_html(state, out, tiles="osm")
    page = _open(browser, out)
    try:
        _shot(page, "basemap-tiles-offline.png")
        assert page.external and all("tile.openstreetmap.org" in u for u in page.external)
        info = page.page.evaluate("""() => {
          const land = document.querySelector('.leaflet-cm-land-pane'), tiles = document.querySelector('.leaflet-tile-pane');
          const fills = Array.from(land.querySelectorAll('path')).map(p => p.getAttribute('fill'));
          return {land: +getComputedStyle(land).zIndex, tiles: +getComputedStyle(tiles).zIndex, fills: fills};
        }""")
        assert info["land"] < info["tiles"]
        from mapper.render.style import load_style

        assert load_style().colour("land").lower() in {f.lower() for f in info["fills"] if f}
        assert "Dnipro" in _names(page, "river")
    finally:
        page.close()


def test_context_names_from_data_stay_text(browser, tmp_path, ukraine_gazetteer):
    from mapper.context import Candidate, ContextLabel
    from mapper.render.html import render_html
    from mapper.state import MapOptions, prepare_state

    state = prepare_state([LEFT_BANK], gazetteer=ukraine_gazetteer, options=MapOptions())
    evil = "<img src=x onerror=alert(1)>Town & \"Co\" </script>"
    labels = (*state.context.labels, ContextLabel("capital", evil, 0, (Candidate(33.9, 46.2),), 1e9))
    state = dataclasses.replace(state, context=dataclasses.replace(state.context, labels=labels))
    out = tmp_path / "escape.html"
    render_html(state, out)
    page = _open(browser, out)
    try:
        assert page.page.evaluate("document.querySelectorAll('.leaflet-cm-context-pane img').length") == 0
        assert evil in {x["name"] for x in _labels(page)}
        page.assert_clean()
    finally:
        page.close()


def test_the_most_populous_towns_in_view_show_whatever_their_tier(browser, tmp_path, ukraine_gazetteer):
    """style.json context.view_towns, as the static map applies it: the only town in view is named
    even when its population tier starts far beyond the view's zoom."""
    from mapper.context import Candidate, ContextLabel
    from mapper.render.html import render_html
    from mapper.state import MapOptions, prepare_state

    state = prepare_state([LEFT_BANK], gazetteer=ukraine_gazetteer, options=MapOptions())
    others = tuple(lab for lab in state.context.labels if lab.kind not in ("city", "capital"))
    small = ContextLabel("city", "Smalltown-zoom-20", 20, (Candidate(33.9, 46.2),), 1)
    state = dataclasses.replace(state, context=dataclasses.replace(state.context, labels=(*others, small)))
    out = tmp_path / "small-towns.html"
    render_html(state, out)
    page = _open(browser, out)
    try:
        assert "Smalltown-zoom-20" in _names(page)
        page.assert_clean()
    finally:
        page.close()
