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
