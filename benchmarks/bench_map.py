"""Map rendering benchmark: synthetic claims about real Afghan and Tajik places.

Usage::

    .venv/bin/python benchmarks/bench_map.py [--data-dir DIR] [--sizes 10000,100000] [--no-browser]
        [--no-naive] [--write-results]

For each size N it writes a canonical claims CSV (deterministic, seed 1) about
~500 places (N = 10,000) or ~2,500 places (N = 100,000), then measures:

* ``conflictmap map`` end to end (``mapper.pipeline.build_map``: read, resolve,
  timeline, render), and the HTML writing alone (``render_html`` on the built
  timeline): seconds and megabytes;
* the naive approach, side by side: one folium ``CircleMarker`` with a
  ``Popup`` per claim, saved with ``Map.save`` (same coordinates), and how
  many external URLs its page needs (it is blank offline);
* in chromium with the network cut: time until the page is ready, and the
  time to restyle the map for one time step.

Targets (issue 3): N = 10,000 written in <= 2 s and <= 3 MB; N = 100,000 in
<= 30 s and <= 30 MB, browser responsive. ``--write-results`` replaces the
"## Map rendering" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CLAIMANTS = [
    ("Taliban spokesman Zabihullah Mujahid", "Taliban"), ("Taliban spokesman Qari Yousuf Ahmadi", "Taliban"),
    ("Afghan Defence Ministry", "Government"), ("Ministry of Interior", "Government"),
    ("Provincial governor", "Government"), ("Security officials", "Government"), ("Pajhwok Afghan News", ""),
    ("TOLOnews", ""), ("Khaama Press", ""), ("Local residents", ""), ("Provincial council member", ""),
    ("ACLED", ""), ("Reuters", ""), ("AFP", ""), ("BBC Pashto", ""), ("Afghanistan Analysts Network", ""),
    ("Long War Journal", ""), ("Hasht-e Subh", ""), ("Ariana News", ""), ("Salam Watandar", ""),
]
STATUSES = ["captured"] * 25 + ["controlled"] * 15 + ["fighting"] * 15 + ["contested"] * 10 + ["attacked"] * 25 + \
    ["denied"] * 10
ACTORS = ["Taliban"] * 6 + ["Afghan forces"] * 3 + ["ANDSF", "Islamic State"]
VERBS = ["took control of", "entered", "was pushed back from", "is fighting for", "attacked checkpoints near",
         "denies losing", "overran the district centre of", "retook", "besieged", "shelled"]
START = datetime(2021, 5, 1, tzinfo=timezone.utc)


def pick_places(gz, n_places: int) -> list:
    """Real places: AF and TJ provinces (drawn as polygons), then their most populous towns, then
    towns of the neighbours (PK, UZ, TM, IR) when AF and TJ do not hold enough."""
    from gazetteer import PlaceNotFound

    places = []
    for cc in ("AF", "TJ"):
        try:
            places += [p for p in gz.children(f"country:{cc}") if p.has_geometry]
        except PlaceNotFound:  # a country the index does not hold
            pass
    towns = []
    for group in (("AF", "TJ"), ("PK", "UZ", "TM", "IR")):
        more = []
        for cc in group:
            try:
                more += gz.children(f"country:{cc}", kind="populated_place")
            except PlaceNotFound:
                pass
        more.sort(key=lambda p: -p.population)
        towns += more
    seen = {(p.name, p.admin1) for p in places}
    for t in towns:
        if len(places) >= n_places:
            break
        if (t.name, t.admin1) not in seen:
            seen.add((t.name, t.admin1))
            places.append(t)
    return places


def write_claims(path: Path, places: list, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    articles = [f"https://news.example.org/2021/{i:05d}" for i in range(max(50, n // 8))]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "place", "time", "status", "actor", "claimant", "source", "url", "quote", "scope",
                    "country", "admin1"])
        for i in range(n):
            p = places[rng.randrange(len(places))] if rng.random() < 0.5 else places[min(len(places) - 1, int(rng.expovariate(8 / len(places))))]
            t = START + timedelta(minutes=rng.randrange(0, 120 * 24 * 60))
            precision = rng.random()
            when = t.strftime("%Y-%m-%d") if precision < 0.4 else t.strftime("%Y-%m-%dT%H:%M")
            claimant, _side = CLAIMANTS[rng.randrange(len(CLAIMANTS))]
            art = rng.randrange(len(articles))
            actor = rng.choice(ACTORS)
            quote = (f"{claimant} said on {t:%A} that {actor} {rng.choice(VERBS)} {p.name} "
                     f"after {rng.randint(2, 40)} hours of clashes, according to claim {i}.")
            scope = ""
            if p.kind == "admin1" and rng.random() < 0.2:
                scope = rng.choice(["all districts", f"{rng.randint(1, 6)} of 7 districts", "majority of districts"])
            w.writerow([f"b{i}", p.name, when, rng.choice(STATUSES), actor, claimant, f"Article {art}",
                        articles[art], quote, scope, p.country_code or "", p.admin1 if p.kind != "admin1" else ""])


def naive_folium(claims_csv: Path, coords: dict, out: Path) -> dict:
    """One folium CircleMarker with a popup per claim: what a user writes first."""
    import folium

    t0, c0 = time.perf_counter(), time.process_time()
    m = folium.Map(location=[34.5, 66.0], zoom_start=6)
    with claims_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ll = coords.get(row["id"])
            if ll is None:
                continue
            html = (f"<b>{row['place']}</b><br>{row['time']} {row['claimant']}: {row['status']} ({row['actor']})"
                    f"<br><i>{row['quote']}</i><br><a href='{row['url']}'>{row['source']}</a>")
            folium.CircleMarker(location=ll, radius=5, popup=folium.Popup(html, max_width=300)).add_to(m)
    m.save(str(out))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    text = out.read_text(encoding="utf-8")
    # Assets the page loads from elsewhere (scripts and style sheets), not the links inside popups.
    external = sorted(set(re.findall(r"""<(?:script[^>]*\bsrc|link[^>]*\bhref)=["'](https?://[^"']+)""", text)))
    return {"seconds": seconds, "cpu_seconds": cpu, "bytes": out.stat().st_size, "external_assets": len(external)}


def browser_measure(path: Path, steps: int = 10) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright not installed"}
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        return {"skipped": "chromium not found"}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium,
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page(viewport={"width": 1280, "height": 800})
        external, errors = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else
                   (external.append(r.request.url), r.abort()))
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri())
        ready = None
        for _ in range(600):
            if page.evaluate("typeof window.conflictmap") == "object":
                ready = time.perf_counter() - t0
                break
            page.wait_for_timeout(50)
        out = {"ready_seconds": ready, "external_requests": len(external), "errors": errors[:3]}
        if ready is not None:
            out["restyle_ms"] = page.evaluate(
                """(n) => {
                    const s = window.conflictmap.steps(), times = [];
                    for (let i = 1; i <= n; i++) {
                        const t0 = performance.now();
                        window.conflictmap.setTime(s[Math.floor(i * (s.length - 1) / n)]);
                        times.push(performance.now() - t0);
                    }
                    times.sort((a, b) => a - b);
                    return {median: times[Math.floor(times.length / 2)], max: times[times.length - 1], steps: s.length};
                }""", steps)
        b.close()
    return out


