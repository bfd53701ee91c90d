"""Recognise place names in text and resolve them in the document's context.

Recognition (:meth:`Geoparser.candidates`)
    1. Scan the normalized text for gazetteer name keys
       (:mod:`mapper.geoparse.index`); keep the longest match at each place.
    2. Keep a match only if it is written like a name: capitalised (every
       content word), not a day, month, pronoun or known non-place; not part of a
       person's name ("Governor Hessamuddin Shams", "Amrullah Saleh"); not the
       head of an organisation's name ("Khaama Press") unless it is a major place
       used as a modifier ("Kabul Bank", "US Army"); not a common English word
       written at the start of a sentence; not in a boilerplate line.
    3. Add nationality adjectives ("Russian", "Afghan") and country codes
       ("US", "UK"), which the corpora count as mentions of the country.
Resolution (:meth:`Geoparser.resolve_mentions`)
    Every candidate place of every mention gets a score: its prior importance
    (kind, population), plus the document's countries (weighted by how strongly
    each mention points to them), admin units named in the document, an
    explicit container ("Qala-e-Naw, in the western province of Badghis",
    "Paris, Texas", "Springfield, Ill."), a type word ("X province" prefers an
    admin unit), and closeness to the other mentions' current best places
    (two rounds). Names the automaton does not know (``--resolve-only`` on
    other people's spans) go through :meth:`gazetteer.Gazetteer.resolve`.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gazetteer import haversine_km, normalize
from gazetteer.normalize import strip_type_words
from gazetteer.resolver import FAR_LOOKALIKE_KM
from gazetteer.resolver import same_name as _same_name
from mapper.geoparse import lexicon as lx
from mapper.geoparse._common_words import COMMON_WORDS
from mapper.geoparse.index import Entry, index_for, normalize_with_offsets, prior
from mapper.geoparse.mention import Mention
from mapper.geoparse.text import text_lines

log = logging.getLogger(__name__)

# Scoring weights (named, so the ranking can be read and tuned in one place).
W_PRIOR = 1.0
W_COUNTRY = 0.45
W_ADMIN1 = 0.45
W_CONTAINER = 0.9
W_KIND_HINT = 0.25
W_PROXIMITY = 0.4
PROXIMITY_KM = 300.0
#: Other places of the document used for the closeness term.
MAX_CONTEXT_POINTS = 30
#: A name that is only an alternate of the place ("Liverpool" for a US town) ranks below primary names.
ALTERNATE_NAME_PENALTY = 0.3
#: A --country hint counts as this many names of the document pointing to that country.
COUNTRY_HINT_VOTES = 3.0
#: A country called by its own name is almost always that country ("Egypt").
COUNTRY_NAME_BONUS = 0.2
#: A bare name that is a place's name only without its type word ("Oklahoma" of Oklahoma City).
STRIPPED_NAME_PENALTY = 0.15
#: Candidates per mention that are fetched from the gazetteer and scored.
POOL_SIZE = 12
#: Below this prior a one-word common English name needs a cue to count as a place.
COMMON_WORD_MIN_PRIOR = 0.75
#: A place name directly followed by another capitalised word is kept only if this important ("Kabul Bank").
MODIFIER_MIN_PRIOR = 0.8
#: A span the gazetteer does not know is placed at a name inside it ("Cavan Institute" -> Cavan)
#: unless the resolver's variant/fuzzy match of the whole span is at least this good.
CONTAINED_OVER_FUZZY_QUALITY = 0.9
#: Priors of a place found inside a longer span are lowered by this factor (a weaker claim).
CONTAINED_PRIOR_FACTOR = 0.8
#: Resolver matches below this quality (its own bar for "resolved") are not offered as candidates.
FALLBACK_MIN_QUALITY = 0.75
#: Mentions resolved below this score are still reported, with their score.
MIN_SCORE = 0.0

_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w’'‘.-]*")
_CAP_TOKEN = re.compile(r"[A-Z\u00C0-\u00DE][\w’'‘-]*\.?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*[\"“‘'(]?\s*|\n\s*[\"“‘'(]?\s*|[\"“]\s*)$")
_CONTAINER_AFTER = re.compile(
    r"^\s*,\s*(?:in\s+)?(?:the\s+)?(?:(?:north|south|east|west|central|northern|southern|eastern|western|"
    r"north-?eastern|north-?western|south-?eastern|south-?western|northeastern|northwestern|southeastern|"
    r"southwestern|remote|restive|neighbou?ring|nearby)\s+)*(?:(?:province|state|region|district|county|"
    r"governorate|country)\s+of\s+)?$",
    re.I,
)
_KIND_AFTER = re.compile(r"^\s+(provinces?|states?|region|governorate|oblast|district|county|city|town|village)\b",
                         re.I)
_KIND_BEFORE = re.compile(r"\b(province|state|region|governorate|district|county|city|town|village)\s+of\s+$", re.I)
#: "the governorates of Idlib and Hama", "the provinces of Helmand, Kandahar and Zabul": the type word covers each.
_KINDS_BEFORE = re.compile(r"\b(provinces|states|regions|governorates|districts|counties|oblasts)\s+of\s+"
                           r"(?:[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*\s*(?:,\s*(?:and\s+)?|\s+and\s+))*$")
_CUE_BEFORE = re.compile(r"\b(?:in|at|near|from|to|into|outside|across|around|towards?|of|via|between|"
                         r"through|throughout|within)\s+(?:the\s+)?$", re.I)
#: Words before a name that leave no doubt it is a place (override the span filter).
_STRONG_CUE_BEFORE = re.compile(
    r"\b(?:(?:located|situated|based|born|headquartered|stationed|deployed)\s+(?:in|at|near)|"
    r"(?:town|city|village|port|capital|suburb|outskirts)\s+of)\s+$", re.I)
_KINDS_AFTER = re.compile(r"^(?:\s*,\s*(?:and\s+)?|\s+and\s+)[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*"
                          r"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)*"
                          r"\s+(provinces|states|regions|governorates|districts|counties|oblasts)\b")
_DETERMINER_AFTER = re.compile(r"^\s+(?:the|a|an|his|her|their|its|our|this|that|these|those|through|about)\b",
                               re.I)
_PLURAL_TYPE = re.compile(r"\b(?:provinces|states|regions|governorates|districts|counties|oblasts)\b")
_PLURAL_KIND = {"regions": "admin1", "governorates": "admin1", "districts": "admin2", "counties": "admin2",
                "oblasts": "admin1"}
_HINT_KIND = {
    "province": "admin1", "provinces": "admin1", "state": "admin1", "states": "admin1", "region": "admin1",
    "governorate": "admin1", "oblast": "admin1", "district": "admin2", "county": "admin2",
    "city": "populated_place", "town": "populated_place", "village": "populated_place",
}
_ADJECTIVE_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(a) for a, p in lx.ADJECTIVE_PLACES.items() if p), key=len, reverse=True))
    + r")\b(?!['’]?s\b)(?![-\s]?(?:American|Americans)\b)"
)
#: Transliterated compounds ("Qala-e-Naw", "Pul-i-Khumri"): spelled many ways, matched by the resolver.
_COMPOUND_RE = re.compile(r"\b[A-Z][\w’'‘]+(?:-(?:e|i|ye|yi|ul|al|el|ud|ad|o|u)-[\w’'‘]+|-(?:e|i|ye)\s[A-Z][\w’'‘]+)+\b")
#: Match quality below which a compound is not taken as the gazetteer's place.
COMPOUND_MIN_QUALITY = 0.8
_ABBREV_RE = re.compile(r"(?<![\w.])(" + "|".join(sorted((re.escape(a) for a in lx.ADMIN1_ABBREVIATIONS), key=len,
                                                         reverse=True)) + r")(?![\w])")
_DOTTED = re.compile(r"(?:^|\s)(?:[A-Z]\.){2,}$")
_INITIALISM = re.compile(r"^(?:[A-Z]\.){2,}$")
#: A dateline: a shouted place name opening a line (or following a caption's full stop), then
#: ", State" or nothing, then "(AP)", a dash, a colon or a comma ("BEIRUT (AP) —", "SPRINGFIELD, Ill.").
_DATELINE_BEFORE = re.compile(r"(?:^|\n|[.!?]\s)[ \t]*$")
_DATELINE_AFTER = re.compile(r"^(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*[(:—–,-]")
_INNER_CAPS = re.compile(r"^(?!Mc|Mac|O['’])[A-Z]?[a-z]+[A-Z]")
#: One-word names that are generic words: never a place when they are part of a longer capitalised name
#: ("Central Park", "City Hall", "South Kilburn").
GENERIC_WORDS = frozenset("""
centre center central park city state states south north east west western eastern northern southern
university college river street road avenue square hall national federal royal grand great new old upper
lower saint mount lake bay island islands valley county district province region station airport bridge
market beach harbour harbor port fort castle church village town heights hill hills point cape gate
""".split())
_CODE_RE = re.compile(r"(?<![\w.])(" + "|".join(sorted((re.escape(c) for c in lx.CODE_PLACES), key=len,
                                                      reverse=True)) + r")(?![\w])")


@dataclass
class _Cand:
    """A recognised span with its candidate entries (before resolution)."""

    start: int
    end: int
    key: str
    entries: tuple
    kind_hint: str = ""
    form: str = "name"  # name | adjective | code | contained


class Geoparser:
    """Find and resolve place mentions in text, with one gazetteer.

    Parameters
    ----------
    gz : gazetteer.Gazetteer
        An opened gazetteer. Its scanning index (:mod:`.index`) is read lazily
        from an on-disk cache beside the gazetteer, built once per gazetteer state.
    adjectives : bool
        Report nationality adjectives ("Russian") as mentions of their country,
        as the standard corpora annotate them.
    filter_model : FilterModel, "default" or None
        The trained span filter (:mod:`.filter_model`); None keeps every span the rules accept.
    country : str, optional
        Prefer places in this country (ISO code or name), e.g. "AF".

    Examples
    --------
    >>> gp = Geoparser(Gazetteer.open())                         # doctest: +SKIP
    >>> [(m.name, m.place.country_code) for m in gp.parse("Taliban fighters entered Kunduz.")]  # doctest: +SKIP
    [('Kunduz', 'AF')]
    >>> gp.parse("")                                             # doctest: +SKIP
    []
    """

    def __init__(self, gz, *, adjectives: bool = True, filter_model="default", country: str | None = None):
        self.gz = gz
        self.adjectives = adjectives
        self.country = gz.country_code(country) if country else None
        if filter_model == "default":
            from mapper.geoparse.filter_model import FilterModel

            filter_model = FilterModel.default()
        self.filter_model = filter_model
        self._index = None
        self._place_cache: dict = {}
        self._fallback_cache: dict = {}
        self._lookalikes: set = set()  # place ids offered only as a variant/fuzzy match of some name

    @property
    def index(self):
        """The gazetteer's name index for text scanning, built on first use and kept."""
        if self._index is None:
            self._index = index_for(self.gz)
        return self._index

    # ---------------------------------------------------------------- public
    def parse(self, text: str) -> list:
        """Recognise and resolve every place mention in ``text`` (list of :class:`Mention`, in order)."""
        if not text:
            return []
        return self.resolve_mentions(text, self.candidates(text))

    def resolve_spans(self, text: str, spans: Iterable) -> list:
        """Resolve given ``(start, end)`` spans of ``text`` in the context of the whole text."""
        cands = []
        for start, end in spans:
            name = text[start:end]
            cands.append(self._candidate_for_name(text, start, end, name))
        # Detected mentions elsewhere in the document are context only.
        return self.resolve_mentions(text, cands, context=self.candidates(text))

    def span_candidates(self, text: str, start: int, end: int) -> list:
        """The gazetteer places resolution chooses from for ``text[start:end]`` (best prior first).

        A diagnostic: if none of them is the right place, no context can fix the answer.
        """
        c = self._candidate_for_name(text, start, end, text[start:end])
        return [p for p in (self._place(e.place_id) for e in c.entries) if p is not None]

    # ----------------------------------------------------------- recognition
    def candidates(self, text: str) -> list:
        """Recognised spans with their candidate entries (unresolved), in text order.

        The rules propose spans; the trained filter (when present) drops unlikely ones.
        """
        if self.filter_model is None:
            return self._rule_candidates(text)
        feats = self.candidate_features(text)
        spans = [c for c, _x in feats]
        return [c for i, (c, x) in enumerate(feats)
                if c.form != "name" or self.filter_model.keep(x) or self._strong_cue(text, spans, i)]

    def _strong_cue(self, text: str, spans: list, i: int) -> bool:
        """True when the words around a span the filter doubts say plainly that it is a place:
        "near Bangor, Maine" (followed by a unit or country that holds one of its candidates),
        "from Oxford to Ottawa" (a route between two names), "located in Oxford", "the town of X"."""
        c = spans[i]
        if not c.entries:
            return False
        before = text[max(0, c.start - 40):c.start]
        if _STRONG_CUE_BEFORE.search(before):
            return True
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt is not None and nxt.entries:
            gap = text[c.end:nxt.start]
            if len(gap) <= 45 and _CONTAINER_AFTER.match(gap):
                units = [e for e in nxt.entries[:3] if e.kind in ("country", "admin1", "admin2")]
                for e in c.entries[:POOL_SIZE]:
                    p = self._place(e.place_id)
                    if p is not None and any(_inside(p, q) for q in (self._place(u.place_id) for u in units) if q):
                        return True
            if re.match(r"^\s+to\s+$", gap) and re.search(r"\bfrom\s+$", before):
                return True
        prev = spans[i - 1] if i else None
        if prev is not None and re.match(r"^\s+to\s+$", text[prev.end:c.start]) \
                and re.search(r"\bfrom\s+$", text[max(0, prev.start - 6):prev.start]):
            return True
        return False

    def candidate_features(self, text: str) -> list:
        """``[(candidate, feature vector)]`` for every span the rules propose (see :mod:`.filter_model`)."""
        from mapper.geoparse.filter_model import span_features

        words = _DocumentWords(text)
        cands = self._rule_candidates(text, words)
        counts: dict = defaultdict(int)
        for c in cands:
            counts[c.key] += 1
        votes: dict = defaultdict(float)
        seen = set()
        for c in cands:
            if c.key in seen or not c.entries:
                continue
            seen.add(c.key)
            total = sum(e.prior for e in c.entries[:POOL_SIZE]) or 1.0
            for e in c.entries[:POOL_SIZE]:
                if e.country_code:
                    votes[e.country_code] += e.prior / total
        top_vote = max(votes.values()) if votes else 1.0
        lower_cache: dict = {}
        out = []
        for c in cands:
            key = c.key
            if key not in lower_cache:
                if " " in key:
                    lower_cache[key] = False
                elif _ALL_WORD_CHARS.fullmatch(key):  # the same test as the regex below, without a scan per name
                    lower_cache[key] = key in words
                else:
                    lower_cache[key] = bool(re.search(r"(?<![\w])" + re.escape(key) + r"(?![\w])", text))
            top = c.entries[0] if c.entries else None
            share = votes.get(top.country_code, 0.0) / top_vote if top and top.country_code else 0.0
            x = span_features(text, c.start, c.end, entries=c.entries, form=c.form,
                              common=(" " not in key and key in COMMON_WORDS), doc_count=counts[key],
                              lowercase_in_doc=lower_cache[key], country_share=share)
            out.append((c, x))
        return out

    def _rule_candidates(self, text: str, words: _DocumentWords | None = None) -> list:
        index = self.index
        norm, offs = normalize_with_offsets(text)
        skip = _boilerplate_ranges(text)
        found = []
        for ns, ne, key in index.find(norm):
            s, e = offs[ns], offs[ne - 1] + 1
            while e < len(text) and text[e - 1] != text[e - 1].strip():  # never end on whitespace
                e -= 1
            if e < len(text) and text[e] == "." and _DOTTED.search(text[s:e + 1]):
                e += 1  # "U.S." keeps its last period
            found.append((s, e, key))
        # Longest match wins; among equals the earliest.
        found.sort(key=lambda t: (-(t[1] - t[0]), t[0]))
        found_spans = {(fs, fe) for fs, fe, _ in found}
        taken = []
        occupied = _Spans()
        for m in _COMPOUND_RE.finditer(text):
            s, e = m.span()
            if skip.covers(s) or (s, e) in found_spans:
                continue
            entries = self._fallback_entries(m.group(0), min_quality=COMPOUND_MIN_QUALITY)
            occupied.add(s, e)  # an unknown compound ("Gilgit-Baltistan") is not its first part either
            if entries:
                taken.append(_Cand(s, e, normalize(m.group(0)), entries))
        persons = _person_tokens(text)
        if words is None:
            words = _DocumentWords(text)
        accepted = []
        for s, e, key in found:
            if occupied.overlaps(s, e):
                continue
            c = self._accept(text, s, e, key, skip, persons, words)
            if c is None:
                continue
            occupied.add(s, e)
            accepted.append(c)
        # One sense per document: a one-word name seen as a person's surname anywhere in the
        # text ("Salah" after "Mohamed Salah", "Chen" after "Jing Chen") is that person everywhere.
        for c in accepted:
            if " " not in c.key and text[c.start:c.end] in persons and c.entries[0].prior < PERSON_OVERRIDE_PRIOR:
                continue
            taken.append(c)
        if self.adjectives:
            taken.extend(self._adjectives_and_codes(text, occupied, skip))
        taken.sort(key=lambda c: c.start)
        return taken

    def _accept(self, text, s, e, key, skip, persons: set, doc_words: _DocumentWords) -> _Cand | None:
        """The candidate for the indexed name ``text[s:e]``, or None when the wording says it is
        no place here. A name rejected as the second word of a personal name ("Amrullah Saleh")
        is added to ``persons`` (the document's surnames)."""
        if skip.covers(s):
            return None
        name = text[s:e]
        words = _WORD.findall(name)
        if not words or not name[0].isupper():
            return None
        low = key.lower()
        if low in lx.NEVER_PLACES or low.split()[0] in lx.NEVER_PLACES and len(words) == 1:
            return None
        after = text[e:e + 40]
        if after[:1] == "." and name + "." in lx.ADMIN1_ABBREVIATIONS:
            return None  # "Norman, Okla." is Oklahoma (the abbreviation rule), not a town called Okla
        if len(words) == 1 and low in lx.PERSON_TITLES and (_TITLE_USE_AFTER.match(after) or not (
                _CUE_BEFORE.search(text[max(0, s - 40):s]) or _KIND_AFTER.match(after))):
            # "Sen. Rich Olive", "King Abdullah", "King has two children": a title or a person, not
            # Sen (Senegal) or King, Texas, unless the wording makes it a place ("in King").
            return None
        other = _AMPERSAND_NAME.match(after) or _AMPERSAND_BEFORE.search(text[max(0, s - 30):s])
        if other and not _is_place_word(self, other.group(1)):
            return None  # "Stevens & Wilkinson", "Marks & Spencer": a firm or a pair of people, not "Trinidad & Tobago"
        target = lx.adjective_place(name)
        if target and normalize(target) != key:
            return None  # "Ukrainian" is the nationality (a mention of Ukraine), not Ukrainian Village
        # Every content word capitalised ("Bosnia and Herzegovina"), and not all-caps short tokens ("IT").
        for w in words:
            if not w[0].isupper() and w.lower() not in lx.INNER_FUNCTION_WORDS:
                return None
        if name.isupper() and len(name) > 1 and name not in lx.CODE_PLACES:
            # Shouted words ("TIGER") are not places, except a dateline ("KABUL: ...").
            if not (_DATELINE_AFTER.match(text[e:e + 30]) and _DATELINE_BEFORE.search(text[max(0, s - 4):s])):
                return None
        entries = self.index.entries.get(key, ())
        if not entries:
            return None
        if any(_INNER_CAPS.match(w) for w in words) and not self._spelled_as_a_place(name, entries):
            return None  # "IoT", "iPhone", "McGregor"-like tokens are brands and names, not "DeKalb"
        best_prior = entries[0].prior
        before = text[max(0, s - 40):s]
        # Part of a person's name: a title or a capitalised non-place word right before.
        prev = _prev_token(before)
        if prev and prev.lower().rstrip(".") in lx.PERSON_TITLES:
            return None
        if prev and prev[0].isupper() and not re.search(r"[.!?:;,\"“”(\n]\s*$", before) \
                and prev.lower() not in lx.INNER_FUNCTION_WORDS and prev.lower() not in lx.DETERMINERS \
                and not _is_place_word(self, prev):
            if best_prior < 0.9:  # "Amrullah Saleh"; a country after a name is still a country
                if len(words) == 1 and entries[0].kind == "populated_place" \
                        and _looks_like_given_name(prev, doc_words) and not _next_token(after)[:1].isupper():
                    persons.add(name)
                return None
        nxt = _next_token(after)
        if nxt and nxt[0].isupper() and not re.match(r"^\s*[,.;:!?)\"”]", after):
            head = nxt.lower().rstrip(".")
            if head in lx.ORG_HEADS:
                if best_prior < 0.7:  # "Khaama Press"; "Kabul Bank" keeps Kabul as a modifier
                    return None
            elif head not in lx.PLACE_HEADS and not _is_place_word(self, nxt) and best_prior < MODIFIER_MIN_PRIOR:
                return None  # "National Directorate", "Shams Bek": inside a longer proper name
        if re.match(r"^\s+(?:said|says|told|added|wrote|asked|noted|explained)\b", after) and best_prior < 0.7 \
                and len(words) == 1 and not _CUE_BEFORE.search(before):
            return None  # a person as subject of a speech verb (not "police in DeKalb said")
        if len(words) == 1 and low in GENERIC_WORDS:
            prev_cap = prev and prev[0].isupper() and not re.search(r"[.!?:;,\"“”(\n]\s*$", before)
            if prev_cap or (nxt and nxt[0].isupper() and not re.match(r"^\s*[,.;:!?)\"”]", after)):
                return None
            # On its own a generic word ("the University", "National", "the Bay") is not a place
            # unless a type word names it one ("Bay region").
            if not _KIND_AFTER.match(after):
                return None
        # "Reading the report, ...": a gerund opening a sentence before a determiner is a verb.
        if len(words) == 1 and low.endswith("ing") and (s == 0 or _SENTENCE_START.search(text[max(0, s - 4):s])) \
                and _DETERMINER_AFTER.match(after):
            return None
        # A common English word needs evidence: not at sentence start, a cue, or a big place.
        if len(words) == 1 and low in COMMON_WORDS:
            at_start = bool(_SENTENCE_START.search(text[max(0, s - 4):s])) or s == 0
            cue = bool(_CUE_BEFORE.search(before) or _KIND_AFTER.match(after) or _KIND_BEFORE.search(before))
            if at_start and not cue:
                return None
            if not cue and best_prior < COMMON_WORD_MIN_PRIOR:
                return None
        hint = ""
        m = _KIND_AFTER.match(after)
        if m:
            hint = _HINT_KIND.get(m.group(1).lower(), "")
        m = _KIND_BEFORE.search(before)
        if m:
            hint = _HINT_KIND.get(m.group(1).lower(), "") or hint
        window = text[e:e + 120]
        m = _KINDS_AFTER.match(window) if not hint and _PLURAL_TYPE.search(window) else None
        if m:
            hint = _PLURAL_KIND.get(m.group(1).lower(), "") or _HINT_KIND.get(m.group(1).lower(), "")
        window = text[max(0, s - 120):s]
        m = _KINDS_BEFORE.search(window) if _PLURAL_TYPE.search(window) else None
        if m:
            hint = _HINT_KIND.get(m.group(1).lower(), "") or _PLURAL_KIND.get(m.group(1).lower(), "") or hint
        stripped, type_hint = strip_type_words(key)
        return _Cand(s, e, key, entries, hint or (type_hint or ""))

    def _spelled_as_a_place(self, name: str, entries) -> bool:
        """True when one of the first candidates of ``name`` is written exactly so in the gazetteer
        (letter case included): "DeKalb", "LaGrange" are towns, "iPhone" and "LaVista Road" are not."""
        for e in entries[:3]:
            p = self._place(e.place_id)
            if p is not None and p.name == name:
                return True
        return False

    def _adjectives_and_codes(self, text, occupied, skip) -> list:
        out = []
        for rx, table, form in ((_ADJECTIVE_RE, lx.ADJECTIVE_PLACES, "adjective"), (_CODE_RE, lx.CODE_PLACES, "code")):
            for m in rx.finditer(text):
                s, e = m.start(1), m.end(1)
                if occupied.overlaps(s, e) or skip.covers(s):
                    continue
                if form == "adjective" and _language_use(text, s, e):
                    continue  # "speaks in English and Arabic", "English is the main language"
                target = table.get(m.group(1))
                key = normalize(target) if target else ""
                entries = self.index.entries.get(key, ())
                if not entries:
                    continue
                occupied.add(s, e)
                kind = "country" if entries[0].kind == "country" else ""
                out.append(_Cand(s, e, key, entries, kind, form))
        for m in _ABBREV_RE.finditer(text):
            s, e = m.start(1), m.end(1)
            # Only right after "Town," ("Richmond, Ky."): elsewhere "Ind." or "Mass." mean other things.
            # Initialisms ("D.C.", "S.C.") stand alone too, except after a number ("500 B.C.").
            if not re.search(r"[A-Z][\w.’'-]*,\s*$", text[max(0, s - 40):s]) and not (
                    _INITIALISM.match(m.group(1)) and not re.search(r"\d\s*$", text[max(0, s - 6):s])):
                continue
            if occupied.overlaps(s, e) or skip.covers(s):
                continue
            entries = self._admin1_entries(*lx.ADMIN1_ABBREVIATIONS[m.group(1)])
            if entries:
                occupied.add(s, e)
                out.append(_Cand(s, e, normalize(lx.ADMIN1_ABBREVIATIONS[m.group(1)][0]), entries, "admin1", "code"))
        return out

    def _admin1_entries(self, name: str, cc: str) -> tuple:
        return tuple(e for e in self.index.entries.get(normalize(name), ()) if e.kind == "admin1"
                     and e.country_code == cc)[:1]

    def _candidate_for_name(self, text, start, end, name) -> _Cand:
        key = normalize(name)
        entries, form = (), "name"
        bare = name.strip()
        if bare in lx.CODE_PLACES:
            key = normalize(lx.CODE_PLACES[bare])
            entries, form = self.index.entries.get(key, ()), "code"
        elif bare in lx.ADMIN1_ABBREVIATIONS:
            key = normalize(lx.ADMIN1_ABBREVIATIONS[bare][0])
            entries, form = self._admin1_entries(*lx.ADMIN1_ABBREVIATIONS[bare]), "code"
        elif target := lx.adjective_place(bare):
            key = normalize(target)
            entries, form = self.index.entries.get(key, ()), "adjective"
        if not entries:
            key, form = normalize(name), "name"
            entries = self.index.entries.get(key, ())
        hint = ""
        if not entries:
            stripped, type_hint = strip_type_words(key)
            entries = self.index.entries.get(stripped, ())
            hint = type_hint or ""
        if not entries:
            entries, best_quality = self._fallback(name)
            if " " in bare and best_quality < CONTAINED_OVER_FUZZY_QUALITY:
                inner = self._contained(name)
                if inner is not None:
                    key, entries = inner
                    form = "contained"
        return _Cand(start, end, key, entries, hint, form)

    def _contained(self, name: str):
        """``(key, entries)`` of the longest place name inside a longer span that the gazetteer
        does not know ("Cavan Institute" -> Cavan, "Colchester General Hospital" -> Colchester),
        with priors lowered by :data:`CONTAINED_PRIOR_FACTOR`; None if there is none.

        Only for spans someone else marked as places (``--resolve-only``): the building or
        street is then located at the place it is named after, which is usually where it is.
        Generic and common words ("Royal", "Third", "Center") do not count.
        """
        norm = normalize(name)
        best = None
        for s, e, key in self.index.find(norm):
            if e - s == len(norm) or key in GENERIC_WORDS or key in COMMON_WORDS:
                continue
            if best is None or e - s > best[1] - best[0]:
                best = (s, e, key)
        if best is None:
            return None
        key = best[2]
        entries = tuple(Entry(x.place_id, x.population, x.kind, x.country_code, x.prior * CONTAINED_PRIOR_FACTOR)
                        for x in self.index.entries.get(key, ()))
        return (key, entries) if entries else None

    def _fallback_entries(self, name: str, min_quality: float = 0.0) -> tuple:
        """Candidates from the gazetteer's own resolver (variants, fuzzy) for names not in the index."""
        return self._fallback(name, min_quality)[0]

    def _fallback(self, name: str, min_quality: float = 0.0) -> tuple:
        """``(entries, best match quality)`` of the resolver's answer for ``name`` (cached)."""
        hit = self._fallback_cache.get((name, min_quality))
        if hit is not None:
            return hit
        res = self.gz.resolve(name, limit=POOL_SIZE)
        out = []
        for c in res.candidates:
            if c.quality < max(min_quality, FALLBACK_MIN_QUALITY):
                continue
            p = c.place
            self._place_cache[p.id] = p
            if c.match != "exact":
                self._lookalikes.add(p.id)
            out.append(Entry(p.id, p.population or 0, p.kind, p.country_code or "",
                             prior(p.kind, p.population or 0) * (0.5 + 0.5 * c.quality)))
        hit = (tuple(sorted(out, key=lambda e: -e.prior)), res.candidates[0].quality if res.candidates else 0.0)
        if len(self._fallback_cache) > 50_000:
            self._fallback_cache.clear()
        self._fallback_cache[(name, min_quality)] = hit
        return hit

    # ------------------------------------------------------------ resolution
    def _place(self, pid: str):
        p = self._place_cache.get(pid)
        if p is None:
            from gazetteer import PlaceNotFound

            try:
                p = self.gz.get(pid)
            except PlaceNotFound:
                p = None
            if len(self._place_cache) > 300_000:
                self._place_cache.clear()
            self._place_cache[pid] = p
        return p

    def resolve_mentions(self, text: str, cands: list, context: list | None = None) -> list:
        """Choose a place for every candidate span using the document as context."""
        if not cands:
            return []
        spans = _Spans.of((o.start, o.end) for o in cands) if context else None
        everyone = list(cands) + [c for c in (context or []) if not spans.overlaps(c.start, c.end)]
        # Country weights: each mention votes for its candidates' countries by prior share.
        # Each distinct name votes once, so one name repeated ten times does not decide alone.
        votes: dict = {}
        admin1_names: set = set()
        for c in everyone:
            if not c.entries or c.key in votes:
                continue
            total = sum(e.prior for e in c.entries[:POOL_SIZE]) or 1.0
            v: dict = defaultdict(float)
            for e in c.entries[:POOL_SIZE]:
                if e.country_code:
                    v[e.country_code] += e.prior / total
            votes[c.key] = v
            top = c.entries[0]
            if top.kind in ("country", "admin1") and c.form != "contained":
                admin1_names.add(top.place_id)  # "Tennessee Colony" does not name Tennessee
        all_w: dict = defaultdict(float)
        for v in votes.values():
            for cc, w in v.items():
                all_w[cc] += w
        if self.country:
            all_w[self.country] += COUNTRY_HINT_VOTES
        # Explicit containers: "X, Y" / "X, in the province of Y".
        container_of: dict = {}
        ordered = sorted(everyone, key=lambda c: c.start)
        for a, b in zip(ordered, ordered[1:]):
            gap = text[a.end:b.start]
            if len(gap) <= 45 and _CONTAINER_AFTER.match(gap) and b.entries:
                container_of[id(a)] = b
        # Round 1: prior + country + admin + container + kind hint.
        weights_cache: dict = {}

        def weights(c):
            """Country weights from the *other* names of the document."""
            hit = weights_cache.get(c.key)
            if hit is None:
                own = votes.get(c.key, {})
                w = {cc: x - own.get(cc, 0.0) for cc, x in all_w.items()}
                top = max(w.values()) if w else 0.0
                hit = (w, top if top > 1e-9 else 1.0)
                weights_cache[c.key] = hit
            return hit

        # A name repeated in the document is scored once per round: _best depends only on the
        # candidate's key, entries, hint and form, its container and (round 2) the other points,
        # which are the same for every repeat of one key. Ids are safe: every candidate lives
        # through this call.
        best_memo: dict = {}

        def best_of(c, others, rnd):
            cont = container_of.get(id(c))
            k = (rnd, c.key, id(c.entries), c.kind_hint, c.form, None if cont is None else id(cont.entries))
            if k not in best_memo:
                best_memo[k] = self._best(c, *weights(c), admin1_names, cont, others)
            return best_memo[k]

        chosen: dict = {}
        for c in everyone:
            chosen[id(c)] = best_of(c, None, 1)
        # Round 2: add closeness to the other mentions' choices.
        points = {}  # place id -> (lat, lon, keys naming it): one point per distinct place
        for c in everyone:
            ch = chosen[id(c)]
            if ch is not None and ch[0].lat is not None and c.form != "contained":
                entry = points.setdefault(ch[0].id, (ch[0].lat, ch[0].lon, set()))
                entry[2].add(c.key)
        out = []
        for c in cands:
            others = list(itertools.islice(
                ((la, lo) for la, lo, keys in points.values() if keys != {c.key}), MAX_CONTEXT_POINTS))
            best = best_of(c, others, 2)
            name = text[c.start:c.end]
            if best is None:
                out.append(Mention(c.start, c.end, name, kind=c.kind_hint, place=None, score=0.0,
                                   form=c.form))
                continue
            place, sc = best
            out.append(Mention(c.start, c.end, name, kind=place.kind, place=place, score=sc, form=c.form))
        return out

    def _best(self, c: _Cand, country_w, top_w, admin1_ids, container: _Cand | None, others):
        if not c.entries:
            return None
        container_places = []
        if container is not None:
            container_places = [self._place(e.place_id) for e in container.entries[:3]]
            container_places = [p for p in container_places if p is not None and p.kind in ("country", "admin1",
                                                                                              "admin2")]
        # Pool: the most important candidates plus the best ones in the document's main countries.
        pool = list(c.entries[:POOL_SIZE])
        main = sorted(country_w, key=lambda k: -country_w[k])[:2]
        pool += [e for e in c.entries[POOL_SIZE:] if e.country_code in main][:4]
        best = None
        for e in pool:
            p = self._place(e.place_id)
            if p is None:
                continue
            s = W_PRIOR * e.prior
            primary = _primary_keys(p)
            if c.form == "name" and c.key not in primary and strip_type_words(c.key)[0] not in primary:
                s -= ALTERNATE_NAME_PENALTY
            elif p.kind in ("admin2", "admin3") and c.kind_hint not in ("admin2", "admin3") \
                    and c.key != normalize(p.name):
                s -= ALTERNATE_NAME_PENALTY  # a bare "Texas" is not Texas County
            elif p.kind == "country":
                s += COUNTRY_NAME_BONUS
            elif c.form == "name" and not c.kind_hint and c.key != normalize(p.name):
                s -= STRIPPED_NAME_PENALTY  # a bare "Oklahoma" is the state, not Oklahoma City
            if e.country_code:
                s += W_COUNTRY * country_w.get(e.country_code, 0.0) / top_w
            if p.admin1_id and p.admin1_id in admin1_ids:
                s += W_ADMIN1
            if container_places:
                if any(_inside(p, q) for q in container_places):
                    s += W_CONTAINER
            if c.kind_hint:
                if p.kind == c.kind_hint or (c.kind_hint == "admin2" and p.kind in ("admin2", "admin3")):
                    s += W_KIND_HINT
                elif c.kind_hint != "populated_place" and p.kind == "populated_place":
                    s -= W_KIND_HINT
            if others and p.lat is not None:
                d = min(_distance_km(p, la, lo) for la, lo in others)
                if d > FAR_LOOKALIKE_KM and e.place_id in self._lookalikes and normalize(p.name) != c.key:
                    continue  # a lookalike far from every other place of the document is no answer
                s += W_PROXIMITY * math.exp(-d / PROXIMITY_KM)
            if best is None or s > best[1]:
                best = (p, s)
        if best is None:
            return None
        p, s = best
        if c.form == "name" and not c.kind_hint and p.kind in ("admin1", "admin2"):
            # A bare name shared by a unit and a town inside it ("Kherson", "Kandahar") is the town.
            for e in pool:
                q = self._place(e.place_id)
                if q is not None and q.kind == "populated_place" and p.id in (q.admin1_id, q.admin2_id) \
                        and c.key in _primary_keys(q) and normalize(q.name) == c.key:
                    p = q
                    break
        elif c.kind_hint in ("admin1", "admin2") and p.kind == "populated_place":
            # "Hama Governorate", "Raqqa province": the town's own unit when it bears the town's name
            # in another spelling (Hamah, Ar Raqqah).
            unit = self._eponymous_unit(p, c.kind_hint)
            if unit is not None:
                p = unit
        return p, max(0.0, min(1.0, s / (W_PRIOR + W_COUNTRY + W_ADMIN1 + W_PROXIMITY) + 0.2))

    def _eponymous_unit(self, town, kind: str):
        """The unit of ``kind`` holding ``town`` whose name is the town's in another spelling, or None."""
        uid = town.admin1_id if kind == "admin1" else town.admin2_id
        unit = self._place(uid) if uid else None
        if unit is None or unit.kind != kind:
            return None
        return unit if _same_name(unit.name, town.name) else None


