"""mapper.notebook: make_map -> inline page, folium map with escaped popups, GeoDataFrames."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from offline_page import OfflinePage

folium = pytest.importorskip("folium")

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"

# Made-up claims about Yemeni places by coordinates, with text that would break HTML or a JS template.
YEMEN = """id,place,time,status,actor,claimant,source,quote,country,lat,lon
ye-1,Marib,2021-02-10,clashes,Houthis,tribal sources `${alert(1)}`,Test wire,"<script>alert('x')</script> fighting west of the city \\ still",YE,15.4591,45.3253
ye-2,Marib,2021-02-11,controlled,Government of Yemen,army statement,Test wire,The army says it still holds the city.,YE,15.4591,45.3253
ye-3,Hodeidah,2021-02-12,airstrike,Saudi-led coalition,residents,Test daily,Residents heard jets over the port.,YE,14.7978,42.9545
"""


@pytest.fixture(scope="module")
def seed_map(small_gazetteer):
    from mapper import make_map

    return make_map(EXAMPLE, at="2021-07-07T18:00", tz="Asia/Kabul", gazetteer=small_gazetteer)


@pytest.fixture(scope="module")
def yemen_map(small_gazetteer, tmp_path_factory):
    from mapper import make_map

    path = tmp_path_factory.mktemp("nb") / "yemen.csv"
    path.write_text(YEMEN, encoding="utf-8")
    return make_map(path, at="2021-02-12T12:00", gazetteer=small_gazetteer)


def test_repr_html_is_the_page_in_a_sandboxed_srcdoc(seed_map, tmp_path):
    out = seed_map._repr_html_()
    m = re.fullmatch(r'<iframe title="[^"]*" sandbox="allow-scripts allow-popups" style="[^"]*" srcdoc="([^"]*)"></iframe>',
                     out, re.S)
    assert m, out[:300]
    page = html.unescape(m.group(1))
    assert page == seed_map.html()
    assert 'id="conflictmap-metadata"' in page and "<script" in page
    seed_map.save(tmp_path / "qala.html")
    saved = (tmp_path / "qala.html").read_text(encoding="utf-8")
    strip = lambda s: re.sub(r'"created": "[^"]*"|"inputs": \[[^\]]*\]', "", s)  # noqa: E731
    assert len(strip(saved)) == len(strip(page))


def test_frames_have_provenance(seed_map):
    claims = seed_map.claims_frame()
    assert len(claims) == len([e for e in seed_map.state.timeline.entries if e.derived_from is None])
    assert {"id", "claimant", "source", "url", "file", "row", "geometry"} <= set(claims.columns)
    assert claims.crs.to_epsg() == 4326
    now = seed_map.assessment_frame(at="2021-07-07T18:00")
    qala = now[now["place_name"] == "Qala-e-Naw"].iloc[0]
    assert qala["status"] == "disputed" and qala["disputed"]
    st = seed_map.state.timeline.state_at(qala["place_key"], seed_map.state.at)
    assert qala["claim_ids"].split(";") == list(dict.fromkeys(seed_map.state.timeline.entries[i].claim.id
                                                              for i in st.entries))
    assert set(qala["claimants"].split(";")) >= {"Badghis governor Hessamuddin Shams"}


def test_to_folium_layers_and_escaped_popups(yemen_map):
    fm = yemen_map.to_folium()
    assert isinstance(fm, folium.Map)
    groups = [c for c in fm._children.values() if isinstance(c, folium.FeatureGroup)]
    tl = yemen_map.state.timeline
    labels = {tl.state_at(k, yemen_map.state.at).label for k in tl.places
              if tl.state_at(k, yemen_map.state.at).entries}
    assert {g.layer_name for g in groups} == labels and len(labels) >= 2
    page = fm.get_root().render()
    assert "L.control.layers" in page
    for label in labels:
        assert html.escape(label) in page
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "${alert(1)}" not in page and "&#96;&#36;{alert(1)}&#96;" in page
    # Users can add their own layer next to ours.
    folium.Marker((15.35, 44.2), popup="my layer").add_to(fm)
    assert "my layer" in fm.get_root().render()


def test_to_folium_needs_placed_claims(small_gazetteer, tmp_path):
    from mapper import make_map
    from mapper.errors import MapperError

    path = tmp_path / "none.csv"
    path.write_text("place,time,status\nXqzzy Nowhere,2021-01-01,controlled\n", encoding="utf-8")
    m = make_map(path, gazetteer=small_gazetteer)
    with pytest.raises(MapperError, match="no claims were placed"):
        m.to_folium()


@pytest.mark.browser
def test_to_folium_renders_offline_in_a_browser(yemen_map, browser, tmp_path):
    fm = yemen_map.to_folium()
    folium.Marker((15.35, 44.2), popup="my layer").add_to(fm)  # a user's own layer (default icon)
    out = tmp_path / "folium.html"
    fm.save(str(out))
    opened = OfflinePage(browser, viewport=(1000, 700)).goto(out)
    page = opened.page
    try:
        page.wait_for_selector(".leaflet-container")
        page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 0")
        tl = yemen_map.state.timeline
        drawn = [k for k in tl.places if tl.state_at(k, yemen_map.state.at).entries]
        assert page.locator("path.leaflet-interactive").count() == len(drawn) >= 2
        # The user's marker shows Leaflet's default icon from the inlined image (not a broken URL).
        page.wait_for_function("[...document.querySelectorAll('img.leaflet-marker-icon')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("img.leaflet-marker-icon").count() == 1
        # Every state layer is listed in the layers control.
        assert page.locator(".leaflet-control-layers-overlays label").count() == len(
            {tl.state_at(k, yemen_map.state.at).label for k in drawn})
        # The data sources are in the map's attribution control, as text.
        credits = page.locator(".leaflet-control-attribution").inner_text()
        assert all(line in credits for line in yemen_map.state.attribution), credits
        # The hostile quote is shown as text in the popup, never run.
        for i in range(page.locator("path.leaflet-interactive").count()):
            page.locator("path.leaflet-interactive").nth(i).click(force=True)
            page.wait_for_selector(".leaflet-popup-content")
            if "Marib" in page.locator(".leaflet-popup-content").inner_text():
                break
        text = page.locator(".leaflet-popup-content").inner_text()
        assert "<script>alert('x')</script>" in text and "${alert(1)}" in text
        Path("outputs").mkdir(exist_ok=True)
        page.screenshot(path="outputs/test-folium-offline.png")
        opened.assert_clean()
    finally:
        page.close()


@pytest.mark.browser
def test_to_folium_online_mode_is_what_the_offline_check_catches(yemen_map, browser, tmp_path):
    """Control: plain folium links its CDN; the same check must see those requests."""
    out = tmp_path / "online.html"
    yemen_map.to_folium(offline=False).save(str(out))
    opened = OfflinePage(browser).goto(out)
    opened.close()
    assert any("leaflet" in url for url in opened.external), opened.external
