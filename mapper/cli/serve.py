"""``conflictmap serve``: serve a folder of maps on 127.0.0.1 (for browsers that restrict file://).

The server is for one person's browser on the same machine, so it is strict:

* it listens on 127.0.0.1 only, and answers only requests whose ``Host`` header names
  this machine with the server's port (``127.0.0.1:PORT``, ``localhost:PORT``,
  ``[::1]:PORT``), which defeats DNS rebinding (a page on ``evil.example`` that resolves
  to 127.0.0.1 sends ``Host: evil.example``: 421);
* it serves only regular files whose resolved path lies inside the folder: no symlink
  out, no ``..`` (plain or percent-encoded), no dotfiles, no NUL bytes (400), no
  directory listings (a folder gives its ``index.html`` or 404);
* a client must send its request line and headers within ``header_timeout`` seconds
  and every read/write waits at most ``timeout`` seconds; at most ``max_connections``
  are handled at once (more get 503);
* a client that goes away is one debug line in the log, never a traceback.
"""

from __future__ import annotations

import email.utils
import logging
import os
import posixpath
import socket
import stat
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

log = logging.getLogger(__name__)

#: Only the local machine: a map server must never be reachable from the network by accident.
HOST = "127.0.0.1"

#: Host names a browser on this machine uses for the server (the port must follow).
LOCAL_HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")

#: Seconds one socket read or write may wait.
DEFAULT_TIMEOUT = 10.0
#: Seconds a client has to send its request line and headers (against slow-drip clients).
DEFAULT_HEADER_TIMEOUT = 10.0
#: Connections handled at the same time; more are answered 503.
DEFAULT_MAX_CONNECTIONS = 128

#: Errors that only mean the client went away or was too slow.
_CLIENT_GONE = (ConnectionError, TimeoutError, socket.timeout)


class _Handler(SimpleHTTPRequestHandler):
    """Static files from one folder; access log through logging (stderr), never on stdout."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".geojson": "application/geo+json",
        ".svg": "image/svg+xml",
        ".html": "text/html; charset=utf-8",
    }
    server_version = "conflictmap"
    sys_version = ""

    def setup(self):
        self.timeout = self.server.timeout_seconds  # StreamRequestHandler applies it to the socket
        super().setup()
        self._headers_read = threading.Event()
        self._deadline = threading.Timer(self.server.header_timeout, self._too_slow)
        self._deadline.daemon = True
        self._deadline.start()

    def _too_slow(self):
        if not self._headers_read.is_set():
            log.debug("%s: request not received within %ss; closing", self.address_string(),
                      self.server.header_timeout)
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def finish(self):
        self._deadline.cancel()
        try:
            super().finish()
        except _CLIENT_GONE:
            pass

    def parse_request(self):
        ok = super().parse_request()
        self._headers_read.set()
        self._deadline.cancel()
        return ok

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except _CLIENT_GONE as err:
            log.debug("%s: client gone (%s)", self.address_string(), err.__class__.__name__)
            self.close_connection = True

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):
        message = (format % args).translate(self._control_char_table)
        log.info("%s %s", self.address_string(), message)

    # ------------------------------------------------------------------ request checks

    def _host_ok(self) -> bool:
        host = self.headers.get("Host")
        if host is None or len(self.headers.get_all("Host")) != 1:
            self.send_error(HTTPStatus.BAD_REQUEST, "exactly one Host header is required")
            return False
        port = self.server.server_address[1]
        if host.strip().lower() not in {f"{name}:{port}" for name in LOCAL_HOST_NAMES}:
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST,
                            f"this server answers only http://127.0.0.1:{port}/ or http://localhost:{port}/")
            return False
        return True

    def _resolve(self):
        """The request path as (resolved file or folder, url path), or None after sending the error."""
        url_path = urllib.parse.urlsplit(self.path).path
        decoded = urllib.parse.unquote(url_path, errors="strict") if "%" in url_path else url_path
        if "\x00" in decoded:
            self.send_error(HTTPStatus.BAD_REQUEST, "NUL byte in the path")
            return None
        parts = [p for p in decoded.split("/") if p]
        if any(p.startswith(".") or "\\" in p for p in parts):  # '..', dotfiles, Windows separators
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        root = self.server.root
        try:
            target = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):  # missing, symlink loop, bad name
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        if target != root and (root not in target.parents
                               or any(p.startswith(".") for p in target.relative_to(root).parts)):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")  # a symlink out of the folder
            return None
        return target, url_path

    def send_head(self):
        if not self._host_ok():
            return None
        try:
            resolved = self._resolve()
        except UnicodeDecodeError:
            self.send_error(HTTPStatus.BAD_REQUEST, "the path is not UTF-8")
            return None
        if resolved is None:
            return None
        target, url_path = resolved
        if target.is_dir():
            if not url_path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urllib.parse.quote(url_path + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            index = target / "index.html"
            if index.is_symlink() or not index.is_file():
                self.send_error(HTTPStatus.NOT_FOUND, "No index.html in this folder (listings are off)")
                return None
            target = index
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on regular files)
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(target, flags)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        f = os.fdopen(fd, "rb")
        try:
            fs = os.fstat(f.fileno())
            if not stat.S_ISREG(fs.st_mode):  # a FIFO or device must not hang or leak
                f.close()
                self.send_error(HTTPStatus.NOT_FOUND, "File not found")
                return None
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", self.guess_type(posixpath.basename(str(target))))
            self.send_header("Content-Length", str(fs.st_size))
            self.send_header("Last-Modified", email.utils.formatdate(fs.st_mtime, usegmt=True))
            self.end_headers()
            return f
        except BaseException:
            f.close()
            raise

    def list_directory(self, path):  # never reached; kept off explicitly
        self.send_error(HTTPStatus.NOT_FOUND, "Listings are off")
        return None


class MapServer(ThreadingHTTPServer):
    """A threading HTTP server for one folder on 127.0.0.1 with bounded connections and quiet errors."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, directory, port, *, timeout, header_timeout, max_connections):
        self.root = Path(directory).resolve(strict=True)
        self.timeout_seconds = timeout
        self.header_timeout = header_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__((HOST, port), _Handler)

    def process_request(self, request, client_address):
        """Answer at once with 503 when every connection slot is taken, else serve in a thread."""
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        """Serve one request, then free its connection slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address):
        """Log a failed request in one line (debug level when the client went away)."""
        err = sys.exc_info()[1]
        if isinstance(err, _CLIENT_GONE):
            log.debug("%s: client gone (%s)", client_address[0], err.__class__.__name__)
        else:  # one line; the traceback only with -vv
            log.warning("error while answering %s: %s: %s", client_address[0], err.__class__.__name__, err)
            log.debug("traceback", exc_info=True)


def make_server(directory, port: int = 8000, *, timeout: float = DEFAULT_TIMEOUT,
                header_timeout: float = DEFAULT_HEADER_TIMEOUT,
                max_connections: int = DEFAULT_MAX_CONNECTIONS) -> MapServer:
    """An HTTP server for ``directory`` bound to 127.0.0.1 (``port=0`` picks a free port).

    Call ``serve_forever()`` to run it and ``shutdown()`` / ``server_close()`` to stop.
    """
    return MapServer(directory, port, timeout=timeout, header_timeout=header_timeout,
                     max_connections=max_connections)


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
