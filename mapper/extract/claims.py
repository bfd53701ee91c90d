"""Draft claims from article text: who says which actor holds which place, when.

The article is split into blocks (:mod:`mapper.extract.document`: a headline
without a full stop is its own block; the dateline is context, never a
claimant or place). For every sentence the extractor finds *triggers*
(control language such as "captured", "fell", "under the control of",
"withdrew from", "clashed with", "X-controlled"), then for each trigger,
inside its clause:

* the **place**: place mentions (the geoparser's, plus capitalised names in a
  place position that the gazetteer lacks, unresolved and flagged) or
  references ("the city", "the area", "those villages", "all the districts")
  resolved to earlier mentions; demonyms, administrative context ("(Rutshuru,
  Nord-Kivu)", "X district, Zabul", "countryside of X"), names inside actor
  names and speakers ("Assad said") are never claim places; reference points
  ("near X", "west of X") give way to a following list ("including A and B")
  and otherwise keep the scope "near"; coordinated places each get a claim;
* the **actor**: the nearest actor phrase on the agent side, named from the
  registry (:mod:`mapper.actors` via :mod:`mapper.extract.registry`): named
  groups and acronyms defined in the article ("the Rapid Support Forces
  (RSF)"), state forces from demonyms, capitals and country names used as
  metonyms, and "the army" as the state of the article's country
  ("Government of Sudan", never a bare "Government" when the country is
  known); pronouns ("its fighters", "our units", "it had withdrawn") stand
  for the speaker's side or the organisation named before
  (:mod:`mapper.extract.speakers`); generic words (insurgents, the group)
  become the article's main non-state group; "now that X has fallen"
  credits the side an earlier claim says took X;
* the **claimant**: the speaker whose speech verb governs the clause ("X
  said/told/claimed ... that", "..., X said", "according to X", quotations
  closed by ", X said"); "it said", "he told reporters", "the ministry
  added" resolve to the speaker or organisation named before; a capital or
  country that speaks is its government; without a speaker, the source;
* the **status**: the trigger's status, turned into ``not_controlled`` by a
  negation or a denial ("officials denied Taliban claims that ..."; the denied
  claim is kept too, with lower confidence); a rebuttal without its own claim
  ("Kyiv rejected the claim", "This is not true") is ``not_controlled`` by the
  rebutter for the control claims made just before by someone else;
  withdrawals are ``not_controlled`` for the side that left;
* the **scope** ("all districts", "6 of 7 districts", "several parts of the
  city", "military base near");
* the **time**: a time phrase in the clause, else the time the speaker spoke,
  else another time of the same sentence, else the dateline date, else the
  publication date (never a time of an earlier sentence).

No claim comes from intentions ("sent troops to retake", "will defend"),
conditionals and questions ("if the group consolidates control of X"),
or history (a change of control dated a year or more before publication,
"X, which fell in 2015,").

Each claim carries its sentence (``quote``, ``sentence_start``,
``sentence_end`` in ``extra``), a heuristic ``confidence`` in [0, 1] and
``flags`` (:mod:`mapper.extract.flags`); identical drafts of one article are
merged, keeping every sentence (``sentences``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from mapper.errors import TimeParseError
from mapper.extract import lexicon as lx
from mapper.extract import registry
from mapper.extract.document import blocks as article_blocks
from mapper.extract.document import find_dateline
from mapper.extract.flags import LOW_MATCH_SCORE, finish_claims
from mapper.extract.places import capitalised_places, find_places, longer_names, unresolved_places
from mapper.extract.speakers import PRONOUNS, PRONOUNS_SPEAKER, Discourse, head_word
from mapper.geoparse.text import split_sentences
from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED, Claim, TimeSpan

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
REBUTTAL_PENALTY = 0.05
#: A rebuttal ("Kyiv rejected the claim") answers claims made at most this many sentences before it.
REBUTTAL_REACH_SENTENCES = 3
#: A date without a year read more than this many days before publication is taken in the publication year.
YEARLESS_BACK_DAYS = 300
#: A change of control dated this many days or more before publication is background, not a current claim.
HISTORY_DAYS = 365
#: A geoparser match scoring below this that is only the start of a longer capitalised name yields to it.
LONGER_NAME_SCORE = 0.5
#: Characters around a trigger searched for its clause (a sentence rarely needs more).
MAX_CLAUSE_CHARS = 220
#: Actor label of gang wording ("gangs seized X") when the article names no armed group.
GANGS = "Armed gangs"
#: Extra weight of a country named as a country when the article's country is counted (breaks ties only).
COUNTRY_NAME_TIEBREAK = 0.25
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
    kind: str  # named | gov | militia | insurgent | gang | pronoun
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
    first_event_time: TimeSpan | None = None
    doc_names: object = None  # regex of actor names learned from this document (acronym definitions)
    named_spans: list = field(default_factory=list)  # (start, end, text) of named actors in the article
    dateline_time: TimeSpan | None = None
    discourse: Discourse = field(default_factory=Discourse)
    history: list = field(default_factory=list)  # (sentence index, [claims]) made so far
    sentence_index: int = 0
    countries: frozenset = frozenset()  # every country the article names (places, demonyms, dateline)
    time_cache: dict = field(default_factory=dict)  # time phrase -> TimeSpan (None: not understood)
    mention_starts: list | None = None  # starts of ``mentions`` when they are in order (for bisection)


# ------------------------------------------------------------------ helpers
_REF_RE = re.compile(
    r"\b(?P<det>the|this|that|an|a|its|their)?\s*(?P<adj>(?:entire|whole|provincial|local|same)\s+)?"
    r"(?P<noun>provincial\s+capital|provincial\s+cent(?:er|re)|capital|city|town|village|area|province|district|"
    r"country|urban\s+cent(?:er|re))\b(?!\s+(?:cent(?:er|re)|council|hall|gates?|limits|police|governor|officials?))",
    re.I,
)
_REF_KIND = {
    "provincial capital": "populated_place", "provincial center": "populated_place",
    "provincial centre": "populated_place", "capital": "populated_place", "city": "populated_place",
    "town": "populated_place", "village": "populated_place", "area": "", "urban center": "populated_place", "urban centre": "populated_place",
    "province": "admin1", "district": "admin2", "country": "country",
}
_PARENS = re.compile(r"\([^()]{1,120}\)")
_CLAUSE_END_AFTER = re.compile(r"\s*(?:[.;()]|$|,\s*(?:(?!and\b|or\b)[a-z]|[A-Z][\w-]+\s*[.;)]))")
_CONTEXT_GAP = re.compile(r"^\s*(?:district|province|city|county|town|village|area|region|governorate|state)?\s*,\s*$",
                          re.I)
_CONTAINER_BEFORE = re.compile(r"[A-Z][\w’'-]*\s+(?:areas?|villages?|parts?|neighbou?rhoods?|localities|outskirts|"
                               r"countryside|suburbs?)\s+of\s+(?:the\s+)?$")
_POSSESSIVE = re.compile(r"['’]s?\s+")
_PLURAL_REF = re.compile(r"\b(?:those|these|the|all\s+(?:the|those|these))\s+(?:areas|villages|towns|positions|"
                         r"localities|settlements|places)\b(?!\s+of\b)", re.I)
_FACILITY_RE = re.compile(
    r"\b(?:the\s+)?(?:provincial|local|central|police|district|security|governor['’]s)\s+"
    r"(?:headquarters|prison|jail|compound|office|police\s+headquarters|council)\b",
    re.I,
)
_DATELINE = re.compile(r"[A-Z][A-Z\s,.'-]{2,40}(?:\(\w+\))?\s*[:—–-]\s")
_COORD_GAP = re.compile(r"^\s*(?:,|and|or|,\s*and|,\s*or|as\s+well\s+as|&)\s*(?:the\s+)?(?:nearby\s+)?$", re.I)
_CLAUSE_BREAK = re.compile(
    r"(?=[;\s,abtwABTW])"  # the first characters of the alternatives: a fast skip
    r"(?:;|\s[—–]\s|\b(?:but|while|whereas|although|though|who|which|where)\b|,\s+(?:before|after|following|since|as)\b|"
    r"\band\s+then\b|\bbefore\s+(?:the|they|it)\b|\band\s+(?=(?:the|local|some)\s))",
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


def _number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return lx.NUMBER_WORDS.get(word)


# ------------------------------------------------------------------ actors
_ORG_AFTER = re.compile(r"\s+(?:Forces|Army|Brigades?|Battalions?|Front|Movement|Party|Council|Ministry|Division|"
                        r"Regiment|Corps|Group|Units?|Press|News|Agency|Times|Post|Observatory|Network)\b")
_SPEAKS_AFTER = re.compile(r"\s+(?:has\s+|had\s+)?(?:said|says|told|claimed|claims|denied|denies|announced|added|"
                           r"argued|insisted|stated|warned|reported)\b")
_LED_AFTER = re.compile(r"\.?-(?:led|backed|based|allied|aligned|supported|controlled|held|run|installed|sponsored)\b",
                        re.I)
_ORG_NAME = re.compile(r"(?P<org>(?:[A-Z][\w’'-]+\s+){0,4}(?:Ministry|Command|Army|Office|Council|Agency|Police|"
                       r"Presidency|Kremlin|Pentagon|Observatory|Committee|Directorate|Headquarters|Staff)"
                       r"(?:\s+of\s+(?:the\s+)?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)?)\b")
#: The head words of _ORG_NAME, one of which a sentence must contain for it to be tried.
_ORG_NAME_HEADS = ("Ministry", "Command", "Army", "Office", "Council", "Agency", "Police", "Presidency", "Kremlin",
                   "Pentagon", "Observatory", "Committee", "Directorate", "Headquarters", "Staff")
_FORCE_AFTER_MENTION = re.compile(r"\s+(?:forces|fighters|militants|troops|militia|militiamen|rebels|soldiers|"
                                  r"gunmen|insurgents)\b", re.I)
_CAPITAL_SUBJECT = re.compile(rf"\b(?P<cap>[A-Z][a-z’'-]+(?:\s[A-Z][a-z’'-]+)?)(?=['’]s\s|\s+(?:has\s+|had\s+|have\s+)?"
                              rf"(?:{lx.SPEECH_VERBS}|fired|shelled|struck|bombed|attacked|launched|captured|seized|"
                              rf"retook|invaded|sent|deployed|accused)\b)")


def _find_actors(text: str, s_start: int, s_end: int, ctx: _DocContext) -> list:
    """Actor phrases in text[s_start:s_end], in order: named groups (the registry's and those
    defined in this article), state forces (demonyms, capitals as metonyms, "the army"),
    militias, generic insurgent words and pronouns ("its fighters", "we", "it")."""
    out = []
    spans = ctx.named_spans  # sorted: only those starting in the sentence can lie inside it
    for a0, a1, raw in spans[bisect_left(spans, (s_start,)):bisect_left(spans, (s_end + 1,))]:
        if a0 >= s_start and a1 <= s_end and not any(_overlaps(a0, a1, a.start, a.end) for a in out):
            out.append(_Actor(a0, a1, raw, "named", _actor_label(raw, "named", ctx)))
    for m in lx.PRONOUN_ACTOR_RE.finditer(text, s_start, s_end):
        if any(_overlaps(m.start(), m.end(), a.start, a.end) for a in out):
            continue
        word = (m.group("poss") or m.group("subj")).lower()
        out.append(_Actor(m.start(), m.end(), m.group(0), "pronoun", word))
    for m in lx.ACTOR_RE.finditer(text, s_start, s_end):
        if any(_overlaps(m.start(), m.end(), a.start, a.end) for a in out):
            continue
        kind = "gov" if m.group("gov") else "militia" if m.group("militia") else \
            "gang" if m.group("gang") else "insurgent"
        a0, demonym = m.start(), ""
        if kind == "gov":
            dm = lx.DEMONYM_BEFORE.search(text, max(s_start, a0 - 30), a0)
            if dm:
                for cand in (dm.group("dem"), dm.group("dem").split()[-1]):
                    if registry.demonym_country(cand):
                        demonym, a0 = cand, dm.end("dem") - len(cand)
                        break
        raw = text[a0:m.end()]
        out.append(_Actor(a0, m.end(), raw, kind, _actor_label(raw, kind, ctx, demonym)))
    for m in _CAPITAL_SUBJECT.finditer(text, s_start, s_end):
        cc = registry.capital_country(m.group("cap")) or registry.name_country(m.group("cap"))
        if cc and not any(_overlaps(m.start(), m.end(), a.start, a.end) for a in out):
            out.append(_Actor(m.start(), m.end(), m.group("cap"), "gov", registry.state_name(ctx.actors, cc)))
    out.sort(key=lambda a: a.start)
    return out


def _actor_label(raw: str, kind: str, ctx: _DocContext, demonym: str = "") -> str:
    if kind == "named":
        return _named_label(ctx.actors, raw, ctx.main_country)
    if kind == "gov":
        cc = registry.demonym_country(demonym) if demonym else ""
        name = registry.label(ctx.actors, raw, ctx.main_country)
        if name and name != "Government":
            return name
        return registry.state_name(ctx.actors, cc or ctx.main_country)
    if kind == "militia":
        return "Militias"
    if kind == "gang":
        return ctx.main_group or GANGS
    return ctx.main_group or "Insurgents"


def _named_label(actors, raw: str, country: str = "") -> str:
    """Canonical name of a named actor phrase: the registry's exact name or alias, else its bare name
    ("Houthi forces": "forces" alone would mean the state), else the bare name as written."""
    exact = actors.get(_clean(raw))
    if exact is not None:
        return exact.name
    bare = re.sub(r"\s+(?:forces|fighters|militants|troops|militia|militiamen|insurgents|rebels|soldiers|gunmen)$",
                  "", _clean(raw), flags=re.I)
    return registry.label(actors, bare, country) or bare


def _main_group(named_spans: list, ctx_actors) -> str:
    """The non-state armed group mentioned most often (ties: first mentioned)."""
    counts = Counter()
    first = {}
    for _, _, raw in named_spans:
        label = _named_label(ctx_actors, raw)
        if label.startswith("Government") or registry.is_state(ctx_actors, label):
            continue
        counts[label] += 1
        first.setdefault(label, len(first))
    if not counts:
        return ""
    return max(counts, key=lambda k: (counts[k], -first[k]))


def _named_spans(text: str, finder) -> list:
    """(start, end, text) of every named actor of the registry in the article (one owner for actor
    names: mapper.actors), each with a force word after it ("M23 rebels")."""
    return sorted(finder.finditer(text))


def _speaker_side(claimant: str, ctx: _DocContext) -> str:
    """The actor a speaker belongs to ("a military spokesman" -> the state, "Taliban spokesman" -> Taliban)."""
    if not claimant:
        return ""
    return registry.label(ctx.actors, claimant, ctx.main_country)


def _resolve_pronoun_actor(actor: _Actor, sent_actors: list, claimant: str, ctx: _DocContext) -> str:
    """The actor a pronoun stands for: the speaker's side for we/our, the nearest organisation
    named before it for it/its/they/their (in the sentence, else the speaker, else earlier)."""
    word = actor.label
    if word in PRONOUNS_SPEAKER:
        return _speaker_side(claimant, ctx)
    before = [a for a in sent_actors if a.kind != "pronoun" and a.end <= actor.start]
    if word in ("his", "her"):
        side = _speaker_side(claimant, ctx)
        if side:
            return side
    if before:
        return before[-1].label
    side = _speaker_side(claimant, ctx)
    if side:
        return side
    found = ctx.discourse.resolve("it" if word in ("it", "its") else "they", actor.start, ("actor",))
    return found.actor if found is not None else ""


# ------------------------------------------------------------ attribution
def _quote_spans(text: str, start: int, end: int) -> list:
    """(open, close) offsets of quotations in text[start:end] (a paragraph)."""
    spans = []
    i = start
    while i < end:
        m = _QUOTE_OPEN.search(text, i, end)  # the next opening quote
        if m is None:
            break
        i = m.start()
        close = text.find(_QUOTES[text[i]], i + 1, end)
        if close == -1:
            break
        spans.append((i, close + 1))
        i = close + 1
    return spans


_QUOTE_OPEN = re.compile('[“«"]')


def _subject_before(text: str, lo: int, verb_start: int, final: bool = False) -> tuple:
    """The noun phrase before a speech verb, as (claimant, start, channel).

    With ``final`` (", a spokesman said." ends the sentence) the phrase starts after
    the last comma; otherwise an appositive is kept ("The chief, Abdul Aziz Bek, said").
    """
    seg = text[lo:verb_start]
    # Start after the last clause break in the segment (closing quote, semicolon, "that").
    cut = 0
    for m in re.finditer(r"[”\"»]\s*,?|;|:|\bthat\b|,\s+(?:while|but|and|whereas|although|though)\s+|"
                         r"\b(?:while|whereas)\s+", seg):
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


#: Where the clause after a speech verb ends and another begins (", while Hezbollah said ...").
_NEXT_CLAUSE = re.compile(r",\s*(?:while|whereas|but|although|though)\b|;|\s[—–]\s|,\s+and\s+(?=[\w’'-]+(?:\s+[\w’'-]+){0,4}"
                          rf"\s+(?:{lx.SPEECH_VERBS})\b)", re.I)


def _find_attributions(text: str, s_start: int, s_end: int, triggers=None) -> list:
    """Speech verbs of text[s_start:s_end] with their speakers; ``triggers`` are the sentence's
    (:func:`_find_triggers`, found when not given)."""
    if triggers is None:
        triggers = _find_triggers(text, s_start, s_end)
    out = []
    sentence = text[s_start:s_end]
    for m in lx.SPEECH_VERB_RE.finditer(text, s_start, s_end):
        vs, ve = m.start(), m.end()
        verb = m.group(0).lower()
        before = text[s_start:vs]
        copied = False
        # A speech verb right after a closing quote or at the end: ", X said." (subject may be before or after).
        tail = text[ve:s_end]
        # Each clause has its own speaker: "..., the army said, while the group said ..." ends the first
        # clause at "while"; what follows is the next speaker's.
        brk = _NEXT_CLAUSE.search(tail)
        own_tail = tail[:brk.start()] if brk else tail
        final = bool(re.match(r"^\s*(?:[^,.;“”\"]{0,80})?[.!?]?\s*$", own_tail)) \
            and not re.search(r"\bthat\b", own_tail) \
            and not any(ve <= t.start < ve + len(own_tail) for t in triggers)
        claimant, cstart, carrier = _subject_before(text, s_start, vs, final)
        after_quote = bool(re.search(r"(?:[”\"»]\s*,?|,\s*[”\"»])\s*$", before))
        short_tail = bool(re.match(r"^\s*[^,.;:“”\"]{2,60}?\s*(?:[.!?]|$)", tail))
        if after_quote or (re.search(r",\s*$", before) and short_tail):
            inv = _subject_after(text, ve, s_end)
            inv_end = text.find(inv, ve, s_end) + len(inv) if inv else ve
            # "..., said the governor": a subject; "... said the group now controls X": a clause.
            if _valid_claimant(inv) and (after_quote or short_tail) \
                    and not any(ve <= t.start < inv_end for t in triggers):
                claimant, cstart = inv, ve
        # Participles ("..., it said, adding that", "saying") take the previous speaker of the sentence,
        # else the sentence subject.
        if verb.endswith("ing") and re.search(r",\s*$", before) and any(
                a.verb_start >= s_start for a in out):
            prev = [a for a in out if a.verb_start >= s_start][-1]
            claimant, cstart, copied = prev.claimant, prev.region_start, True
        elif verb.endswith("ing") and re.search(r",\s*$", before):
            subj, sstart, carrier = _subject_before(text, s_start, s_start + _first_verb_offset(sentence))
            if _valid_claimant(subj):
                claimant, cstart = subj, sstart
        claimant = _PAREN.sub("", claimant).strip()
        claimant = re.sub(r"^[\w’'-]+-based\s+", "", claimant)  # "Britain-based Syrian Observatory ..."
        if re.search(r"\bas\s*$", before) or re.search(r"[()]|(?<![\w-])\d", claimant) or (verb in ("reported", "confirmed", "indicated", "shown") and _PASSIVE_REPORT.search(
                text[max(s_start, vs - 60):vs])):
            continue
            continue  # "(as reported)", "Around 24 June 2022 (as reported)": no speaker named
        if copied or (claimant.lower() in PRONOUNS and cstart >= vs - len(claimant) - 3):
            pass  # "..., it said", "he told reporters": resolved to the antecedent when the claim is made
        elif not _valid_claimant(claimant):
            continue
        claimant = _PAREN.sub("", claimant).strip()
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


_PAREN = re.compile(r"\s*\([^)]{1,40}\)")
#: "... with no injuries or fatalities reported", "deaths were reported": a passive, not a speaker.
_PASSIVE_REPORT = re.compile(r"(?:\b(?:was|were|is|are|been|being|be|no|any)\b[^,.;:“”\"]{0,50}|"
                             r"\b(?:fatalities|casualties|injuries|deaths|damage)\s+)$", re.I)


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
    low = text[s_start:s_end].lower()
    present = {st for st in lx.TRIGGER_STEMS if st in low}
    for role, status, rx, stems in lx.TRIGGER_RES:
        if stems and present.isdisjoint(stems):
            continue
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
    before = _MONTH_MAY.sub("Mai", before)  # the month, not the modal ("On May 29, troops took ...")
    if _ACHIEVED.search(before):
        return False  # "managed to control X" reports what happened
    m = lx.INTENT_BEFORE.search(before)
    if m is None:
        return False
    # "forces loyal to the junta took control of X", "fighters allied to Hemedti seized X": "to" starts a noun
    # phrase there, not an infinitive.
    return not _TO_NOUN_PHRASE.match(before, m.start())


#: "to" followed by a determiner, a possessive or a name: a noun phrase, not an infinitive ("to the junta").
_TO_NOUN_PHRASE = re.compile(r"(?i:to\s+)(?:(?i:the|a|an|its|their|his|her|this|that|these|those)\s|[A-Z][\w’'-]*\s)")


_MONTH_MAY = re.compile(r"(?<=\d\s)May\b|\bMay(?=\s+\d)")
_ACHIEVED = re.compile(r"\b(?:managed|able|succeeded|went\s+on|moved\s+on)\s+to\s+(?:\w+\s+)?$"
                       r"|\bto\s+have\s+(?:\w+ly\s+|also\s+|already\s+)?(?:been\s+)?$", re.I)  # "claimed to have captured"


def _is_negated(text: str, s_start: int, trig: _Trigger) -> bool:
    before = text[max(s_start, trig.start - 40):trig.start]
    if lx.NEGATION_BEFORE.search(before):
        return True
    if trig.role == lx.HOLD and lx.NEGATIVE_SUBJECT.search(text[max(s_start, trig.start - 20):trig.start]):
        return True
    return False


# ------------------------------------------------------------------ places
def _sentence_places(text: str, s_start: int, s_end: int, ctx: _DocContext, speakers=()) -> list:
    """Explicit mentions plus references ("the city", "all the districts") resolved to earlier mentions."""
    refs = []
    dateline = _DATELINE.match(text, s_start, s_end)
    lo = dateline.end() if dateline else s_start
    if ctx.mention_starts is not None:  # sorted: only mentions starting in [lo, s_end] can lie inside
        starts = ctx.mention_starts
        near = ctx.mentions[bisect_left(starts, lo):bisect_right(starts, s_end)]
    else:
        near = ctx.mentions
    explicit = [m for m in near if m.start >= lo and m.end <= s_end]
    low = text[s_start:s_end].lower()  # the reference patterns below run only when their words are there
    parens = [(p.start(), p.end()) for p in _PARENS.finditer(text, s_start, s_end)]
    for m in explicit:
        # "(Bwisha, Rutshuru, Nord-Kivu)", "X areas of Y district": administrative context, not the place.
        if any(a < m.start < b for a, b in parens) or _CONTAINER_BEFORE.search(text, max(s_start, m.start - 30),
                                                                               m.start) \
                or re.search(r"\bcountryside\s+of\s+(?:the\s+)?$", text[max(s_start, m.start - 20):m.start], re.I):
            continue
        if _POSSESSIVE.match(text, m.end) and any(0 <= o.start - m.end <= 3 for o in explicit):
            continue  # "Marib's Raghwan district", "Donetsk's Pokrovsk": the container, context only
        prev = next((p for p in reversed(explicit) if p.end <= m.start), None)
        if prev is not None and _CONTEXT_GAP.match(text[prev.end:m.start]) and (
                ((m.kind or "") in ("admin1", "country") and (prev.kind or "") != (m.kind or ""))
                or (prev.admin1 and registry.same_name(m.name, prev.admin1))
                or (m.place is not None and _CLAUSE_END_AFTER.match(text, m.end)
                    and (prev.place is None or ((m.kind or "") != (prev.kind or "")
                                                and m.country_code == prev.country_code)))):
            continue  # "Shinkay district, Zabul", "Goma, DR Congo": the containing unit, context only
        refs.append(_PlaceRef(m.start, m.end, m.name, m, True))
    # "those areas", "the villages": every place of the last claims made (a list named just before).
    for m in (_PLURAL_REF.finditer(text, s_start, s_end) if _has_any(low, _PLURAL_REF_WORDS) else ()):
        prior = ctx.history[-1][1] if ctx.history and ctx.sentence_index - ctx.history[-1][0] <= 2 else []
        seen = set()
        for c in prior:
            key = c.place_id or c.place
            mention = next((x for x in ctx.mentions if (x.place_id or x.name) == key), None)
            if mention is not None and key not in seen:
                seen.add(key)
                refs.append(_PlaceRef(m.start(), m.end(), m.group(0), mention, False, scope_unit="plural"))
    for m in (_REF_RE.finditer(text, s_start, s_end) if _has_any(low, _REF_WORDS) else ()):
        noun = _SPACE.sub(" ", m.group("noun").lower())
        kind = _REF_KIND.get(noun)
        if kind is None:
            continue
        kind = kind or "any"
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
        antecedent = _antecedent(ctx, kind, m.start(), noun, speakers)
        if antecedent is None:
            continue
        refs.append(_PlaceRef(m.start(), m.end(), m.group(0).strip(), antecedent, False))
    # Facilities ("the provincial prison") refer to the last city.
    for m in (_FACILITY_RE.finditer(text, s_start, s_end) if _has_any(low, _FACILITY_WORDS) else ()):
        if any(_overlaps(m.start(), m.end(), r.start, r.end) for r in refs):
            continue
        antecedent = _antecedent(ctx, "populated_place", m.start(), "city")
        if antecedent is not None:
            refs.append(_PlaceRef(m.start(), m.end(), m.group(0).strip(), antecedent, False, scope_unit="facility"))
    # "all the districts", "six out of seven provinces" with no place: the last province.
    for name, rx in lx.SCOPE_RES:
        if name not in ("all", "count", "majority", "fraction") or not ("district" in low or "province" in low):
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


#: Words one of which a sentence must contain (lower case) for the reference patterns to be tried.
#: After a country name: it modifies the noun that follows ("Myanmar border town", "Ukraine
#: frontline village", "Sudan army base"), so it is not the place a claim is about.
_COUNTRY_MODIFIES = re.compile(
    r"\s+(?:(?:border|frontline|front-line|key|strategic|coastal|northern|southern|eastern|western|central|"
    r"army|military|rebel|government|capital)\s+){0,2}"
    r"(?:towns?|city|cities|villages?|bases?|outposts?|garrisons?|ports?|crossings?|airports?|air\s+base|"
    r"airbase|districts?|provinces?|regions?|positions?|hamlets?|settlements?)\b"
)
_REF_WORDS = ("capital", "city", "town", "village", "area", "province", "district", "country", "urban",
              "provincial")
_PLURAL_REF_WORDS = ("areas", "villages", "towns", "positions", "localities", "settlements", "places")
_FACILITY_WORDS = ("headquarters", "prison", "jail", "compound", "office", "council")


def _has_any(low: str, words) -> bool:
    return any(map(low.__contains__, words))


def _antecedent(ctx: _DocContext, kind: str, pos: int, noun: str, speakers=()):
    """The last mention of ``kind`` before ``pos`` (any kind when unknown), outside the speakers'
    phrases ("authorities in X refuted claims that rebels took the area": the area is not X)."""
    best = None
    for m in ctx.mentions:
        if m.end > pos:
            break
        if any(a <= m.start < b for a, b in speakers):
            continue
        mk = m.kind or ""
        if mk == kind or (kind in ("populated_place", "any") and mk in ("populated_place", "")) or (
            kind in ("admin2", "any") and mk in ("admin2", "admin3")
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
        gap = _PARENS.sub("", text[a.end:b.start])
        if a.start == b.start and a.scope_unit == b.scope_unit == "plural":
            group.append(refs[i + step])  # one plural reference, several places
            i += step
            continue
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
_TIME_PREP = re.compile(r"^(?:on|by|since|until|in)\s+", re.I)


def _find_times(text: str, s_start: int, s_end: int, ctx: _DocContext) -> list:
    from mapper.timespan import parse_time

    out = []
    for m in lx.TIME_RE.finditer(text, s_start, s_end):
        phrase = _clean(m.group(0))
        if phrase in ctx.time_cache:  # the same phrase, zone and anchor: the same span
            if ctx.time_cache[phrase] is not None:
                out.append((m.start(), m.end(), ctx.time_cache[phrase]))
            continue
        ctx.time_cache[phrase] = None
        try:
            # "on June 29": mapper.timespan reads the date itself; with the preposition it would
            # ask dateparser (about 1 ms a phrase). The span keeps the words as written.
            bare = _with_year(_POINT_PREP.sub("", phrase), ctx.published)
            span = parse_time(bare, tz=ctx.tz, anchor=ctx.published)
            if bare != phrase:
                span = replace(span, text=phrase)
            # "14 March" in a text published on 13 March is the next day, not the year before: a date
            # without a year lands within a few days after publication rather than a year back.
            pub = ctx.published.date() if isinstance(ctx.published, datetime) else ctx.published
            if isinstance(pub, date) and not re.search(r"\b\d{4}\b", phrase) and re.search(r"\d", phrase) and \
                    (pub - span.latest.date()).days > YEARLESS_BACK_DAYS:
                try:
                    span = parse_time(f"{_TIME_PREP.sub('', phrase)} {pub.year}", tz=ctx.tz, anchor=ctx.published)
                except (TimeParseError, ValueError, OverflowError):
                    log.debug("time phrase %r not re-read in the publication year", phrase)
        except (TimeParseError, ValueError, OverflowError):
            log.debug("time phrase %r not understood", phrase)
            continue
        ctx.time_cache[phrase] = span
        out.append((m.start(), m.end(), span))
    return out


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


def _with_year(phrase: str, published) -> str:
    """A bare month ("April") with the year of its latest occurrence up to publication ("April 2018"
    for a text of July 2018, "August 2017" for one of March 2018), so mapper.timespan reads it."""
    low = phrase.lower()
    if low not in _MONTHS or not isinstance(published, date):
        return phrase
    month = _MONTHS.index(low) + 1
    return f"{phrase} {published.year if month <= published.month else published.year - 1}"


#: A preposition that does not change the date it introduces ("on June 29" = "June 29", "in May 2023").
_POINT_PREP = re.compile(r"^(?:on|in|during)\s+(?=\S)", re.I)


# --------------------------------------------------------------- the claim
def _claimant_for(trig: _Trigger, attributions: list, quote_owner: _Attribution | None) -> _Attribution | None:
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


def _quote_attribution(text: str, pos: int, quotes: list, para_attrs: list) -> _Attribution | None:
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


_SUPPORT_BEFORE = re.compile(r"\b(?:backed|back|supported|assisted|aided|helped|accompanied|reinforced|"
                             r"with\s+the\s+(?:support|help|backing)\s+of|alongside|and)\s+(?:by\s+)?(?:the\s+)?"
                             r"(?:[\w-]+\s+){0,2}$", re.I)
_MILITARY_SPEAKER = re.compile(r"\b(?:army|military|command|forces|defen[cs]e|troops|commander|brigade|fighters)\b",
                               re.I)
_PARTICIPLE_CLAUSE = re.compile(r"(?:,\s*(?:and\s+)?|\band\s+|\b(?:after|before|while|by|since)\s+(?:\w+ly\s+)?)$")


ctx_actors_holder = [None]  # the article's context while _actor_for runs (set by _trigger_claims)


def _compound_actor(prefix: str, ctx) -> str:
    cc = registry.demonym_country(prefix) or registry.capital_country(prefix) or (
        registry.name_country(prefix) if prefix[:1].isupper() else "")
    if cc:
        return registry.state_name(ctx.actors, cc)
    if re.fullmatch(r"(?:rebel|insurgent|militant|jihadist|separatist|opposition|terrorist)s?", prefix, re.I):
        return ctx.main_group or "Insurgents"
    if re.fullmatch(r"(?:government|regime|army|state)", prefix, re.I):
        return registry.state_name(ctx.actors, ctx.main_country)
    return _named_label(ctx.actors, prefix, ctx.main_country)


def _actor_for(trig, text, actors, left, right, claimant_label, prev_actor, s0=0, attr=None,
               other_triggers=()) -> tuple:
    """(actor label, explicit?) for a trigger."""
    first_word = trig.text.split()[0].lower()
    if first_word.endswith("ing") and _PARTICIPLE_CLAUSE.search(text[max(s0, trig.start - 24):trig.start]):
        # ", taking control of X": the subject of the main clause acts.
        subject = [a for a in actors if a.start < trig.start and not (attr and attr.region_start <= a.start < attr.verb_end)]
        if not subject:
            # "X claimed to have advanced ..., taking control of Y": the speaker is the subject.
            subject = [a for a in actors if a.start < trig.start and a.kind != "pronoun"]
        if subject:
            return subject[0].label, True
    # "PMF forces, backed by the Iraqi air force, recaptured": the supporter is not the subject.
    actors = [a for a in actors if not _SUPPORT_BEFORE.search(text[max(s0, a.start - 40):a.start])] or actors
    in_left = [a for a in actors if left[0] <= a.start and a.end <= left[1]]
    in_right = [a for a in actors if right[0] <= a.start and a.end <= right[1]]
    text = re.sub(r"[“”\"‘’]", " ", text)  # same length: quotes never hide "by"/"to"
    after_by = [a for a in in_right if re.search(r"\bby\s+(?:the\s+)?(?:\w+\s+){0,2}$", text[right[0]:a.start])]
    after_to = [a for a in in_right if re.search(r"\bto\s+(?:the\s+)?(?:\w+\s+){0,2}$", text[right[0]:a.start])]
    after_of = [a for a in in_right if re.search(r"^\s*(?:the\s+)?(?:\w+\s+){0,2}$", text[right[0]:a.start])]
    role = trig.role
    if role == lx.HOLD and re.search(r"-(?:controlled|held|occupied|run)$", trig.text, re.I):
        # "Georgian-controlled", "Houthi-held", "rebel-held": the holder is the prefix.
        prefix = trig.text.rsplit("-", 1)[0]
        return _compound_actor(prefix, ctx_actors_holder[0]), True
    if role == lx.UNDER:
        inner = [a for a in actors if trig.start <= a.start and a.end <= trig.end]
        if inner:
            return inner[0].label, True
        if after_of:
            return after_of[0].label, True
        # "controlled by the US", "under Turkey's control": a country named as the holder is its state.
        cm = re.match(r"\s*(?:the\s+)?(?P<c>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)", text[trig.end:trig.end + 40]) or \
            re.search(r"(?P<c>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)['’]s\s+$", text[trig.start:trig.end])
        if cm:
            cc = registry.name_country(cm.group("c").rstrip(".")) or registry.demonym_country(cm.group("c"))
            if cc:
                return registry.state_name(ctx_actors_holder[0].actors, cc), True
    elif role == lx.FALL or role == lx.SURRENDER:
        if after_to:
            return after_to[0].label, True
        if role == lx.FALL:
            # "X fell": whoever is named before is more often the loser or the speaker than the winner.
            return "", False
    elif role == lx.WITHDRAW:
        # "following the withdrawal of Afghan forces": the party named after "of" leaves.
        if re.search(r"\bof$", trig.text) and after_of:
            return after_of[0].label, True
        # "the army said it had withdrawn from X": the subject leaves (nearest actor before the verb).
        inner = [a for a in actors if trig.start <= a.start and a.end <= trig.end]
        if inner:
            return inner[0].label, True
        if in_left:
            return in_left[-1].label, True
        subject = [a for a in actors if a.end <= trig.start and not (attr and attr.region_start <= a.start < attr.verb_end)]
        if subject:
            return subject[-1].label, True
        return "", False
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
    elif role == lx.CONTEST and _PASSIVE_BEFORE.search(text[left[0]:trig.start]) and after_by:
        return after_by[0].label, True  # "X is surrounded by the RSF"
    elif role == lx.CONTEST and not in_left:
        # "clashes between A and B in X", "fighting with A": the first party named after the trigger.
        parties = [a for a in in_right if re.match(r"^\s*(?:between|with|against|involving)?\s*(?:the\s+)?$",
                                                    text[trig.end:a.start]) or a is (in_right[0] if in_right else None)]
        if parties and re.search(r"\b(?:between|with|against|involving)\s", text[trig.start:parties[0].start + 1]):
            return parties[0].label, True
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
    if role in (lx.TAKE, lx.HOLD, lx.CONTEST, lx.WITHDRAW):
        # "The army, supported by ..., managed to control X": the sentence's subject, when no other
        # trigger or contrast stands between it and this trigger.
        subject = [a for a in actors if a.end <= trig.start and a.label
                   and not (attr and attr.region_start <= a.start < attr.verb_end)]
        if subject and not _CONTRAST.search(text[subject[0].end:trig.start]) \
                and not any(subject[0].end <= t.start < trig.start and (" " in t.text.strip() or t.text.lower()
                            .endswith(("ed", "ing", "took", "ran", "fell"))) for t in other_triggers):
            return subject[0].label, False
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


#: Roles that report a change or a state of control (a reference point "near X" is never their place).
#: "retook X after a week of fighting", "amid heavy clashes": the fighting is the setting of another claim
#: (but "Three days of fighting in X ended Saturday" reports the fighting itself).
_BACKGROUND_NOUN = re.compile(r"\b(?:after|following|amid|despite|during|since|ended|end\s+of)\s+(?:[\w-]+\s+)?"
                              r"(?:(?:days?|weeks?|months?|years?|hours?|nights?)\s+of\s+)?(?:[\w-]+\s+){0,2}$", re.I)
_CONTROL_ROLES = (lx.TAKE, lx.FALL, lx.HOLD, lx.UNDER, lx.EXPEL, lx.WITHDRAW, lx.NOMINAL_TAKE, lx.SURRENDER)
#: Roles whose event lies in the past when dated long before publication (history, not a current claim).
_CHANGE_ROLES = (lx.TAKE, lx.FALL, lx.EXPEL, lx.WITHDRAW, lx.NOMINAL_TAKE, lx.SURRENDER)


def _resolve_claimant(attr: _Attribution | None, sent_actors: list, ctx: _DocContext) -> tuple:
    """(claimant, unresolved?) for an attribution: pronouns ("it said", "he told reporters") and short
    descriptions ("the ministry added") become the speaker or organisation named before."""
    if attr is None:
        return "", False
    who = attr.claimant
    low = who.lower()
    if low in PRONOUNS:
        found = ctx.discourse.resolve(low, attr.verb_start, ("speaker", "org"), ordered=False)
        if found is None and low in ("it", "its", "they", "their"):
            # Only an earlier sentence: what the sentence itself names is what "it" reports on.
            found = ctx.discourse.resolve(low, min(attr.verb_start, attr.region_start, sent_actors[0].start
                                                   if sent_actors else attr.verb_start), ("actor",))
        if found is None:
            return "", True
        return found.name, False
    # "Kyiv said", "Turkey says": a capital or country speaking is its government.
    cc = registry.capital_country(who) or registry.name_country(who)
    if cc and len(who.split()) <= 3:
        return registry.state_name(ctx.actors, cc), False
    if head_word(who) or re.fullmatch(r"(?:the\s+)?(?:ministry|army|military|group|spokes(?:man|woman|person)|"
                                      r"governor|official|command|militia|movement)", low):
        found = ctx.discourse.resolve(who if head_word(who) else f"the {low}", attr.verb_start, ("speaker",))
        if found is not None:
            return found.name, False
        head = head_word(who) or low.split()[-1]
        if head in _GROUP_HEADS:
            # "The group said": the armed group named before (in the sentence, else earlier).
            group = _last_group(ctx, attr.verb_start, sent_actors, attr.region_start)
            if group:
                return group, False
    # "a spokesperson for the group", "a commander of the movement": that person of the group named before.
    m = _ROLE_OF_GROUP.fullmatch(who)
    if m:
        group = _last_group(ctx, attr.verb_start, sent_actors, attr.region_start)
        if group:
            return f"{group} {m.group('role')}", False
    return who, False


#: Head words that refer back to a non-state armed group ("the group said", "a spokesman for the movement").
_GROUP_HEADS = frozenset("group movement militia rebels insurgents militants organisation organization faction "
                         "alliance".split())
_ROLE_OF_GROUP = re.compile(
    r"(?P<role>(?:[\w-]+\s+)?(?:spokes(?:man|woman|person)|official|commander|leader|member|representative|"
    r"source|fighter|statement|media\s+office|media\s+wing))\s+(?:for|of|from|with|in|close\s+to)\s+the\s+"
    rf"(?:{'|'.join(sorted(_GROUP_HEADS))})", re.I)


def _last_group(ctx: _DocContext, pos: int, sent_actors=(), region_start: int = 0) -> str:
    """The non-state armed group named last before ``pos``: among ``sent_actors`` (the sentence's, before
    the speaker's phrase at ``region_start``), else among the speakers and actors of earlier sentences."""
    labels = [a.label for a in reversed(sent_actors) if a.kind != "pronoun" and a.end <= region_start]
    labels += [it.actor for it in ctx.discourse.before(pos)]
    for label in labels:
        if label and not label.startswith("Government") and not registry.is_state(ctx.actors, label) \
                and registry.is_known(ctx.actors, label):
            return label
    return ""


def _is_hypothetical(text: str, s0: int, s1: int, trig: _Trigger) -> bool:
    """A question, or a trigger inside an if/unless/whether clause ("if the group consolidates control of X
    it would be ..."): no current claim."""
    if re.search(r"\?\s*[”\"’']?\s*$", text[s0:s1]):
        return True
    before = text[s0:trig.start]
    last = None
    for m in lx.CONDITIONAL_RE.finditer(before):
        last = m
    return bool(last and not re.search(r"[,;:]|\bthen\b", before[last.end():]))


#: Fighting described as habitual: "clashes are frequent in X", "militants regularly attack X".
_HABITUAL_AFTER = re.compile(
    r"\s+(?:are|were|is|was|have\s+been|has\s+been|had\s+been|remain|remains)\s+(?:\w+\s+)?(?:frequent|common|"
    r"commonplace|routine|regular|rare|not\s+uncommon|an?\s+(?:regular|frequent|common|daily|weekly)\s+"
    r"(?:occurrence|feature|event)|a\s+fact\s+of\s+life)\b", re.I)
_HABITUAL_BEFORE = re.compile(r"\b(?:often|frequently|regularly|routinely|occasionally|sometimes|periodically|usually|"
                              r"typically|habitually|repeatedly\s+over\s+the\s+years)\s+(?:\w+\s+)?$", re.I)
#: A campaign summarised by its length after "after/following": over before the report ("following
#: Israel's three-week offensive in X", "after a months-long siege of X").
_PAST_CAMPAIGN = re.compile(
    r"\b(?:after|following|since|ended|end\s+of)\s+(?:the\s+|an?\s+|[\w’'.-]+['’]s\s+)?(?:[\w-]+\s+)?"
    r"(?:[\w-]+-(?:day|week|month|year)s?(?:-long)?|(?:days|weeks|months|years)-long|long-running|protracted)"
    r"\s+(?:[\w-]+\s+)?$", re.I)


def _is_habitual(text: str, s0: int, trig: _Trigger) -> bool:
    """Fighting said to recur ("clashes are frequent in X", "are regularly shelled") is background,
    not a claim about now."""
    if _HABITUAL_AFTER.match(text, trig.end) and not re.search(r"\s", trig.text.strip()):
        return True
    return bool(_HABITUAL_BEFORE.search(text, max(s0, trig.start - 30), trig.start))


def _is_background(text: str, lo: int, hi: int, trig: _Trigger, span: TimeSpan, time_how: str,
                   ctx: _DocContext) -> bool:
    """A change of control dated long before publication ("X, which fell in 2015,") is history."""
    if trig.role not in _CHANGE_ROLES and not (trig.role in (lx.HOLD, lx.UNDER)
                                                and not re.search(r"\bsince\b", text[lo:hi], re.I)):
        return False
    pub = ctx.published if isinstance(ctx.published, date) else None
    pub_year = pub.year if pub is not None else None
    if time_how == "event" and pub is not None:
        pub_date = pub.date() if isinstance(pub, datetime) else pub
        if (pub_date - span.latest.date()).days >= HISTORY_DAYS:
            return True
    for m in lx.HISTORY_RE.finditer(text, lo, hi):
        year = m.group("year") or m.group("year2")
        if year is None:
            return True
        if pub_year is not None and int(year) < pub_year - 1:
            return True
    return False


def _near_points(text: str, s0: int, places: list) -> set:
    """Indexes of places named as reference points ("near X", "20 km north of X")."""
    out = set()
    for i, r in enumerate(places):
        if r.explicit and lx.NEAR_BEFORE_RE.search(text[max(s0, r.start - 45):r.start]):
            out.add(i)
    return out


def _credit_fall(place_ref, ctx: _DocContext) -> str:
    """Who took a place that "has fallen" with no "to ...": the side an earlier claim of the article
    says took or holds it."""
    key = place_ref.mention.place_id or place_ref.mention.name
    for _, claims in reversed(ctx.history):
        for c in claims:
            if (c.place_id or c.place) == key and c.status == CONTROLLED and c.actor:
                return c.actor
    return ""


def _claims_for_sentence(sent, block_id: int, ctx: _DocContext, quotes: list, para_attrs: list,
                         out: list, triggers: list) -> None:
    text = ctx.text
    s0, s1 = sent.start, sent.end
    ctx.sentence_index += 1
    attributions = [a for a in para_attrs if s0 <= a.verb_start < s1]
    actors = _find_actors(text, s0, s1, ctx) if (triggers or attributions) else []
    made = []
    if triggers:
        made = _trigger_claims(sent, block_id, ctx, quotes, para_attrs, attributions, triggers, actors)
    rebuttal = None
    if _has_any(text[s0:s1].lower(), lx.REBUTTAL_WORDS):
        rebuttal = lx.REBUTTAL_RE.search(text, s0, s1) or lx.REBUTTAL_RE.match(text[s0:s1].lstrip(' “"'))
    if rebuttal and not any(c.status == NOT_CONTROLLED for c in made):
        made += _rebut_previous(sent, ctx, quotes, para_attrs, attributions, actors, rebuttal, made)
    made = _dedupe(made)
    if made:
        ctx.history.append((ctx.sentence_index, made))
    # Remember who spoke and who was named, for "it said" / "the group" further on.
    for a in attributions:
        who, _ = _resolve_claimant(a, actors, ctx)
        if who:
            ctx.discourse.add(a.verb_start, who, actor=_speaker_side(who, ctx), role="speaker")
    for a in actors:
        if a.kind != "pronoun":
            ctx.discourse.add(a.start, _clean(a.text), kind="org", actor=a.label, role="actor")
    # Organisations named without speaking ("The Defence Ministry issued a statement"): antecedents of "it".
    for m in (_ORG_NAME.finditer(text, s0, s1) if _has_any(text[s0:s1], _ORG_NAME_HEADS) else ()):
        name = _DETERMINER.sub("", _clean(m.group("org")))
        ctx.discourse.add(m.start("org"), name, kind="org", actor=_speaker_side(name, ctx), role="org")
    out.extend(made)


def _rebut_previous(sent, ctx, quotes, para_attrs, attributions, actors, rebuttal, current=()) -> list:
    """ "Kyiv rejected the claim", "This is not true": not_controlled claims by the rebutting party
    for the control claims made just before by someone else (``current``: the claims of this sentence,
    "X claimed to have captured Y, but officials denied this")."""
    text = ctx.text
    pos = sent.start + rebuttal.start() if rebuttal.string is not text else rebuttal.start()
    earlier = list(ctx.history)
    if current and _CONTRAST.search(text, sent.start, pos):
        earlier.append((ctx.sentence_index, list(current)))
    qa = _quote_attribution(text, pos, quotes, para_attrs)
    attr = qa or next((a for a in attributions if a.verb_start <= pos + 1 and a.verb_end >= pos), None)
    if attr is None:
        attr = next(iter(attributions), None)
    claimant, unresolved = _resolve_claimant(attr, actors, ctx)
    if not claimant:
        return []
    for idx, claims in reversed(earlier):
        if ctx.sentence_index - idx > REBUTTAL_REACH_SENTENCES:
            break
        target = [c for c in claims if c.status == CONTROLLED and c.claimant != claimant]
        if not target:
            continue
        times = _find_times(text, sent.start, sent.end, ctx)
        span, how = (times[0][2], "event") if times else _fallback_time(ctx)
        quote = _SPACE.sub(" ", sent.text).strip()
        made = []
        for c in target:
            notes = [f"rebuttal by {claimant} of the claim by {c.claimant}"]
            if how != "event":
                notes.append(f"time {how}")
            flags = ["speaker_unresolved"] if unresolved else []
            made.append(replace(
                c, status=NOT_CONTROLLED, claimant=claimant, quote=quote, time=span,
                id=_make_id(ctx.name, sent.start, pos, c.place_id or c.place, NOT_CONTROLLED, claimant),
                confidence=round(max(0.05, (c.confidence or BASE_CONFIDENCE) - REBUTTAL_PENALTY), 2),
                notes="; ".join(notes), status_raw=_clean(rebuttal.group(0)).lower(),
                extra=(("sentence_start", sent.start), ("sentence_end", sent.end), ("flags", ";".join(flags))),
            ))
        return made
    return []


_WHERE_BEFORE = re.compile(r"\b(?:in|at|near|on|outside|inside|around)\s+(?:the\s+)?$", re.I)
#: An object named without a place name right after an active trigger ("captured two villages nearby").
_UNNAMED_OBJECT = re.compile(
    r"\s+(?:(?:the|a|an|two|three|four|five|six|seven|eight|nine|ten|several|some|many|more|another|its|their|"
    r"dozens\s+of|\d+)\s+)(?:[\w-]+\s+){0,2}?(?:villages?|towns?|settlements?|positions?|areas?|bases?|hills?|"
    r"heights|cities|posts?|outposts?|checkpoints?|neighbou?rhoods?|localities|locality|strongholds?|trenches|"
    r"buildings?)\b", re.I)
#: "attack on the provincial capital, X": the comma of an apposition does not end the object.
_APPOSITION = re.compile(r"\b(?:provincial\s+|regional\s+|district\s+|state\s+)?(?:capital|city|town|village|"
                         r"stronghold|hub|centre|center),\s*$", re.I)
_PLURAL_UNITS = re.compile(r"\b(?:districts|provinces|regions|governorates|counties|states|cities|towns|villages|"
                           r"settlements|municipalities|oblasts|departments|areas|parts|territory|territories)\b",
                           re.I)


def _place_group(text, trig, places, usable, left, right, passive, triggers=()) -> list:
    """The places a trigger acts on, among ``places[i] for i in usable`` (see the module docstring)."""
    role = trig.role
    control = role in _CONTROL_ROLES
    look_left = (role in (lx.FALL, lx.UNDER) and not trig.text.lower().endswith(" by")) or (
        passive and role in (lx.TAKE, lx.HOLD, lx.EXPEL)) or (
        passive and role == lx.CONTEST and re.match(r"\w+(?:ed|en)\b", trig.text, re.I))  # not "was pressing"
    if role == lx.UNDER and trig.text.lower().endswith(" by"):
        look_left = True  # "Douma, controlled by the group": the place before
    came_under = bool(re.match(r"c(?:ame|omes|oming)\s+under\b", trig.text, re.I))
    if came_under:
        look_left = True  # "X came under attack"
    if role == lx.HOLD and "-" in trig.text:
        look_left = False  # "the Georgian-controlled villages of A and B": the places after
    right_refs = [i for i in usable if right[0] <= places[i].start and places[i].end <= right[1]]
    left_refs = [i for i in usable if left[0] <= places[i].start and places[i].end <= left[1]]
    if passive and role == lx.TAKE and not left_refs:
        # "the two inmates were captured in X", "weapons were seized at X": what was taken is the subject,
        # X only where it happened.
        right_refs = [i for i in right_refs if not _WHERE_BEFORE.search(text, max(trig.end, places[i].start - 12),
                                                                        places[i].start)]
    if control and not right_refs:
        # "seized towns near X, including A and B": the list after the reference point.
        right_refs = [i for i in usable if trig.end <= places[i].start <= trig.end + MAX_OBJECT_GAP + 60
                      and re.search(r"\b(?:including|such\s+as|notably|among\s+them|namely)\b",
                                    text[trig.end:places[i].start])]
    # "seized a key town in Sudan's Darfur": a country or region after "in" locates the object, it is not it.
    right_refs = [i for i in right_refs if not (
        ((control and (places[i].mention.kind or "") in ("country", "admin1"))
         or (role in (lx.ATTACK, lx.CONTEST) and (places[i].mention.kind or "") == "country")) and places[i].explicit
        and re.search(r"\b[a-z]{3,}\s+(?:in|inside|across)\s+(?:the\s+)?(?:\w+\s+)?$", text[trig.end:places[i].start])
        and not _PLURAL_UNITS.search(text[trig.end:places[i].start]))]
    comma_blocked = bool(right_refs) and "," in _APPOSITION.sub(" ", text[trig.end:places[right_refs[0]].start])
    if (not right_refs or comma_blocked) and role in (lx.CONTEST, lx.ATTACK):
        # "clashes between A and B on June 29 in X": the place after the parties.
        far = [i for i in usable if trig.end <= places[i].start <= trig.end + MAX_CLAUSE_CHARS
               and re.search(r"\b(?:in|at|around|inside|on)\s+(?:the\s+)?(?:(?:town|village|city|area)\s+of\s+)?$",
                             text[max(trig.end, places[i].start - 30):places[i].start])
               and not re.search(r"[;.]|\bbut\b", text[trig.end:places[i].start])
               # a trigger in between is nearer: "clashes broke out after X attacked bases in Y" (Y attacked)
               and not any(trig.end <= t.start and t.end <= places[i].start for t in triggers
                           if t is not trig and not _coordinated_nouns(text, trig, t))]
        far = [i for i in far if (places[i].mention.kind or "") != "country"]
        if far:
            return _group_from(places, far[0], text, forward=True)
    group = []
    if look_left and left_refs:
        group = _group_from(places, left_refs[-1], text, forward=False)
    elif role in (lx.FALL, lx.UNDER) or came_under:
        group = []  # "X fell", "X is under the control of": the place is the subject, never after
    elif right_refs and ("," not in _APPOSITION.sub(" ", text[trig.end:places[right_refs[0]].start])
                         or re.search(r"\b(?:including|such\s+as|notably|among\s+them|namely)\b",
                                      text[trig.end:places[right_refs[0]].start])) \
            and places[right_refs[0]].start - trig.end <= MAX_OBJECT_GAP + 60:
        group = _group_from(places, right_refs[0], text, forward=True)
    elif left_refs and role in (lx.HOLD, lx.TAKE, lx.CONTEST, lx.EXPEL, lx.PUSHBACK, lx.WITHDRAW) and not (
            role in (lx.TAKE, lx.HOLD) and (places[left_refs[-1]].mention.kind or "") == "country") and not (
            role == lx.TAKE and not passive and _UNNAMED_OBJECT.match(text, trig.end)):
        # ("advancing on X and have captured two villages nearby": the object is named after, not X)
        # (an active "Russia ... secured X" has its subject on the left, not its object)
        group = _group_from(places, left_refs[-1], text, forward=False)
    return group


def _coordinated_nouns(text: str, first: _Trigger, later: _Trigger) -> bool:
    """ "The clashes, shelling and explosions in X": one-word triggers listed together share their place."""
    return " " not in first.text.strip() and " " not in later.text.strip() and bool(
        _COORD_GAP.match(text[first.end:later.start]))


def _trigger_claims(sent, block_id, ctx, quotes, para_attrs, attributions, triggers, actors) -> list:
    text = ctx.text
    ctx_actors_holder[0] = ctx
    s0, s1 = sent.start, sent.end
    speakers = [(a.region_start, a.verb_start) for a in attributions]
    places = _sentence_places(text, s0, s1, ctx, speakers)
    near = _near_points(text, s0, places)
    times = _find_times(text, s0, s1, ctx)
    cuts = _boundaries(text, s0, s1, triggers, attributions)
    prev_actor = ""
    prev_trig = prev_attr = None
    made = []
    for trig in triggers:
        if _is_intention(text, s0, trig) or _is_hypothetical(text, s0, s1, trig):
            continue
        if trig.role == lx.CONTEST and _BACKGROUND_NOUN.search(text, max(s0, trig.start - 40), trig.start) \
                and " " not in trig.text.strip():
            continue  # "retook X after a week of fighting": the fighting is the background of the claim
        if trig.status in (CONTESTED, ATTACKED) and (_is_habitual(text, s0, trig)
                                                    or _PAST_CAMPAIGN.search(text, max(s0, trig.start - 60), trig.start)):
            continue  # "clashes are frequent in X"; "after Israel's three-week offensive in X": background
        if trig.role == lx.SURRENDER and not _surrender_has_object(text, trig, s1):
            continue
        left = _left_window(cuts, trig, s0)
        right = _right_window(cuts, trig, s1)
        passive = bool(_PASSIVE_BEFORE.search(text[left[0]:trig.start]))
        role = trig.role
        passes = ([i for i in range(len(places)) if i not in near], list(range(len(places))))
        group = []
        for usable in passes:
            # A reference point ("a base near X") is the place only when nothing else is named.
            group = _place_group(text, trig, places, usable, left, right, passive, triggers)
            if group:
                break
        if role in (lx.CONTEST, lx.WITHDRAW):
            # "fighting in Syria", "the withdrawal of foreign forces from Afghanistan": a country is the setting of the fighting, not a place being fought for.
            group = [r for r in group if (r.mention.kind or "") != "country"]
        if not group:
            continue
        # Speaker.
        qa = _quote_attribution(text, trig.start, quotes, para_attrs)
        attr = _claimant_for(trig, attributions, qa)
        claimant, speaker_unresolved = _resolve_claimant(attr, actors, ctx)
        side = _speaker_side(claimant, ctx)
        # Pronouns ("its fighters", "our units", "it had withdrawn") stand for the speaker or the group before.
        sent_actors = [replace(a, label=_resolve_pronoun_actor(a, actors, claimant, ctx)) if a.kind == "pronoun"
                       else a for a in actors]
        # Actor.
        between = text[prev_trig.end:trig.start] if prev_trig is not None else ""
        # "took X and seized Y": the same actor; "retook the centre but fighting is still going on": the
        # fighting involves the side that retook it.
        inherit = prev_actor if prev_trig is not None and attr is prev_attr and (
            (re.search(r"\band\b", between) and not re.search(r"\bbut\b|;", between))
            or (trig.role == lx.CONTEST and re.search(r"\bbut\b", between) and not re.search(r";", between))) else ""
        actor, actor_explicit = _actor_for(trig, text, sent_actors, left, right, claimant, inherit, s0, attr,
                                           triggers)
        enemy_words = re.compile(r"\b(?:the\s+)?enemy\b", re.I)
        if actor and any(enemy_words.fullmatch(a.text.strip()) for a in sent_actors if a.label == actor) \
                and side and side == (ctx.main_group or "Insurgents"):
            actor = registry.state_name(ctx.actors, ctx.main_country)  # the enemy, as an insurgent says it
        if not actor and trig.role in (lx.CONTEST, lx.ATTACK) and side and _MILITARY_SPEAKER.search(claimant):
            # "The army command said operations were continuing in X": the speaker's side is fighting.
            actor = side
        if not actor and trig.status in (CONTROLLED, NOT_CONTROLLED):
            if trig.role == lx.FALL:
                # "now that X has fallen": the side an earlier claim says took it; else a non-state
                # speaker's own side; else the article's main armed group.
                actor = _credit_fall(group[0], ctx)
                if actor:
                    actor_explicit = False
            if not actor and side and not registry.is_state(ctx.actors, side) and not side.startswith(
                    "Government") and trig.role in (lx.FALL, lx.NOMINAL_TAKE, lx.TAKE, lx.HOLD):
                actor = side
            elif not actor and ctx.main_group and trig.role in (lx.FALL, lx.NOMINAL_TAKE):
                actor = ctx.main_group
        if trig.role in (lx.EXPEL, lx.WITHDRAW) and not actor:
            continue
        prev_actor = actor or prev_actor
        prev_trig, prev_attr = trig, attr
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
        if _is_background(text, left[0], right[1], trig, span, time_how, ctx) or (
                trig.role in _CHANGE_ROLES and time_how != "event" and _is_background(
                    text, s0, trig.start, trig, span, time_how, ctx)):
            continue
        flags = []
        if speaker_unresolved:
            flags.append("speaker_unresolved")
        if not actor or not registry.is_known(ctx.actors, actor):
            flags.append("actor_unknown")
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
            if places.index(ref) in near:
                scope = f"{scope} near".strip()  # "a military base near X": the claim is about X's surroundings
            conf = BASE_CONFIDENCE
            conf += EXPLICIT_PLACE_BONUS if ref.explicit else -REFERENCE_PLACE_PENALTY
            conf += EXPLICIT_ACTOR_BONUS if actor_explicit else -INFERRED_ACTOR_PENALTY
            conf += EXPLICIT_TIME_BONUS if time_how in ("event", "report") else -INFERRED_TIME_PENALTY
            if sent.kind == "headline":
                conf -= HEADLINE_PENALTY
            claim_notes = list(notes)
            claim_flags = list(flags)
            if not ref.explicit:
                claim_notes.append(f"place from the reference '{_clean(ref.text)}'")
                claim_flags.append("place_from_reference")
            if ref.mention.place is not None and ref.mention.score and ref.mention.score < LOW_MATCH_SCORE:
                claim_flags.append("low_match")
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
            if speaker_unresolved:
                claim_notes.append(f"speaker '{attr.claimant}' not resolved; the source stands in")
            if denied:
                claim_notes.append(f"denial by {claimant}")
            made.append(_build_claim(ctx, sent, ref, span, status, actor, claimant or ctx.source, scope,
                                     trig, conf, claim_notes, claim_flags))
            if denied and attr.denied_owner:
                owner = _owner_label(attr.denied_owner, ctx)
                made.append(_build_claim(
                    ctx, sent, ref, span, CONTROLLED, actor, owner, scope, trig,
                    conf - DENIED_CLAIM_PENALTY,
                    claim_notes[:-1] + [f"claim known only through the denial by {claimant}"], claim_flags,
                ))
    return made


def _surrender_has_object(text: str, trig: _Trigger, s1: int) -> bool:
    """'surrendered Herat to the Taliban' / 'surrendered to the Taliban in Herat': a party to surrender to."""
    return bool(re.match(r"^\s+(?:[\w’'-]+\s+){0,4}?to\s+(?:the\s+)?[A-Za-z]", text[trig.end:min(s1, trig.end + 80)]))


def _owner_label(owner: str, ctx: _DocContext) -> str:
    return registry.label(ctx.actors, owner, ctx.main_country) or _clean(owner)


_CONTRAST = re.compile(r"\bbut\b|;|\bwhile\b|\bwhereas\b|\balthough\b|\bthough\b", re.I)


def _pick_time(trig, times, left, right, attr, block_id, ctx, s0, s1) -> tuple:
    """The claim's time: a time phrase in its clause, else the time its speaker spoke, else any time in
    its sentence, else the dateline date or the publication date. Never a time of an earlier sentence."""
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
    # Another time of the sentence, unless a contrast or a "since ..." clause stands between ("the first
    # capture since launching an offensive in April": April dates the offensive, not the capture).
    same_clause = [t for t in times if not _CONTRAST.search(ctx.text[min(t[1], trig.end):max(t[0], trig.start)])
                   and not re.search(r"\bsince\b", ctx.text[min(t[1], trig.end):max(t[0], trig.start)], re.I)]
    if same_clause:
        nearest = min(same_clause, key=lambda t: min(abs(t[0] - trig.end), abs(trig.start - t[1])))
        return nearest[2], "event"
    # Never a time of an earlier sentence: "Fighting began on Monday. X captured Y" does not date the capture.
    return _fallback_time(ctx)


def _fallback_time(ctx) -> tuple:
    if ctx.dateline_time is not None:
        return ctx.dateline_time, "is the dateline date"
    return _published_span(ctx), "is the publication date"


def _published_span(ctx: _DocContext) -> TimeSpan:
    from mapper.timespan import parse_time

    p = ctx.published
    if isinstance(p, datetime):
        return parse_time(p.date(), tz=ctx.tz)
    return parse_time(p, tz=ctx.tz)


def _build_claim(ctx, sent, ref, span, status, actor, claimant, scope, trig, conf, notes, flags=()) -> Claim:
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
        extra=(("sentence_start", sent.start), ("sentence_end", sent.end), ("flags", ";".join(flags))),
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
    # Fighting for a place includes the attacks on it: one sentence, one claimant -> the contested claim.
    contested = {(c.place_id or c.place, c.claimant) for c in out if c.status == CONTESTED}
    out = [c for c in out if not (c.status == ATTACKED and (c.place_id or c.place, c.claimant) in contested)]
    controlled = {(c.place_id or c.place, c.claimant): c.actor for c in out if c.status == CONTROLLED}
    return [
        c for c in out
        if not (c.status == NOT_CONTROLLED and "denial" not in c.notes
                and controlled.get((c.place_id or c.place, c.claimant)) not in (None, c.actor))
    ]


# ------------------------------------------------------------------- API
def _country_of(mentions, demonym_ccs=()) -> str:
    """The article's country: the one its places (and the dateline, counted twice) name most; demonyms
    only break ties."""
    counts = Counter(m.country_code for m in mentions if m.country_code)
    for m in mentions:
        if m.kind == "country" and m.country_code:
            # A country named as such breaks a tie with a town's resolved country (which may be a lookalike:
            # "retook Palma, Mozambique's defence ministry said").
            counts[m.country_code] += COUNTRY_NAME_TIEBREAK
    for cc in demonym_ccs:
        counts[cc] += 0.5
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
    base = actors if actors is not None else _default_actors()
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
    layout = article_blocks(text)
    datelines = [d for d in (find_dateline(text, b0, b1) for b0, b1, kind in layout if kind == "body") if d]
    actor_names = registry.surface_names(base)  # actor names are never places (one owner: the registry)
    all_mentions = sorted(find_places(text, geoparser, actor_names), key=lambda m: m.start)
    # A dateline ("KABUL: ...") says where the story was filed: context for the country, never a claim place.
    in_dateline = [m for m in all_mentions if any(d.start <= m.start < d.end for d in datelines)]
    # "U.S.-led forces", "Saudi-backed": an adjective, not a place; "Assad said", "Kyiv says": a speaker.
    mentions = [m for m in all_mentions if m not in in_dateline and not _LED_AFTER.match(text, m.end)
                and not _SPEAKS_AFTER.match(text, m.end)]
    named_spans = _named_spans(text, registry.name_finder(base))
    actor_spans = [(a, b) for a, b, _ in named_spans]
    # A toponym inside an actor's name ("Hayat Tahrir al-Sham", "Tiger Forces") is not a place.
    mentions = [m for m in mentions if not any(a <= m.start < b for a, b in actor_spans)
                and not _ORG_AFTER.match(text, m.end) and not _FORCE_AFTER_MENTION.match(text, m.end)
                and not re.search(r"\b(?:pro|anti)-$", text[max(0, m.start - 5):m.start], re.I)]
    if geoparser is not None:
        caps = capitalised_places(text, actor_names)
        mentions = longer_names(text, mentions, LONGER_NAME_SCORE, caps)
        # Villages the gazetteer lacks: capitalised names in a place position, unresolved (flagged).
        mentions = sorted(mentions + unresolved_places(text, mentions + in_dateline, actor_spans, caps),
                          key=lambda m: m.start)
    # Demonyms and nationality adjectives ("the Syrian town of X") are context, never claim places.
    dem = {m.name: registry.demonym_country(m.name) if m.kind != "country" else "" for m in mentions}
    demonym_ccs = [dem[m.name] for m in mentions if dem[m.name]]
    mentions = [m for m in mentions if not dem[m.name]]
    # So is a country name used as a modifier of the place ("a Myanmar border town", "the Sudan
    # army base"): the claim is about the town, the country is its context.
    attributive = [m for m in mentions if m.kind == "country" and _COUNTRY_MODIFIES.match(text, m.end)]
    if attributive:
        demonym_ccs += [m.country_code for m in attributive if m.country_code]
        mentions = [m for m in mentions if m not in attributive]
    main_country = _country_of(mentions + in_dateline + in_dateline, demonym_ccs)
    # Acronyms defined in this article are learned for this article only, on a copy of the registry
    # (made only when there is one to learn).
    pairs = registry.defined_acronyms(text)
    actors = registry.learn_pairs(base, pairs, copy_first=True)
    doc_names = None
    if pairs:
        names = sorted({n for p in pairs for n in p}, key=len, reverse=True)
        doc_names = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    if doc_names is not None:
        # Names defined in this article ("the Rapid Support Forces (RSF)") count like the registry's.
        extra = [(m.start(), m.end(), m.group(0)) for m in doc_names.finditer(text)]
        for a0, a1, _raw in extra:
            suffix = _FORCE_AFTER_MENTION.match(text, a1)
            a1 = suffix.end() if suffix else a1
            named_spans = [x for x in named_spans if not _overlaps(a0, a1, x[0], x[1])] + [(a0, a1, text[a0:a1])]
        named_spans.sort()
    ctx = _DocContext(
        text=text, mentions=mentions, published=published, tz=tz or _tz_for(main_country), source=source, url=url,
        main_group=_main_group(named_spans, actors),
        main_country=main_country, actors=actors, name=name or source, doc_names=doc_names, named_spans=named_spans,
        countries=frozenset(c for c in [m.country_code for m in all_mentions] + demonym_ccs if c),
    )
    starts = [m.start for m in mentions]
    if all(a <= b for a, b in zip(starts, starts[1:])):
        ctx.mention_starts = starts
    if datelines and datelines[0].date:
        from mapper.timespan import parse_time

        try:
            ctx.dateline_time = parse_time(datelines[0].date, tz=ctx.tz, anchor=published)
        except (TimeParseError, ValueError, OverflowError):
            log.debug("dateline date %r not understood", datelines[0].date)
    claims = []
    for bi, (b0, b1, kind) in enumerate(layout):
        if kind == "boilerplate":
            continue
        dl = next((d for d in datelines if d.start == b0), None)
        sents = split_sentences(text, dl.end if dl else b0, b1, kind=kind)
        quotes = _quote_spans(text, b0, b1)
        triggers = [_find_triggers(text, s.start, s.end) for s in sents]
        attrs = [a for s, t in zip(sents, triggers) for a in _find_attributions(text, s.start, s.end, t)]
        for sent, t in zip(sents, triggers):
            _claims_for_sentence(sent, bi, ctx, quotes, attrs, claims, t)
    places = {m.place_id: m.place for m in all_mentions if m.place is not None}
    return finish_claims(claims, mention_places=[m.place for m in mentions if m.place is not None],
                         countries=frozenset(demonym_ccs) | frozenset(m.country_code for m in in_dateline
                                                                        if m.country_code),
                         places_by_id=places)


def _default_actors():
    """The default registry, built once per process (copied per article)."""
    return registry.default_actors()
