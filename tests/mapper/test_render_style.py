"""One owner for the map styles: style.json, read by the static maps and by the page (data + CSS variables)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from map_samples import badghis_children, badghis_places, qala_claims

from mapper.actors import DISPUTED_COLOUR, UNKNOWN_COLOUR
from mapper.render.style import STYLE_PATH, css_variables, load_style, page_style
from mapper.state import MapState
from mapper.timeline import UNKNOWN, Timeline

ASSETS = Path(STYLE_PATH).parent
JS = (ASSETS / "conflictmap.js").read_text(encoding="utf-8")
CSS = (ASSETS / "conflictmap.css").read_text(encoding="utf-8")
STYLE = load_style()
UTC = timezone.utc


def _table_colours() -> set:
    text = STYLE_PATH.read_text(encoding="utf-8")
    return {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", text)}


def test_the_table_covers_every_status_and_agrees_with_the_actor_palette():
    for status in ("controlled", "contested", "disputed", "attacked", "unknown"):
        assert STYLE.unit_style(status).weight > 0
        assert STYLE.point_style(status).radius > 0
    assert STYLE.colour("disputed").lower() == DISPUTED_COLOUR.lower()
    assert STYLE.colour("unknown").lower() == UNKNOWN_COLOUR.lower()
    with pytest.raises(TypeError):
        STYLE.data["colours"]["ink"] = "#ff0000"  # read-only: nobody changes styles behind the table


def test_the_page_script_has_no_style_literals_left():
    """Every colour of the table is gone from conflictmap.js; the style functions hold no numbers."""
    js = JS.lower()
    left = sorted(c for c in _table_colours() if c in js)
    assert not left, f"colours still written in conflictmap.js: {left}"
    for start, end in (("function unitStyle(", "function pointStyle("), ("function pointStyle(", "function childrenActive(")):
        body = re.sub(r"//[^\n]*", "", JS[JS.index(start) : JS.index(end)])  # code, not comments
        # No size, width or opacity (a bare 0 is only compared with, in indexOf(...) >= 0).
        assert not re.search(r"(?<![\w.])(?:[1-9]\d*(?:\.\d+)?|0?\.\d+)", body), f"a number in {start}: {body}"
        assert not re.search(r"#[0-9a-fA-F]{3}", body), f"a colour in {start}"
    assert "labelCount <= S.label.max_labels" in JS


def test_the_page_css_takes_label_and_map_styles_from_the_table():
    label_rule = CSS[CSS.index(".leaflet-tooltip.cm-label {") :]
    label_rule = label_rule[: label_rule.index("}")]
    assert "rgba(" not in label_rule and not re.search(r"\d+px", label_rule.replace("0 3px", ""))
    for var in ("--cm-label-halo", "--cm-label-size", "--cm-label-colour", "--cm-label-weight"):
        assert f"var({var})" in CSS
    assert STYLE.colour("map_background").lower() not in CSS.lower()
    css_vars = css_variables()
    assert f"--cm-label-size: {STYLE.label['name_size']}px;" in css_vars
    assert "--cm-label-halo: rgba(255, 255, 255, 0.85);" in css_vars


def test_the_page_receives_the_table_in_its_data():
    from mapper.render.html import render_html

    tl = Timeline(qala_claims(), badghis_places(), children=badghis_children())
    page, _ = render_html(MapState.from_timeline(tl, title="Styles"))
    m = re.search(r'<script type="application/json" id="conflictmap-data">(.*?)</script>', page, re.S)
    data = json.loads(m.group(1).replace("<\\/", "</"))
    assert data["style"] == page_style()
    assert not any(k.startswith("_") for k in data["style"])  # comments stay in the file
    assert css_variables() in page


@pytest.mark.browser
def test_the_page_draws_what_the_table_and_the_static_rules_say(browser, tmp_path):
    """Drawn in chromium: every unit's outline, dash and fill equal the table's for its state."""
    from mapper.render.html import render_html

    places = badghis_places()
    tl = Timeline(qala_claims(), places, children=badghis_children())
    out = tmp_path / "styles.html"
    at = datetime(2021, 7, 7, 6, 0, tzinfo=UTC)
    render_html(MapState.from_timeline(tl, title="Styles", at=at), out)
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto(out.as_uri())
    page.wait_for_function("typeof window.conflictmap === 'object'")
    colours = {a.name: a.colour for a in tl.actors}
    checked = 0
    for key, p in places.items():
        a = tl.state_at(key, at)
        kids = tl.children.get(key, ())
        outline_only = any(tl.state_at(c, at).status != UNKNOWN for c in kids)
        got = page.evaluate("([n, k]) => window.conflictmap.layerStyle(n, k)", [p.name, p.kind])
        assert got is not None, p.name
        if p.drawn_as == "point":
            want = dict(STYLE.data["point"].get(a.status, STYLE.data["point"]["unknown"]))
        else:
            want = STYLE.unit_options(a.status, kind=p.kind, drawn_as=p.drawn_as, outline_only=outline_only)
        actor = colours.get(a.actor, STYLE.colour("unstated"))
        assert got["color"].lower() == (actor if want["color"] == "actor" else want["color"]).lower(), p.name
        assert got["weight"] == pytest.approx(want["weight"]), p.name
        assert got["opacity"] == pytest.approx(want["opacity"]), p.name
        assert got["fillOpacity"] == pytest.approx(want["fillOpacity"]), p.name
        assert (got["dashArray"] or None) == want["dashArray"], p.name
        if p.drawn_as == "point":
            assert got["radius"] == pytest.approx(want["radius"]), p.name
        if want["fillColor"] == "actor":
            assert got["fillColor"].lower() == actor.lower(), p.name
        elif want["fillColor"] in ("stripes", "hatch"):
            assert got["fillColor"] == "pattern" or want["fillColor"] in got["fillColor"], (p.name, got)
        else:
            assert got["fillColor"].lower() == want["fillColor"].lower(), p.name
        checked += 1
    assert checked == len(places)
    label = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.cm-label'));"
        " return [s.fontSize, s.backgroundColor, s.fontWeight]; }"
    )
    assert label == [f"{STYLE.label['name_size']}px", "rgba(255, 255, 255, 0.85)", str(STYLE.label["name_weight"])]
    page.close()
