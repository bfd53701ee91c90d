"""``conflictmap serve``: local-only HTTP server for a folder of maps; clean stop on Ctrl-C."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapper.cli import cli
from mapper.cli.serve import HOST, make_server

REPO = Path(__file__).resolve().parents[2]


def test_server_serves_files_on_localhost_only(tmp_path):
    (tmp_path / "map.html").write_text("<p>hello map</p>", encoding="utf-8")
    server = make_server(tmp_path, 0)
    host, port = server.server_address[:2]
    assert host == HOST == "127.0.0.1" and port > 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/map.html", timeout=5) as resp:
            assert resp.status == 200 and resp.read() == b"<p>hello map</p>"
            assert resp.headers["Content-Type"].startswith("text/html")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/../../etc/passwd", timeout=5)
        assert err.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert not thread.is_alive()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child differs on Windows")
def test_serve_command_prints_the_url_and_stops_on_ctrl_c(tmp_path):
    (tmp_path / "m.html").write_text("ok", encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mapper", "serve", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(REPO),
        env=env,
        # a suite started in the background (`make test &`) inherits SIGINT ignored, and Python
        # then installs no KeyboardInterrupt handler: give the server the default disposition
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "m.html", timeout=30) as resp:  # slow when the machine is busy
            assert resp.read() == b"ok"
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    assert code == 0, err
    assert "Stopped." in err and "Traceback" not in err
    assert "only this computer can connect" in err


def test_serve_refuses_a_missing_folder_or_a_file(tmp_path):
    r = CliRunner().invoke(cli, ["serve", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "does not exist" in r.output
    f = tmp_path / "f.html"
    f.write_text("x", encoding="utf-8")
    r = CliRunner().invoke(cli, ["serve", str(f)])
    assert r.exit_code == 2 and "not a folder" in r.output


# --------------------------------------------------------------------------- hostile clients
# Every test below runs a real server on 127.0.0.1 with a free port, bounded loops and time limits.


@contextlib.contextmanager
def _running(folder, **kwargs):
    server = make_server(folder, 0, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _get(port, path, host="default", method="GET"):
    """(status, body) of one request with the path sent byte for byte (no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host == "default":
            host = f"127.0.0.1:{port}"
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.fixture
def site(tmp_path):
    """A served folder with a map, a sub-folder, dotfiles and links out; a secret folder next to it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd").write_text("root:SECRET", encoding="utf-8")
    root = tmp_path / "site"
    root.mkdir()
    (root / "base.html").write_text("<p>map</p>", encoding="utf-8")
    (root / ".env").write_text("TOKEN=SECRET", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "index.html").write_text("<p>sub index</p>", encoding="utf-8")
    (root / "sub" / ".git").mkdir()
    (root / "sub" / ".git" / "config").write_text("SECRET", encoding="utf-8")
    (root / "nolist").mkdir()
    (root / "nolist" / "a.html").write_text("a", encoding="utf-8")
    (root / "nolist" / ".hidden").write_text("SECRET", encoding="utf-8")
    (root / "link_out").symlink_to(secret, target_is_directory=True)
    (root / "file_out.html").symlink_to(secret / "passwd")
    (root / "abs_out").symlink_to("/etc", target_is_directory=True)
    (root / "link_in.html").symlink_to(root / "base.html")
    (root / "to_dot.html").symlink_to(root / ".env")
    return root


def test_symlinks_out_of_the_folder_are_not_followed(site):
    with _running(site) as port:
        for path in ("/link_out/passwd", "/file_out.html", "/abs_out/passwd", "/abs_out/hostname",
                     "/to_dot.html", "/link_out/"):
            status, body = _get(port, path)
            assert status == 404, path
            assert b"SECRET" not in body and b"root:" not in body
        assert _get(port, "/link_in.html") == (200, b"<p>map</p>")  # a link that stays inside is fine


@pytest.mark.parametrize("path", [
    "/../secret/passwd", "/sub/../../secret/passwd", "/%2e%2e/secret/passwd", "/%2E%2E%2Fsecret%2Fpasswd",
    "/..%2fsecret/passwd", "/sub/%2e%2e/%2e%2e/secret/passwd", "/%252e%252e/secret/passwd",
    "/..\\secret\\passwd", "/.%2e/secret/passwd", "//..//secret/passwd", "/./../secret/passwd",
    "/.env", "/sub/.git/config", "/%2eenv", "/sub/%2egit/config",
])
def test_traversal_and_dotfiles_give_404(site, path):
    with _running(site) as port:
        status, body = _get(port, path)
    assert status == 404 and b"SECRET" not in body


def test_nul_bytes_and_bad_encoding_give_400_without_a_traceback(site, capfd):
    with _running(site) as port:
        for path in ("/base.html%00.txt", "/%00", "/sub%00/index.html"):
            assert _get(port, path)[0] == 400, path
        assert _get(port, "/%ff%fe.html")[0] == 400  # not UTF-8
        assert _get(port, "/base.html")[0] == 200  # the server is still up
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ValueError" not in err


def test_only_local_host_headers_with_the_port_are_answered(site):
    with _running(site) as port:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
            assert _get(port, "/base.html", host=host) == (200, b"<p>map</p>"), host
        for host in (f"evil.example:{port}", "evil.example", "127.0.0.1", "localhost", f"127.0.0.1:{port + 1}",
                     f"127.0.0.1.evil.example:{port}", f"localhost.:{port}", f"0.0.0.0:{port}", ""):
            status, body = _get(port, "/base.html", host=host)
            assert status in (400, 421) and b"<p>map</p>" not in body, host
        assert _get(port, "/base.html", host=None)[0] == 400  # HTTP/1.1 without Host


def test_duplicate_host_headers_are_refused(site):
    with _running(site) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET /base.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n".encode())
            reply = s.recv(200)
    assert reply.startswith(b"HTTP/1.0 400")


def test_no_directory_listings_and_index_html_for_a_folder(site):
    with _running(site) as port:
        status, body = _get(port, "/nolist/")
        assert status == 404 and b"a.html" not in body and b".hidden" not in body
        status, body = _get(port, "/")
        assert status == 404 and b".env" not in body and b"base.html" not in body
        assert _get(port, "/sub/") == (200, b"<p>sub index</p>")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/sub")
        resp = conn.getresponse()
        assert resp.status == 301 and resp.headers["Location"] == "/sub/"
        conn.close()


def test_head_and_other_methods(site):
    with _running(site) as port:
        assert _get(port, "/base.html", method="HEAD") == (200, b"")
        assert _get(port, "/base.html", method="POST")[0] == 501
        assert _get(port, "/base.html", method="DELETE")[0] == 501


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_in_the_folder_does_not_hang_the_server(site):
    os.mkfifo(site / "pipe.html")
    with _running(site, timeout=3) as port:
        t0 = time.monotonic()
        assert _get(port, "/pipe.html")[0] == 404
        assert time.monotonic() - t0 < 3


def test_a_slow_client_is_cut_off_and_does_not_block_others(site):
    with _running(site, timeout=5, header_timeout=1.0) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET /base.html HTTP/1.1\r\n")
            assert _get(port, "/base.html") == (200, b"<p>map</p>")  # others are answered meanwhile
            t0 = time.monotonic()
            closed = False
            for _ in range(30):  # drip one header every 0.2 s: at most 6 s
                try:
                    slow.sendall(b"X-Drip: 1\r\n")
                    slow.settimeout(0.2)
                    if slow.recv(100) == b"":
                        closed = True
                        break
                except TimeoutError:
                    continue
                except OSError:  # reset or broken pipe: closed too
                    closed = True
                    break
            assert closed and time.monotonic() - t0 < 4
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:  # sends nothing at all
            t0 = time.monotonic()
            try:
                assert idle.recv(100) == b""
            except ConnectionResetError:
                pass
            assert time.monotonic() - t0 < 4


def test_clients_that_go_away_leave_no_traceback(site, capfd):
    (site / "big.html").write_bytes(b"x" * (16 * 1024 * 1024))
    with _running(site, timeout=2) as port:
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.sendall(f"GET /big.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                s.recv(100)  # headers arrive, then the client hangs up (RST because of linger 0)
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET /base.h")  # half a request line, then gone
        time.sleep(0.5)
        assert _get(port, "/base.html")[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_connections_over_the_limit_get_503(site):
    with _running(site, header_timeout=5, max_connections=2) as port:
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        try:
            time.sleep(0.3)
            assert _get(port, "/base.html")[0] == 503
        finally:
            for s in held:
                s.close()
        for _ in range(50):  # the slots come back when the held connections close
            time.sleep(0.1)
            if _get(port, "/base.html")[0] == 200:
                break
        else:
            pytest.fail("slots were not released")


def test_2000_loopback_requests_with_50_threads_all_succeed(site, capfd):
    (site / "m.html").write_bytes(b"<p>" + b"m" * 20000 + b"</p>")
    expected = (site / "m.html").read_bytes()
    with _running(site) as port:
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(lambda i: _get(port, "/m.html" if i % 2 else "/base.html"), range(2000)))
        elapsed = time.monotonic() - t0
    assert [s for s, _ in results].count(200) == 2000
    assert all(body == (expected if i % 2 else b"<p>map</p>") for i, (_, body) in enumerate(results))
    assert elapsed < 120
    assert "Traceback" not in capfd.readouterr().err
