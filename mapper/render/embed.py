"""Embedding maps in articles: the iframe snippet and the embed mode of the map page.

:func:`embed_snippet` writes the HTML a newsroom pastes into an article: a
``<figure>`` holding an ``<iframe>`` of the map (``title``,
``loading="lazy"``, a sandbox that lets the map run but not touch the host
page, links allowed to open outside the frame), responsive sizing (fills
its column; on phones a 3:4 aspect ratio capped to the screen height), and a
text alternative (and, with ``resize=True``, a tiny host script that fits the
iframe to the height the map page posts): the plain-language description of the map state
(:mod:`mapper.describe`) as caption and ``<noscript>`` content, and as the
``alt`` text of an optional static image. Its CSS is scoped by a class unique
to the map (``cm-embed-<hash>``), so it never changes the host page's fonts,
margins or anything else. Every text is HTML-escaped; the iframe and image
addresses must be relative paths or http(s) URLs.

:func:`make_embeddable` turns a map page written by
:func:`mapper.render.html.render_html` into its embed mode (``map --embed``):
every rule of its style sheet is scoped under ``#cm-app.cm-embed`` (no
``html``/``body``/``h1`` rules that could restyle a page it is placed in),
the app fills its nearest positioned container instead of assuming a full
page, up to 720 px wide the map sits above the panel with a height from its
width (at least 300 px, 422 px in a 680 px column), and controls get
touch-sized at phone widths (``assets/embed.css``).
The page's scripts are not touched, so their CSP hashes stay valid.
:func:`mapper.render.html.render_html` writes that mode itself with ``embed=True`` (the
style sheet from :func:`embed_css`, a template flag for the class); :func:`make_embeddable`
converts a page written without it.

:func:`map_info` reads a map page's title and description (from its
``conflictmap-metadata`` block when the page carries one).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from mapper.errors import EmbedError
from mapper.render.pagejson import script_json
from mapper.timelabels import format_utc

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"
#: Root selector of a map page in embed mode.
EMBED_ROOT = "#cm-app.cm-embed"
DEFAULT_HEIGHT = 480
#: Sandbox of the iframe: scripts run; links may open a new tab or (on a click) the top page;
#: no same-origin access to the host page, no forms, no downloads.
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"

_WIDTH_RE = re.compile(r"^\s*(\d{1,5}(?:\.\d{1,3})?)\s*(px|%|em|rem|vw)?\s*$", re.IGNORECASE)
_HEIGHT_RE = re.compile(r"^\s*(\d{1,5}(?:\.\d{1,3})?)\s*(px|em|rem|vh)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MapInfo:
    """Title and text alternative of a map page.

    ``description`` is the full text, ``short`` a sentence or two for alt
    text; ``origin`` says where they came from ("metadata", "claims",
    "page": only the title and counts read from the page).
    """

    title: str
    description: str
    short: str
    origin: str = "page"


# ------------------------------------------------------------------------------ sizes, addresses
def css_width(value) -> str:
    """A CSS width from ``100%``, ``640``, ``640px``, ``40em``; raises EmbedError otherwise.

    Examples
    --------
    >>> css_width("100%"), css_width("640"), css_width(720)
    ('100%', '640px', '720px')
    >>> css_width("100%;background:url(x)")
    Traceback (most recent call last):
    ...
    mapper.render.embed.EmbedError: width '100%;background:url(x)' is not a CSS length; expected e.g. 100%, 640 or 640px
    """
    m = _WIDTH_RE.match(str(value))
    if not m or float(m.group(1)) <= 0:
        raise EmbedError(f"width {value!r} is not a CSS length; expected e.g. 100%, 640 or 640px")
    unit = (m.group(2) or "px").lower()
    if unit == "%" and float(m.group(1)) > 100:
        raise EmbedError(f"width {value!r} is over 100%; expected e.g. 100% or 640px")
    return f"{m.group(1)}{unit}"


def css_height(value) -> str:
    """A CSS height from ``480``, ``480px``, ``70vh``; raises EmbedError otherwise.

    Examples
    --------
    >>> css_height(480), css_height("70vh")
    ('480px', '70vh')
    """
    m = _HEIGHT_RE.match(str(value))
    if not m or float(m.group(1)) <= 0:
        raise EmbedError(f"height {value!r} is not a CSS length; expected e.g. 480, 480px or 70vh")
    return f"{m.group(1)}{(m.group(2) or 'px').lower()}"


def safe_src(value: str, what: str = "address") -> str:
    """A relative path or http(s) URL fit for ``src``/``href`` (percent-encoded), else EmbedError.

    Examples
    --------
    >>> safe_src("maps/qala e naw.html")
    'maps/qala%20e%20naw.html'
    >>> safe_src("https://example.org/maps/q.html#date=2021-07-07T18:00")
    'https://example.org/maps/q.html#date=2021-07-07T18:00'
    >>> safe_src("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    mapper.render.embed.EmbedError: address 'javascript:alert(1)' is neither a relative path nor an http(s) URL; e.g. maps/qala.html or https://example.org/maps/qala.html
    """
    text = str(value or "").strip().replace("\\", "/")
    hint = "e.g. maps/qala.html or https://example.org/maps/qala.html"
    if not text or re.search(r"[\x00-\x1f\x7f]", text):
        raise EmbedError(f"{what} {value!r} is empty or has control characters; {hint}")
    parts = urlsplit(text)
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise EmbedError(
                f"{what} {value!r} is neither a relative path nor an http(s) URL; {hint}"
            )
        return quote(text, safe=":/?#[]@!$&'()*+,;=%~")
    if text.startswith("//"):
        raise EmbedError(
            f"{what} {value!r} is protocol-relative; give https://... or a relative path; {hint}"
        )
    return quote(text, safe="/?#&=%~+@!$,;'()*:")


def _uid(*parts) -> str:
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:8]
    return f"cm-embed-{h}"


# ------------------------------------------------------------------------------ the snippet
def embed_snippet(
    src: str,
    *,
    title: str,
    description: str = "",
    short: str = "",
    width="100%",
    height=DEFAULT_HEIGHT,
    static_src: str | None = None,
    link_text: str = "Open the map in a new tab",
    resize: bool = False,
) -> str:
    """HTML to paste into an article: responsive iframe, caption, noscript fallback.

    Parameters
    ----------
    src
        Address of the map page as the article will reach it (relative or http(s)).
    title
        Map title; the iframe's ``title`` is "Interactive map: <title>".
    description, short
        Full text alternative (caption details, ``<noscript>``) and a short one
        (visible caption, image ``alt``). Plain text; escaped here.
    width, height
        CSS width of the figure (default 100% of the column) and height of the
        map on wide screens (default 480 px). Below 640 px of screen width the
        map takes a 3:4 aspect ratio, at most 85% of the screen height.
    static_src
        A static image of the map (``conflictmap static``), shown when scripts are off.
    resize
        Add the optional host script (:data:`RESIZE_SCRIPT`): the map page posts its content
        height and the script sets the iframe to it, so the key and the panel under the map show
        without scrolling inside the frame. Without it (or with scripts off in the article) the
        iframe keeps the sizes above.

    Examples
    --------
    >>> s = embed_snippet("q.html", title="Qala <b>", description="As of ...", short="As of ...")
    >>> 'title="Interactive map: Qala &lt;b&gt;"' in s and 'loading="lazy"' in s
    True
    """
    w = css_width(width)
    h = css_height(height)
    src_attr = safe_src(src, "map address")
    img_attr = safe_src(static_src, "static image address") if static_src else None
    title = " ".join(str(title or "Reported control").split()) or "Reported control"
    description = " ".join(str(description or "").split())
    short = " ".join(str(short or "").split()) or description
    uid = _uid(src_attr, title, w, h, img_attr or "")
    e = html.escape
    frame_title = f"Interactive map: {title}"
    css = (
        f".{uid}{{display:block;box-sizing:border-box;width:{w};max-width:100%;margin:1.5em 0;padding:0}}"
        f".{uid} .{uid}-frame{{position:relative;width:100%;height:{h};max-height:85vh;min-height:320px;"
        f"overflow:hidden;border:1px solid #d0d0d0;background:#dfe7ee}}"
        f".{uid} .{uid}-frame iframe{{position:absolute;top:0;left:0;display:block;width:100%;height:100%;"
        f"border:0;margin:0;padding:0}}"
        f".{uid} .{uid}-caption{{margin:.5em 0 0;font-size:.875em;line-height:1.45}}"
        f".{uid} .{uid}-caption details{{margin:.25em 0 0}}"
        f".{uid} .{uid}-static{{display:block;max-width:100%;height:auto;margin:.5em 0 0}}"
        f"@media (max-width:640px){{.{uid} .{uid}-frame{{height:auto;aspect-ratio:3/4;max-height:85vh}}}}"
        f"@supports not (aspect-ratio:3/4){{@media (max-width:640px){{.{uid} .{uid}-frame{{height:133vw}}}}}}"
    )
    lines = [
        f'<figure class="{uid}" data-conflictmap-embed="1">',
        f"<style>{css}</style>",
        f'<div class="{uid}-frame">'
        f'<iframe src="{e(src_attr)}" title="{e(frame_title)}" loading="lazy" referrerpolicy="no-referrer" '
        f'sandbox="{SANDBOX}" allow="fullscreen" allowfullscreen></iframe></div>',
    ]
    noscript = []
    if img_attr:
        noscript.append(
            f'<img class="{uid}-static" src="{e(img_attr)}" alt="{e(short or title)}" loading="lazy">'
        )
    if description:
        noscript.append(f"<p>{e(description)}</p>")
    if noscript:
        lines.append("<noscript>" + "".join(noscript) + "</noscript>")
    caption = [f'<figcaption class="{uid}-caption"><strong>{e(title)}</strong>']
    if short:
        caption.append(f" {e(short)}")
    if description and description != short:
        caption.append(
            f"<details><summary>Full description</summary><p>{e(description)}</p></details>"
        )
    caption.append(f' <a href="{e(src_attr)}" target="_blank" rel="noopener">{e(link_text)}</a>')
    caption.append("</figcaption>")
    lines.append("".join(caption))
    if resize:
        lines.append(f"<script>{RESIZE_SCRIPT}</script>")
    lines.append("</figure>")
    return "\n".join(lines) + "\n"


#: Host-page script of ``conflictmap embed --resize``, placed inside the snippet's ``<figure>``.
#: It listens for ``{type: "conflictmap:height", height: N}`` messages, accepts one only when it
#: comes from this figure's own iframe (``event.source``) and has exactly that shape with a finite
#: height, and sets the frame's height to it (clamped to 200..6000 px). It never evaluates or
#: inserts anything from the message.
RESIZE_SCRIPT = (
    "(function(){var s=document.currentScript,f=s&&s.parentNode,w=f&&f.querySelector('iframe'),"
    "b=w&&w.parentNode;if(!w||!b||!window.addEventListener)return;"
    "window.addEventListener('message',function(e){if(e.source!==w.contentWindow)return;var d=e.data;"
    "if(!d||typeof d!=='object'||d.type!=='conflictmap:height'||typeof d.height!=='number'||!isFinite(d.height))return;"
    "var h=Math.round(Math.min(6000,Math.max(200,d.height)));"
    "b.style.height=h+'px';b.style.maxHeight='none';b.style.minHeight='0';b.style.aspectRatio='auto';"
    "b.setAttribute('data-conflictmap-height',String(h));});})();"
)


# ------------------------------------------------------------------------------ reading a map page
def _json_block(text: str, element_id: str):
    m = re.search(
        r'<script[^>]*\bid="' + re.escape(element_id) + r'"[^>]*>(.*?)</script>',
        text,
        re.DOTALL | re.IGNORECASE,
    )
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError as err:
        log.warning("the %s block of the map is not valid JSON (%s); ignored", element_id, err.msg)
        return None


def map_info(path) -> MapInfo:
    """Title and description of a map page written by ``conflictmap map``.

    The description comes from ``metadata["description"]`` (a string, or an
    object with ``text``/``short`` as :meth:`mapper.describe.Description.to_dict`
    writes) when the page carries one; otherwise a neutral sentence built from
    the page's own data (number of claims and places, time range), which
    invents nothing. Raises EmbedError when the file cannot be read.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EmbedError(
            f"map file {path} does not exist; make it with `conflictmap map CLAIMS -o {path}`"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise EmbedError(f"cannot read map file {path}: {err}") from err
    meta = _json_block(text, "conflictmap-metadata") or {}
    data = _json_block(text, "conflictmap-data") or {}
    if not meta and not data:
        raise EmbedError(
            f"{path} is not a conflictmap map (no conflictmap-metadata or conflictmap-data block); "
            "make it with `conflictmap map`"
        )
    title = data.get("title") if isinstance(data, dict) else None
    if not title:
        m = re.search(r"<title>(.*?)</title>", text, re.DOTALL | re.IGNORECASE)
        title = html.unescape(m.group(1)).strip() if m else "Reported control"
    desc = meta.get("description") if isinstance(meta, dict) else None
    if isinstance(desc, dict) and desc.get("text"):
        return MapInfo(title, str(desc["text"]), str(desc.get("short") or desc["text"]), "metadata")
    if isinstance(desc, str) and desc.strip():
        return MapInfo(title, desc.strip(), desc.strip(), "metadata")
    return MapInfo(title, *_page_summary(data, meta), "page")


def _direct_place_names(places: list, rows: list) -> list:
    """Names of places with claims of their own (not only copies of a province claim), in page order.

    A claim row starts ``[place index, claimant, status, actor, start, end, derived_from, ...]``
    (``derived_from`` -1 for a claim made about the place itself).
    """
    direct = set()
    for row in rows:
        try:
            if int(row[6]) < 0:
                direct.add(int(row[0]))
        except (IndexError, TypeError, ValueError, KeyError):
            continue
    if direct:
        return [str(places[i].get("n")) for i in sorted(direct) if 0 <= i < len(places)]
    return [str(p.get("n")) for p in places if p.get("e")]


def _page_summary(data: dict, meta: dict) -> tuple:
    """A neutral sentence from the page's data: what the map holds, never what it concludes."""
    claims = meta.get("claims", {}) if isinstance(meta, dict) else {}
    places = [p for p in (data.get("places") or []) if isinstance(p, dict)]
    names = _direct_place_names(places, data.get("claims") or [])
    n_claims = (
        claims.get("mapped")
        if isinstance(claims, dict) and claims.get("mapped") is not None
        else None
    )
    steps = data.get("steps") or []
    parts = ["Interactive map of reported control"]
    if n_claims is not None:
        parts.append(f" from {n_claims} claim{'s' if n_claims != 1 else ''}")
    if names:
        shown = ", ".join(str(n) for n in names[:8]) + (
            f" and {len(names) - 8} more" if len(names) > 8 else ""
        )
        parts.append(f" about {len(names)} place{'s' if len(names) != 1 else ''} ({shown})")
    try:
        from datetime import datetime, timezone

        if steps:
            first = datetime.fromtimestamp(int(steps[0]) * 60, tz=timezone.utc)
            last = datetime.fromtimestamp(int(steps[-1]) * 60, tz=timezone.utc)
            parts.append(f", {format_utc(first)} to {format_utc(last)}")
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    text = (
        "".join(parts)
        + ". Each place shows what the claims say, not verified control; open the map to read every claim."
    )
    return text, text


# ------------------------------------------------------------------------------ embed mode of the page
def _split_top(selector_list: str) -> list:
    out, depth, cur = [], 0, []
    for ch in selector_list:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s.strip() for s in out if s.strip()]


def _scope_selector(sel: str, root: str) -> str:
    sel = sel.strip()
    m = re.match(r"^(?:html|body|:root)(?=$|[\s>+~.:#\[])", sel, re.IGNORECASE)
    if m:
        rest = sel[m.end() :].lstrip()
        rest = re.sub(r"^(?:body)(?=$|[\s>+~.:#\[])", "", rest).lstrip()  # "html body x"
        return f"{root} {rest}".strip() if rest else root
    if sel.startswith("#cm-app"):
        return root + sel[len("#cm-app") :]
    return f"{root} {sel}"


def scope_css(css: str, root: str = EMBED_ROOT) -> str:
    """Prefix every selector of ``css`` with ``root`` (``html``/``body`` become ``root`` itself).

    ``@media``/``@supports`` blocks are scoped inside; ``@font-face``,
    ``@keyframes`` and ``@page`` are kept as they are; ``@import`` is dropped.

    Examples
    --------
    >>> scope_css("html, body { margin: 0 } h1 { font-size: 19px } #cm-app { display: flex }")
    '#cm-app.cm-embed { margin: 0 }\\n#cm-app.cm-embed h1 { font-size: 19px }\\n#cm-app.cm-embed { display: flex }'
    >>> scope_css("@media (max-width: 720px) { #cm-panel { width: 100% } }")
    '@media (max-width: 720px) {\\n#cm-app.cm-embed #cm-panel { width: 100% }\\n}'
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    out, i, n = [], 0, len(css)
    while i < n:
        j = css.find("{", i)
        if j < 0:
            break
        head = css[i:j].strip()
        depth, k = 1, j + 1
        while k < n and depth:
            if css[k] == "{":
                depth += 1
            elif css[k] == "}":
                depth -= 1
            k += 1
        body = css[j + 1 : k - 1]
        i = k
        # Statements without a block (@import ...; @charset ...;) end at ";" before this rule's "{".
        while ";" in head and head.startswith("@"):
            stmt, head = head.split(";", 1)
            head = head.strip()
            if not stmt.strip().lower().startswith("@import"):
                out.append(stmt.strip() + ";")
        if head.startswith("@"):
            low = head.lower()
            if low.startswith(("@media", "@supports", "@container", "@layer")):
                out.append(f"{head} {{\n{scope_css(body, root)}\n}}")
            elif low.startswith("@import"):
                continue
            else:
                out.append(f"{head} {{{body}}}")
            continue
        if not head:
            continue
        selectors = ", ".join(dict.fromkeys(_scope_selector(s, root) for s in _split_top(head)))
        out.append(f"{selectors} {{ {' '.join(body.split())} }}")
    return "\n".join(out)


def embed_css(css: str) -> str:
    """The page's style sheet in embed mode: ``css`` scoped under :data:`EMBED_ROOT`, then the
    embed rules (``assets/embed.css``), safe inside a ``<style>`` element."""
    extra = (ASSETS / "embed.css").read_text(encoding="utf-8")
    scoped = scope_css(css) + "\n" + extra
    return re.sub(r"</(style)", r"<\\/\1", scoped, flags=re.IGNORECASE)  # never close the element early


def make_embeddable(page: str, *, description=None) -> str:
    """The embed mode of a map page: scoped CSS, no full-page assumptions, touch-sized controls.

    ``description`` (a :class:`mapper.describe.Description` or its
    ``to_dict()``, or a string) is recorded in the metadata block so
    ``conflictmap embed`` can use it. Scripts are left byte for byte, so the
    page's Content-Security-Policy hashes still match. Applying it twice
    changes nothing more.
    """
    if 'class="cm-embed"' in page and "conflictmap embed mode" in page:
        out = page
    else:
        m = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
        if not m:
            raise EmbedError("the map page has no <style> block; is it a conflictmap map?")
        scoped = embed_css(m.group(1))
        out = page[: m.start(1)] + "\n" + scoped + "\n" + page[m.end(1) :]
        out, count = re.subn(
            r'<div id="cm-app"(?![^>]*class=)', '<div id="cm-app" class="cm-embed"', out, count=1
        )
        if not count:
            raise EmbedError('the map page has no <div id="cm-app">; is it a conflictmap map?')
    if description is not None:
        out = _with_description(out, description)
    return out


def _with_description(page: str, description) -> str:
    if hasattr(description, "to_dict"):
        description = description.to_dict()
    m = re.search(
        r'(<script type="application/json" id="conflictmap-metadata">)(.*?)(</script>)',
        page,
        re.DOTALL,
    )
    if not m:
        raise EmbedError("the map page has no conflictmap-metadata block")
    try:
        meta = json.loads(m.group(2))
    except json.JSONDecodeError as err:
        raise EmbedError(f"the map's metadata block is not valid JSON ({err.msg})") from err
    meta["description"] = description
    return page[: m.start(2)] + script_json(meta) + page[m.end(2) :]


__all__ = [
    "RESIZE_SCRIPT",
    "SANDBOX",
    "EmbedError",
    "MapInfo",
    "css_height",
    "css_width",
    "embed_css",
    "embed_snippet",
    "make_embeddable",
    "map_info",
    "safe_src",
    "scope_css",
]
