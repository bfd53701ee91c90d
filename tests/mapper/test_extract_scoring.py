"""Scoring rules of the extraction benchmark (synthetic claims)."""

from __future__ import annotations

from datetime import date

import pytest

from mapper.extract.scoring import (
    DraftClaim,
    GoldClaim,
    Totals,
    claimant_key,
    draft_from_claim,
    match_document,
    same_actor,
    same_claimant,
    same_name,
    same_time,
    totals,
)
from mapper.model import Claim, TimeSpan

D = date(2024, 3, 5)


def gold(place="Northtown", status="controlled", **kw):
    kw.setdefault("lat", 10.0)
    kw.setdefault("lon", 20.0)
    kw.setdefault("time", "2024-03-05")
    kw.setdefault("sentence", (0, 50))
    return GoldClaim(place=place, status=status, **kw)


def draft(place="Northtown", status="controlled", **kw):
    kw.setdefault("earliest", D)
    kw.setdefault("latest", D)
    kw.setdefault("sentence", (0, 50))
    return DraftClaim(place=place, status=status, **kw)


def test_match_by_name_family_ignores_type_words_and_case():
    g = gold("Northtown", lat=None, lon=None)
    r = match_document([g], [draft("the town of NORTHTOWN")])
    assert len(r.matches) == 1 and r.matches[0].by == "name"
    assert same_name(gold("Badghis"), "Badghis province")
    assert not same_name(gold("Badghis"), "Baghlan")


def test_match_by_gold_alias():
    assert same_name(gold("Eastern Ghouta", aliases=("Ghouta",)), "Ghouta")


def test_match_by_distance_within_25_km_only():
    g = gold("Northtown", lat=10.0, lon=20.0)
    near = draft("Nrth Twn", lat=10.1, lon=20.1)  # ~15.6 km
    far = draft("Elsewhere", lat=10.5, lon=20.0)  # ~55 km
    r = match_document([g], [near])
    assert r.matches and r.matches[0].by == "distance" and r.matches[0].distance_km < 25
    r = match_document([g], [far])
    assert not r.matches and r.misses == (0,) and r.false_positives == (0,)


def test_status_must_agree():
    r = match_document([gold(status="controlled")], [draft(status="contested")])
    assert r.matches == () and r.misses == (0,) and r.false_positives == (0,)


def test_one_to_one_and_sentence_preferred():
    g1 = gold(sentence=(0, 40))
    g2 = gold(sentence=(41, 90), actor="Rebels")
    d_late = draft(sentence=(41, 90), actor="Rebels")
    d_early = draft(sentence=(0, 40))
    d_extra = draft(sentence=(100, 140))
    r = match_document([g1, g2], [d_late, d_early, d_extra])
    pairs = {(m.gold_index, m.draft_index) for m in r.matches}
    assert pairs == {(0, 1), (1, 0)}
    assert r.false_positives == (2,)
    t = totals([g1, g2], [d_late, d_early, d_extra], r)
    assert (t.precision, t.recall) == (pytest.approx(2 / 3), 1.0)


def test_empty_inputs():
    assert match_document([], []) == match_document([], [])
    r = match_document([], [draft()])
    assert r.false_positives == (0,) and not r.matches
    r = match_document([gold()], [])
    assert r.misses == (0,)
    t = Totals()
    assert t.precision == 1.0 and t.recall == 1.0 and t.accuracy("actor") is None
    t = totals([], [draft()], match_document([], [draft()]))
    assert t.precision == 0.0 and t.f1 == 0.0


def test_actor_rules():
    g = gold(actor="Government of Freedonia", actor_alt=("Freedonian Army",))
    assert same_actor(g, "government of freedonia")
    assert same_actor(g, "Freedonian army")
    assert not same_actor(g, "Government")
    assert not same_actor(g, "government forces")
    assert not same_actor(gold(actor="Rapid Support Forces"), "RSF")  # acronyms only through actor_alt


def test_claimant_channel_words_and_alternatives():
    g = gold(claimant="Defence Ministry", claimant_alt=("the ministry",))
    for text in ("Defence Ministry on Facebook", "Defence Ministry (Telegram)", "the Defence Ministry",
                 "Defence Ministry via Telegram", "defence ministry in a statement", "Ministry"):
        assert same_claimant(g, text), text
    assert not same_claimant(g, "Interior Ministry")
    assert not same_claimant(g, "")
    assert claimant_key("Governor Jones in a video message") == "governor jones"


