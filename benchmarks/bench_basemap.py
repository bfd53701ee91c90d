"""Basemap context benchmark (issue 14): page size and render time with and without the context.

Usage::

    .venv/bin/python benchmarks/bench_basemap.py [--data-dir DIR] [--claims 10000] [--write-results]

Maps measured: the shipped example (examples/qala-e-naw-2021), the Dnipro left-bank test claims
(tests/fixtures/dnipro-left-bank-2023.csv) and N synthetic claims about ~500 real Afghan/Tajik
places (bench_map.py's generator, seed 1). For each: ``prepare_state`` (which builds the context:
frame countries, world land, water, towns) and ``render_html``, each best of 3, with the context
(default) and with ``state.context`` set to None (the page before issue 14 still had the frame's
country and province outlines). Without ``--data-dir`` an index of AF, TJ, PK, IR, UZ, TM, UA, MD,
RO is built in a temp folder. ``--write-results`` replaces the "## Basemap context" section of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

MAPS = {
    "example (Qala-e-Naw 2021)": REPO / "examples" / "qala-e-naw-2021" / "claims.csv",
    "Dnipro left bank 2023 (test claims)": REPO / "tests" / "fixtures" / "dnipro-left-bank-2023.csv",
}


def best(fn, repeat: int = 3):
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, min(times)


def measure(name: str, csv_path: Path, gz) -> dict:
    from mapper.context import build_context
    from mapper.render.html import render_html
    from mapper.state import MapOptions, _frame, prepare_state

    state, t_state = best(lambda: prepare_state([csv_path], gazetteer=gz, options=MapOptions()), 2)
    (html, rep), t_html = best(lambda: render_html(state))
    bare = dataclasses.replace(state, context=None)
    (html0, rep0), t_html0 = best(lambda: render_html(bare))
    places = [state.timeline.places[k] for k in state.keys]
    from mapper.state import _bbox

    bbox = _bbox(places)
    _, t_ctx = best(lambda: build_context(gz, _frame(bbox), state.basemap, places, near=bbox))
    labels = state.context.labels if state.context else ()
    return {
        "map": name, "claims": len(state.claims), "bytes": rep.bytes, "bytes_without": rep0.bytes,
        "render_s": t_html, "render_without_s": t_html0, "context_s": t_ctx, "state_s": t_state,
        "labels": len(labels), "towns": sum(1 for lab in labels if lab.kind in ("capital", "city")),
    }


def section(rows: list, load: float | None) -> str:
    lines = [
        "## Basemap context",
        "",
        "Reproduce: `.venv/bin/python benchmarks/bench_basemap.py --write-results` (builds a small index of "
        "AF, TJ, PK, IR, UZ, TM, UA, MD, RO; `--data-dir DIR` for an existing one).",
        "",
        f"Measured {time.strftime('%Y-%m-%d')}, best of 3 (the machine was shared"
        + (f"; 1-minute load average {load:.1f} on {os.cpu_count()} cores" if load is not None else "") + "). "
        "'without context' renders the same state with `state.context = None` (the frame's country and "
        "province outlines only, as before issue 14). 'context built' is `mapper.context.build_context` alone "
        "(inside `prepare_state`). Figures before this work, from the sections above: example map 0.29 MB; "
        "10,000 claims written in about 1 s.",
        "",
        "| map | claims | page size | without context | HTML written | without context | context built | prepare_state | context names (towns) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['map']} | {r['claims']:,} | **{r['bytes'] / 1e6:.2f} MB** | {r['bytes_without'] / 1e6:.2f} MB | "
            f"**{r['render_s']:.2f} s** | {r['render_without_s']:.2f} s | {r['context_s']:.2f} s | {r['state_s']:.2f} s | "
            f"{r['labels']} ({r['towns']}) |")
    lines += [
        "",
        "Budget: the example map stays under 1.8 MB. The context adds world land (coarse, outside the frame), "
        "every country of the frame (filled as land), rivers, lakes, and the label candidates; the 'without' "
        "column still has the outlines of the frame's countries fetched for the whole frame.",
        "",
    ]
    return "\n".join(lines)


def write_results(text: str) -> None:
    path = REPO / "benchmarks" / "RESULTS.md"
    old = path.read_text(encoding="utf-8")
    start = old.find("## Basemap context")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 5)
        new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
    path.write_text(new, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args(argv)
    from bench_map import pick_places, write_claims

    from gazetteer import Gazetteer

    work = Path(tempfile.mkdtemp(prefix="bench-basemap-"))
    try:
        if args.data_dir:
            gz = Gazetteer.open(args.data_dir, build=False)
        else:
            gz = Gazetteer.open(work / "gz", build=True, countries=("AF", "TJ", "PK", "IR", "UZ", "TM", "UA", "MD", "RO"))
        maps = dict(MAPS)
        if args.claims:
            synth = work / "synthetic.csv"
            write_claims(synth, pick_places(gz, 500), args.claims)
            maps[f"{args.claims:,} synthetic claims (AF/TJ)"] = synth
        rows = [measure(name, path, gz) for name, path in maps.items()]
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):
            load = None
        text = section(rows, load)
        print(text)
        if args.write_results:
            write_results(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
