"""``conflictmap gazetteer add|fetch|remove``: load sources into the index (registered onto the
``gazetteer`` group by :mod:`mapper.cli.gazetteer`). One command per function; each calls one
library function of :mod:`gazetteer.sources` and reports on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mapper.cli.options import data_dir_option, is_quiet, open_gazetteer

format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="json prints the load report(s) on stdout.")
source_strict_option = click.option("--strict", is_flag=True,
                                    help="Make the first malformed row fatal (nothing is loaded).")


def _index(data_dir):
    gz = open_gazetteer(data_dir)  # builds the embedded index on first use
    gz.close()
    return gz.path


def _report(reports, fmt):
    reports = reports if isinstance(reports, list) else [reports]
    if fmt == "json":
        from dataclasses import asdict

        click.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=1))
    if not is_quiet():
        for r in reports:
            click.echo(r.summary(), err=True)
            for p in r.problems:
                click.echo(f"  {p}", err=True)
            if r.malformed > len(r.problems):
                click.echo(f"  ... and {r.malformed - len(r.problems)} more malformed rows", err=True)


def _run(fn, *args, **kwargs):
    from gazetteer import GazetteerError

    try:
        return fn(*args, **kwargs)
    except GazetteerError as err:
        raise click.ClickException(str(err)) from err


# ---------------------------------------------------------------------------- add
@click.group("add")
def add():
    """Add a source file to the index (one transaction; re-adding a file replaces it).

    \b
    Examples:
      conflictmap gazetteer add boundaries geoBoundaries-AFG-ADM2.geojson --level 2
      conflictmap gazetteer add geonames admin1CodesASCII.txt admin2Codes.txt AF.zip
      conflictmap gazetteer add aliases my-names.csv
    """


@add.command("geonames")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@source_strict_option
@format_option
@data_dir_option
def add_geonames_cmd(paths, strict, fmt, data_dir):
    """Add GeoNames dump files in their official formats.

    Country files or allCountries (.txt or .zip), alternateNamesV2 (.txt/.zip,
    or alternatenames/CC.zip), admin1CodesASCII.txt, admin2Codes.txt and
    countryInfo.txt. All feature classes load (P populated places; S spots such
    as airports and bases; H water; T terrain such as valleys and passes; L, R,
    U, V; A admin units), streamed in batches. Files given together load in one
    transaction; each becomes its own source (geonames:AF, geonames:admin2Codes).

    \b
    Example:
      conflictmap gazetteer add geonames admin1CodesASCII.txt admin2Codes.txt AF.zip
    """
    from gazetteer.sources.geonames import add_geonames

    _report(_run(add_geonames, _index(data_dir), list(paths), strict=strict, progress=not is_quiet()), fmt)


@add.command("boundaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", type=click.IntRange(1, 3), required=True, help="Admin level: 1 province, 2 district, 3.")
@click.option("--name-field", metavar="FIELD", help="Field holding unit names (auto: shapeName, NAME_<n>, name).")
@click.option("--code-field", metavar="FIELD", help="Field holding stable unit codes (auto: shapeISO/shapeID, GID_<n>).")
@click.option("--country", metavar="CC", help="ISO alpha-2 code when the file has no country field.")
@click.option("--layer", metavar="NAME", help="Layer of a multi-layer file (GeoPackage).")
@source_strict_option
@format_option
@data_dir_option
def add_boundaries_cmd(path, level, name_field, code_field, country, layer, strict, fmt, data_dir):
    """Add admin units with polygons from a GeoJSON, GeoPackage or (zipped) shapefile.

    geoBoundaries, GADM and Natural Earth fields are recognised. Units link to
    their parents by area overlap, populated places to their district by point
    in polygon; units already in the index (e.g. Natural Earth provinces) are
    merged, not duplicated.

    \b
    Example:
      conflictmap gazetteer add boundaries geoBoundaries-AFG-ADM2.geojson --level 2
    """
    from gazetteer.sources.boundaries import add_boundaries

    _report(_run(add_boundaries, _index(data_dir), path, level=level, name_field=name_field,
                 code_field=code_field, country=country, layer=layer, strict=strict,
                 progress=not is_quiet()), fmt)


@add.command("aliases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@source_strict_option
@format_option
@data_dir_option
def add_aliases_cmd(path, strict, fmt, data_dir):
    """Add analyst names from a CSV: name,lat,lon or name,place_id.

    Optional columns: kind, country, admin1, note. Aliases win over other
    sources when they match exactly.

    \b
    Example:
      conflictmap gazetteer add aliases my-names.csv
    """
    from gazetteer.sources.aliases import add_aliases

    _report(_run(add_aliases, _index(data_dir), path, strict=strict), fmt)


# ---------------------------------------------------------------------------- fetch
@click.group("fetch")
def fetch():
    """Download a source from its official location (with a cache), then add it.

    \b
    Examples:
      conflictmap gazetteer fetch geonames AF
      conflictmap gazetteer fetch geoboundaries AFG --level 2
    """


base_url_option = click.option("--base-url", metavar="URL", help="Override the official base URL (mirrors, tests).")
refresh_option = click.option("--refresh", is_flag=True, help="Download again even if the file is cached.")
cache_dir_option = click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                                envvar="CONFLICTMAP_CACHE_DIR", show_envvar=True,
                                help="Download cache. Default: the per-user cache folder.")


@fetch.command("geonames")
@click.argument("code", metavar="CC|all")
@click.option("--alternates", is_flag=True, help="Also fetch the alternate names (alternatenames/CC.zip).")
@base_url_option
@refresh_option
@cache_dir_option
@source_strict_option
@format_option
@data_dir_option
def fetch_geonames_cmd(code, alternates, base_url, refresh, cache_dir, strict, fmt, data_dir):
    """Download GeoNames data for a country (or all) and add it.

    Fetches countryInfo.txt, admin1CodesASCII.txt, admin2Codes.txt and CC.zip
    (or allCountries.zip) from https://download.geonames.org/export/dump/
    ($CONFLICTMAP_GEONAMES_URL overrides), with retries and a cache.

    \b
    Example:
      conflictmap gazetteer fetch geonames AF --alternates
    """
    from gazetteer.sources.fetch import fetch_geonames

    _report(_run(fetch_geonames, _index(data_dir), code, base_url=base_url, alternates=alternates, cache=cache_dir,
                 refresh=refresh, progress=not is_quiet(), strict=strict), fmt)


@fetch.command("geoboundaries")
@click.argument("iso", metavar="ISO3")
@click.option("--level", type=click.IntRange(1, 3), required=True, help="ADM level: 1 province, 2 district, 3.")
@click.option("--simplified", is_flag=True, help="Fetch geoBoundaries' simplified geometry (smaller).")
@base_url_option
@refresh_option
@cache_dir_option
@source_strict_option
@format_option
@data_dir_option
def fetch_geoboundaries_cmd(iso, level, simplified, base_url, refresh, cache_dir, strict, fmt, data_dir):
    """Download geoBoundaries (gbOpen) for a country and level, and add it.

    Asks https://www.geoboundaries.org/api/current/gbOpen/ISO3/ADMn/
    ($CONFLICTMAP_GEOBOUNDARIES_URL overrides) for the GeoJSON and its licence.

    \b
    Example:
      conflictmap gazetteer fetch geoboundaries AFG --level 2
    """
    from gazetteer.sources.fetch import fetch_geoboundaries

    _report(_run(fetch_geoboundaries, _index(data_dir), iso, level, base_url=base_url, cache=cache_dir,
                 refresh=refresh, progress=not is_quiet(), simplified=simplified, strict=strict), fmt)


# ---------------------------------------------------------------------------- remove
@click.command("remove")
@click.argument("source")
@data_dir_option
def remove(source, data_dir):
    """Undo an add: delete SOURCE's places, names, polygons and the links others had to them.

    `conflictmap gazetteer info` lists the sources.

    \b
    Example:
      conflictmap gazetteer remove boundaries:geoBoundaries-AFG-ADM2
    """
    from gazetteer.sources import remove_source

    out = _run(remove_source, _index(data_dir), source)
    if not is_quiet():
        click.echo(f"removed {source}: {out['places']:,} places, {out['names']:,} names; "
                   f"{out['restored_fields']:,} fields restored, {out['unlinked']:,} links cleared", err=True)


def register(group) -> None:
    """Add the source commands to the ``gazetteer`` group."""
    group.add_command(add)
    group.add_command(fetch)
    group.add_command(remove)
