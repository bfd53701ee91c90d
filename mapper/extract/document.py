"""Article layout for claim extraction: paragraph blocks, headlines, the dateline.

* A **headline** without a full stop is a block of its own, even when the
  body starts on the next line ("Militants seize X" + newline + "A
  commander said ..." are two blocks, never one sentence).
* The **dateline** ("KHARTOUM, Oct 26 (Wire) - ", "Kyiv, Ukraine (AP) — ")
  says where and when the story was filed: its place is context for the
  article's country, its date is the fallback time of undated claims, and
  its text is never a claimant or a claim place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mapper.geoparse.text import text_blocks

#: A headline line is at most this many words and has no sentence-final punctuation.
HEADLINE_MAX_WORDS = 18
#: ... and is clearly shorter than the longest line of its block (wrapped body lines are not).
HEADLINE_WIDTH_RATIO = 0.8
#: Lines longer than this are not hard-wrapped: each line of such a block is a paragraph of its own.
UNWRAPPED_LINE_CHARS = 120

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?)"
#: "KHARTOUM, Oct 26 (Wire) - ", "KYIV, Ukraine — ", "Goma, DR Congo (AFP) - ", "MOGADISHU: "
DATELINE_RE = re.compile(
    rf"(?P<place>[A-Z][A-Za-z.'’ -]{{1,40}}?)"
    rf"(?:,\s*(?P<region>[A-Z][A-Za-z.'’ -]{{1,30}}?))??"
    rf"(?:,?\s+(?P<date>{_DATE}))?"
    rf"\s*(?:\((?P<agency>[A-Za-z][\w .&/-]{{0,30}})\))?"
    rf"\s*(?:[-—–:\ufffd|]|--)\s+(?=[A-Z“\"‘'])"
)
_TERMINAL = re.compile(r"[.!?:;,\"”’)\]…]\s*$")


@dataclass(frozen=True)
class Dateline:
    """A wire dateline ("GOMA, Jan 26 (Reuters) -"): its character span, place, region, date and agency."""
    start: int
    end: int
    place: str
    region: str = ""
    date: str = ""
    agency: str = ""


def find_dateline(text: str, start: int, end: int) -> Dateline | None:
    """The dateline at the start of ``text[start:end]`` (a block), or None."""
    m = DATELINE_RE.match(text, start, end)
    if not m:
        return None
    place = m.group("place").strip()
    # A real dateline is an all-caps place, or a place followed by an agency or a date.
    region = (m.group("region") or "").strip()
    if not (place.replace(" ", "").replace("-", "").replace(".", "").isupper() or m.group("agency")
            or m.group("date") or (region.isupper() and len(region) <= 8)):  # "Moscow, SANA- ..."
        return None
    if len(place.split()) > 4:
        return None
    return Dateline(m.start(), m.end(), place, (m.group("region") or "").strip(), (m.group("date") or "").strip(),
                    (m.group("agency") or "").strip())


def _paragraphs(text: str) -> list:
    """:func:`text_blocks`, with a block of long unwrapped lines (one paragraph per line, as pasted
    wire copy often is) split at each line that ends a sentence."""
    out = []
    for b0, b1, kind in text_blocks(text):
        lines = text[b0:b1].split("\n")
        if kind != "body" or len(lines) < 2 or max(len(x) for x in lines) <= UNWRAPPED_LINE_CHARS:
            out.append((b0, b1, kind))
            continue
        pos = start = b0
        for i, line in enumerate(lines):
            end = pos + len(line)
            if i == len(lines) - 1 or re.search(r"[.!?\"”’]\s*$", line):
                if text[start:end].strip():
                    out.append((start, end, kind))
                start = end + 1
            pos = end + 1
    return out


def blocks(text: str) -> list:
    """Paragraph blocks ``(start, end, kind)`` as :func:`text_blocks`, with an unpunctuated
    title line at the top of a block split off as a ``headline`` block."""
    out = []
    for b0, b1, kind in _paragraphs(text):
        if kind != "body":
            out.append((b0, b1, kind))
            continue
        nl = text.find("\n", b0, b1)
        if nl == -1:
            out.append((b0, b1, kind))
            continue
        first = text[b0:nl].strip()
        rest = text[nl + 1:b1]
        widths = [len(x.strip()) for x in text[b0:b1].split("\n")]
        if (first and not _TERMINAL.search(first) and len(first.split()) <= HEADLINE_MAX_WORDS
                and rest.lstrip()[:1].isupper() and len(first) < HEADLINE_WIDTH_RATIO * max(widths)
                and not find_dateline(text, b0, nl + 1)):
            out.append((b0, nl, "headline"))
            r0 = nl + 1
            while r0 < b1 and text[r0].isspace():
                r0 += 1
            out.append((r0, b1, "body"))
        else:
            out.append((b0, b1, kind))
    return out
