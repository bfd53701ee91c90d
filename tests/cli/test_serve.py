"""``conflictmap serve``: local-only HTTP server for a folder of maps; clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.request
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
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "m.html", timeout=5) as resp:
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
