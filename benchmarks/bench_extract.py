"""Extraction benchmark (article -> claims): ``mapper.extract`` drafts scored against hand-annotated gold.

Usage::

    .venv/bin/python benchmarks/bench_extract.py [--gold DIR] [--shared DIR] [--data-dir DIR]
        [--no-gazetteer] [--errors N] [--docs] [--only GROUPS] [--show ID] [--format text|json]

Gold claims live in ``benchmarks/data/extract_gold/*.jsonl`` (see its README): one document per line,
pointing at a text in ``../shared`` (seed articles, ACLED notes, geoparsing corpora) by file, id and
character offsets. The texts are read from there at run time and never copied into the repository;
when they are absent the benchmark says so and exits with status 0 without scores.

Scoring (``mapper.extract.scoring``): a draft matches a gold claim when the place is the same (name
family or within 25 km) and the status is the same, one to one, greedy by best match. Precision,
recall and F1 over all claims; actor, claimant and time accuracy over the matches. Each source group
is reported separately (the seed articles are the ``seeds`` group; their recall should be 1.00).

Speed: articles per second of the extraction alone (wall time, and per CPU second), best of 3 runs in
this process, overall and per group (ACLED notes are short, the seeds and news documents article-length); the start-up (gazetteer
open, geoparser set-up and its first call) is timed separately.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mapper.extract.scoring import (  # noqa: E402
    DraftClaim,
    GoldClaim,
    Totals,
    draft_from_claim,
    match_document,
    totals,
)

GOLD_DIR = REPO / "benchmarks" / "data" / "extract_gold"
log = logging.getLogger("bench_extract")


@dataclass(frozen=True)
class GoldDoc:
    group: str
    source: str
    id: str
    published: str
    tz: str
    country: str
    outlet: str
    claims: tuple
    negatives: tuple  # ((start, end), why)


class GoldError(ValueError):
    pass


def find_shared(explicit: str = "") -> Path:
    """``../shared`` next to the checkout (or next to the worktree folder), unless given."""
    if explicit:
        return Path(explicit)
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared").is_dir():
            return base / "shared"
    return REPO.parent / "shared"


def read_gold(folder: Path) -> list:
    docs = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                rec = json.loads(line)
                d = rec["doc"]
                claims = []
                for i, c in enumerate(rec.get("claims", [])):
                    if not (isinstance(c.get("sentence"), list) and len(c["sentence"]) == 2):
                        raise GoldError(f"{where}: claim {i}: 'sentence' must be [start, end]")
                    claims.append(GoldClaim(
                        place=c["place"], status=c["status"], lat=c.get("lat"), lon=c.get("lon"),
                        actor=c.get("actor", ""), claimant=c.get("claimant", ""), time=c.get("time", ""),
                        scope=c.get("scope", ""), sentence=tuple(c["sentence"]), aliases=tuple(c.get("aliases", ())),
                        actor_alt=tuple(c.get("actor_alt", ())), claimant_alt=tuple(c.get("claimant_alt", ())),
                        note=c.get("note", ""),
                    ))
                negs = tuple((tuple(x["sentence"]), x.get("why", "")) for x in rec.get("negatives", []))
                docs.append(GoldDoc(path.stem, d["source"], str(d["id"]), d["published"], d.get("tz", ""),
                                    d.get("country", ""), d.get("outlet", ""), tuple(claims), negs))
            except (KeyError, TypeError, json.JSONDecodeError) as err:
                raise GoldError(f"{where}: not a gold record ({type(err).__name__}: {err})") from err
    return docs


class Texts:
    """Reads the gold documents' texts from ../shared (cached per file)."""

    def __init__(self, shared: Path):
        self.shared = shared
        self._jsonl = {}
        self._csv = {}

    def get(self, source: str, doc_id: str) -> str:
        if source.startswith("seeds/"):
            from mapper.geoparse.text import load_article

            return load_article(self.shared / source).text
        path = self.shared / "data" / source
        if source.startswith("geoparse/"):
            if source not in self._jsonl:
                # split on "\n" only: texts hold U+2028 and other characters str.splitlines breaks on
                recs = [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x.strip()]
                self._jsonl[source] = {r["id"]: r["text"] for r in recs}
            return self._jsonl[source][doc_id]
        if source.startswith("conflict/"):
            if source not in self._csv:
                with open(path, encoding="utf-8", newline="") as f:
                    self._csv[source] = list(csv.DictReader(f))
            rows = self._csv[source]
            if doc_id.startswith("row:"):
                row = rows[int(doc_id[4:])]
            else:
                found = [r for r in rows if r.get("event_id_cnty") == doc_id]
                if not found:
                    raise KeyError(doc_id)
                row = found[0]
            return row.get("notes") or row.get("Notes") or ""
        raise KeyError(source)


