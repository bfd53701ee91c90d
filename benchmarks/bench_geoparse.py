"""Geoparsing benchmark: end-to-end and gold-span (--resolve-only) scores on every corpus in
``../shared/data/geoparse/``, with speed, scored by :mod:`mapper.evaluate` (the standard rules).

Usage::

    .venv/bin/python benchmarks/bench_geoparse.py [--data-dir DIR] [--corpora geowebnews,trnews,...]
        [--write-results] [--json FILE]

``--data-dir`` reuses a built gazetteer index (default: the usual data folder, built if missing).
``--write-results`` replaces the "## Geoparsing" section of benchmarks/RESULTS.md.

Besides the standard numbers, a diagnostic column counts gold-span answers that chose the right
country or first-level unit but whose representative point is more than 161 km from the gold
point: the corpora use GeoNames' point for a country or province, the embedded gazetteer a point
inside the Natural Earth polygon. Those answers count as errors in Acc@161 (as the rules say); the
column shows what they cost. The "ceiling" column is the share of gold spans for which at least
one candidate the parser chooses from lies within 161 km of the gold point: no ranking can score
above it with this gazetteer.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA_DIR = REPO.parent / "shared" / "data" / "geoparse"
sys.path.insert(0, str(REPO))

DEFAULT_CORPORA = ("geowebnews", "trnews", "lgl", "geovirus", "tud_loc2013", "wiktor")
TARGETS = {  # issue 5: (geo-F1 end to end, Acc@161 on gold spans)
    "geowebnews": (0.65, 0.90), "trnews": (0.65, 0.90), "lgl": (0.55, None),
}
PUBLISHED = {
    "geowebnews": "best NER F1 0.74; Edinburgh Geoparser geo-F1 ≈ 0.60 (P 0.82, R 0.54, Acc@161 0.92); "
                  "Mordecai 3 gold-span Acc@161 0.94",
    "trnews": "CamCoder geo-F1 ≈ 0.61; Mordecai 3 gold-span Acc@161 0.87",
    "lgl": "Mordecai 3 gold-span Acc@161 0.83",
}


def run_corpus(gp, gz, name: str, *, resolve_only: bool) -> dict:
    from shapely.geometry import Point

    from gazetteer import haversine_km
    from mapper.evaluate import Document, Toponym, read_documents, score

    gold = list(read_documents(CORPORA_DIR / f"{name}.jsonl"))
    chars = sum(len(d.text) for d in gold)
    preds = []
    mentions = []  # per document, kept for the gold-span diagnostics below
    unit_point = 0
    reachable = 0
    t0 = time.perf_counter()
    for d in gold:
        if resolve_only:
            ms = gp.resolve_spans(d.text, [(t.start, t.end) for t in d.toponyms])
        else:
            ms = gp.parse(d.text)
        mentions.append(ms)
        preds.append(Document(d.id, "", tuple(Toponym(m.start, m.end, m.name, m.lat, m.lon) for m in ms)))
    elapsed = time.perf_counter() - t0
    s = score(gold, preds)
    if resolve_only:
        geom_cache = {}
        # Which wrong answers are the right unit with a different representative point.
        for d, ms in zip(gold, mentions):
            for g, mm in zip(d.toponyms, ms):
                if g.lat is not None and any(
                        haversine_km(g.lat, g.lon, p.lat, p.lon) < 161
                        for p in gp.span_candidates(d.text, g.start, g.end) if p.lat is not None):
                    reachable += 1
                if g.lat is None or mm.place is None or mm.lat is None:
                    continue
                if mm.place.kind not in ("country", "admin1"):
                    continue
                if haversine_km(g.lat, g.lon, mm.lat, mm.lon) < 161:
                    continue
                geom = geom_cache.get(mm.place.id)
                if geom is None:
                    geom = geom_cache[mm.place.id] = gz.geometry(mm.place) or False
                if geom and geom.contains(Point(g.lon, g.lat)):
                    unit_point += 1
    out = s.to_dict()
    out.update({
        "corpus": name, "mode": "gold spans" if resolve_only else "end to end", "seconds": round(elapsed, 2),
        "docs_per_s": round(len(gold) / elapsed, 1) if elapsed else None,
        "chars_per_doc": round(chars / max(1, len(gold))),
        "unit_point_misses": unit_point if resolve_only else None,
        "reachable": reachable if resolve_only else None,
    })
    return out


def speed(gp, names, repeats: int = 3) -> list:
    """Best-of-``repeats`` end-to-end docs/s per corpus (best-of filters out other processes' load)."""
    from mapper.evaluate import read_documents

    out = []
    for name in names:
        docs = [d.text for d in read_documents(CORPORA_DIR / f"{name}.jsonl")]
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for text in docs:
                gp.parse(text)
            runs.append(len(docs) / (time.perf_counter() - t0))
        out.append({"corpus": name, "docs": len(docs), "best_docs_per_s": round(max(runs), 1),
                    "runs": [round(r, 1) for r in runs],
                    "chars_per_doc": round(sum(map(len, docs)) / max(1, len(docs)))})
    return out


def fmt(v, digits=3):
    return "n/a" if v is None else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))


