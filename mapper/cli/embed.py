"""``conflictmap embed``: the HTML snippet that puts a map in an article."""

from __future__ import annotations

import click

from mapper.cli.options import data_dir_option, mapper_errors, open_gazetteer


@click.command("embed")
@click.argument("map_file", metavar="MAP.html", type=click.Path(dir_okay=False))
@click.option(
    "--width",
    default="100%",
    show_default=True,
    metavar="CSS",
    help="Width of the embed: 100%, 640 or 640px (it never exceeds its column).",
)
@click.option(
    "--height",
    default="480",
    show_default=True,
    metavar="CSS",
    help="Height of the map on wide screens (px, or e.g. 70vh); phones get a 3:4 map.",
)
@click.option(
    "--static",
    "static_png",
    metavar="IMAGE",
    help="Static image of the map (from `conflictmap static`), shown when scripts are off.",
)
@click.option(
    "--src",
    metavar="URL",
    help="Address the article will load the map from (default: MAP.html as "
    "given), e.g. https://example.org/maps/qala.html.",
)
@click.option(
    "--static-src",
    metavar="URL",
    help="Address of the static image in the article (default: IMAGE).",
)
@click.option(
    "--title", metavar="TEXT", help="Title for the iframe and caption (default: the map's title)."
)
@click.option(
    "--claims",
    "claims",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Claims files the map was made from: describe the map from them when the map does not carry "
    "its description. Repeatable.",
)
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help="With --claims: describe this time (default: where the map opens).",
)
@click.option(
    "--tz", metavar="ZONE", help="With --claims: time zone of times without one, e.g. Asia/Kabul."
)
@click.option(
    "--resize/--no-resize",
    default=False,
    show_default=True,
    help="Add a tiny host script that fits the iframe to the map page's content height (the page "
    "posts it with postMessage; the script accepts it only from its own iframe).",
)
@data_dir_option
def command(map_file, width, height, static_png, src, static_src, title, claims, at, tz, resize, data_dir):
    """Print an HTML snippet that embeds MAP.html in an article.

    The snippet is a <figure> with a lazy-loading, sandboxed <iframe> (with a
    title), responsive sizing (fills its column; a 3:4 map on phones), and a
    plain-language description of the map as caption, <noscript> text and
    static-image alt text. Its CSS is scoped to the snippet, so the article's
    fonts and margins are untouched. All text is escaped.

    With --resize the snippet also carries a tiny script for the article page:
    the map posts its content height and the script sets the iframe to it, so
    the panel under the map shows without scrolling inside the frame.

    \b
    Examples:
      conflictmap embed outputs/qala-e-naw.html --static outputs/qala-e-naw.png > snippet.html
      conflictmap embed outputs/qala-e-naw.html --resize > snippet.html
      conflictmap embed outputs/qala.html --src https://example.org/maps/qala.html --height 560 \\
          --claims examples/qala-e-naw-2021/claims.csv --tz Asia/Kabul
    """
    from mapper.render.embed import EmbedError, embed_snippet, map_info

    try:
        info = map_info(map_file)
    except EmbedError as err:
        raise click.BadParameter(str(err), param_hint="MAP.html") from err
    description, short = info.description, info.short
    if claims and info.origin != "metadata":
        from mapper.state import MapOptions, prepare_state

        gz = open_gazetteer(data_dir)
        with mapper_errors(gz):
            state = prepare_state(list(claims), gazetteer=gz, options=MapOptions(at=at, tz=tz))
            desc = state.describe()
        description, short = desc.text, desc.short
    elif info.origin == "page":
        click.echo(
            "note: the map carries no description; the caption only says what the map holds. "
            "Pass --claims CLAIMS to describe the map state.",
            err=True,
        )
    try:
        snippet = embed_snippet(
            src or map_file,
            title=title or info.title,
            description=description,
            short=short,
            width=width,
            height=height,
            static_src=(static_src or static_png),
            resize=resize,
        )
    except EmbedError as err:
        raise click.UsageError(str(err)) from err
    if static_png and not static_src:
        from pathlib import Path

        here = Path(static_png)
        beside_map = Path(map_file).parent / static_png
        if not here.exists() and not beside_map.exists():
            click.echo(
                f"note: {static_png} does not exist yet; make it with `conflictmap static ... -o {static_png}`",
                err=True,
            )
    click.echo(snippet, nl=False)
