"""``conflictmap open``: open a map in the default browser."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("open")
@click.argument("map_file", metavar="MAP.html", type=click.Path(dir_okay=False, path_type=Path))
def command(map_file):
    """Open MAP.html (or any file conflictmap wrote) in the default web browser.

    If your browser restricts pages opened from disk (file://), serve the
    folder instead: `conflictmap serve outputs`.

    \b
    Example:
      conflictmap open outputs/qala-e-naw.html
    """
    import webbrowser

    path = map_file.expanduser()
    if not path.exists():
        near = (
            sorted(p.name for p in path.parent.glob("*.html"))[:5] if path.parent.is_dir() else []
        )
        hint = f"; maps in {path.parent}: {', '.join(near)}" if near else ""
        raise click.BadParameter(
            f"{path} does not exist{hint}. Make a map with `conflictmap map CLAIMS -o {path}`",
            param_hint="MAP.html",
        )
    if not path.is_file():
        raise click.BadParameter(f"{path} is not a file", param_hint="MAP.html")
    uri = path.resolve().as_uri()
    try:
        opened = webbrowser.open(uri)
    except webbrowser.Error as err:
        opened = False
        click.echo(f"note: {err}", err=True)
    if not opened:
        raise click.ClickException(
            f"no web browser could be started; open {uri} yourself, "
            f"or run `conflictmap serve {path.parent}`"
        )
    click.echo(uri)
