"""Embed snippet and embed mode: escaped, scoped, responsive, sandboxed; the page's scripts untouched."""

from __future__ import annotations

import html as htmlmod
import json
import re
from html.parser import HTMLParser

import pytest
from map_samples import badghis_children, badghis_places, qala_claims

from mapper.describe import describe
from mapper.render.embed import (
    EMBED_ROOT,
    EmbedError,
    css_height,
    css_width,
    embed_snippet,
    make_embeddable,
    map_info,
    safe_src,
    scope_css,
)
from mapper.render.html import render_html
from mapper.state import MapState
from mapper.timeline import Timeline

HOSTILE = "Qala <script>alert(1)</script> \"quoted\" 'single' & <img src=x onerror=alert(2)>"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(text):
    p = _Tags()
    p.feed(text)
    return p.tags


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tl = Timeline(qala_claims(), badghis_places(), children=badghis_children())
    out = tmp_path_factory.mktemp("embed") / "map.html"
    text, _ = render_html(MapState.from_timeline(tl, title="Qala-e-Naw & Badghis"), out)
    return out, text, tl


def test_snippet_has_titled_lazy_sandboxed_iframe_and_text_alternative():
    s = embed_snippet(
        "maps/q.html",
        title="Qala-e-Naw",
        description="As of 7 Jul: long text.",
        short="As of 7 Jul: short.",
        static_src="maps/q.png",
    )
    tags = _tags(s)
    iframe = next(a for t, a in tags if t == "iframe")
    assert iframe["src"] == "maps/q.html"
    assert iframe["title"] == "Interactive map: Qala-e-Naw"
    assert iframe["loading"] == "lazy"
    sandbox = iframe["sandbox"].split()
    assert "allow-scripts" in sandbox and "allow-same-origin" not in sandbox
    assert "allow-popups-to-escape-sandbox" in sandbox  # source links open outside the frame
    img = next(a for t, a in tags if t == "img")
    assert img["alt"] == "As of 7 Jul: short." and img["src"] == "maps/q.png"
    assert re.search(r"<noscript>.*As of 7 Jul: long text\..*</noscript>", s, re.DOTALL)
    assert re.search(r"<figcaption[^>]*>.*As of 7 Jul: short\..*</figcaption>", s, re.DOTALL)
    link = next(a for t, a in tags if t == "a")
    assert link["target"] == "_blank" and link["href"] == "maps/q.html"


def test_snippet_escapes_every_text():
    s = embed_snippet(
        "q.html", title=HOSTILE, description=HOSTILE, short=HOSTILE, static_src="q.png"
    )
    assert "<script" not in s and "<img src=x" not in s
    tags = _tags(s)
    assert {t for t, _ in tags} <= {
        "figure",
        "style",
        "div",
        "iframe",
        "noscript",
        "img",
        "p",
        "figcaption",
        "strong",
        "details",
        "summary",
        "a",
    }
    for _, attrs in tags:
        assert not any(k.startswith("on") for k in attrs)
    iframe = next(a for t, a in tags if t == "iframe")
    assert (
        iframe["title"] == "Interactive map: " + HOSTILE
    )  # the parser unescapes: the text survived intact
    assert htmlmod.escape(HOSTILE) in s


def test_snippet_css_touches_only_its_own_elements():
    s = embed_snippet("q.html", title="A", width="640", height=520)
    css = re.search(r"<style>(.*?)</style>", s, re.DOTALL).group(1)
    uid = re.search(r'<figure class="(cm-embed-[0-9a-f]{8})"', s).group(1)
    selectors = []
    for block in re.findall(r"([^{}]+)\{[^{}]*\}", re.sub(r"@(media|supports)[^{]*\{", "", css)):
        selectors += [x.strip() for x in block.split(",") if x.strip()]
    assert selectors and all(sel.startswith("." + uid) for sel in selectors), selectors
    assert "width:640px" in css and "height:520px" in css
    assert "aspect-ratio:3/4" in css and "max-height:85vh" in css
    assert "body" not in css and "font-family" not in css
    # Deterministic, and different maps get different classes.
    assert s == embed_snippet("q.html", title="A", width="640", height=520)
    assert uid not in embed_snippet("other.html", title="A")


@pytest.mark.parametrize("bad", ["100%;}body{color:red", "-5px", "abc", "101%", "0"])
def test_sizes_are_validated(bad):
    with pytest.raises(EmbedError):
        css_width(bad)
    assert (
        css_width("100%") == "100%" and css_width(640) == "640px" and css_height("70vh") == "70vh"
    )
    with pytest.raises(EmbedError):
        css_height("480px;position:fixed")


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example/map.html",
        "vbscript:x",
        "file:///etc/passwd",
        "",
        "a\nb",
    ],
)
def test_addresses_must_be_relative_or_http(bad):
    with pytest.raises(EmbedError):
        safe_src(bad)
    with pytest.raises(EmbedError):
        embed_snippet(bad, title="x")


def test_relative_paths_are_percent_encoded():
    assert safe_src('maps/a b"<x>.html') == "maps/a%20b%22%3Cx%3E.html"
    assert safe_src("maps\\q.html") == "maps/q.html"


