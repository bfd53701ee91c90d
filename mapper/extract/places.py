"""Place mentions for claim extraction.

:func:`find_places` uses the geoparser when a gazetteer is given. Without
one, :func:`capitalised_places` is a crude stand-in: capitalised phrases
that are not actors, people, organisations, days or months, with a kind
hinted by the wording around them ("X province", "the city of X").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from mapper import countries
from mapper.extract import registry
from mapper.geoparse.mention import Mention

_CAP_PHRASE = re.compile(r"\b[A-Z][\w’'‘-]*(?:[-\s](?:[A-Z][\w’'‘-]*|e|i|ye|al|el|de|du|la|of)\b)*(?<![-\s])")
_NOT_PLACES = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|May|June|July|August|September|October|November|December|The|A|An|This|That|These|Those|"
    r"It|He|She|They|We|I|In|On|At|By|For|From|With|After|Before|While|Through|Following|Another|Some|Members|"
    r"Local|Foreign|Governor|President|Minister|General|Mr|Mrs|Ms|Dr|Allahu.*|Facebook|Twitter|Telegram|"
    r"Press|Enter|Breaking.*|Daily.*|Defen[cs]e.*|Special.*|National.*|Afghan.*|First.*|Vice.*)$"
)
_PERSON_BEFORE = re.compile(r"(?:Governor|President|Minister|spokesman|spokeswoman|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|"
                            r"General|Gen\.|commander|chief|Vice President)\s+$")
#: Matched at the end of a name (``match(text, end)``, no copy of the rest of the text).
_ORG_AFTER = re.compile(r"\s+(?:Press|News|Ministry|Council|Agency|Times|Post|Party|Army|Forces|Directorate)\b")
#: The country table is fixed per process: a demonym's country is looked up once per word.
_demonym_country = lru_cache(maxsize=8192)(countries.country_for_demonym)


_HINTS = tuple((re.compile(b), re.compile(a), kind) for b, a, kind in (
    (r"province\s+of\s+$|provinces?\s+of\s+$", r"^\s+provinces?\b", "admin1"),
    (r"district\s+of\s+$", r"^\s+district\b", "admin2"),
    (r"(?:city|town|village|capital)\s+of\s+$", r"^\s+(?:city|town)\b", "populated_place"),
))


def _kind_hint(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 30):start].lower(), text[end:end + 20].lower()
    for rx_before, rx_after, kind in _HINTS:
        if rx_before.search(before) or rx_after.match(after):
            return kind
    return ""


def _is_actor_name(name: str, names: frozenset) -> bool:
    """Is the capitalised phrase an actor's name as written ("Taliban", "Houthis", "Hezbollah's")?"""
    if name in names:
        return True
    bare = name[:-2] if name.endswith(("'s", "’s")) else name
    return bare in names or bare.rstrip("s") in names or bare + "s" in names


def _default_actor_names() -> frozenset:
    return registry.surface_names(registry.default_actors())


def capitalised_places(text: str, actor_names: frozenset | None = None) -> list:
    """Capitalised phrases that might be places (no gazetteer): a stand-in for the geoparser.

    ``actor_names`` are the actor registry's names as written (:func:`mapper.extract.registry.surface_names`,
    the default registry's when None): a phrase that is an actor's name is not a place.
    """
    names = _default_actor_names() if actor_names is None else actor_names
    out = []
    for m0 in _CAP_PHRASE.finditer(text):
        for m in _split_possessive(m0):
            _add_candidate(text, m, names, out)
    return out


class _Part:
    """A piece of a capitalised phrase ("Marib" and "Raghwan" of "Marib's Raghwan"), like a match."""

    def __init__(self, start: int, text: str):
        self._start, self._text = start, text

    def group(self, _=0) -> str:
        return self._text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._start + len(self._text)


_POSSESSIVE_SPLIT = re.compile(r"['’]s\s+(?=[A-Z])")


