"""Article text: decoding, HTML stripping, boilerplate lines and sentences.

Everything downstream (toponym offsets, claim sentences) refers to the plain
text returned by :func:`load_article` / :func:`article_from_bytes`, so the
offsets of a plain-text input are offsets into the file's own text, and
those of an HTML page are offsets into its extracted text.

Examples
--------
>>> art = article_from_bytes(b"<p>Herat fell.</p><script>x()</script>", name="a.html")
>>> art.text
'Herat fell.'
>>> [s.text for s in split_sentences("Gen. Ali said it fell. Then Herat.")]
['Gen. Ali said it fell.', 'Then Herat.']
>>> is_boilerplate('Press "Enter" to skip to content')
True
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from mapper.errors import ArticleError

log = logging.getLogger(__name__)

#: Longest article text accepted (characters). Longer input is almost
#: certainly not one article (a concatenated dump, a binary file).
DEFAULT_MAX_CHARS = 2_000_000

# ----------------------------------------------------------------- decoding
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:]+)""", re.I)


def decode_bytes(data: bytes, *, name: str = "<input>") -> str:
    """Decode article bytes: BOMs, UTF-8, an HTML ``<meta charset>``, then cp1252.

    Bytes that fit none of these are replaced (U+FFFD) and a warning names
    the file, so a stray Latin-1 byte never stops a run.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        first_bad = err.start
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "replace")
        try:
            text = data.decode(enc)
            log.warning("%s is not UTF-8 (byte %d); decoded with its declared charset %s", name, first_bad, enc)
            return text
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = data.decode("cp1252")
        log.warning("%s is not UTF-8 (first bad byte at offset %d); decoded as Windows-1252", name, first_bad)
        return text
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        log.warning(
            "%s is not UTF-8 (first bad byte at offset %d); undecodable bytes were replaced by U+FFFD",
            name, first_bad,
        )
        return text


# --------------------------------------------------------------------- HTML
_LOOKS_HTML = re.compile(r"^\s*(<!doctype html|<html\b|<head\b|<body\b|<meta\b|<div\b|<p\b|<article\b)", re.I)
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "template",
    "iframe", "button", "select", "figure", "figcaption", "head", "menu", "dialog", "object",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
    "section", "article", "main", "blockquote", "pre", "hr", "dd", "dt", "dl", "address", "title",
})
_NAV_HINT = re.compile(
    r"(^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|footer|sidebar|cookie|share|social|related|"
    r"comments?|newsletter|subscribe|advert|ads|promo|skip-link|masthead)([\s_-]|$)",
    re.I,
)
_VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed", "source",
                   "track", "wbr", "param"})


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list = []
        self.article_parts: list | None = None
        self.article_depth = 0
        self.title: list = []
        self._in_title = False
        self._skip: list = []  # [tag, depth]

    def _should_skip(self, tag, attrs) -> bool:
        if tag in _SKIP_TAGS:
            return True
        for key, value in attrs:
            if key in ("class", "id") and value and _NAV_HINT.search(value):
                return True
            if key == "role" and value in ("navigation", "banner", "contentinfo", "complementary", "search"):
                return True
            if key == "aria-hidden" and value == "true":
                return True
            if key == "hidden":
                return True
        return False

    def _emit(self, s: str):
        self.parts.append(s)
        if self.article_parts is not None and self.article_depth > 0:
            self.article_parts.append(s)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if self._skip:
            if tag == self._skip[-1][0] and tag not in _VOID:
                self._skip[-1][1] += 1
            return
        if tag not in _VOID and tag != "title" and self._should_skip(tag, attrs):
            self._skip.append([tag, 1])
            return
        if tag == "article":
            if self.article_parts is None:
                self.article_parts = []
            self.article_depth += 1
        if tag in _BLOCK_TAGS:
            self._emit("\n\n" if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote") else "\n")

    def handle_startendtag(self, tag, attrs):
        if not self._skip and tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self._skip:
            if tag == self._skip[-1][0]:
                self._skip[-1][1] -= 1
                if self._skip[-1][1] == 0:
                    self._skip.pop()
            return
        if tag == "article" and self.article_depth > 0:
            self.article_depth -= 1
        if tag in _BLOCK_TAGS:
            self._emit("\n\n" if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote") else "\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
            return
        if not self._skip:
            self._emit(data)


_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n\s*\n(\s*\n)+")


def _tidy(text: str) -> str:
    lines = [_BLANKS.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def looks_like_html(text: str) -> bool:
    """True when the text starts like an HTML page or fragment."""
    return bool(_LOOKS_HTML.match(text[:2000])) or ("</p>" in text[:20000] and "<p" in text[:20000])


def html_to_text(html: str) -> tuple:
    """Visible article text of an HTML page and its ``<title>``.

    Scripts, styles, navigation, headers, footers, asides, forms, figures and
    elements whose class/id/role marks them as navigation or sharing widgets
    are dropped. When the page has an ``<article>`` element with text, only
    that is kept. Returns ``(text, title)``.
    """
    try:
        p = _TextExtractor()
        p.feed(html)
        p.close()
    except AssertionError:
        # html.parser (CPython < 3.13) asserts on a malformed "<![" section instead of reading it
        # as text; read those as text, so the rest of the page is kept.
        p = _TextExtractor()
        p.feed(html.replace("<![", "&lt;!["))
        p.close()
    body = _tidy("".join(p.parts))
    if p.article_parts:
        art = _tidy("".join(p.article_parts))
        if len(art) >= 200 or len(art) >= 0.3 * len(body):
            body = art
    return body, _tidy("".join(p.title))


# ------------------------------------------------------------------ article
@dataclass(frozen=True)
class Article:
    """Plain article text plus where it came from."""

    text: str
    name: str = "<input>"
    title: str = ""
    was_html: bool = False


def article_from_bytes(data: bytes, *, name: str = "<input>", max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    """Decode, strip HTML if present, and check the size of one article.

    Raises
    ------
    ArticleError
        When the input is empty, has no text left after removing markup,
        looks binary, or is longer than ``max_chars``.
    """
    if not data or not data.strip():
        raise ArticleError(f"{name} is empty ({len(data)} bytes); expected the text or HTML of an article",
                           path=name)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"{name} looks like a binary file (NUL bytes), not an article's text or HTML; "
                           "pass a .txt or .html file", path=name)
    text = decode_bytes(data, name=name)
    return article_from_text(text, name=name, max_chars=max_chars)


def article_from_text(text: str, *, name: str = "<input>", max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    """Like :func:`article_from_bytes` for already decoded text."""
    if len(text) > max_chars * 4:
        # Refuse before parsing: HTML parsing of hundreds of MB is slow and pointless.
        raise ArticleError(
            f"{name} has {len(text):,} characters, far more than one article ({max_chars:,} at most); "
            "split it into articles (or JSON Lines documents) or raise --max-chars",
            path=name,
        )
    was_html = looks_like_html(text)
    title = ""
    if was_html:
        text, title = html_to_text(text)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ArticleError(
            f"{name} has no text" + (" left after removing HTML markup and navigation" if was_html else "")
            + "; expected an article", path=name)
    if len(text) > max_chars:
        raise ArticleError(
            f"{name} has {len(text):,} characters of text, more than one article ({max_chars:,} at most); "
            "split it into articles (or JSON Lines documents) or raise --max-chars",
            path=name,
        )
    return Article(text=text, name=name, title=title, was_html=was_html)


def load_article(path, *, max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    """Read one article file (text or HTML, any common encoding).

    Raises
    ------
    ArticleError
        When the file cannot be read, is empty, binary or too long.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_chars * 8:
            raise ArticleError(
                f"{path} is {size / 1e6:,.1f} MB, too large for one article ({max_chars:,} characters at most); "
                "split it or raise --max-chars",
                path=str(path),
            )
        data = path.read_bytes()
    except IsADirectoryError as err:
        raise ArticleError(f"{path} is a folder; expected an article file", path=str(path)) from err
    except OSError as err:
        raise ArticleError(f"cannot read {path}: {err.strerror}", path=str(path)) from err
    return article_from_bytes(data, name=str(path), max_chars=max_chars)


