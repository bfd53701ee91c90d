"""The golden rule cases (tests/data/timeline_golden.json) through the page's script, in chromium.

Each case is rendered to a map (mapper.render.html) and the page's own state is read at each query
time (window.conflictmap.setTime / states), optionally with the claimant filter set as a reader
would; the network is cut. The same cases run against mapper.timeline in test_timeline_golden.py.
"""

from __future__ import annotations

import golden_cases as G
import pytest
from offline_page import OfflinePage

from mapper.render.html import render_html
from mapper.state import MapState

pytestmark = pytest.mark.browser


def _minutes(dt) -> int:
    return int(dt.timestamp() // 60)


def test_golden_cases_in_the_page(browser, tmp_path):
    opened = OfflinePage(browser, viewport=(900, 600))
    page = opened.page
    failures, checked = [], 0
    try:
        for case in G.cases():
            tl = G.timeline(case)
            out = tmp_path / f"{case['id']}.html"
            render_html(MapState.from_timeline(tl, title=case["id"]), out)
            page.goto(out.resolve().as_uri())
            page.wait_for_function("typeof window.conflictmap === 'object'")
            for q in case["queries"]:
                page.evaluate("names => window.conflictmap.setClaimants(names)", q.get("claimants"))
                page.evaluate(f"window.conflictmap.setTime({_minutes(G.when(q['at']))})")
                name = case["places"][q["place"]]["name"]
                st = next(s for s in page.evaluate("window.conflictmap.states()") if s["place"] == name)
                got = {"status": st["status"], "label": st["label"], "actors": st["actors"], "age": st["age"],
                       "stale": st["stale"]}
                want = G.expected(q, tl)
                checked += 1
                if got != want:
                    failures.append(f"{case['id']} at {q['at']} ({q.get('claimants') or 'all'}): page {got} != {want}")
            if any(q.get("stale") for q in case["queries"]):
                # Faded: the page draws a stale state lighter than a fresh one.
                page.evaluate("window.conflictmap.setClaimants(null)")
                fresh = next(q for q in case["queries"] if not q.get("stale"))
                old = next(q for q in case["queries"] if q.get("stale"))
                name = case["places"][old["place"]]["name"]
                opac = []
                for q in (fresh, old):
                    page.evaluate(f"window.conflictmap.setTime({_minutes(G.when(q['at']))})")
                    opac.append(page.evaluate(f"window.conflictmap.layerStyle({name!r}).fillOpacity"))
                assert opac[1] < opac[0], f"stale state not faded: {opac}"
    finally:
        page.close()
    assert checked == sum(len(c["queries"]) for c in G.cases())
    assert not failures, "\n".join(failures)
    assert opened.errors == [] and opened.external == []


def test_the_page_reads_the_rule_table_not_literals(browser, tmp_path):
    """Change the table (a label, a change word, the dispute window): Python and the page change alike."""
    from mapper.timeline import load_rules

    case = next(c for c in G.cases() if c["id"] == "kherson-held-for-months")
    rules = load_rules()
    rules["labels"]["controlled"]["long"] = "held by {actor} (per claims)"
    rules["change_words"]["controlled"].remove("liberated")
    base = G.timeline(case)
    tl = type(base)([(e.claim, e.place_key) for e in base.entries], base.places, actors=base.actors,
                    dispute_window=base.dispute_window, rules=rules)
    at = G.when("2022-11-12T12:00Z")
    py = tl.state_at("k", at)
    assert py.status == "disputed"  # "liberated" no longer reports a change: the capture claims stand
    before = tl.state_at("k", G.when("2022-06-15T00:00Z"))
    assert before.label.startswith("held by ") and before.label.endswith(" (per claims)")
    out = tmp_path / "custom.html"
    render_html(MapState.from_timeline(tl, title="custom rules"), out)
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    try:
        page.goto(out.resolve().as_uri())
        page.wait_for_function("typeof window.conflictmap === 'object'")
        got = []
        for t in (G.when("2022-06-15T00:00Z"), at):
            page.evaluate(f"window.conflictmap.setTime({_minutes(t)})")
            got.append(next(s for s in page.evaluate("window.conflictmap.states()") if s["place"] == "Kherson"))
        assert [g["label"] for g in got] == [before.label, py.label]
        assert got[1]["status"] == "disputed"
    finally:
        page.close()
