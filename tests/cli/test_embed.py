"""``conflictmap embed`` and ``conflictmap open``: snippets from map files; opening without a real browser."""

from __future__ import annotations

import re
import webbrowser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from map_samples import badghis_children, badghis_places, qala_claims

from mapper.cli import cli
from mapper.describe import describe
from mapper.render.embed import make_embeddable
from mapper.render.html import render_html
from mapper.state import MapState
from mapper.timeline import Timeline

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}

    def handle_starttag(self, tag, attrs):
        self.tags.setdefault(tag, dict(attrs))


def _tags(text):
    p = _Tags()
    p.feed(text)
    return p.tags


@pytest.fixture()
def map_file(tmp_path):
    tl = Timeline(qala_claims(), badghis_places(), children=badghis_children())
    out = tmp_path / "qala map.html"
    render_html(MapState.from_timeline(tl, title="Qala-e-Naw <b>July</b>"), out)
    return out, tl


def test_embed_prints_a_snippet_for_the_map(map_file):
    path, _ = map_file
    r = CliRunner().invoke(
        cli,
        [
            "embed",
            str(path),
            "--width",
            "640",
            "--height",
            "500",
            "--static",
            "q.png",
            "--src",
            "maps/qala map.html",
        ],
    )
    assert r.exit_code == 0, r.output
    tags = _tags(r.stdout)
    assert tags["iframe"]["src"] == "maps/qala%20map.html"
    assert tags["iframe"]["title"] == "Interactive map: Qala-e-Naw <b>July</b>"
    assert tags["img"]["src"] == "q.png" and tags["img"]["alt"].startswith(
        "Interactive map of reported control"
    )
    assert "<b>July</b>" not in r.stdout and "&lt;b&gt;July&lt;/b&gt;" in r.stdout
    assert "width:640px" in r.stdout and "height:500px" in r.stdout
    assert "carries no description" in r.stderr


def test_embed_uses_the_description_the_map_carries(map_file):
    path, tl = map_file
    d = describe(tl)
    path.write_text(
        make_embeddable(path.read_text(encoding="utf-8"), description=d), encoding="utf-8"
    )
    r = CliRunner().invoke(cli, ["embed", str(path)])
    assert r.exit_code == 0, r.output
    assert _tags(r.stdout)["iframe"]["src"] == str(path).replace(" ", "%20")
    caption = re.search(r"<figcaption.*?</figcaption>", r.stdout, re.DOTALL).group(0)
    assert "As of " in caption and "Qala-e-Naw" in caption
    assert "carries no description" not in r.stderr


def test_embed_describes_from_claims(small_gazetteer_dir, tmp_path):
    page = tmp_path / "m.html"
    page.write_text(
        "<html><head><title>Example</title></head><body>"
        '<script type="application/json" id="conflictmap-metadata">{"tool": "conflictmap"}</script>'
        '<script type="application/json" id="conflictmap-data">{"title": "Example", "places": []}</script>'
        "</body></html>",
        encoding="utf-8",
    )
    r = CliRunner().invoke(
        cli,
        [
            "embed",
            str(page),
            "--claims",
            str(EXAMPLE),
            "--tz",
            "Asia/Kabul",
            "--at",
            "2021-07-07T18:00",
            "--data-dir",
            str(small_gazetteer_dir),
        ],
    )
    assert r.exit_code == 0, r.output
    assert (
        "As of 7 Jul 2021, 13:30 UTC (18:00 at UTC+04:30): Qala-e-Naw and Badghis disputed"
        in r.stdout
    )


def test_embed_rejects_bad_input(map_file, tmp_path):
    path, _ = map_file
    for args, text in (
        (["--width", "100%;}body{x"], "not a CSS length"),
        (["--src", "javascript:alert(1)"], "http"),
        (["--height", "-3"], "not a CSS length"),
    ):
        r = CliRunner().invoke(cli, ["embed", str(path), *args])
        assert r.exit_code == 2 and text in r.output, r.output
    missing = CliRunner().invoke(cli, ["embed", str(tmp_path / "none.html")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_open_calls_the_browser_with_a_file_uri(map_file, monkeypatch):
    path, _ = map_file
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda uri, *a, **k: opened.append(uri) or True)
    r = CliRunner().invoke(cli, ["open", str(path)])
    assert r.exit_code == 0, r.output
    assert opened == [path.resolve().as_uri()] and r.stdout.strip() == path.resolve().as_uri()


def test_open_explains_a_missing_file_and_a_missing_browser(map_file, monkeypatch, tmp_path):
    path, _ = map_file
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)
    r = CliRunner().invoke(cli, ["open", str(tmp_path / "nope.html")])
    assert r.exit_code == 2 and "does not exist" in r.output and "qala map.html" in r.output
    r = CliRunner().invoke(cli, ["open", str(path)])
    assert r.exit_code == 1 and "conflictmap serve" in r.output


def test_embed_resize_adds_the_host_script(map_file):
    out, _ = map_file
    plain = CliRunner().invoke(cli, ["embed", str(out)])
    resized = CliRunner().invoke(cli, ["embed", str(out), "--resize"])
    assert plain.exit_code == 0 and resized.exit_code == 0, (plain.output, resized.output)
    assert "<script" not in plain.stdout
    assert "conflictmap:height" in resized.stdout and "e.source!==w.contentWindow" in resized.stdout