# ---------------------------------------------------------------- helpers
_PRIMARY_CACHE: dict = {}


#: Kinds whose extent (bbox) counts for closeness: a state is close to the towns inside it.
_AREA_KINDS = frozenset({"country", "admin1", "admin2", "admin3"})


def _distance_km(p, lat: float, lon: float) -> float:
    """Distance from place ``p`` to a point: 0 inside an admin unit's bounding box, else
    from ``p``'s point ("Texas" is as close to Houston as Texas City is)."""
    if p.kind in _AREA_KINDS and p.bbox:
        min_lon, min_lat, max_lon, max_lat = p.bbox
        if min_lat <= lat <= max_lat and min_lon <= lon <= max_lon:
            return 0.0
    return haversine_km(p.lat, p.lon, lat, lon)


def _primary_keys(p) -> frozenset:
    """Normalized forms of a place's own name ("Qala i Naw" -> {"qala i naw", "qala i naw"})."""
    hit = _PRIMARY_CACHE.get(p.id)
    if hit is None:
        key = normalize(p.name)
        hit = frozenset({key, strip_type_words(key)[0]})
        if len(_PRIMARY_CACHE) > 300_000:
            _PRIMARY_CACHE.clear()
        _PRIMARY_CACHE[p.id] = hit
    return hit


