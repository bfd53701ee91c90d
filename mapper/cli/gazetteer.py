"""``conflictmap gazetteer``: build and inspect the offline place index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mapper.cli.options import data_dir_option, is_quiet

#: Countries listed by `gazetteer info` in text form (json lists all).
INFO_COUNTRIES = 15


@click.group("gazetteer")
def command():
    """Build and inspect the offline gazetteer index.

    \b
    Examples:
      conflictmap gazetteer build
      conflictmap gazetteer info --format json
      conflictmap gazetteer add boundaries geoBoundaries-AFG-ADM2.geojson --level 2
      conflictmap gazetteer remove boundaries:geoBoundaries-AFG-ADM2
    """


@command.command("build")
@click.option("--countries", metavar="CC,CC", help="Only index places in these countries (e.g. AF,TJ); "
              "all countries are always indexed. Default: the whole world.")
@click.option("--force", is_flag=True, help="Rebuild even if an index exists.")
@data_dir_option
def build(countries, force, data_dir):
    """Build the embedded index (GeoNames cities500, countries, Natural Earth admin-1).

    Needs no network. Takes about half a minute; the index is written to a
    temporary file and renamed, so an interrupted build leaves nothing behind.

    \b
    Example:
      conflictmap gazetteer build --data-dir ./gz-data
    """
    from gazetteer import GazetteerError, default_data_dir
    from gazetteer.build import build_index
    from gazetteer.resolver import INDEX_FILENAME

    folder = Path(data_dir) if data_dir else default_data_dir()
    target = folder / INDEX_FILENAME
    if target.exists() and not force:
        click.echo(f"index already exists at {target}; pass --force to rebuild", err=True)
        return
    ccs = [c.strip().upper() for c in countries.split(",") if c.strip()] if countries else None
    try:
        stats = build_index(target, countries=ccs, progress=not is_quiet())
    except GazetteerError as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        f"built {target}: {stats['places']:,} places, {stats['names']:,} names, "
        f"{stats['polygons']:,} polygons in {stats['seconds']} s", err=True,
    )


@command.command("info")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@data_dir_option
def info(fmt, data_dir):
    """Show what the index holds: sources, licences, counts and the attribution line.

    \b
    Example:
      conflictmap gazetteer info
    """
    from gazetteer.sources import summary
    from mapper.cli.options import open_gazetteer

    gz = open_gazetteer(data_dir)
    data = {"path": str(gz.path), "meta": gz.meta(), "stats": gz.stats(), "sources": gz.sources(),
            "attribution": gz.attribution()}
    data["stats"].update({k: v for k, v in summary(gz).items() if k in ("by_country", "by_source")})
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"index: {data['path']} (built {data['meta'].get('built', '?')})")
    st = data["stats"]
    click.echo(f"places: {st['places']:,}  names: {st['names']:,}")
    for kind, n in sorted(st["by_kind"].items()):
        click.echo(f"  {kind}: {n:,}")
    by_cc = sorted(st["by_country"].items(), key=lambda kv: -sum(kv[1].values()))
    click.echo(f"by country ({len(by_cc)}; largest {min(len(by_cc), INFO_COUNTRIES)}):")
    for cc, kinds in by_cc[:INFO_COUNTRIES]:
        click.echo(f"  {cc or '--'}: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())))
    click.echo("sources:")
    for s in data["sources"]:
        merged = f" (+{s['merged']:,} merged into existing places)" if s.get("merged") else ""
        click.echo(f"  {s['name']}: {s.get('count', 0):,} places{merged}, licence {s.get('licence', '?')}, "
                   f"loaded {s.get('loaded', '?')}")
    click.echo("attribution: " + " | ".join(data["attribution"]))


# add / fetch / remove live in their own module (gazetteer sources, issue 4).
from mapper.cli.gazetteer_sources import register as _register_sources

_register_sources(command)