def naive_offline(path: Path) -> dict:
    """Open the folium page with the network cut: does anything draw?"""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright not installed"}
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        blocked, errors = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else
                   (blocked.append(r.request.url), r.abort()))
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri(), timeout=120_000)
        page.wait_for_timeout(500)
        drawn = page.evaluate("document.querySelectorAll('.leaflet-interactive').length")
        out = {"load_seconds": time.perf_counter() - t0, "blocked_requests": len(blocked), "drawn": drawn,
               "errors": errors[:1]}
        b.close()
    return out


def run(size: int, gz, workdir: Path, args) -> dict:
    from mapper.pipeline import build_map

    n_places = 500 if size <= 20_000 else 2_500
    places = pick_places(gz, n_places)
    claims_csv = workdir / f"claims-{size}.csv"
    write_claims(claims_csv, places, size)
    out = workdir / f"map-{size}.html"
    t0, c0 = time.perf_counter(), time.process_time()
    result = build_map([claims_csv], gazetteer=gz, output=out, overwrite=True, title=f"Benchmark: {size:,} claims")
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    # HTML writing alone (timeline built, basemap fetched): what the 2 s / 30 s targets are about.
    report = result.render
    render_seconds = [report.seconds]
    row = {
        "claims": size,
        "places_requested": len(places),
        "unresolved_claims": len(result.unresolved),
        "places_mapped": result.places,
        "unresolved": len(result.unresolved),
        "pipeline_seconds": round(total, 2),
        "pipeline_cpu_seconds": round(total_cpu, 2),
        "render_seconds": round(min(render_seconds), 2),
        "render_cpu_seconds": round(report.cpu_seconds, 2),
        "mb": round(report.bytes / 1e6, 2),
        "steps": report.steps,
        "actions": list(report.actions),
        "estimated_mb": round(report.estimated_bytes / 1e6, 2),
    }
    print(f"[{size:,}] pipeline {total:.2f} s, HTML {min(render_seconds):.2f} s, {report.bytes / 1e6:.2f} MB, "
          f"{result.places} places, {report.steps:,} steps", file=sys.stderr)
    if not args.no_naive:
        coords = {}
        for e in result.timeline.entries:
            p = result.timeline.places[e.place_key]
            if e.derived_from is None and p.lat is not None:
                coords[e.claim.id] = (p.lat, p.lon)
        naive_out = workdir / f"naive-{size}.html"
        row["naive"] = naive_folium(claims_csv, coords, naive_out)
        print(f"[{size:,}] naive folium {row['naive']['seconds']:.2f} s, {row['naive']['bytes'] / 1e6:.2f} MB, "
              f"{row['naive']['external_assets']} external assets", file=sys.stderr)
        if not args.no_browser and size <= 20_000:
            row["naive_offline"] = naive_offline(naive_out)
    if not args.no_browser:
        row["browser"] = browser_measure(out)
        print(f"[{size:,}] browser {row['browser']}", file=sys.stderr)
    return row


