"""Options shared by several commands, defined once.

======================  ===============================================
option                  used by
======================  ===============================================
``--data-dir``          resolve, geocode, gazetteer *, map, geoparse, extract, static
``--country``           resolve, geoparse
``--within``            resolve
``--format``            resolve (table|json|geojson), geoparse
``--overwrite``         geocode, map, extract, static
``--strict``            resolve, geocode, map
``-o/--output``         geocode, map, extract, static
``--online*``           resolve, geocode (opt-in: --online, --online-timeout, --online-url)
======================  ===============================================

:func:`open_gazetteer` turns the ``--data-dir`` value into an opened
:class:`gazetteer.Gazetteer`, building the embedded index on first use with
a progress bar on stderr.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="CONFLICTMAP_DATA_DIR",
    show_envvar=True,
    help="Folder holding the gazetteer index. Default: $CONFLICTMAP_DATA_DIR, "
    "else the per-user data folder.",
)

country_option = click.option(
    "--country",
    default=None,
    metavar="CC",
    help="Prefer places in this country (ISO code or name), e.g. AF.",
)

within_option = click.option(
    "--within",
    default=None,
    metavar="PLACE",
    help='Prefer places inside this admin unit, e.g. "Badghis".',
)

overwrite_option = click.option(
    "--overwrite", is_flag=True, help="Replace the output file if it exists."
)

strict_option = click.option(
    "--strict", is_flag=True, help="Exit with status 1 when any name is unresolved or any row is invalid."
)


def output_option(required=True, help="Output file."):
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=required, help=help
    )


def check_overwrite(path: Path, overwrite: bool) -> None:
    """Refuse to replace an existing output unless --overwrite (as rio does)."""
    if path is not None and str(path) != "-" and path.exists() and not overwrite:
        raise click.UsageError(f"{path} exists; pass --overwrite to replace it.")


def is_quiet() -> bool:
    """True when the user passed ``conflictmap -q``."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx else None
    return bool(obj and obj.get("quiet"))


def open_gazetteer(data_dir):
    """Open the gazetteer index, building it on first use (progress on stderr)."""
    from gazetteer import Gazetteer, GazetteerError

    try:
        return Gazetteer.open(data_dir, build=True, progress=not is_quiet())
    except GazetteerError as err:
        raise click.ClickException(str(err)) from err


# --------------------------------------------------------------------------- online geocoding (opt-in)
# ``--online PROVIDER`` (+ ``--online-timeout``, ``--online-url``): used by resolve and geocode.
# The decorator folds the three options into one ``online`` argument (an OnlineSettings or None)
# so a command needs one parameter and one line: ``gz = online_gazetteer(gz, online)``.


def online_options(f):
    import functools

    @functools.wraps(f)
    def wrapper(*args, online=None, online_timeout=None, online_url=None, **kwargs):
        kwargs["online"] = {"provider": online, "timeout": online_timeout, "url": online_url} if online else None
        return f(*args, **kwargs)

    for opt in reversed((
        click.option("--online", metavar="PROVIDER", default=None,
                     help="Ask this online geocoder (a geopy service: nominatim, geonames, photon...) for names "
                     "the offline index cannot resolve; off by default. Answers are cached and stored in the index."),
        click.option("--online-timeout", type=click.FloatRange(0.5, 300), default=10.0, show_default=True,
                     metavar="SECONDS", help="Timeout of one online request."),
        click.option("--online-url", metavar="URL", envvar="CONFLICTMAP_ONLINE_URL", show_envvar=True,
                     help="Base URL of a self-hosted service (e.g. http://127.0.0.1:8080 for a local Nominatim)."),
    )):
        wrapper = opt(wrapper)
    return wrapper


def online_gazetteer(gz, online):
    """Wrap ``gz`` for ``--online`` (returns ``gz`` unchanged when online is off)."""
    if not online:
        return gz
    from gazetteer import GazetteerError
    from gazetteer.sources.online import OnlineGazetteer, OnlineGeocoder

    try:
        geocoder = OnlineGeocoder(online["provider"], timeout=online["timeout"], url=online["url"])
    except GazetteerError as err:
        raise click.BadParameter(str(err), param_hint="--online") from err
    return OnlineGazetteer(gz, geocoder, progress=not is_quiet())


def online_summary(gz, online) -> None:
    """Print the online lookup counts (cache hits, requests) on stderr when ``--online`` was used."""
    if online and not is_quiet():
        click.echo(gz.summary(), err=True)