def _inside(p, q) -> bool:
    if q.kind == "country":
        return p.country_code == q.country_code and p.id != q.id
    if q.kind == "admin1":
        return p.admin1_id == q.id or (p.country_code == q.country_code and p.admin1 == q.name)
    if q.kind in ("admin2", "admin3"):
        return p.admin2_id == q.id
    return False


#: A one-word place also used as a person's name in the same document is kept only if this important.
PERSON_OVERRIDE_PRIOR = 0.9
#: A title word used as one ("Sen. Rich Olive", "King Abdullah"): a full stop or a capitalised word after it.
_TITLE_USE_AFTER = re.compile(r"^(?:\.\s*)?\s+[A-Z]|^\.\s+[A-Z]")
#: "Stevens & Wilkinson": the capitalised word on the other side of an ampersand.
_AMPERSAND_NAME = re.compile(r"^\s*&\s*([A-Z][\w’'-]*)")
_AMPERSAND_BEFORE = re.compile(r"\b([A-Z][\w’'-]*)\s*&\s*$")
#: "Tyrise M. Bell", "Boyd J. Jones": a given name and a middle initial before a surname.
_MIDDLE_INITIAL_RE = re.compile(r"(?<=[a-z])\s+[A-Z]\.\s+([A-Z][a-z]+)\b")  # given name checked in code
_GIVEN_BEFORE = re.compile(r"\b[A-Z][a-z]+$")
#: "said Kinney.", "said Cole, who...": a one-word name right after a speech verb, closing the clause.
_SAID_NAME_RE = re.compile(r"\b(?:said|says|told|added|wrote|asked|noted|explained)\s+([A-Z][a-z]+)(?=\s*[,.])")
_PERSON_RE = re.compile(
    r"\b(?:(?:" + "|".join(sorted((t.capitalize() for t in lx.PERSON_TITLES if t.isalpha()), key=len, reverse=True))
    + r")\.?\s+)?([A-Z][a-z]+(?:\s+[A-Z]\.)?)\s+([A-Z][a-z]+)(?:\s+([A-Z][a-z]+))?\b(?=\s+(?:said|says|told|added|"
    r"wrote|who|was|is|has|had|,|\())"
)