# -------------------------------------------------------------- boilerplate
_BOILERPLATE_PATTERNS = [
    re.compile(r"^\s*press\s+\W?enter\W?\s+to\s+skip\s+to\s+(main\s+)?content\s*$", re.I),
    re.compile(r"^\s*skip\s+to\s+(main\s+)?(content|navigation)\s*$", re.I),
    # image / media file names used as captions: "Badghis Attack.jpg"
    re.compile(r"^\s*[\w\s\-().,'’]{1,120}\.(jpe?g|png|gif|webp|svg|bmp|tiff?|mp4|mov|pdf)\s*$", re.I),
    re.compile(r"^\s*(share|tweet|email|print|advertisement|related( articles| posts)?|read more|"
               r"subscribe|sign up|log ?in|menu|search|comments?|loading\.*|click here.*)\s*:?\s*$", re.I),
    re.compile(r"^\s*(by|written by|posted by|reporting by)\s+[A-Z][\w.'’\- ]{1,60}$"),  # bylines
    re.compile(r"^\s*(©|copyright\b|all rights reserved).*$", re.I),
    re.compile(r"^\s*(photo|image|file photo|credit)\s*:.*$", re.I),
    re.compile(r"^\s*(daily|weekly|top|latest|breaking|trending)\s+(headlines|news|stories)\s*$", re.I),
]
#: Prefixes that are a site's label, not part of the sentence ("Breaking News:Taliban ...").
_LABEL_PREFIX = re.compile(r"^\s*(breaking news|breaking|update|updated|exclusive|live|watch|video|opinion|"
                           r"analysis)\s*[:|\-–—]\s*", re.I)