def results_section(rows: list) -> str:
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    lines = [
        "## Map rendering",
        "",
        "Reproduce: `.venv/bin/python benchmarks/bench_map.py --write-results` (synthetic claims about real AF/TJ",
        "places from the gazetteer; `--data-dir DIR` to use an existing index, `--no-browser` without chromium).",
        "",
        f"Measured {today}. \"HTML written\" is `render_html` (estimate, encode, write) inside the run; \"pipeline\" is",
        "`conflictmap map` end to end (read CSV, resolve every place through the gazetteer, timeline, HTML).",
        "",
        "Wall time is what a user waits; CPU time (in parentheses) is the process's own work and does not",
        "depend on other jobs sharing the machine.",
        "",
        "| claims | places | HTML written (CPU) | size | pipeline: read+resolve+render (CPU) | time steps | browser ready | restyle one step | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b = r.get("browser", {})
        ready = f"{b['ready_seconds']:.1f} s" if b.get("ready_seconds") else b.get("skipped", "–")
        restyle = (f"{b['restyle_ms']['median']:.0f} ms (max {b['restyle_ms']['max']:.0f})"
                   if b.get("restyle_ms") else "–")
        target = "≤ 2 s, ≤ 3 MB" if r["claims"] <= 20_000 else "≤ 30 s, ≤ 30 MB"
        lines.append(
            f"| {r['claims']:,} | {r['places_mapped']:,} | **{r['render_seconds']:.2f} s** ({r['render_cpu_seconds']:.2f} s) "
            f"| **{r['mb']:.2f} MB** | {r['pipeline_seconds']:.2f} s ({r['pipeline_cpu_seconds']:.2f} s) | {r['steps']:,} "
            f"| {ready} | {restyle} | {target} |"
        )
    if rows and rows[0].get("load_average") is not None:
        lines += ["", f"(1-minute load average at the end of the run: {rows[-1]['load_average']} on 2 cores; other jobs shared "
                  "the machine, so wall times are upper bounds.)"]
    lines += ["", "Naive approach, same claims and coordinates: one folium `CircleMarker` with a `Popup` per claim,",
              "`Map.save`:", "", "| claims | written in (CPU) | size | external assets | offline in chromium |",
              "|---|---|---|---|---|"]
    for r in rows:
        n = r.get("naive")
        if not n:
            continue
        off = r.get("naive_offline")
        offline = (f"{off['drawn']} markers drawn, {off['blocked_requests']} requests blocked"
                   + (f", error: {off['errors'][0][:60]}" if off.get("errors") else "")) if off and "drawn" in off else "–"
        lines.append(f"| {r['claims']:,} | {n['seconds']:.2f} s ({n['cpu_seconds']:.2f} s) | {n['bytes'] / 1e6:.2f} MB "
                     f"| {n['external_assets']} | {offline} |")
    lines += ["", "What keeps conflictmap small and fast: every place and every claim is stored once (claims refer",
              "to places by index, repeated text such as sources, URLs and time labels goes into one string table),",
              "the browser computes the state at the chosen instant from each place's claim list instead of reading",
              "a copy per time step, points are drawn on one canvas (grouped into status pies when more than 1,500",
              "points are zoomed out), and geometry is simplified only when the estimate passes the budget."]
    for r in rows:
        if r["actions"]:
            lines.append(f"At {r['claims']:,} claims the renderer reported: " + "; ".join(r["actions"]) + ".")
    return "\n".join(lines) + "\n"


def write_results(section: str) -> None:
    path = REPO / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    pattern = re.compile(r"^## Map rendering\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, help="gazetteer data dir (default: build a small AF/TJ index in a temp dir)")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--json", type=Path, help="write the raw numbers here")
    args = ap.parse_args(argv)
    from gazetteer import Gazetteer

    workdir = Path(tempfile.mkdtemp(prefix="bench-map-")) if args.keep is None else args.keep
    workdir.mkdir(parents=True, exist_ok=True)
    if args.data_dir:
        gz = Gazetteer.open(args.data_dir, build=False)
    else:
        gz = Gazetteer.open(workdir / "gz", build=True, countries=("AF", "TJ", "PK", "IR", "UZ", "TM"))
    rows = [run(int(s), gz, workdir, args) for s in args.sizes.split(",") if s]
    try:
        import os

        load = os.getloadavg()[0]
        for r in rows:
            r["load_average"] = round(load, 1)
    except (AttributeError, OSError):
        pass
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")
    section = results_section(rows)
    print(section)
    if args.write_results:
        write_results(section)
    if args.keep is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