#: A nationality word used as the name of a language: after "in", "speaks", "learning", "fluent"...
_LANGUAGE_BEFORE = re.compile(r"\b(?:in|into|speaks?|spoke|spoken|speaking|learn\w*|teach\w*|taught|"
                              r"stud(?:y|ying|ied)|fluent|native|plus|translated\s+from|of)\s+$", re.I)
#: ... when no noun follows it ("in English.", "in English and Spanish", "of English in the EU").
_NO_NOUN_AFTER = re.compile(r"^(?:\s*[.,;:)”\"]|\s+(?:and|or|is|was|will|to|as|in|at|on|with|after|before|but|"
                            r"which|that|from)\b)")
#: A nationality word as the subject of a verb is a language ("English is the main language").
_LANGUAGE_SUBJECT = re.compile(r"^\s+(?:is|was|will|remains|provides|has)\b")


def _language_use(text: str, s: int, e: int) -> bool:
    """True when the nationality word ``text[s:e]`` names a language, not its country."""
    after = text[e:e + 14]
    return bool(_LANGUAGE_SUBJECT.match(after)
                or (_LANGUAGE_BEFORE.search(text[max(0, s - 25):s]) and _NO_NOUN_AFTER.match(after)))


def _person_tokens(text: str) -> set:
    """Surnames of people named in full ("Mohamed Salah said", "Abdul Aziz Bek, ..."), for the whole document."""
    out = set()
    if len(text) > 500_000:
        return out
    for m in _PERSON_RE.finditer(text):
        out.update(g for g in m.groups()[1:] if g)
    for m in _MIDDLE_INITIAL_RE.finditer(text):
        given = _GIVEN_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if given:
            out.add(m.group(1))
    out.update(m.group(1) for m in _SAID_NAME_RE.finditer(text))
    for m in re.finditer(r"\b(?:Mr|Mrs|Ms|Dr|President|Governor|Minister|General|Gen|Senator|Sen|Mayor|"
                         r"spokesman|spokeswoman|Judge)\.?\s+([A-Z][a-z]+)(?:\s+([A-Z][a-z]+))?", text):
        out.update(g for g in m.groups() if g)
    return out