def _split_possessive(m) -> list:
    """ "Marib's Raghwan" is two names: the owner (without "'s") and what it owns."""
    name = m.group(0)
    cut = _POSSESSIVE_SPLIT.search(name)
    if cut is None:
        return [m]
    return [_Part(m.start(), name[:cut.start()]), _Part(m.start() + cut.end(), name[cut.end():])]


def _add_candidate(text: str, m, names: frozenset, out: list) -> None:
    """Append the capitalised phrase ``m`` to ``out`` when it may be a place."""
    name = m.group(0)
    if name.startswith("The ") and len(name) > 4:
        return
    if _NOT_PLACES.match(name) or _demonym_country(name) or name.isupper() and len(name) <= 4:
        return
    if _PERSON_BEFORE.search(text[max(0, m.start() - 25):m.start()]) or _ORG_AFTER.match(text, m.end()):
        return
    if _is_actor_name(name, names):
        return
    out.append(Mention(m.start(), m.end(), name, kind=_kind_hint(text, m.start(), m.end())))


def find_places(text: str, geoparser=None, actor_names: frozenset | None = None) -> list:
    """Place mentions in ``text``, in order: from ``geoparser.parse`` when given, else the stand-in
    (:func:`capitalised_places`, which skips ``actor_names``)."""
    if geoparser is not None:
        # "Afghan security officials" names people, not a place a claim is about.
        return [m for m in geoparser.parse(text) if getattr(m, "form", "name") != "adjective"]
    return capitalised_places(text, actor_names)


#: Words before a capitalised name that make it a place ("the village of X", "in X", "X, Y and Z").
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:villages?|towns?|city|cities|districts?|areas?|regions?|provinces?|county|counties|townships?|"
    r"localit(?:y|ies)|neighbou?rhoods?|hamlets?|settlements?|camps?|valley|suburbs?|outskirts|municipalit(?:y|ies)|"
    r"governorates?|oblasts?|state)\s+of\s+(?:the\s+)?"
    r"|\b(?:in|at|into|from|of|on|control\s+(?:of|over)|captured|seized|took|retook|recaptured|overran|liberated|entered|"
    r"stormed|attacked|shelled|besieged|encircled|secured|securing)\s+(?:the\s+)?(?:(?:village|town|city|area|district)\s+)?)$"
)
#: A lower-case direction word before a name the gazetteer lacks ("eastern Ghouta").
_REGION_WORD_BEFORE = re.compile(r"\b(?:north|south|east|west|central)(?:ern)?(?:-?(?:east|west)(?:ern)?)?\s+$")
_PLACE_AFTER = re.compile(
    r"^\s+(?:villages?|towns?|city|district|area|region|province|county|township|LGA|neighbou?rhood|valley|camp|"
    r"sub-district|subdistrict|locality|commune|governorate|oblast)\b"
)
_FORCE_AFTER = re.compile(r"\s+(?:forces|fighters|militants|troops|members|soldiers|militia|militiamen|rebels|"
                          r"positions|commanders?|spokesm[ae]n|officials?|leaders?|group|Forces|Army|Brigade)\b", re.I)
_SPEAKS_AFTER = re.compile(r"\s+(?:has\s+|had\s+)?(?:said|says|told|tells|claimed|claims|denied|denies|announced|"
                           r"added|argued|insisted|stated|warned|wrote|reported)\b")
_PARENS = re.compile(r"\([^()]{1,120}\)")
_LIST_GAP = re.compile(r"^\s*(?:,|and|or|,\s*and)\s*$")