def markdown(results: list, meta: dict) -> str:
    lines = [
        "## Geoparsing",
        "",
        "Reproduce: `.venv/bin/python benchmarks/bench_geoparse.py --write-results` (needs `../shared/data/geoparse`;",
        "`--data-dir DIR` reuses a built index). Scored with `mapper/evaluate.py` = `conflictmap eval geoparse`:",
        "a match needs the same name (case-insensitive) and span midpoints < 10 characters apart, gold limited to",
        "toponyms with coordinates; Acc@161, AUC (0 best), mean/median km over matched pairs; geo-F1 counts a",
        "match only within 161 km. These are the **development** splits (rules and weights were tuned on them),",
        "so expect the held-out thirds to score lower.",
        "",
        f"Measured {meta['date']}: embedded gazetteer only ({meta['places']:,} places: countries, first- and",
        f"second-level units, GeoNames cities500). Scanning index ready in **{meta['index_s']:.1f} s** (opened from",
        "its on-disk cache, read lazily; the first run after a gazetteer change builds the cache: see \"Geoparser start-up\");",
        f"peak RSS of the whole run {meta['rss_mb']:,.0f} MB. Span filter (logistic regression,",
        f"`mapper/geoparse/filter_model.py`) trained on **{meta['trained_on'] or 'nothing'}** only: rows of those corpora",
        "are marked † and are not a fair test of it; GeoWebNews, TR-News and LGL were never used for training.",
        "docs/s is one pass in a fresh process after the index is built (cold place cache).",
        "",
        "### End to end (recognition + resolution)",
        "",
        "| corpus | docs | P | R | F1 | Acc@161 | AUC | mean km | median km | geo-P | geo-R | **geo-F1** | target | docs/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["mode"] != "end to end":
            continue
        t = TARGETS.get(r["corpus"], (None, None))[0]
        lines.append(
            f"| {r['corpus']}{' †' if r['corpus'] in meta['trained_on'].split(',') else ''} | {r['docs']} | {fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r['f1'])} | "
            f"{fmt(r['acc161'])} | {fmt(r['auc'])} | {fmt(r['mean_km'], 0)} | {fmt(r['median_km'], 0)} | "
            f"{fmt(r['geo_precision'])} | {fmt(r['geo_recall'])} | **{fmt(r['geo_f1'])}** | "
            f"{'≥ {:.2f} {}'.format(t, 'met' if r['geo_f1'] >= t else '**not met**') if t else '–'} | {r['docs_per_s']} |"
        )
    lines += [
        "",
        "### Gold spans (`--resolve-only`)",
        "",
        "| corpus | gold | Acc@161 | AUC | mean km | median km | target | right unit, other point (share of gold) "
        "| ceiling: a candidate ≤ 161 km |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["mode"] != "gold spans":
            continue
        t = TARGETS.get(r["corpus"], (None, None))[1]
        share = r["unit_point_misses"] / r["gold"] if r["gold"] else 0
        lines.append(
            f"| {r['corpus']} | {r['gold']} | **{fmt(r['acc161'])}** | {fmt(r['auc'])} | {fmt(r['mean_km'], 0)} | "
            f"{fmt(r['median_km'], 0)} | "
            f"{'≥ {:.2f} {}'.format(t, 'met' if r['acc161'] >= t else '**not met**') if t else '–'} | "
            f"{r['unit_point_misses']} ({share:.1%}) | {r['reachable'] / r['gold']:.3f} |"
        )
    gold_rows = [r for r in results if r["mode"] == "gold spans" and TARGETS.get(r["corpus"], (None, None))[1]]
    if gold_rows:
        lines += ["", "How far ranking can go: the ceiling column is the share of gold spans for which at least one",
                  "candidate in the embedded gazetteer lies within 161 km of the gold point ("
                  + ", ".join(f"{r['corpus']} {r['reachable'] / r['gold']:.3f}" for r in gold_rows)
                  + ").",
                  "No choice among the candidates can score above it, so the gold-span target of 0.90 is out of",
                  "reach with the embedded data: the missing spans are streets, buildings, rivers, seas, regions and",
                  "neighbourhoods that the embedded data (towns and admin units only) does not hold (\"Cauvery\", \"Royal Street\", \"Indian Ocean\",",
                  "\"Eastern Ghouta\"), plus the provinces whose annotated point lies elsewhere than ours (column before).",
                  "Loading GeoNames `allCountries` (`conflictmap gazetteer add geonames`, all feature classes) is the",
                  "way to raise the ceiling; the file is not available on this machine."]
    lines += ["", f"Speed, end to end in one process, best of 3 passes (load average at the time: {meta['load']}):", "",
              "| corpus | docs | chars/doc | docs/s (best) | all passes |", "|---|---|---|---|---|"]
    for r in meta["speed"]:
        lines.append(f"| {r['corpus']} | {r['docs']} | {r['chars_per_doc']:,} | **{r['best_docs_per_s']}** | "
                     f"{', '.join(map(str, r['runs']))} |")
    lines += ["", "Published anchors (full corpora): "
              + "; ".join(f"{k}: {v}" for k, v in PUBLISHED.items()) + ".", ""]
    return "\n".join(lines)


def write_section(text: str, path: Path) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start = old.find("## Geoparsing")
    if start == -1:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        nxt = old.find("\n## ", start + 5)
        new = old[:start] + text + ("\n" + old[nxt + 1:] if nxt != -1 else "")
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--corpora", default=",".join(DEFAULT_CORPORA))
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    if not CORPORA_DIR.is_dir():
        print(f"corpora not found at {CORPORA_DIR}", file=sys.stderr)
        return 1
    from gazetteer import Gazetteer
    from mapper.geoparse import Geoparser

    gz = Gazetteer.open(args.data_dir, build=True, progress=True)
    gp = Geoparser(gz)
    t0 = time.perf_counter()
    gp.index  # noqa: B018 - build the scanning index outside the timed runs
    index_s = time.perf_counter() - t0
    results = []
    for name in args.corpora.split(","):
        for resolve_only in (False, True):
            r = run_corpus(gp, gz, name, resolve_only=resolve_only)
            results.append(r)
            print(f"{name:12} {r['mode']:11} P={fmt(r['precision'])} R={fmt(r['recall'])} F1={fmt(r['f1'])} "
                  f"Acc@161={fmt(r['acc161'])} AUC={fmt(r['auc'])} geo-F1={fmt(r['geo_f1'])} "
                  f"{r['docs_per_s']} docs/s", file=sys.stderr)
    trained_on = gp.filter_model.trained_on if gp.filter_model is not None else ""
    speeds = speed(gp, [n for n in ("geowebnews", "trnews", "lgl") if n in args.corpora.split(",")])
    with open("/proc/loadavg", encoding="ascii") as fh:
        load = " ".join(fh.read().split()[:3])
    meta = {"date": date.today().isoformat(), "index_s": index_s, "places": gz.stats()["places"],
            "trained_on": trained_on, "speed": speeds, "load": load,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    text = markdown(results, meta)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8")
    if args.write_results:
        write_section(text, REPO / "benchmarks" / "RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