def is_boilerplate(line: str) -> bool:
    """True for page furniture that is not article text.

    Skip links, image file captions ("Badghis Attack.jpg"), bylines, share
    buttons, copyright lines, and short all-capital labels without sentence
    punctuation ("ORIGINAL CONTENT SITE").
    """
    s = line.strip()
    if not s:
        return True
    if any(p.match(s) for p in _BOILERPLATE_PATTERNS):
        return True
    if len(s) > 60:
        return False  # (checked first: long lines are most of a text, and need no letter scan)
    letters = [c for c in s if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and not s.endswith((".", "!", "?")):
        words = s.split()
        # A dateline ("KABUL:") is not boilerplate; a shouted label of 2+ words is.
        if len(words) >= 2 and not s.endswith(":"):
            return True
    return False


def label_prefix_length(line: str) -> int:
    """Length of a site label at the start of a line ("Breaking News:"), else 0."""
    m = _LABEL_PREFIX.match(line)
    return m.end() if m else 0


def is_headline(line: str) -> bool:
    """A title-like line: no sentence-final punctuation and most words capitalised."""
    s = line.strip()
    if not s or s.endswith((".", "!", "?", '"', "”", ":")) or len(s) > 160:
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", s)]
    if len(words) < 2:
        return False
    small = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "at", "by", "from", "as", "with"}
    caps = sum(1 for w in words if w[0].isupper() or w.lower() in small)
    return caps >= 0.8 * len(words)


@dataclass(frozen=True)
class Line:
    """One non-empty line of the text: offsets, and what kind of line it is."""

    start: int
    end: int
    kind: str  # body | headline | boilerplate
    after_blank: bool = True  # a blank line (or the start of the text) comes before it

    def text_of(self, text: str) -> str:
        """The line's text: ``text[start:end]``."""
        return text[self.start:self.end]


def text_lines(text: str) -> list:
    """Every non-empty line with its offsets and kind (body, headline, boilerplate).

    A site label at the start ("Breaking News:") is excluded from the line's span.
    """
    out = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            blank = True
            continue
        after_blank, blank = blank, False
        lead = len(raw) - len(raw.lstrip())
        start += lead
        end = start + len(stripped)
        if is_boilerplate(stripped):
            out.append(Line(start, end, "boilerplate", after_blank))
            continue
        cut = label_prefix_length(stripped)
        if cut:
            start += cut
            stripped = text[start:end]
            if not stripped.strip():
                out.append(Line(start - cut, end, "boilerplate", after_blank))
                continue
        out.append(Line(start, end, "headline" if is_headline(stripped) else "body", after_blank))
    return out


# ---------------------------------------------------------------- sentences
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen lt col maj capt cpt sgt cmdr adm gov sen rep st jr sr no nos vol jan feb mar apr
jun jul aug sep sept oct nov dec u.s u.n u.k e.g i.e vs approx est dept fig inc ltd co corp mt ft
""".split())
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``text == document[start:end]``; ``kind`` is the kind of its line."""

    start: int
    end: int
    text: str
    kind: str = "body"


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the period at ``dot`` part of an abbreviation or an initial?"""
    j = dot
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # Single capital initial ("John F. Kennedy") or dotted acronym ("U.S.").
    return (len(word) == 1 and text[j].isupper()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str, start: int = 0, end: int | None = None, *, kind: str = "body") -> list:
    """Sentences of ``text[start:end]`` with offsets into ``text``.

    Splits after ``.``, ``!`` or ``?`` (and closing quotes) followed by a
    capitalised word, except after abbreviations and initials.
    """
    end = len(text) if end is None else end
    out = []
    seg_start = start
    chunk = text[start:end]
    for m in _BOUNDARY.finditer(chunk):
        dot = start + m.start()
        if text[dot] == "." and _is_abbreviation(text, dot):
            continue
        cut = start + m.end()
        _append_sentence(out, text, seg_start, cut, kind)
        seg_start = cut
    _append_sentence(out, text, seg_start, end, kind)
    return out


def _append_sentence(out, text, s, e, kind):
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Sentence(s, e, text[s:e], kind))


def text_blocks(text: str) -> list:
    """Paragraph blocks ``(start, end, kind)``: consecutive body lines (wrapped text) are one block;
    headlines and boilerplate lines are blocks of their own."""
    blocks = []
    lines = text_lines(text)
    for i, line in enumerate(lines):
        joined_next = i + 1 < len(lines) and not lines[i + 1].after_blank and lines[i + 1].kind != "boilerplate"
        if line.kind == "headline" and (joined_next or (not line.after_blank and blocks and blocks[-1][2] == "body")):
            line = Line(line.start, line.end, "body", line.after_blank)  # a wrapped line, not a title
        if (line.kind == "body" and blocks and blocks[-1][2] == "body" and not line.after_blank):
            blocks[-1] = (blocks[-1][0], line.end, "body")
        else:
            blocks.append((line.start, line.end, line.kind))
    return blocks


def article_sentences(text: str, *, include_headlines: bool = True) -> list:
    """Sentences of every non-boilerplate paragraph of ``text``, in order."""
    out = []
    for start, end, kind in text_blocks(text):
        if kind == "boilerplate" or (kind == "headline" and not include_headlines):
            continue
        out.extend(split_sentences(text, start, end, kind=kind))
    return out
