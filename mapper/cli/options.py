"""Options shared by several commands, defined once.

======================  ===============================================
option                  used by
======================  ===============================================
``--data-dir``          resolve, geocode, gazetteer *, map, describe, static, export, embed, geoparse, extract, eval geoparse, aggregate
``--country``           resolve, geoparse
``--within``            resolve
``--overwrite``         geocode, map, static, export, extract, geoparse, aggregate
``--strict``            resolve, geocode, map, describe, static, export, aggregate
``-o/--output``         geocode, map, static, export, extract, geoparse, aggregate
``--window``            map, describe, static, export
``--dispute-window``    map, describe, static, export
``--stale-after``       map, describe, static, export
``--actors``            map, describe, static, export, extract
``--tz``                map, describe, static, export, aggregate
``--online*``           resolve, geocode (opt-in: --online, --online-timeout, --online-url)
``--scheduler``         geoparse, extract (corpus runs on Dask: local, local:N, tcp://HOST:PORT)
``--partition-size``    geoparse, extract (corpus runs)
``--worker-data-dir``   geoparse, extract (corpus runs on Dask)
======================  ===============================================

``tests/test_architecture.py`` checks this table against the decorators on the commands.

:func:`open_gazetteer` turns the ``--data-dir`` value into an opened
:class:`gazetteer.Gazetteer`, building the embedded index on first use with
a progress bar on stderr.
"""

from __future__ import annotations

from contextlib import contextmanager
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
    help='Only places inside this admin unit, e.g. "Badghis" (a namesake elsewhere is not_found, with the reason).',
)

overwrite_option = click.option(
    "--overwrite", is_flag=True, help="Replace the output file if it exists."
)

strict_option = click.option(
    "--strict", is_flag=True, help="Exit with status 1 when any name is unresolved or any row is invalid."
)


window_option = click.option(
    "--window",
    type=click.FloatRange(min=0, min_open=True),
    default=72.0,
    show_default=True,
    metavar="HOURS",
    help="How long an attack report (incident) stays current. Control claims do not expire: they stand "
         "until a later claim supersedes them (README, 'Timeline rules').",
)

dispute_window_option = click.option(
    "--dispute-window",
    type=click.FloatRange(min=0, min_open=True),
    default=72.0,
    show_default=True,
    metavar="HOURS",
    help="Contrary claims of different claimants this close in time stay disputed side by side; a change "
         "reported later than this supersedes the older claim.",
)


class Duration(click.ParamType):
    """A duration such as 30d, 12w, 48h or 90m (days, weeks, hours, minutes) -> timedelta."""

    name = "duration"
    _UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}

    def convert(self, value, param, ctx):
        """The option's value as a :class:`datetime.timedelta` (fails on a missing unit or a value <= 0)."""
        import re
        from datetime import timedelta

        if isinstance(value, timedelta):
            return value
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(min|m|h|d|w)\s*", str(value).lower())
        if not m or float(m.group(1)) <= 0:
            self.fail(f"{value!r} is not a duration; give a positive number and a unit: 30d, 12w, 48h, 90m", param, ctx)
        return timedelta(**{self._UNITS[m.group(2)]: float(m.group(1))})


stale_after_option = click.option(
    "--stale-after",
    type=Duration(),
    default=None,
    metavar="DURATION",
    help="Draw a place faded when its latest current claim is older than this (e.g. 30d, 12w); default: never.",
)

actors_option = click.option(
    "--actors",
    "actors_file",
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Actor names, aliases and colours (JSON or CSV); see README, 'Actors'.",
)

tz_option = click.option(
    "--tz",
    metavar="ZONE",
    help="Time zone of times without one, e.g. Asia/Kabul or +04:30 (default UTC; a tz column wins).",
)


def load_actors(actors_file):
    """``--actors FILE`` as :class:`mapper.actors.Actors` (None: the defaults)."""
    from mapper.actors import ActorConfigError, Actors

    try:
        return Actors.load(actors_file) if actors_file else None
    except ActorConfigError as err:
        raise click.BadParameter(str(err), param_hint="--actors") from err


@contextmanager
def mapper_errors(gz=None):
    """Turn mapper errors into click errors (listing unresolved places) and close ``gz``."""
    from mapper.errors import MapperError, OutputExists, UnresolvedPlaces

    try:
        yield
    except UnresolvedPlaces as err:
        for u in err.unresolved[:50]:
            click.echo(f"  {u}", err=True)
        raise click.ClickException(str(err)) from err
    except OutputExists as err:
        raise click.UsageError(str(err)) from err
    except MapperError as err:
        raise click.ClickException(str(err)) from err
    finally:
        if gz is not None:
            try:
                gz.close()
            except Exception:  # noqa: BLE001 - closing in a finally must not hide the real error
                pass


def output_option(required=True, help="Output file.", dir_okay=False):
    """The ``-o/--output`` option: a file path (a folder too when ``dir_okay``)."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=dir_okay, path_type=Path), required=required, help=help
    )


# --------------------------------------------------------------------------- corpus runs (mapper.scale)
scheduler_option = click.option(
    "--scheduler",
    default=None,
    metavar="local[:N]|tcp://HOST:PORT",
    help="Run the corpus on Dask: 'local' (one worker per core), 'local:N' (N worker processes here) or "
         "a running scheduler's address. Default: in this process. Needs pip install 'conflictmap[scale]'.",
)

partition_size_option = click.option(
    "--partition-size",
    type=click.IntRange(1, None),
    default=1000,
    show_default=True,
    metavar="N",
    help="Documents per partition of a plain JSON Lines input (a .gz file is one partition, a Parquet "
         "file one per row group); one output file per partition.",
)

worker_data_dir_option = click.option(
    "--worker-data-dir",
    default=None,
    metavar="DIR",
    help="The gazetteer index folder as the Dask workers see it (default: the --data-dir path, shared); "
         "each worker checks that its copy is the same index.",
)


#: Where maps and images go when -o is a bare file name.
DEFAULT_OUTPUT_DIR = Path("outputs")


def output_path(value, suffixes, example: str) -> Path:
    """``-o`` value as a path: a bare name goes into ``outputs/``; the suffix must be one of ``suffixes``."""
    path = Path(value)
    if path.parent == Path("."):
        path = DEFAULT_OUTPUT_DIR / path
    if path.suffix.lower() not in suffixes:
        raise click.BadParameter(
            f"{str(value)!r} does not end in {', '.join(suffixes[:-1])}{' or ' if len(suffixes) > 1 else ''}"
            f"{suffixes[-1]}; e.g. -o {example}",
            param_hint="-o/--output",
        )
    return path


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
    """Add ``--online``, ``--online-timeout`` and ``--online-url`` to a command.

    The three are folded into one ``online`` argument: a dict, or None when off.
    """
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
