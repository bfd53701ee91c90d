"""``conflictmap resolve``: place names to ranked gazetteer candidates."""

from __future__ import annotations

import json
import sys

import click

from mapper.cli.options import (
    country_option,
    data_dir_option,
    is_quiet,
    online_gazetteer,
    online_options,
    online_summary,
    open_gazetteer,
    strict_option,
    within_option,
)

FORMATS = ("table", "json", "geojson")


def _read_names(names, names_file):
    if list(names) == ["-"]:  # `conflictmap resolve -`: names from stdin, one per line
        names, names_file = [], click.open_file("-", "r", encoding="utf-8", errors="replace")
    out = list(names)
    if names_file is not None:
        for line in names_file:
            line = line.rstrip("\r\n")
            if line.strip():
                out.append(line)
    elif not out and not sys.stdin.isatty():
        out.extend(line.rstrip("\r\n") for line in sys.stdin if line.strip())
    return out


def _feature(res) -> dict:
    best = res.best
    props = {"query": res.query, "status": res.status}
    if best is not None:
        props.update({k: v for k, v in best.to_dict().items() if k not in ("lat", "lon", "bbox")})
    props["suggestions"] = list(res.suggestions)
    geom = None
    if best is not None and best.place.lat is not None:
        geom = {"type": "Point", "coordinates": [best.place.lon, best.place.lat]}  # GeoJSON: lon, lat
    return {"type": "Feature", "geometry": geom, "properties": props}


def _table(results) -> str:
    rows = [("query", "status", "name", "kind", "cc", "lat", "lon", "score", "id")]
    for r in results:
        b = r.best
        rows.append((
            r.query[:40], r.status,
            (b.place.name if b else "-")[:32], b.place.kind if b else "", (b.place.country_code or "") if b else "",
            f"{b.place.lat:.4f}" if b and b.place.lat is not None else "",
            f"{b.place.lon:.4f}" if b and b.place.lon is not None else "",
            f"{b.score:.2f}" if b else "", b.place.id if b else "",
        ))
        if r.status == "ambiguous":
            for c in r.candidates[1:3]:
                rows.append(("", "  or", c.place.name[:32], c.place.kind, c.place.country_code or "",
                             f"{c.place.lat:.4f}", f"{c.place.lon:.4f}", f"{c.score:.2f}", c.place.id))
        if r.status == "not_found" and r.suggestions:
            rows.append(("", "  did you mean", ", ".join(r.suggestions[:5]), "", "", "", "", "", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows)


@click.command("resolve")
@click.argument("names", nargs=-1)
@click.option("--file", "names_file", type=click.File("r", encoding="utf-8", errors="replace"),
              help="Read names from this file, one per line ('-' for stdin).")
@country_option
@within_option
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True, help="Candidates per name.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for people, json (one list) or geojson (one Feature per line) for programs.")
@click.option("--together", is_flag=True,
              help="The names are one list or document: prefer a coherent set (same country, nearby, "
                   "containing each other) over independent picks, e.g. London Manchester Leeds.")
@strict_option
@online_options
@data_dir_option
def command(names, names_file, country, within, limit, fmt, together, strict, data_dir, online):
    """Resolve place NAMES to coordinates and admin units.

    Tolerates transliteration variants (Qala-e-Naw, Qal-e-Naw, Qal'eh-ye Now,
    قلعه نو), type words ("Badghis province") and parenthesised alternates
    ("Nad Ali district (Marja)"). Unknown names get status not_found with
    "did you mean" suggestions; nothing is ever placed at 0,0.

    \b
    Examples:
      conflictmap resolve "Qala-e-Naw" "Badghis province"
      conflictmap resolve Kunduz --format json
      conflictmap resolve --country AF --within Badghis "Qal-e-Naw"
      cut -d, -f1 places.csv | conflictmap resolve - --format geojson
      conflictmap resolve --country AF --online nominatim "Chahar Dara bazaar"
    """
    queries = _read_names(names, names_file)
    if not queries:
        if names_file is not None:
            name = getattr(names_file, "name", "-")
            raise click.ClickException(
                f"{'<stdin>' if name in ('-', '<stdin>') else name}: no names in the file (one name per line expected)")
        raise click.UsageError("give at least one NAME, or --file FILE ('-' for stdin)")
    gz = online_gazetteer(open_gazetteer(data_dir), online)  # --online: ask a geocoder for unknown names
    if country and gz.country_code(country) is None:
        raise click.BadParameter(f"{country!r} is not a country code or name known to the gazetteer",
                                 param_hint="--country")
    if together and hasattr(gz, "resolve_together"):
        results = gz.resolve_together(queries, country=country, within=within, limit=limit)
    else:
        results = [gz.resolve(q, country=country, within=within, limit=limit) for q in queries]
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=1))
    elif fmt == "geojson":
        for r in results:
            click.echo(json.dumps(_feature(r), ensure_ascii=False))
    else:
        click.echo(_table(results))
    online_summary(gz, online)
    unresolved = [r for r in results if r.status == "not_found"]
    ambiguous = [r for r in results if r.status == "ambiguous"]
    if not is_quiet() and (unresolved or ambiguous):
        click.echo(
            f"{len(results)} names: {len(results) - len(unresolved) - len(ambiguous)} resolved, "
            f"{len(ambiguous)} ambiguous, {len(unresolved)} not found", err=True,
        )
        for r in unresolved:
            hint = f"; did you mean: {', '.join(r.suggestions[:5])}" if r.suggestions else ""
            click.echo(f"  not found: {r.query!r}{(' (' + r.message + ')') if r.message else ''}{hint}", err=True)
    if strict and unresolved:
        raise SystemExit(1)