def check_offsets(doc: GoldDoc, text: str) -> list:
    problems = []
    for i, c in enumerate(doc.claims):
        s, e = c.sentence
        if not (0 <= s < e <= len(text)):
            problems.append(f"{doc.source}#{doc.id}: claim {i} sentence [{s}, {e}] outside the text ({len(text)})")
    return problems


def run_extraction(docs, texts, geoparser):
    from mapper.extract import extract_claims

    out = []
    for d in docs:
        try:
            claims = extract_claims(texts[d.id, d.source], published=d.published, source=d.outlet or "article",
                                    tz=d.tz or None, geoparser=geoparser, name=d.id)
            out.append((claims, ""))
        except Exception as err:  # noqa: BLE001 - a crash is a result: the document scores zero drafts
            out.append(([], f"{type(err).__name__}: {err}"))
    return out


def to_drafts(claims, gz) -> list:
    from gazetteer import PlaceNotFound

    drafts = []
    for c in claims:
        lat = lon = None
        if gz is not None and c.place_id and c.lat is None:
            try:
                p = gz.get(c.place_id)
                lat, lon = p.lat, p.lon
            except PlaceNotFound:  # unknown id: no coordinates, name match only
                pass
        # A draft merged from identical drafts of several sentences (``sentences`` = "s-e;s-e") stands
        # for the claim of each of those sentences.
        spans = [x.split("-") for x in dict(c.extra).get("sentences", "").split(";") if x.count("-") == 1]
        for s0, s1 in spans[1:]:
            extra = tuple((k, v) for k, v in c.extra if k not in ("sentence_start", "sentence_end"))
            drafts.append(draft_from_claim(replace(c, extra=extra + (("sentence_start", s0), ("sentence_end", s1))),
                                           lat, lon))
        drafts.append(draft_from_claim(c, lat, lon))
    return drafts


def _pct(x):
    return "  -  " if x is None else f"{100 * x:5.1f}"


def _row(name: str, t: Totals) -> str:
    return (f"{name:<28} {t.documents:>4} {t.gold:>5} {t.drafts:>6} {t.matched:>5}  {t.precision:5.2f} {t.recall:5.2f} "
            f"{t.f1:5.2f}  {_pct(t.accuracy('actor'))} {_pct(t.accuracy('claimant'))} {_pct(t.accuracy('time'))}")


HEADER = (f"{'group':<28} {'docs':>4} {'gold':>5} {'drafts':>6} {'match':>5}  {'P':>5} {'R':>5} {'F1':>5}  "
          f"{'actor':>5} {'claim':>5} {'time':>5}")


def _fmt_gold(g: GoldClaim) -> str:
    return f"{g.place} | {g.status} | {g.actor or '-'} | {g.claimant or '-'} | {g.time}"


