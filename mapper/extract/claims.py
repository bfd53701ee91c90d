"""Draft claims from article text: who says which actor holds which place, when.

For every sentence the extractor finds *triggers* (control language such as
"captured", "fell", "under the control of", "driven from", "fighting for
control of"), then for each trigger, inside its clause:

* the **place**: place mentions (from the geoparser) or references such as
  "the city", "the province", "all the districts" resolved to the last
  place of that kind mentioned before; the side of the trigger depends on
  its role ("X fell" looks left, "captured X" looks right, passives flip);
  coordinated places ("Badakhshan, Takhar, and Kunduz") each get a claim;
* the **actor**: the nearest actor phrase on the agent side ("the Taliban
  captured", "fell to the Taliban", "under the control of ANDSF", "pushed
  back ... by security troops"); generic words (insurgents, militants, the
  group, the enemy) become the document's main named armed group, and
  government wording (security forces, commandos, Afghan troops) becomes
  "Government" unless a foreign nationality is named ("Russian forces");
* the **claimant**: the speaker whose speech verb governs the clause ("X
  said/told/claimed/wrote on Facebook that ...", "..., X said", "according
  to X", quotations closed by ", X said"); without one, the source itself;
* the **status**: the trigger's status, turned into ``not_controlled`` by a
  negation ("has not fallen") or a denial ("officials denied Taliban claims
  that ..."; the denied party's own claim is kept too, with lower confidence);
* the **scope** ("all districts", "6 of 7 districts", "majority of
  districts", "several parts of the city"); a count of provinces inside a
  province is read as districts, with a note;
* the **time**: a time phrase in the clause, else the time the speaker spoke
  ("officials on Wednesday denied"), else the last event time of the same
  paragraph or the article's first event time, else the publication date;
  resolved by :func:`mapper.timespan.parse_time` against the publication
  date, with its precision kept.

Triggers in an intention ("sent troops to retake", "effort to capture",
"will defend") make no claim.

Each claim carries its sentence (``quote``, ``sentence_start``,
``sentence_end`` in ``extra``) and a heuristic ``confidence`` in [0, 1].
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Optional

from mapper.errors import TimeParseError
from mapper.extract import lexicon as lx
from mapper.extract.places import find_places
from mapper.geoparse.text import article_sentences, text_blocks
from mapper.model import ATTACKED, CONTROLLED, NOT_CONTROLLED, Claim, TimeSpan

log = logging.getLogger(__name__)

#: Confidence of a claim before adjustments, and the adjustments.
BASE_CONFIDENCE = 0.55
EXPLICIT_PLACE_BONUS = 0.15
REFERENCE_PLACE_PENALTY = 0.05
EXPLICIT_ACTOR_BONUS = 0.1
INFERRED_ACTOR_PENALTY = 0.1
EXPLICIT_TIME_BONUS = 0.05
INFERRED_TIME_PENALTY = 0.05
HEADLINE_PENALTY = 0.2
DENIED_CLAIM_PENALTY = 0.15
#: Characters around a trigger searched for its clause (a sentence rarely needs more).
MAX_CLAUSE_CHARS = 220
#: Longest gap between a trigger and the place it acts on ("took control of six out of seven X").
MAX_OBJECT_GAP = 90


# ------------------------------------------------------------------ pieces
@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Actor(_Span):
    kind: str  # named | gov | militia | insurgent
    label: str  # canonical name


@dataclass(frozen=True)
class _PlaceRef:
    """A place in a sentence: an explicit mention, or a reference resolved to one."""

    start: int
    end: int
    text: str
    mention: object  # geoparse Mention (the antecedent for references)
    explicit: bool = True
    scope_unit: str = ""  # set for "all the districts"-style references


@dataclass(frozen=True)
class _Trigger(_Span):
    role: str
    status: str


@dataclass(frozen=True)
class _Attribution:
    verb_start: int
    verb_end: int
    claimant: str
    region_start: int  # where the claimant phrase starts (for report times)
    channel: str = ""
    via: str = ""
    denial: bool = False
    denied_owner: str = ""
    final: bool = False  # ", X said." at the end: covers what comes before


@dataclass
class _DocContext:
    text: str
    mentions: list
    published: object
    tz: object
    source: str
    url: str
    main_group: str
    main_country: str
    actors: object
    name: str
    first_event_time: Optional[TimeSpan] = None
    block_event_time: dict = field(default_factory=dict)


# ------------------------------------------------------------------ helpers
_REF_RE = re.compile(
    r"\b(?P<det>the|this|that|an|a|its|their)?\s*(?P<adj>(?:entire|whole|provincial|local|same)\s+)?"
    r"(?P<noun>provincial\s+capital|provincial\s+cent(?:er|re)|capital|city|town|province|district|country|"
    r"urban\s+cent(?:er|re))\b(?!\s+(?:cent(?:er|re)|council|hall|gates?|limits|police|governor|officials?))",
    re.I,
)
_REF_KIND = {
    "provincial capital": "populated_place", "provincial center": "populated_place",
    "provincial centre": "populated_place", "capital": "populated_place", "city": "populated_place",
    "town": "populated_place", "urban center": "populated_place", "urban centre": "populated_place",
    "province": "admin1", "district": "admin2", "country": "country",
}
_FACILITY_RE = re.compile(
    r"\b(?:the\s+)?(?:provincial|local|central|police|district|security|governor['’]s)\s+"
    r"(?:headquarters|prison|jail|compound|office|police\s+headquarters|council)\b",
    re.I,
)
_DATELINE = re.compile(r"[A-Z][A-Z\s,.'-]{2,40}(?:\(\w+\))?\s*[:—–-]\s")
_COORD_GAP = re.compile(r"^\s*(?:,|and|or|,\s*and|,\s*or|as\s+well\s+as|&)\s*(?:the\s+)?(?:nearby\s+)?$", re.I)
_CLAUSE_BREAK = re.compile(
    r";|\s[—–]\s|\bbut\b|\bwhile\b|\bwhereas\b|\balthough\b|\bthough\b|,\s+(?:before|after|following|since|as)\b|"
    r"\band\s+then\b|\bbefore\s+(?:the|they|it)\b|\bwho\b|\bwhich\b|\bwhere\b|\band\s+(?=(?:the|local|some)\s)",
    re.I,
)
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|is|are|been|being|be|get|got|gets)\s+(?:\w+ly\s+)?$", re.I)
_QUOTES = {"“": "”", '"': '"', "«": "»"}
_SPACE = re.compile(r"\s+")
_LEADING_JUNK = re.compile(
    r"^(?:(?:and|but|however|meanwhile|also|then|later|earlier|now|in\s+a\s+\w+\s+\w+|separately)[,\s]+)+", re.I
)
_TRAILING_JUNK = re.compile(
    r"(?:[\s,]+(?:also|later|earlier|evidently|quickly|reportedly|again|had|has|have|was|were|is|are|then|"
    r"on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+\w+)?|"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?|"
    r"yesterday|today|last\s+night|this\s+morning))+$",
    re.I,
)
_DETERMINER = re.compile(r"^(?:the|a|an|another|one|some)\s+", re.I)


def _clean(s: str) -> str:
    return _SPACE.sub(" ", s).strip(" ,.;:“”\"'‘’")


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _number(word: str) -> Optional[int]:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return lx.NUMBER_WORDS.get(word)


# ------------------------------------------------------------------ actors
def _find_actors(text: str, s_start: int, s_end: int, ctx: _DocContext) -> list:
    out = []
    for m in lx.ACTOR_RE.finditer(text, s_start, s_end):
        kind = m.lastgroup if m.lastgroup in ("named", "gov", "militia", "insurgent") else None
        if m.group("named"):
            kind = "named"
            if not lx.NAMED_CASE_SENSITIVE.match(text, m.start()):
                continue
        elif m.group("gov"):
            kind = "gov"
        elif m.group("militia"):
            kind = "militia"
        else:
            kind = "insurgent"
        raw = m.group(0)
        out.append(_Actor(m.start(), m.end(), raw, kind, _actor_label(raw, kind, m, ctx)))
    return out


def _actor_label(raw: str, kind: str, m, ctx: _DocContext) -> str:
    if kind == "named":
        actor = ctx.actors.match(raw) if ctx.actors is not None else None
        if actor is not None:
            return actor.name
        return re.sub(r"\s+(?:forces|fighters|militants|troops|militia|insurgents|rebels)$", "", _clean(raw))
    if kind == "gov":
        demonym = (m.group("demonym") or "").lower()
        if demonym and lx.DEMONYMS.get(demonym) and ctx.main_country and lx.DEMONYMS[demonym] != ctx.main_country:
            noun = raw[len(m.group("demonym")):].strip().split()[-1].lower()
            noun = noun if noun in ("forces", "troops", "army", "military", "soldiers", "police") else "forces"
            return f"{m.group('demonym').strip().title()} {noun}"
        return "Government"
    if kind == "militia":
        return "Militias"
    return ctx.main_group or "Insurgents"


def _main_group(text: str, ctx_actors) -> str:
    """The named armed group mentioned most often (ties: first mentioned)."""
    counts = Counter()
    first = {}
    for m in lx.NAMED_CASE_SENSITIVE.finditer(text):
        raw = m.group(0)
        actor = ctx_actors.match(raw) if ctx_actors is not None else None
        label = actor.name if actor is not None else raw
        if label == "Government" or raw in ("ANDSF", "ANSF", "ANA", "ANP", "NDS", "SAF", "FAMa"):
            continue
        counts[label] += 1
        first.setdefault(label, m.start())
    if not counts:
        return ""
    return max(counts, key=lambda k: (counts[k], -first[k]))


# ------------------------------------------------------------ attribution
def _quote_spans(text: str, start: int, end: int) -> list:
    """(open, close) offsets of quotations in text[start:end] (a paragraph)."""
    spans = []
    i = start
    while i < end:
        ch = text[i]
        if ch in ("“", "«"):
            close = text.find(_QUOTES[ch], i + 1, end)
            if close == -1:
                break
            spans.append((i, close + 1))
            i = close + 1
            continue
        if ch == '"':
            close = text.find('"', i + 1, end)
            if close == -1:
                break
            spans.append((i, close + 1))
            i = close + 1
            continue
        i += 1
    return spans


def _subject_before(text: str, lo: int, verb_start: int, final: bool = False) -> tuple:
    """The noun phrase before a speech verb, as (claimant, start, channel).

    With ``final`` (", a spokesman said." ends the sentence) the phrase starts after
    the last comma; otherwise an appositive is kept ("The chief, Abdul Aziz Bek, said").
    """
    seg = text[lo:verb_start]
    # Start after the last clause break in the segment (closing quote, semicolon, "that").
    cut = 0
    for m in re.finditer(r"[”\"»]\s*,?|;|:|\bthat\b|,\s+(?=(?:while|but|and)\b)", seg):
        cut = m.end()
    commas = [m.end() for m in re.finditer(r",", seg) if m.end() > cut and seg[m.end():].strip()]
    if commas:
        after_last = seg[commas[-1]:].rstrip(" ,")
        whole_words = len(seg[cut:].split())
        if final or whole_words > 14 or not _valid_claimant(_DETERMINER.sub("", _clean(seg[cut:]))):
            cut = commas[-1]
        elif len(after_last.split()) <= 4 and not re.match(r"^\s*(?:[A-Z][\w’'-]+\s*){1,4}$", after_last):
            cut = commas[-1]
    phrase = seg[cut:]
    start = lo + cut + (len(phrase) - len(phrase.lstrip()))
    phrase = _TRAILING_JUNK.sub("", phrase.strip())
    phrase = _LEADING_JUNK.sub("", phrase)
    phrase = _clean(phrase)
    if not phrase:
        return "", start, ""
    m = lx.CARRIER.match(phrase)
    channel = ""
    if m:
        phrase = _clean(m.group("who"))
        phrase = _TRAILING_JUNK.sub("", phrase)
        channel = _clean(m.group("channel") or "")
        if channel.lower() in ("another", "a", "an", "the", "one", "new", "recent", "latest"):
            channel = ""
    phrase = _DETERMINER.sub("", phrase)
    words = phrase.split()
    if len(words) > 14:
        phrase = " ".join(words[-8:])
    # "A representative to the parliament from X, Name Surname" -> "Name Surname (representative ...)"
    m = re.match(r"^(?P<role>[^,]{3,80}),\s*(?P<name>(?:[A-Z][\w’'-]+\s?){2,4})$", phrase)
    if m and not re.search(r"\b(?:and|or)\b", m.group("name")):
        phrase = f"{m.group('name').strip()} ({m.group('role').strip()})"
    return phrase, start, channel


def _subject_after(text: str, verb_end: int, hi: int) -> str:
    """Inverted attribution: '..., said the provincial governor.'"""
    seg = text[verb_end:hi]
    m = re.match(r"\s*(?P<who>[^,.;:“”\"]{2,80})", seg)
    if not m:
        return ""
    who = re.split(r"\b(?:in|on|at|via|told|to|who|adding|saying)\b", m.group("who"))[0]
    who = _DETERMINER.sub("", _clean(who))
    return who


def _channel_after(text: str, pos: int, hi: int) -> tuple:
    """(channel, via) named right after a speech verb: "on Facebook", "told Khaama Press"."""
    seg = text[pos:min(hi, pos + 80)]
    channel = ""
    m = lx.CHANNEL.match(seg.lstrip()) or lx.CHANNEL.search(seg[:40])
    if m:
        channel = _clean(m.group("channel"))
    return channel, ""


def _find_attributions(text: str, s_start: int, s_end: int) -> list:
    out = []
    sentence = text[s_start:s_end]
    for m in lx.SPEECH_VERB_RE.finditer(text, s_start, s_end):
        vs, ve = m.start(), m.end()
        verb = m.group(0).lower()
        before = text[s_start:vs]
        # A speech verb right after a closing quote or at the end: ", X said." (subject may be before or after).
        tail = text[ve:s_end]
        final = bool(re.match(r"^\s*(?:[^,.;“”\"]{0,80})?[.!?]?\s*$", tail)) and not re.search(r"\bthat\b", tail)
        claimant, cstart, carrier = _subject_before(text, s_start, vs, final)
        after_quote = bool(re.search(r"(?:[”\"»]\s*,?|,\s*[”\"»])\s*$", before))
        short_tail = bool(re.match(r"^\s*[^,.;:“”\"]{2,60}?\s*(?:[.!?]|$)", tail))
        if after_quote or (re.search(r",\s*$", before) and short_tail):
            inv = _subject_after(text, ve, s_end)
            if _valid_claimant(inv) and (after_quote or short_tail):
                claimant, cstart = inv, ve
        # Participles ("..., reporting that", "saying") take the sentence subject.
        if verb.endswith("ing") and re.search(r",\s*$", before):
            subj, sstart, carrier = _subject_before(text, s_start, s_start + _first_verb_offset(sentence))
            if _valid_claimant(subj):
                claimant, cstart = subj, sstart
        if not _valid_claimant(claimant):
            continue
        channel, _ = _channel_after(text, ve, s_end)
        channel = channel or carrier
        via = ""
        if verb in ("told", "tells", "telling"):
            vm = re.match(r"\s+(?P<who>(?:[A-Z][\w’'-]*\s?){1,4})", text[ve:s_end])
            if vm and vm.group("who").strip().lower() not in ("reporters", "journalists"):
                via = _clean(vm.group("who"))
        if not channel:
            bm = lx.CHANNEL.search(text[cstart:vs]) if cstart < vs else None
            if bm:
                channel = _clean(bm.group("channel"))
        denial = bool(lx.DENIAL.match(text, vs))
        owner = ""
        if denial:
            dm = lx.DENIAL.match(text, vs)
            if dm and dm.group("owner"):
                owner = dm.group("owner")
        out.append(_Attribution(vs, ve, claimant, min(cstart, vs), channel, via, denial, owner, final))
    for m in lx.ACCORDING_TO.finditer(text, s_start, s_end):
        rest = text[m.end():s_end]
        who = re.split(r"[,.;:]|\s+(?:on|in)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)", rest)[0]
        who = _DETERMINER.sub("", _clean(who))
        if who:
            final = not re.search(r"[A-Za-z]", rest[len(who) + 1:].strip(" .")) or m.start() > (s_start + s_end) / 2
            out.append(_Attribution(m.start(), m.end(), who, m.start(), "", "", False, "", final))
    return out


_FUNCTION_WORDS = frozenset(
    "and or but the a an of to in on at by for from with that which who this these those it he she they we i "
    "you there here also then as is are was were be been has have had".split()
)


def _valid_claimant(phrase: str) -> bool:
    """A claimant is a noun phrase: not empty, not a pronoun or function word, not a clause."""
    if not phrase:
        return False
    words = phrase.lower().split()
    if words[0] in _FUNCTION_WORDS or words[-1] in _FUNCTION_WORDS:
        return False
    if len(words) > 16 or re.search(r"\b(?:was|were|is|are|has|have|had)\b", phrase.lower()):
        return False
    # A finished speech verb inside means the phrase is a clause ("officials denied Taliban [claims]").
    if any(m.group(0).lower().endswith(("ed", "told", "said", "wrote")) for m in lx.SPEECH_VERB_RE.finditer(phrase)):
        return False
    return any(ch.isalpha() for ch in phrase)


def _first_verb_offset(sentence: str) -> int:
    m = re.search(r"\b(?:was|were|is|are|has|have|had|\w+ed)\b", sentence)
    return m.start() if m else 0


# -------------------------------------------------------------- triggers
def _find_triggers(text: str, s_start: int, s_end: int) -> list:
    found = []
    for role, status, rx in lx.TRIGGER_RES:
        for m in rx.finditer(text, s_start, s_end):
            found.append(_Trigger(m.start(), m.end(), m.group(0), role, status))
    # Longest match wins among overlapping ones; then by position.
    found.sort(key=lambda t: (-(t.end - t.start), t.start))
    kept = []
    for t in found:
        if any(_overlaps(t.start, t.end, k.start, k.end) for k in kept):
            continue
        kept.append(t)
    kept.sort(key=lambda t: t.start)
    return kept


def _is_intention(text: str, s_start: int, trig: _Trigger) -> bool:
    before = text[max(s_start, trig.start - 60):trig.start]
    before = re.sub(r"[“”\"‘’']", " ", before)
    return bool(lx.INTENT_BEFORE.search(before))


def _is_negated(text: str, s_start: int, trig: _Trigger) -> bool:
    before = text[max(s_start, trig.start - 40):trig.start]
    if lx.NEGATION_BEFORE.search(before):
        return True
    if trig.role == lx.HOLD and lx.NEGATIVE_SUBJECT.search(text[max(s_start, trig.start - 20):trig.start]):
        return True
    return False


# ------------------------------------------------------------------ places
def _sentence_places(text: str, s_start: int, s_end: int, ctx: _DocContext) -> list:
    """Explicit mentions plus references ("the city", "all the districts") resolved to earlier mentions."""
    refs = []
    dateline = _DATELINE.match(text, s_start, s_end)
    lo = dateline.end() if dateline else s_start
    explicit = [m for m in ctx.mentions if m.start >= lo and m.end <= s_end]
    for m in explicit:
        refs.append(_PlaceRef(m.start, m.end, m.name, m, True))
    for m in _REF_RE.finditer(text, s_start, s_end):
        noun = _SPACE.sub(" ", m.group("noun").lower())
        kind = _REF_KIND.get(noun)
        if not kind:
            continue
        after = text[m.end():m.end() + 40]
        # "the city of X", "the provincial capital, X" name the place explicitly.
        if re.match(r"^\s+of\s+[A-Z]|^,\s+[A-Z][\w-]+(?:\s[A-Z][\w-]+)?\s*[,.]", after):
            continue
        # "Badghis province", "Kabul city": part of an explicit mention.
        if any(0 <= m.start() - e.end <= 2 for e in explicit):
            continue
        if any(_overlaps(m.start(), m.end(), e.start, e.end) for e in explicit):
            continue
        if re.match(r"^\s*(?:[A-Z][a-z])", after) and noun in ("province", "district"):
            continue  # "province Badghis": rare word order, leave to the geoparser
        det = (m.group("det") or "").lower()
        adj = (m.group("adj") or "").strip().lower()
        if not det and noun not in ("province", "provincial capital"):
            continue  # "city" without a determiner is rarely a reference
        if det in ("a", "an") and adj not in ("entire", "whole"):
            continue  # "a provincial capital": not a reference to a known place
        antecedent = _antecedent(ctx, kind, m.start(), noun)
        if antecedent is None:
            continue
        refs.append(_PlaceRef(m.start(), m.end(), m.group(0).strip(), antecedent, False))
    # Facilities ("the provincial prison") refer to the last city.
    for m in _FACILITY_RE.finditer(text, s_start, s_end):
        if any(_overlaps(m.start(), m.end(), r.start, r.end) for r in refs):
            continue
        antecedent = _antecedent(ctx, "populated_place", m.start(), "city")
        if antecedent is not None:
            refs.append(_PlaceRef(m.start(), m.end(), m.group(0).strip(), antecedent, False, scope_unit="facility"))
    # "all the districts", "six out of seven provinces" with no place: the last province.
    for name, rx in lx.SCOPE_RES:
        if name not in ("all", "count", "majority", "fraction"):
            continue
        for m in rx.finditer(text, s_start, s_end):
            unit = (m.groupdict().get("unit") or m.groupdict().get("unit2") or "").lower()
            if not unit or not re.search(r"districts?|provinces?", unit):
                continue
            tail = text[m.end():m.end() + 40]
            if re.match(r"^\s+(?:of|in|across)\s+(?:the\s+)?(?:nearby\s+)?[A-Z]", tail):
                continue  # "all the districts of Badghis": explicit place follows
            if any(_overlaps(m.start(), m.end(), r.start, r.end) for r in refs if r.explicit):
                continue
            if any(0 <= m.start() - r.end <= 12 for r in refs if r.explicit):
                continue  # "Badghis' six out of seven districts"
            container = "admin1" if unit.startswith("district") else "country"
            antecedent = _antecedent(ctx, container, m.start(), "")
            if antecedent is None:
                continue
            refs.append(_PlaceRef(m.start(), m.end(), m.group(0), antecedent, False, scope_unit=unit))
    refs.sort(key=lambda r: r.start)
    return refs


def _antecedent(ctx: _DocContext, kind: str, pos: int, noun: str):
    """The last mention of ``kind`` before ``pos`` (any kind when unknown)."""
    best = None
    for m in ctx.mentions:
        if m.end > pos:
            break
        mk = m.kind or ""
        if mk == kind or (kind == "populated_place" and mk in ("populated_place",)) or (
            kind == "admin2" and mk in ("admin2", "admin3")
        ):
            best = m
    if best is None and kind == "populated_place" and noun in ("provincial capital", "provincial center",
                                                                "provincial centre"):
        return None
    return best


def _group_from(refs: list, first_idx: int, text: str, forward: bool) -> list:
    """The place at ``first_idx`` plus places coordinated with it ("A, B, and C")."""
    group = [refs[first_idx]]
    i = first_idx
    step = 1 if forward else -1
    while 0 <= i + step < len(refs):
        a, b = (refs[i], refs[i + step]) if forward else (refs[i + step], refs[i])
        gap = text[a.end:b.start]
        if not _COORD_GAP.match(gap):
            break
        if (a.scope_unit or b.scope_unit) and not re.search(r"\b(?:and|or)\b", gap):
            break
        group.append(refs[i + step])
        i += step
    return group if forward else list(reversed(group))


# --------------------------------------------------------------- windows
def _boundaries(text: str, s_start: int, s_end: int, triggers: list, attributions: list) -> list:
    cuts = [s_start, s_end]
    for m in _CLAUSE_BREAK.finditer(text, s_start, s_end):
        cuts.append(m.start())
    for t in triggers:
        cuts.extend((t.start, t.end))
    for a in attributions:
        cuts.extend((a.verb_start, a.verb_end))
    return sorted(set(cuts))


def _window(cuts: list, trig: _Trigger, s_start: int, s_end: int) -> tuple:
    left = max([c for c in cuts if c <= trig.start] + [s_start])
    right = min([c for c in cuts if c >= trig.end] + [s_end])
    return max(left, trig.start - MAX_CLAUSE_CHARS), min(right, trig.end + MAX_CLAUSE_CHARS)


def _right_window(cuts, trig, s_end):
    """The clause after the trigger: until the next clause break or trigger (speech verbs included)."""
    later = [c for c in cuts if c > trig.end]
    return trig.end, min(later + [s_end, trig.end + MAX_CLAUSE_CHARS])


def _left_window(cuts, trig, s_start):
    earlier = [c for c in cuts if c < trig.start]
    return max(earlier + [s_start, trig.start - MAX_CLAUSE_CHARS]), trig.start


# ------------------------------------------------------------------ scope
def _scope(text: str, lo: int, hi: int, place_kind: str) -> tuple:
    """(scope, note) from the words in text[lo:hi]."""
    seg_start = lo
    for name, rx in lx.SCOPE_RES:
        m = rx.search(text, seg_start, hi)
        if not m:
            continue
        gd = m.groupdict()
        unit = _SPACE.sub(" ", (gd.get("unit") or gd.get("unit2") or "").lower()).strip()
        unit_words = unit.split()
        unit = unit_words[-1] if unit_words and unit_words[-1] in ("districts", "provinces", "district", "province",
                                                                    "cities", "towns", "villages", "parts", "areas",
                                                                    "counties", "regions", "states") else unit
        note = ""
        if unit in ("province", "provinces") and place_kind == "admin1":
            note = f"the text counts '{unit}' inside a province; read as districts"
            unit = "districts"
        if unit and not unit.endswith("s") and unit not in ("city", "town", "province", "district", "country"):
            unit += "s"
        if unit in ("district", "province"):
            unit += "s"
        if name == "count":
            n, m_ = _number(gd["n"]), _number(gd["m"])
            if n is None or m_ is None or n > m_:
                continue
            return f"{n} of {m_} {unit or 'units'}".strip(), note
        if name == "all":
            total = _number(gd["m"]) if gd.get("m") else None
            return (f"all {total} {unit}" if total else f"all {unit}"), note
        if name == "majority":
            return f"majority of {unit}", note
        if name == "fraction":
            return f"{_clean(gd['frac']).lower()} of {unit}", note
        if name == "some":
            q = _clean(gd["q"]).lower()
            of = (gd.get("of") or "").lower()
            if not unit and not of:
                continue
            return " ".join(p for p in (q, unit, f"of the {of}" if of else "") if p), note
        if name == "centre":
            return _clean(gd["what"]).lower(), note
        if name == "entire":
            return "entire", note
    return "", ""


# ------------------------------------------------------------------- times
def _find_times(text: str, s_start: int, s_end: int, ctx: _DocContext) -> list:
    from mapper.timespan import parse_time

    out = []
    for m in lx.TIME_RE.finditer(text, s_start, s_end):
        phrase = _clean(m.group(0))
        try:
            span = parse_time(phrase, tz=ctx.tz, anchor=ctx.published)
        except (TimeParseError, ValueError, OverflowError):
            log.debug("time phrase %r not understood", phrase)
            continue
        out.append((m.start(), m.end(), span))
    return out


# --------------------------------------------------------------- the claim
def _claimant_for(trig: _Trigger, attributions: list, quote_owner: Optional[_Attribution]) -> Optional[_Attribution]:
    if quote_owner is not None:
        return quote_owner
    before = [a for a in attributions if a.verb_end <= trig.start and not a.final]
    if before:
        return before[-1]
    after = [a for a in attributions if a.verb_start >= trig.end and a.final]
    if after:
        return after[0]
    before_final = [a for a in attributions if a.verb_end <= trig.start]
    return before_final[-1] if before_final else None


def _quote_attribution(text: str, pos: int, quotes: list, para_attrs: list) -> Optional[_Attribution]:
    """The speaker of the quotation containing ``pos``, if any."""
    for qs, qe in quotes:
        if qs <= pos < qe:
            after = [a for a in para_attrs if qe <= a.verb_start <= qe + 120]
            if after:
                return after[0]
            before = [a for a in para_attrs if qs - 120 <= a.verb_end <= qs]
            if before:
                return before[-1]
            return None
    return None


_PARTICIPLE_CLAUSE = re.compile(r",\s*(?:and\s+)?$")


def _actor_for(trig, text, actors, left, right, claimant_label, prev_actor, s0=0, attr=None) -> tuple:
    """(actor label, explicit?) for a trigger."""
    first_word = trig.text.split()[0].lower()
    if first_word.endswith("ing") and _PARTICIPLE_CLAUSE.search(text[max(s0, trig.start - 8):trig.start]):
        # ", taking control of X": the subject of the main clause acts.
        subject = [a for a in actors if a.start < trig.start and not (attr and attr.region_start <= a.start < attr.verb_end)]
        if subject:
            return subject[0].label, True
    in_left = [a for a in actors if left[0] <= a.start and a.end <= left[1]]
    in_right = [a for a in actors if right[0] <= a.start and a.end <= right[1]]
    text = re.sub(r"[“”\"‘’]", " ", text)  # same length: quotes never hide "by"/"to"
    after_by = [a for a in in_right if re.search(r"\bby\s+(?:the\s+)?(?:\w+\s+){0,2}$", text[right[0]:a.start])]
    after_to = [a for a in in_right if re.search(r"\bto\s+(?:the\s+)?(?:\w+\s+){0,2}$", text[right[0]:a.start])]
    after_of = [a for a in in_right if re.search(r"^\s*(?:the\s+)?(?:\w+\s+){0,2}$", text[right[0]:a.start])]
    role = trig.role
    if role == lx.UNDER:
        inner = [a for a in actors if trig.start <= a.start and a.end <= trig.end]
        if inner:
            return inner[0].label, True
        if after_of:
            return after_of[0].label, True
    elif role == lx.FALL or role == lx.SURRENDER:
        if after_to:
            return after_to[0].label, True
    elif role == lx.EXPEL:
        passive = bool(_PASSIVE_BEFORE.search(text[left[0]:trig.start]))
        inner = [a for a in actors if trig.start <= a.start and a.end <= trig.end]
        if inner and not passive:
            return inner[0].label, True
        if passive and in_left:
            return in_left[-1].label, True
        if not passive:
            # "dislodged Taliban forces from X": the object is the expelled party.
            obj = [a for a in in_right if not re.search(r"\b(?:from|of)\b", text[right[0]:a.start])]
            if obj:
                return obj[0].label, True
        return "", False
    elif role == lx.PUSHBACK:
        if after_by:
            return after_by[0].label, True
    else:
        passive = bool(_PASSIVE_BEFORE.search(text[left[0]:trig.start]))
        if passive and after_by:
            return after_by[0].label, True
    if role not in (lx.UNDER,):
        # "the assault by the Taliban", "the first strike by the Taliban"
        if after_by and role in (lx.ATTACK, lx.NOMINAL_TAKE):
            return after_by[0].label, True
        if in_left:
            return in_left[-1].label, True
    if prev_actor:
        return prev_actor, False
    # Any actor named in the sentence outside the speaker's phrase ("the assault on X was the Taliban's ...").
    others = [a for a in actors if not (attr and attr.region_start <= a.start < attr.verb_end)
              and not (trig.start <= a.start < trig.end)]
    if others and trig.status == ATTACKED:
        nearest = min(others, key=lambda a: abs(a.start - trig.start))
        return nearest.label, False
    return "", False


def _make_id(name: str, *parts) -> str:
    h = hashlib.sha1("|".join([name, *map(str, parts)]).encode("utf-8")).hexdigest()[:10]
    return f"x{h}"


def _claims_for_sentence(sent, block_id: int, ctx: _DocContext, quotes: list, para_attrs: list,
                         out: list) -> None:
    text = ctx.text
    s0, s1 = sent.start, sent.end
    triggers = _find_triggers(text, s0, s1)
    if not triggers:
        return
    attributions = [a for a in para_attrs if s0 <= a.verb_start < s1]
    actors = _find_actors(text, s0, s1, ctx)
    places = _sentence_places(text, s0, s1, ctx)
    times = _find_times(text, s0, s1, ctx)
    cuts = _boundaries(text, s0, s1, triggers, attributions)
    prev_actor = ""
    prev_trig = None
    made = []
    for trig in triggers:
        if _is_intention(text, s0, trig):
            continue
        if trig.role == lx.SURRENDER and not _surrender_has_object(text, trig, s1):
            continue
        left = _left_window(cuts, trig, s0)
        right = _right_window(cuts, trig, s1)
        passive = bool(_PASSIVE_BEFORE.search(text[left[0]:trig.start]))
        role = trig.role
        look_left = role in (lx.FALL, lx.UNDER) or (passive and role in (lx.TAKE, lx.HOLD, lx.EXPEL))
        right_refs = [i for i, r in enumerate(places) if right[0] <= r.start and r.end <= right[1]]
        left_refs = [i for i, r in enumerate(places) if left[0] <= r.start and r.end <= left[1]]
        group = []
        if look_left and left_refs:
            group = _group_from(places, left_refs[-1], text, forward=False)
        elif role in (lx.FALL, lx.UNDER):
            group = []  # "X fell", "X is under the control of": the place is the subject, never after
        elif right_refs and "," not in text[trig.end:places[right_refs[0]].start] \
                and places[right_refs[0]].start - trig.end <= MAX_OBJECT_GAP:
            group = _group_from(places, right_refs[0], text, forward=True)
        elif left_refs and role in (lx.HOLD, lx.TAKE, lx.CONTEST, lx.EXPEL, lx.PUSHBACK):
            group = _group_from(places, left_refs[-1], text, forward=False)
        if not group:
            continue
        # Speaker.
        qa = _quote_attribution(text, trig.start, quotes, para_attrs)
        attr = _claimant_for(trig, attributions, qa)
        claimant = attr.claimant if attr else ""
        claimant_actor = ctx.actors.match(claimant) if (ctx.actors is not None and claimant) else None
        # Actor.
        inherit = prev_actor if (prev_trig is not None and re.search(r"\band\b", text[prev_trig.end:trig.start])
                                 and not re.search(r"\bbut\b|;", text[prev_trig.end:trig.start])) else ""
        actor, actor_explicit = _actor_for(trig, text, actors, left, right, claimant, inherit, s0, attr)
        enemy_words = re.compile(r"\b(?:the\s+)?enemy\b", re.I)
        if actor and any(enemy_words.fullmatch(a.text.strip()) for a in actors if a.label == actor) \
                and claimant_actor is not None and claimant_actor.name == (ctx.main_group or "Insurgents"):
            actor = "Government"  # the enemy, as an insurgent spokesman says it
        if not actor and trig.status in (CONTROLLED, NOT_CONTROLLED):
            # Unnamed winner: a non-state speaker claims for itself ("our fighters took X"); otherwise a
            # place that "fell" fell to the article's main armed group.
            if claimant_actor is not None and claimant_actor.name != "Government" and trig.role in (
                    lx.FALL, lx.NOMINAL_TAKE, lx.TAKE, lx.HOLD):
                actor = claimant_actor.name
            elif ctx.main_group and trig.role in (lx.FALL, lx.NOMINAL_TAKE):
                actor = ctx.main_group
        if trig.role == lx.EXPEL and not actor:
            continue
        prev_actor = actor or prev_actor
        prev_trig = trig
        # Status.
        status = trig.status
        notes = []
        negated = _is_negated(text, s0, trig)
        denied = attr is not None and attr.denial and attr.verb_end <= trig.start
        if negated or denied:
            if status != CONTROLLED:
                continue
            status = NOT_CONTROLLED
        # Time.
        span, time_how = _pick_time(trig, times, left, right, attr, block_id, ctx, s0, s1)
        if time_how == "event":
            ctx.block_event_time[block_id] = span
            if ctx.first_event_time is None:
                ctx.first_event_time = span
        for ref in group:
            kind = ref.mention.kind or ""
            if ref.start >= trig.end:  # place after the trigger: scope words sit between them or right after
                later = [r.start for r in places if r.start >= group[-1].end]
                scope_lo = trig.start
                scope_hi = max(ref.end, min([right[1], ref.end + 30] + later))
            else:  # "all the districts have fallen": scope words before the trigger
                scope_lo, scope_hi = left[0], trig.end
            scope, scope_note = _scope(text, scope_lo, scope_hi, kind)
            if ref.scope_unit == "facility":
                scope = _clean(ref.text).lower()
                scope = re.sub(r"^the\s+", "", scope)
            elif ref.scope_unit and not scope:
                scope, scope_note = _scope(text, ref.start, ref.end, kind)
            if trig.role == lx.PUSHBACK and not scope:
                scope, scope_note = _scope(text, right[0], right[1], kind)
            conf = BASE_CONFIDENCE
            conf += EXPLICIT_PLACE_BONUS if ref.explicit else -REFERENCE_PLACE_PENALTY
            conf += EXPLICIT_ACTOR_BONUS if actor_explicit else -INFERRED_ACTOR_PENALTY
            conf += EXPLICIT_TIME_BONUS if time_how in ("event", "report") else -INFERRED_TIME_PENALTY
            if sent.kind == "headline":
                conf -= HEADLINE_PENALTY
            claim_notes = list(notes)
            if not ref.explicit:
                claim_notes.append(f"place from the reference '{_clean(ref.text)}'")
            if not actor_explicit and actor:
                claim_notes.append("actor inferred from context")
            if time_how not in ("event", "report"):
                claim_notes.append(f"time {time_how}")
            if scope_note:
                claim_notes.append(scope_note)
            if attr is not None and attr.channel:
                claim_notes.append(f"via {attr.channel}")
            if attr is not None and attr.via:
                claim_notes.append(f"told {attr.via}")
            if denied:
                claim_notes.append(f"denial by {claimant}")
            made.append(_build_claim(ctx, sent, ref, span, status, actor, claimant or ctx.source, scope,
                                     trig, conf, claim_notes))
            if denied and attr.denied_owner:
                owner = _owner_label(attr.denied_owner, ctx)
                made.append(_build_claim(
                    ctx, sent, ref, span, CONTROLLED, actor, owner, scope, trig,
                    conf - DENIED_CLAIM_PENALTY,
                    claim_notes[:-1] + [f"claim known only through the denial by {claimant}"],
                ))
    out.extend(_dedupe(made))


def _surrender_has_object(text: str, trig: _Trigger, s1: int) -> bool:
    """'surrendered Herat to the Taliban' / 'surrendered to the Taliban in Herat': a party to surrender to."""
    return bool(re.match(r"^\s+(?:[\w’'-]+\s+){0,4}?to\s+(?:the\s+)?[A-Za-z]", text[trig.end:min(s1, trig.end + 80)]))


def _owner_label(owner: str, ctx: _DocContext) -> str:
    actor = ctx.actors.match(owner) if ctx.actors is not None else None
    return actor.name if actor is not None else _clean(owner)


def _pick_time(trig, times, left, right, attr, block_id, ctx, s0, s1) -> tuple:
    after = [t for t in times if right[0] <= t[0] and t[1] <= right[1] + 40 and t[0] <= right[1]]
    if after:
        return after[0][2], "event"
    before = [t for t in times if left[0] <= t[0] and t[1] <= trig.start]
    if before:
        return before[-1][2], "event"
    if attr is not None:
        lo = min(attr.region_start, attr.verb_start)
        hi = attr.verb_end + 45
        rep = [t for t in times if lo <= t[0] and t[1] <= hi]
        if rep:
            return rep[0][2], "report"
    if ctx.block_event_time.get(block_id) is not None:
        return ctx.block_event_time[block_id], "inherited from the paragraph"
    if ctx.first_event_time is not None:
        return ctx.first_event_time, "inherited from the article's first dated event"
    return _published_span(ctx), "is the publication date"


def _published_span(ctx: _DocContext) -> TimeSpan:
    from mapper.timespan import parse_time

    p = ctx.published
    if isinstance(p, datetime):
        return parse_time(p.date(), tz=ctx.tz)
    return parse_time(p, tz=ctx.tz)


def _build_claim(ctx, sent, ref, span, status, actor, claimant, scope, trig, conf, notes) -> Claim:
    m = ref.mention
    place = m.place
    quote = _SPACE.sub(" ", sent.text).strip()
    return Claim(
        place=m.name if ref.explicit else m.name,
        time=span,
        status=status,
        id=_make_id(ctx.name, sent.start, trig.start, m.start, status, claimant),
        actor=actor,
        claimant=claimant,
        source=ctx.source,
        url=ctx.url,
        quote=quote,
        scope=scope,
        confidence=round(max(0.05, min(0.95, conf)), 2),
        country=(place.country_code or "") if place is not None else "",
        admin1=(m.admin1 if place is not None and m.kind != "admin1" else ""),
        admin2=((place.admin2 or "") if place is not None and m.kind not in ("admin1", "admin2", "country") else ""),
        place_id=m.place_id,
        notes="; ".join(notes),
        status_raw=_clean(trig.text).lower(),
        extra=(("sentence_start", sent.start), ("sentence_end", sent.end)),
    )


def _dedupe(claims: list) -> list:
    """One claim per (place, status, actor, claimant) in a sentence; drop a 'not_controlled by A'
    when the same sentence says another actor controls the place."""
    seen = {}
    for c in claims:
        key = (c.place_id or c.place, c.status, c.actor, c.claimant)
        if key in seen:
            old = seen[key]
            if (c.confidence or 0) > (old.confidence or 0) or (c.scope and not old.scope):
                seen[key] = replace(c, scope=c.scope or old.scope)
            continue
        seen[key] = c
    out = list(seen.values())
    controlled = {(c.place_id or c.place, c.claimant): c.actor for c in out if c.status == CONTROLLED}
    return [
        c for c in out
        if not (c.status == NOT_CONTROLLED and "denial" not in c.notes
                and controlled.get((c.place_id or c.place, c.claimant)) not in (None, c.actor))
    ]


# ------------------------------------------------------------------- API
def _country_of(mentions) -> str:
    counts = Counter(m.country_code for m in mentions if m.country_code)
    return counts.most_common(1)[0][0] if counts else ""


def _tz_for(country: str):
    if not country:
        return None
    try:
        import pytz  # dateparser's dependency; used only for its country -> zone table

        zones = pytz.country_timezones.get(country.lower()) or ()
    except ImportError:  # pragma: no cover
        return None
    return zones[0] if len(zones) == 1 else None


def extract_claims(
    text: str,
    *,
    published,
    source: str = "",
    url: str = "",
    tz=None,
    geoparser=None,
    actors=None,
    name: str = "",
) -> list:
    """Draft claims from one article's plain text.

    Parameters
    ----------
    text : str
        Article text (HTML already stripped, see :func:`mapper.geoparse.text.load_article`).
    published : date, datetime or ISO str
        Publication date: relative times ("Tuesday afternoon") are resolved against it.
    source, url : str
        Copied into every claim; ``source`` is also the claimant of unattributed claims.
    tz : str, optional
        Zone of the article's local times (IANA name or offset). Default: the zone of
        the article's main country when it has only one, else UTC.
    geoparser : mapper.geoparse.Geoparser, optional
        Finds and resolves place mentions. Without it, capitalised phrases stand in
        (no coordinates, no ids).
    actors : mapper.actors.Actors, optional
        Actor registry used to name actors (default: :meth:`Actors.default`).

    Returns
    -------
    list of Claim
        In text order; ``extra`` holds ``sentence_start``/``sentence_end``.

    Examples
    --------
    >>> cs = extract_claims("The Taliban captured Herat on Tuesday.", published="2021-07-07")
    >>> [(c.place, c.status, c.actor, c.time.text) for c in cs]
    [('Herat', 'controlled', 'Taliban', 'on Tuesday')]
    >>> extract_claims("", published="2021-07-07")
    []
    """
    if actors is None:
        from mapper.actors import Actors

        actors = Actors.default()
    if isinstance(published, str):
        published = published.strip()
        try:
            published = date.fromisoformat(published[:10]) if len(published) <= 10 else datetime.fromisoformat(
                published)
        except ValueError as err:
            raise TimeParseError(
                f"publication date {published!r} is not an ISO date (expected e.g. 2021-07-07)") from err
    if not text or not text.strip():
        return []
    mentions = sorted(find_places(text, geoparser), key=lambda m: m.start)
    # A dateline ("KABUL: ...") says where the story was filed, not where things happened.
    datelines = [(m.start(), m.end()) for m in re.finditer(r"(?m)^[ \t]*[A-Z][A-Z .,'-]{2,40}(?:\(\w+\))?\s*[:—–]\s", text)]
    mentions = [m for m in mentions if not any(a <= m.start < b for a, b in datelines)]
    main_country = _country_of(mentions)
    ctx = _DocContext(
        text=text, mentions=mentions, published=published, tz=tz or _tz_for(main_country), source=source, url=url,
        main_group=_main_group(text, actors), main_country=main_country, actors=actors, name=name or source,
    )
    claims = []
    sentences = article_sentences(text)
    by_block: dict = {}
    blocks = text_blocks(text)
    bi = 0
    for sent in sentences:
        while bi < len(blocks) - 1 and blocks[bi][1] < sent.start:
            bi += 1
        by_block.setdefault(bi, []).append(sent)
    for bi, sents in by_block.items():
        b0, b1, _ = blocks[bi]
        quotes = _quote_spans(text, b0, b1)
        attrs = [a for s in sents for a in _find_attributions(text, s.start, s.end)]
        for sent in sents:
            _claims_for_sentence(sent, bi, ctx, quotes, attrs, claims)
    return claims
