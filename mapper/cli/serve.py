"""``conflictmap serve``: serve a folder of maps on 127.0.0.1 (for browsers that restrict file://)."""

from __future__ import annotations

import functools
import logging
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

log = logging.getLogger(__name__)

#: Only the local machine: a map server must never be reachable from the network by accident.
HOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    """Static files from one folder; access log through logging (stderr), never on stdout."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".geojson": "application/geo+json",
        ".svg": "image/svg+xml",
        ".html": "text/html; charset=utf-8",
    }

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):
        log.info("%s %s", self.address_string(), format % args)


def make_server(directory, port: int = 8000) -> ThreadingHTTPServer:
    """An HTTP server for ``directory`` bound to 127.0.0.1 (``port=0`` picks a free port).

    Call ``serve_forever()`` to run it and ``shutdown()`` / ``server_close()`` to stop.
    """
    directory = Path(directory)
    handler = functools.partial(_Handler, directory=str(directory.resolve()))
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


@click.command("serve")
@click.argument("directory", default="outputs", type=click.Path(path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
def command(directory, port):
    """Serve DIRECTORY (default: outputs) at http://127.0.0.1:PORT/ until Ctrl-C.

    Only this computer can connect (the server listens on 127.0.0.1). Use it
    when a browser restricts maps opened from disk (file://).

    \b
    Example:
      conflictmap serve outputs --port 8000
      # then open http://127.0.0.1:8000/qala-e-naw.html
    """
    if not directory.exists():
        raise click.BadParameter(
            f"{directory} does not exist; e.g. `conflictmap serve outputs`", param_hint="DIRECTORY"
        )
    if not directory.is_dir():
        raise click.BadParameter(
            f"{directory} is not a folder; serve the folder that holds the map, "
            f"e.g. `conflictmap serve {directory.parent}`",
            param_hint="DIRECTORY",
        )
    try:
        server = make_server(directory, port)
    except OSError as err:
        raise click.ClickException(
            f"cannot listen on {HOST}:{port} ({err.strerror}); try another --port, "
            "or --port 0 for a free one"
        ) from err
    host, real_port = server.server_address[:2]
    url = f"http://{host}:{real_port}/"
    maps = sorted(p.name for p in directory.glob("*.html"))
    click.echo(url, nl=True)
    click.echo(
        f"Serving {directory.resolve()} at {url} (only this computer can connect). Press Ctrl-C to stop.",
        err=True,
    )
    for name in maps[:10]:
        click.echo(f"  {url}{name}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("Stopped.", err=True)
