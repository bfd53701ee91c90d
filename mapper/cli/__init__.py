"""The ``conflictmap`` command group.

One module per command (``mapper/cli/<command>.py``); shared options live in
:mod:`mapper.cli.options`. Commands are thin: parse options, call one library
function, print data to stdout and diagnostics to stderr.
"""

from __future__ import annotations

import logging

import click

from mapper import __version__

#: Every command module, by name. A module that is not present yet is simply not listed.
COMMAND_MODULES = (
    "resolve",
    "geocode",
    "gazetteer",
    "map",
    "describe",
    "geoparse",
    "extract",
    "eval",
    "static",
    "embed",
    "open",
    "serve",
)


class _LazyGroup(click.Group):
    """Import command modules only when listed or invoked (fast ``--help``/cold start)."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_command_names()))

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is not None:
            return cmd
        mod_name = _command_names().get(name)
        if mod_name is None:
            return None
        import importlib

        mod = importlib.import_module(f"mapper.cli.{mod_name}")
        return getattr(mod, "command")


def _command_names() -> dict:
    import importlib.util

    return {
        m.replace("_", "-"): m
        for m in COMMAND_MODULES
        if importlib.util.find_spec(f"mapper.cli.{m}") is not None
    }


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conflictmap")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.pass_context
def cli(ctx, verbose, quiet):
    """conflictmap: turn war reporting into maps of reported control.

    \b
    Example:
      conflictmap resolve "Qala-e-Naw" "Badghis province"
      conflictmap map examples/qala-e-naw-2021/claims.csv -o outputs/qala-e-naw.html
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


def main():  # console_scripts entry point
    cli(prog_name="conflictmap")