class _DocumentWords:
    """The set of a document's words (maximal ``\\w`` runs), split once, on the first question, and
    shared by the questions about one document (is this name also written in lower case? is this
    given name?): most documents never ask, and a regex over the text per name is quadratic."""

    __slots__ = ("_text", "_words")

    def __init__(self, text: str):
        self._text, self._words = text, None

    def __contains__(self, word: str) -> bool:
        if self._words is None:
            self._words = set(_WORD_RUN.findall(self._text))
        return word in self._words


def _looks_like_given_name(token: str, words: _DocumentWords) -> bool:
    """A capitalised word that can open a personal name ("Jing", "Dave"): not a common word
    ("Today Georgia"), a title, a type or organisation word ("Team Alberta"), a gerund
    ("Connecting California"), nor a word the text also writes in lower case."""
    low = token.lower()
    if not (token.isalpha() and token[0].isupper() and token[1:].islower() and len(token) > 2):
        return False
    if low in COMMON_WORDS or low in lx.PERSON_TITLES or low in lx.INNER_FUNCTION_WORDS \
            or low in lx.ORG_HEADS or low in lx.PLACE_HEADS or low.endswith("ing"):
        return False
    return low not in words


def _prev_token(before: str) -> str:
    m = re.search(r"([\w’'.-]+)\s*$", before)
    return m.group(1) if m else ""