def test_map_info_reads_title_and_falls_back_to_what_the_page_holds(page):
    path, _, tl = page
    info = map_info(path)
    assert info.title == "Qala-e-Naw & Badghis" and info.origin == "page"
    # Places with claims of their own (not the districts a province claim was copied to), and the time range.
    assert "about 2 places (Badghis, Qala-e-Naw)" in info.description
    assert "6 Jul 2021, 07:30 UTC to " in info.description
    assert "not verified" in info.description
    with pytest.raises(EmbedError, match="does not exist"):
        map_info(path.with_name("missing.html"))
    other = path.with_name("other.html")
    other.write_text("<html><body>hello</body></html>", encoding="utf-8")
    with pytest.raises(EmbedError, match="not a conflictmap map"):
        map_info(other)


def test_embed_mode_scopes_css_keeps_scripts_and_records_the_description(page, tmp_path):
    path, text, tl = page
    d = describe(tl)
    out = make_embeddable(text, description=d)
    scripts = lambda t: re.findall(r"<script>(.*?)</script>", t, re.DOTALL)
    assert scripts(out) == scripts(text), (
        "inline scripts are byte-identical (CSP hashes stay valid)"
    )
    assert '<div id="cm-app" class="cm-embed">' in out
    css = re.search(r"<style>(.*?)</style>", out, re.DOTALL).group(1)
    css_no_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    flat = re.sub(r"@(media|supports)[^{]*\{", "", css_no_comments)
    selectors = []
    for block in re.findall(r"([^{}]+)\{[^{}]*\}", flat):
        selectors += [x.strip() for x in block.split(",") if x.strip()]
    assert len(selectors) > 50
    bad = [sel for sel in selectors if not sel.startswith(EMBED_ROOT)]
    assert not bad, bad[:5]
    assert "100vh" not in css_no_comments
    assert make_embeddable(out, description=d) == out, "idempotent"
    meta = json.loads(
        re.search(r'id="conflictmap-metadata">(.*?)</script>', out, re.DOTALL).group(1)
    )
    assert meta["description"]["text"] == d.text
    p = tmp_path / "embed.html"
    p.write_text(out, encoding="utf-8")
    info = map_info(p)
    assert info.origin == "metadata" and info.description == d.text and info.short == d.short


def test_scope_css_handles_media_queries_and_drops_imports():
    css = """@import url(https://evil.example/x.css);
    html, body { margin: 0 }
    body { font: 14px serif }
    #cm-app { display: flex }
    .a, .b > p { color: red }
    @media (max-width: 720px) { h1, #cm-panel { width: 100% } }
    @font-face { font-family: X; src: local(X) }"""
    out = scope_css(css, "#r")
    assert "@import" not in out
    assert (
        "#r { margin: 0 }" in out
        and "#r { font: 14px serif }" in out
        and "#r { display: flex }" in out
    )
    assert "#r .a, #r .b > p { color: red }" in out
    assert "@media (max-width: 720px) {\n#r h1, #r #cm-panel { width: 100% }\n}" in out
    assert "@font-face { font-family: X; src: local(X) }" in out


def test_resize_snippet_adds_a_host_script_that_trusts_only_its_iframe():
    plain = embed_snippet("maps/q.html", title="Q")
    assert "<script" not in plain
    s = embed_snippet("maps/q.html", title="Q <b>", resize=True)
    script = re.search(r"<script>(.*?)</script>", s, re.S).group(1)
    assert "e.source!==w.contentWindow" in script  # only messages from this figure's iframe
    assert "d.type!=='conflictmap:height'" in script and "typeof d.height!=='number'" in script
    assert "isFinite(d.height)" in script
    for never in ("eval", "innerHTML", "Function(", "document.write", "insertAdjacentHTML"):
        assert never not in script
    # The script sits inside the figure, after the iframe, so it finds its own frame.
    assert s.index("<iframe") < s.index("<script>") < s.index("</figure>")
    assert "Q &lt;b&gt;" in s and "Q <b>" not in s


def test_render_html_embed_flag_writes_the_embed_mode_itself(page, tmp_path):
    """``render_html(..., embed=True)`` (what ``map --embed`` calls) is the page make_embeddable
    would make of the plain page, with the description of the opening state, written at once."""
    _, text, tl = page
    state = MapState.from_timeline(tl, title="Qala-e-Naw & Badghis")
    out = tmp_path / "embed.html"
    embedded, report = render_html(state, out, embed=True)
    assert embedded == make_embeddable(text, description=describe(tl, state.at))
    assert out.read_text(encoding="utf-8") == embedded and report.bytes == len(embedded.encode("utf-8"))
    assert '<div id="cm-app" class="cm-embed">' in embedded and '<div id="cm-app">' in text
    empty, _ = render_html(MapState.from_timeline(Timeline([], {})), embed=True)
    meta = json.loads(re.search(r'id="conflictmap-metadata">(.*?)</script>', empty, re.DOTALL).group(1))
    assert "description" not in meta  # nothing to describe on an empty map
