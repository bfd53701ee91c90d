"""The static map's locator context (mapper/render/static/locator.py): the page's names and water, in SVG text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"


@pytest.fixture(scope="module")
def example_svg(tmp_path_factory, small_gazetteer):
    from mapper.render.static import render_static
    from mapper.state import MapOptions, prepare_state

    state = prepare_state([EXAMPLE], gazetteer=small_gazetteer, options=MapOptions())
    out = tmp_path_factory.mktemp("static") / "example.svg"
    render_static(state, out)
    return state, out.read_text(encoding="utf-8")


def _texts(svg: str) -> list:
    """Text of every SVG text element (svg.fonttype none keeps text as text)."""
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text\b.*?</text>", svg, flags=re.S)]


def test_static_map_names_neighbours_capital_and_river(example_svg):
    _state, svg = example_svg
    texts = _texts(svg)
    assert {"IRAN", "TURKMENISTAN", "PAKISTAN"} <= set(texts)  # upper case from style.json context.text
    assert "Kabul" in texts
    assert "Helmand" in texts


def test_static_map_credits_the_context_and_keeps_claim_labels(example_svg):
    _state, svg = example_svg
    texts = " ".join(_texts(svg))
    assert "Land, rivers, lakes: Natural Earth (public domain)" in texts
    assert "Qala-e-Naw" in texts and "Badghis" in texts  # the claims' own labels are all still drawn


def test_static_names_follow_the_zoom_table(example_svg, monkeypatch, tmp_path):
    from dataclasses import replace

    from mapper.context import ContextLabel
    from mapper.render.static import render_static

    state, _svg = example_svg
    # A town whose tier starts beyond any static extent's zoom is never drawn.
    far = ContextLabel("city", "Nowhere-zoom-20", 20, state.context.labels[0].candidates, 1)
    st = replace(state, context=replace(state.context, labels=(*state.context.labels, far)))
    out = tmp_path / "far.svg"
    render_static(st, out)
    assert "Nowhere-zoom-20" not in out.read_text(encoding="utf-8")


def test_the_most_populous_towns_in_view_show_whatever_their_tier(example_svg, tmp_path):
    """style.json context.view_towns: a region of small towns still gets names (Darfur, the Sahel)."""
    from dataclasses import replace

    from mapper.context import Candidate, ContextLabel
    from mapper.render.static import render_static

    state, _svg = example_svg
    # The only town in view (western Afghanistan), with a tier from zoom 20: drawn all the same.
    small = ContextLabel("city", "Smalltown-zoom-20", 20, (Candidate(62.0, 33.5),), 1)
    st = replace(state, context=replace(state.context, labels=(small,)))
    out = tmp_path / "small.svg"
    render_static(st, out)
    assert "Smalltown-zoom-20" in _texts(out.read_text(encoding="utf-8"))