def _next_token(after: str) -> str:
    m = re.match(r"^\s+([\w’'.-]+)", after)
    return m.group(1) if m else ""


def _is_place_word(gp: Geoparser, token: str) -> bool:
    key = normalize(token)
    return key in gp.index.entries and gp.index.entries[key][0].prior >= 0.6


def _boilerplate_ranges(text: str) -> _Spans:
    if len(text) > 200_000:
        return _Spans()
    return _Spans.of((ln.start, ln.end) for ln in text_lines(text) if ln.kind == "boilerplate")


_WORD_RUN = re.compile(r"\w+")
_ALL_WORD_CHARS = re.compile(r"\w+")


class _Spans:
    """Pairwise disjoint half-open spans ``[start, end)`` kept sorted, for overlap tests in
    O(log n) (a list scanned per mention made long documents quadratic)."""

    __slots__ = ("_starts", "_ends")

    def __init__(self):
        self._starts: list = []
        self._ends: list = []

    @classmethod
    def of(cls, spans) -> _Spans:
        """Spans from any iterable of (start, end); overlapping ones are merged (tests are unchanged)."""
        out = cls()
        for s, e in sorted(spans):
            if out._starts and s < out._ends[-1]:
                out._ends[-1] = max(out._ends[-1], e)
            elif e > s:
                out._starts.append(s)
                out._ends.append(e)
        return out

    def overlaps(self, s: int, e: int) -> bool:
        """True when ``[s, e)`` shares a character with a span."""
        i = bisect.bisect_left(self._starts, e)  # spans starting before e
        return i > 0 and self._ends[i - 1] > s

    def covers(self, pos: int) -> bool:
        """True when ``pos`` lies inside a span."""
        i = bisect.bisect_right(self._starts, pos)
        return i > 0 and pos < self._ends[i - 1]

    def add(self, s: int, e: int) -> None:
        """Add a span that overlaps none of the present ones (callers test :meth:`overlaps` first).

        An empty span (``e <= s``) covers nothing and is not kept, as in :meth:`of`."""
        if e <= s:
            return
        i = bisect.bisect_left(self._starts, s)
        self._starts.insert(i, s)
        self._ends.insert(i, e)