def test_time_overlap_day_precision():
    g = gold(time="2024-03-04/2024-03-05")
    assert same_time(g, draft(earliest=date(2024, 3, 5), latest=date(2024, 3, 6)))
    assert not same_time(g, draft(earliest=date(2024, 3, 6), latest=date(2024, 3, 6)))
    assert not same_time(gold(time=""), draft())
    assert not same_time(gold(), draft(earliest=None, latest=None))


def test_accuracies_over_matches_only():
    g = [gold(actor="Rebels", claimant="article"), gold("Southtown", lat=None, lon=None, actor="Rebels")]
    d = [draft(actor="Rebels", claimant="Article"), draft("Southtown", actor="Government", earliest=date(2024, 1, 1),
                                                           latest=date(2024, 1, 1))]
    t = totals(g, d, match_document(g, d))
    assert t.matched == 2
    assert t.accuracy("actor") == 0.5 and t.accuracy("claimant") == 0.5 and t.accuracy("time") == 0.5


def test_draft_from_claim_reads_sentence_and_local_days():
    from datetime import datetime, timedelta, timezone

    tz = timezone(timedelta(hours=4, minutes=30))
    span = TimeSpan(datetime(2024, 3, 5, 12, tzinfo=tz), datetime(2024, 3, 5, 18, tzinfo=tz), "daypart")
    c = Claim(place="Northtown", time=span, status="controlled", actor="Rebels",
              extra=(("sentence_start", 3), ("sentence_end", 40)))
    d = draft_from_claim(c, lat=1.0, lon=2.0)
    assert (d.earliest, d.latest, d.sentence, d.lat, d.lon) == (D, D, (3, 40), 1.0, 2.0)


# ------------------------------------------------------------------ the benchmark's gold files
def _gold_lines():
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "extract_gold"
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if line.strip():
                yield f"{path.name}:{n}", json.loads(line)


def test_gold_files_follow_the_format():
    from mapper.model import STATUSES

    n_claims = 0
    for where, rec in _gold_lines():
        assert {"source", "id", "published", "country"} <= set(rec["doc"]), where
        date.fromisoformat(rec["doc"]["published"])
        for c in rec["claims"]:
            n_claims += 1
            assert c["status"] in STATUSES, where
            assert c["actor"].strip().lower() not in ("government", "government forces"), where
            assert len(c["quote_hint"].split()) <= 8, where
            s, e = c["sentence"]
            assert 0 <= s < e, where
            assert (c["lat"] is None) == (c["lon"] is None), where
            if c["time"]:
                a, _, b = c["time"].partition("/")
                assert date.fromisoformat(a) <= date.fromisoformat(b or a), where
        for x in rec["negatives"]:
            assert len(x["quote_hint"].split()) <= 8 and x["why"], where
    assert n_claims >= 100


def test_gold_offsets_point_at_their_quote_hints():
    """Each claim's sentence offsets hold its quote hint (needs the texts in ../shared)."""
    import csv
    import json
    from pathlib import Path

    shared = Path(__file__).resolve().parents[2].parent / "shared"
    if not shared.is_dir():
        shared = Path(__file__).resolve().parents[2].parent.parent / "shared"
    if not shared.is_dir():
        pytest.skip(f"shared texts not found next to the checkout ({shared})")
    from mapper.geoparse.text import load_article

    cache = {}

    def text_of(src, doc_id):
        if src.startswith("seeds/"):
            return load_article(shared / src).text
        path = shared / "data" / src
        if src not in cache:
            if src.endswith(".jsonl"):
                recs = [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x.strip()]
                cache[src] = {r["id"]: r["text"] for r in recs}
            else:
                with open(path, encoding="utf-8", newline="") as f:
                    rows = list(csv.DictReader(f))
                cache[src] = {**{r.get("event_id_cnty"): r for r in rows if r.get("event_id_cnty")},
                              **{f"row:{i}": r for i, r in enumerate(rows)}}
        got = cache[src][doc_id]
        return got if isinstance(got, str) else (got.get("notes") or got.get("Notes"))

    for where, rec in _gold_lines():
        text = text_of(rec["doc"]["source"], rec["doc"]["id"]).replace("\u00a0", " ")
        for item in rec["claims"] + rec["negatives"]:
            s, e = item["sentence"]
            assert e <= len(text), where
            assert item["quote_hint"] in " ".join(text[s:e].split()), (where, item["quote_hint"])
