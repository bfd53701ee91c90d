"""The golden rule cases (tests/data/timeline_golden.json) against mapper.timeline, without a browser.

The same cases run through the page's script in test_timeline_golden_browser.py.
"""

from __future__ import annotations

import golden_cases as G
import pytest

CASES = G.cases()


def test_the_table_covers_the_rules():
    ids = {c["id"] for c in CASES}
    assert len(CASES) >= 15
    statuses = {q["status"] for c in CASES for q in c["queries"]}
    assert statuses >= {"controlled", "partial", "contested", "disputed", "denied", "attacked", "unknown"}
    reasons = {e["reason"] for c in CASES for e in c.get("ends", ())}
    assert reasons == {"standing", "same_claimant", "change", "time_end", "incident_window"}
    assert any(q.get("stale") for c in CASES for q in c["queries"])
    assert any(q.get("claimants") for c in CASES for q in c["queries"])
    assert {"kherson-held-for-months", "channel-is-not-a-claimant", "scope-claim-is-partial-control"} <= ids


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case):
    tl = G.timeline(case)
    for q in case["queries"]:
        st = tl.state_at(q["place"], G.when(q["at"]), claimants=q.get("claimants"))
        got = {"status": st.status, "label": st.label, "actors": list(st.actors), "age": st.age_label,
               "stale": st.stale}
        assert got == G.expected(q, tl), f"{case['id']} at {q['at']} ({q.get('claimants') or 'all claimants'})"
    direct = [e for e in tl.entries if e.derived_from is None]
    for end in case.get("ends", ()):
        e = direct[end["claim"]]
        assert e.end_reason == end["reason"], f"{case['id']}: claim {end['claim']}"
        if "by" in end:
            assert e.superseded_by == direct[end["by"]].index
        else:
            assert e.superseded_by is None