def _fmt_draft(d: DraftClaim) -> str:
    if d.earliest is None:
        t = ""
    else:
        t = str(d.earliest) if d.latest in (None, d.earliest) else f"{d.earliest}/{d.latest}"
    return f"{d.place} | {d.status} | {d.actor or '-'} | {d.claimant or '-'} | {t}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", default=str(GOLD_DIR), help="folder of gold *.jsonl files")
    ap.add_argument("--shared", default="", help="the shared folder holding seeds/ and data/ (default ../shared)")
    ap.add_argument("--data-dir", default=None, help="gazetteer data folder (default: the usual one, built if missing)")
    ap.add_argument("--no-gazetteer", action="store_true", help="extract without the geoparser (capitalised phrases)")
    ap.add_argument("--errors", type=int, default=0, metavar="N", help="list up to N misses and N false positives")
    ap.add_argument("--docs", action="store_true", help="per-document breakdown")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (best is reported)")
    ap.add_argument("--only", default="", metavar="GROUPS", help="comma-separated groups to run (seeds,acled,geoparse)")
    ap.add_argument("--show", default="", metavar="ID", help="print gold and drafts of the document with this id")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

    try:
        docs = read_gold(Path(args.gold))
    except GoldError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.only:
        keep = {g.strip() for g in args.only.split(",") if g.strip()}
        unknown = keep - {d.group for d in docs}
        if unknown:
            print(f"error: --only: no gold group {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        docs = [d for d in docs if d.group in keep]
    shared = find_shared(args.shared)
    if not shared.is_dir():
        print(f"skipped: the shared texts are not at {shared} (pass --shared DIR); the gold files only point at them",
              file=sys.stderr)
        return 0
    reader = Texts(shared)
    texts, missing, problems = {}, [], []
    for d in docs:
        try:
            texts[d.id, d.source] = reader.get(d.source, d.id)
        except (OSError, KeyError, IndexError, ValueError) as err:
            missing.append(f"{d.source}#{d.id} ({type(err).__name__}: {err})")
            continue
        problems += check_offsets(d, texts[d.id, d.source])
    if missing:
        print("skipped documents whose text is missing: " + "; ".join(missing), file=sys.stderr)
    if problems:
        print("error: gold offsets outside their texts:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    docs = [d for d in docs if (d.id, d.source) in texts]
    if not docs:
        print("skipped: no gold document could be read", file=sys.stderr)
        return 0

    # Start-up: gazetteer, geoparser and its first call (index warm-up), timed apart from the extraction.
    t0 = time.perf_counter()
    gz = gp = None
    if not args.no_gazetteer:
        from gazetteer import Gazetteer
        from mapper.geoparse import Geoparser

        gz = Gazetteer.open(args.data_dir, build=True)
        gp = Geoparser(gz, filter_model=None)  # as `conflictmap extract` does
    t_open = time.perf_counter() - t0
    from mapper.extract import extract_claims

    t1 = time.perf_counter()
    extract_claims("Fighters took control of Kabul.", published="2021-07-07", geoparser=gp)
    t_warm = time.perf_counter() - t1

    # Each group timed on its own (ACLED notes are a few hundred characters, news articles thousands).
    group_names = sorted({d.group for d in docs})
    # CPU time (process_time) too: on a shared machine wall time varies several-fold, CPU time much less.
    group_best, group_cpu, by_doc = {}, {}, {}
    for g in group_names:
        gdocs = [d for d in docs if d.group == g]
        for _ in range(max(1, args.repeat)):
            t, c0 = time.perf_counter(), time.process_time()
            res = run_extraction(gdocs, texts, gp)
            el, cpu = time.perf_counter() - t, time.process_time() - c0
            group_best[g] = min(group_best.get(g, el), el)
            group_cpu[g] = min(group_cpu.get(g, cpu), cpu)
        by_doc.update({(d.id, d.source): r for d, r in zip(gdocs, res)})
    results = [by_doc[d.id, d.source] for d in docs]
    best = sum(group_best.values())
    chars = sum(len(texts[d.id, d.source]) for d in docs)
    group_speed = {}
    for g in group_names:
        n = sum(1 for d in docs if d.group == g)
        c = sum(len(texts[d.id, d.source]) for d in docs if d.group == g)
        el = group_best[g]
        group_speed[g] = {"articles": n, "chars": c, "extract_s": round(el, 4),
                          "articles_per_s": round(n / el, 1) if el else None,
                          "articles_per_cpu_s": round(n / group_cpu[g], 1) if group_cpu[g] else None,
                          "chars_per_s": round(c / el) if el else None}

    per_doc, groups, grand = [], {}, Totals()
    errors_miss, errors_fp, neg_hits = [], [], []
    for d, (claims, crash) in zip(docs, results):
        drafts = to_drafts(claims, gz)
        res = match_document(list(d.claims), drafts)
        t = totals(list(d.claims), drafts, res)
        grand = grand + t
        groups[d.group] = groups.get(d.group, Totals()) + t
        per_doc.append((d, t, crash))
        for i in res.misses:
            errors_miss.append((d, d.claims[i]))
        for i in res.false_positives:
            errors_fp.append((d, drafts[i]))
        for (s, e), why in d.negatives:
            for dr in drafts:
                if dr.sentence and dr.sentence[0] < e and s < dr.sentence[1]:
                    neg_hits.append((d, dr, why))
    if args.show:
        for d, (claims, crash) in zip(docs, results):
            if d.id != args.show:
                continue
            head = f"{d.source}#{d.id} (published {d.published}, tz {d.tz or '-'})"
            print(head + (f" CRASH {crash}" if crash else ""))
            for g in d.claims:
                print(f"  gold  [{g.sentence[0]}-{g.sentence[1]}] {_fmt_gold(g)}")
            for x in to_drafts(claims, gz):
                s = f"[{x.sentence[0]}-{x.sentence[1]}]" if x.sentence else "[-]"
                print(f"  draft {s} {_fmt_draft(x)}")
    non_seed = sum((t for g, t in groups.items() if g != "seeds"), Totals())
    speed = len(docs) / best if best else float("inf")
    n_neg = sum(len(d.negatives) for d in docs)

    if args.format == "json":
        out = {
            "documents": len(docs), "gold_claims": grand.gold, "negatives": n_neg,
            "all": grand.to_dict(), "without_seeds": non_seed.to_dict(),
            "groups": {g: t.to_dict() for g, t in sorted(groups.items())},
            "negative_sentences_with_drafts": len(neg_hits),
            "crashes": [{"doc": f"{d.source}#{d.id}", "error": c} for d, _, c in per_doc if c],
            "speed": {"articles_per_s": round(speed, 1), "chars_per_s": round(chars / best) if best else None,
                      "best_of": max(1, args.repeat), "extract_s": round(best, 4),
                      "startup_open_s": round(t_open, 2), "startup_first_call_s": round(t_warm, 2),
                      "groups": group_speed},
            "gazetteer": not args.no_gazetteer,
            "per_document": [{"doc": f"{d.source}#{d.id}", "group": d.group, **t.to_dict()} for d, t, _ in per_doc],
            "misses": [{"doc": f"{d.source}#{d.id}", "gold": _fmt_gold(g), "sentence": list(g.sentence)}
                       for d, g in errors_miss[:args.errors or None]],
            "false_positives": [{"doc": f"{d.source}#{d.id}", "draft": _fmt_draft(x), "sentence": list(x.sentence)}
                                for d, x in errors_fp[:args.errors or None]],
        }
        json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
        print()
        return 0

    print(f"Extraction benchmark: {len(docs)} documents, {grand.gold} gold claims, {n_neg} negative sentences"
          f" ({'with' if gp else 'without'} gazetteer)")
    print(HEADER)
    for g, t in sorted(groups.items()):
        print(_row(g, t))
    print(_row("all but seeds", non_seed))
    print(_row("all", grand))
    print(f"drafts on negative sentences: {len(neg_hits)} (of {n_neg} negatives)")
    crashes = [(d, c) for d, _, c in per_doc if c]
    if crashes:
        print(f"crashes: {len(crashes)}: " + "; ".join(f"{d.id}: {c}" for d, c in crashes))
    print(f"speed: {speed:.1f} articles/s, {chars / best if best else 0:,.0f} chars/s (extraction only, best of "
          f"{max(1, args.repeat)}, one process); start-up: gazetteer+geoparser {t_open:.1f} s, "
          f"first call {t_warm:.1f} s")
    for g, sp in group_speed.items():
        print(f"  {g}: {sp['articles_per_s']} articles/s ({sp['articles']} documents, mean "
              f"{sp['chars'] // sp['articles']:,} chars), {sp['chars_per_s']:,} chars/s; "
              f"{sp['articles_per_cpu_s']} articles per CPU second")
    if args.docs:
        print("\nper document")
        for d, t, _ in per_doc:
            print(_row(f"{d.group}:{d.id}"[:28], t))
    if args.errors:
        print(f"\nmisses (first {args.errors} of {len(errors_miss)}): place | status | actor | claimant | time")
        for d, g in errors_miss[:args.errors]:
            print(f"  {d.id}: {_fmt_gold(g)}  [{g.sentence[0]}-{g.sentence[1]}]")
        print(f"\nfalse positives (first {args.errors} of {len(errors_fp)})")
        for d, x in errors_fp[:args.errors]:
            s = f"  [{x.sentence[0]}-{x.sentence[1]}]" if x.sentence else ""
            print(f"  {d.id}: {_fmt_draft(x)}{s}")
        if neg_hits:
            print(f"\ndrafts on negative sentences (first {args.errors} of {len(neg_hits)})")
            for d, x, why in neg_hits[:args.errors]:
                print(f"  {d.id}: {_fmt_draft(x)}  ({why})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
