"""The ``conflictmap`` command group.

One module per command (``mapper/cli/<command>.py``); shared options live in
:mod:`mapper.cli.options`. Commands are thin: parse options, call one library
function, print data to stdout and diagnostics to stderr.
"""

from __future__ import annotations

import errno
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
    "export",
    "aggregate",
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
        return mod.command

    def invoke(self, ctx):
        """Run the command; a file-system or index error the command did not handle becomes
        one line on stderr (exit 1) instead of a traceback. Bugs (any other exception) still
        show their traceback."""
        import sqlite3

        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `conflictmap ... | head`: the reader left; nothing to report
            _silence_stdout()
            raise SystemExit(1) from None
        except OSError as err:
            raise click.ClickException(os_error_line(err)) from err
        except sqlite3.Error as err:
            raise click.ClickException(
                f"the gazetteer index could not be used ({type(err).__name__}: {err}); check that its folder "
                "is writable and the disk not full, or rebuild it with `conflictmap gazetteer build --force`"
            ) from err


#: What an OS error means for the user, by errno (the rest use the system's own words).
_OS_ERROR_HINTS = {
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.EEXIST: "a file is in the way (a folder was expected there)",
    errno.EACCES: "permission denied (the file or folder is not readable/writable by you)",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.ENAMETOOLONG: "file name too long",
}


def os_error_line(err: OSError) -> str:
    """One line naming the file(s) and the problem, e.g. ``out/x.html: read-only file system``."""
    what = _OS_ERROR_HINTS.get(err.errno) or err.strerror or str(err)
    names = [str(n) for n in (err.filename, err.filename2) if n is not None]
    if not names:
        return f"{type(err).__name__}: {err}" if not err.strerror else what
    return f"{' -> '.join(names)}: {what}"


def _silence_stdout():
    import os
    import sys

    try:  # Python flushes stdout at exit; point it at devnull so that flush cannot fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


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
    """Run the ``conflictmap`` command group (the console_scripts entry point)."""
    cli(prog_name="conflictmap")