def unresolved_places(text: str, known: list, avoid: list = (), cands=None) -> list:
    """Capitalised names in a place position that the geoparser did not resolve: "the village of X",
    "took control of part of X", "X town", and names listed with a known place ("A, B and C").
    They have no coordinates (``place`` None); ``avoid`` are (start, end) spans of actor names."""
    # Overlap tests by bisection: spans sorted by start, with the largest end so far.
    spans = _by_start([(m.start, m.end) for m in known])
    avoid_spans = _by_start(avoid)
    out = []
    cands = capitalised_places(text) if cands is None else cands
    for i, c in enumerate(cands):
        if _ends_after(spans, bisect_left(spans[0], c.end), c.start) \
                or _ends_after(avoid_spans, bisect_right(avoid_spans[0], c.start), c.start):
            continue  # overlaps a known mention (a < end and start < b) or starts in an actor (a <= start < b)
        if len(c.name) < 3 or c.name.isupper():
            continue
        first = re.split(r"[-\s]", c.name)[0]
        if _demonym_country(first) or re.search(r"-(?:style|made|backed|led|based|born|owned)$",
                                                             c.name, re.I):
            continue  # "Syrian-style", "Russian-made": adjectives
        if _FORCE_AFTER.match(text, c.end):
            continue  # "Arbaki forces", "Tiger Forces": a group, not a place
        if _SPEAKS_AFTER.match(text, c.end):
            continue  # "..., Assad said": a speaker, not a list member
        before = text[max(0, c.start - 40):c.start]
        ok = bool(_PLACE_BEFORE.search(before) or _PLACE_AFTER.match(text[c.end:c.end + 20]))
        region = _REGION_WORD_BEFORE.search(before)
        if not ok and region and _PLACE_BEFORE.search(before[:region.start()]):
            # "in eastern Ghouta", "across northern Rakhine": the direction word is part of the area's name
            ok = True
            c = Mention(c.start - (len(before) - region.start()), c.end,
                        text[c.start - (len(before) - region.start()):c.end], kind=c.kind)
        if not ok:
            # In a list with a place: "Tel Hajem, Um-Shababit and Mekeibra".
            neighbours = [(m.start, m.end) for m in known] + [(o.start, o.end) for o in out]
            ok = any(_LIST_GAP.match(_PARENS.sub("", text[b:c.start])) for a, b in neighbours if b <= c.start) or (
                i + 1 < len(cands) and _LIST_GAP.match(text[c.end:cands[i + 1].start])
                and _PLACE_BEFORE.search(before + "") is not None)
        if ok:
            name, end = c.name, c.end
            tm = _TYPE_SUFFIX.search(name)
            if tm and tm.start() > 0:  # "Mong Pawn Township" -> "Mong Pawn" (the kind stays as a hint)
                name, end = name[:tm.start()], c.start + tm.start()
            out.append(Mention(c.start, end, name, kind=c.kind or _kind_of_type(tm.group(1) if tm else "")))
    return out


def _by_start(spans) -> tuple:
    """(starts, running maximum of ends) of ``spans`` sorted by start."""
    spans = sorted(spans)
    ends, top = [], None
    for _, b in spans:
        top = b if top is None or b > top else top
        ends.append(top)
    return [a for a, _ in spans], ends


def _ends_after(spans: tuple, n: int, pos: int) -> bool:
    """Does one of the first ``n`` spans (by start) end after ``pos``?"""
    return n > 0 and spans[1][n - 1] > pos


_TYPE_SUFFIX = re.compile(r"\s+(Township|District|Province|Village|Town|City|Area|County|Region|Governorate|LGA|"
                          r"Sub-district|Subdistrict|Commune|Municipality)$")


def _kind_of_type(word: str) -> str:
    word = word.lower()
    if word in ("province", "region", "governorate"):
        return "admin1"
    if word in ("district", "township", "county", "lga", "municipality"):
        return "admin2"
    return "populated_place" if word in ("village", "town", "city") else ""


def longer_names(text: str, mentions: list, min_score: float, cands=None) -> list:
    """Weak geoparser matches that are only the start of a longer capitalised name ("Myrna" of "Myrna
    Dolyna") give way to the whole name, unresolved."""
    out = []
    cands = {c.start: c for c in (capitalised_places(text) if cands is None else cands)}
    for m in mentions:
        c = cands.get(m.start)
        if c is not None and c.end > m.end and (m.score or 0) < min_score and m.place is not None \
                and text[m.end:c.end].strip()[:1].isupper():
            out.append(Mention(c.start, c.end, c.name, kind=c.kind))
        else:
            out.append(m)
    return out
