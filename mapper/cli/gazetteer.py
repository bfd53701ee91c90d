"""``conflictmap gazetteer``: build and inspect the offline place index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mapper.cli.options import data_dir_option, is_quiet


@click.group("gazetteer")
def command():
    """Build and inspect the offline gazetteer index.

    \b
    Examples:
      conflictmap gazetteer build
      conflictmap gazetteer info --format json
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
    from mapper.cli.options import open_gazetteer

    gz = open_gazetteer(data_dir)
    data = {"path": str(gz.path), "meta": gz.meta(), "stats": gz.stats(), "sources": gz.sources(),
            "attribution": gz.attribution()}
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"index: {data['path']} (built {data['meta'].get('built', '?')})")
    st = data["stats"]
    click.echo(f"places: {st['places']:,}  names: {st['names']:,}")
    for kind, n in sorted(st["by_kind"].items()):
        click.echo(f"  {kind}: {n:,}")
    click.echo("sources:")
    for s in data["sources"]:
        click.echo(f"  {s['name']}: {s.get('count', 0):,} places, licence {s.get('licence', '?')}, "
                   f"loaded {s.get('loaded', '?')}")
    click.echo("attribution: " + " | ".join(data["attribution"]))
