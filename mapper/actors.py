"""Actors (who holds or fights for a place), the registry that names them, and their colours.

An *actor* is a party a claim is about ("Rapid Support Forces", "Government
of Ukraine"). Reporting names actors in many ways (ANDSF, Afghan forces,
commandos, Defence Ministry; RSF, Rapid Support Forces; "Russian troops",
"Kyiv said"), so an :class:`Actors` registry maps those texts onto named
actors, each with a kind (state forces, non-state group, militia, private
military company, international force), a country and the side it fights for.

The default registry is the table ``mapper/data/actors.csv`` (sources in
``mapper/data/ACTORS.md``) plus one *state actor* per country, generated from
:mod:`mapper.countries`: "Government of Ukraine", also called "Ukrainian
forces", "the Ukrainian army", "Kyiv".

Matching rules (:meth:`Actors.match`), on normalised text (case-folded,
accents and punctuation removed), with the *country of the context* (the
article's or the place's ISO code) as an optional argument:

1. the text equals an actor's name, alias or acronym: that actor;
2. otherwise the names and aliases contained in the text as whole words,
   and acronyms written in capitals ("RSF fighters"). If they all belong to
   one actor, that actor; if they belong to *different* actors ("Taliban
   and/or Islamic State") nothing matches, so the text is never silently
   assigned to one of them;
3. otherwise a nationality adjective with state wording ("Russian troops",
   "the Iraqi army", "Russian-installed governor", "the Russians") names that
   country's state actor, and a capital or seat of power used as a metonym
   ("Kyiv", "officials in Moscow", "the Kremlin") likewise; "-backed",
   "pro-" and "anti-" phrases name no state ("Russian-backed separatists");
4. otherwise generic state wording ("the army", "government forces",
   "security forces", "Defence Ministry", "police", "the governor") names the
   state actor of the context country, and a generic "Government" (kind
   ``state``, no country) only when no country is known: "Government" never
   stands unqualified when the country is known.

Unknown actors are added on first use (:meth:`Actors.resolve`), marked
``configured=False``. Colours are handed out on first use in a map, in
order of first appearance, so the same input always gives the same colours:
an actor's own colour from the table when no other actor took it, else the
next colour of a colour-blind-safe palette (Okabe & Ito 2008, then Paul
Tol's "muted").

Configuration file (``--actors FILE``): CSV with the columns of the default
table (``name,kind,country,side,aliases,acronyms,colour,source``; only
``name`` is required; lists separated by ``;``) or JSON::

    [{"name": "Government of Afghanistan", "colour": "#0072B2", "kind": "state",
      "country": "AF", "aliases": ["ANDSF", "Afghan forces"]},
     {"name": "Taliban", "colour": "#D55E00", "acronyms": ["IEA"]}]

(or ``{"actors": [...]}``, or ``"replace_defaults": false`` on the object
form to extend the defaults). A file replaces the default table unless it
says otherwise; the generated state actors are always there.
"""

from __future__ import annotations

import colorsys
import csv
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from mapper import countries
from mapper.errors import ActorConfigError

#: Okabe-Ito colour-blind-safe palette (black omitted: it is used for outlines).
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "reddish_purple": "#CC79A7",
}

#: Colours used by the map for statuses, kept out of the actor palette so a
#: status never looks like an actor.
DISPUTED_COLOUR = OKABE_ITO["reddish_purple"]
UNKNOWN_COLOUR = "#9E9E9E"

#: Colours handed to actors on first use, in order: Okabe-Ito (without the
#: disputed colour), then Paul Tol's "muted" scheme (also colour-blind safe).
PALETTE = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    "#332288",
    "#882255",
    "#117733",
    "#999933",
    "#44AA99",
    "#AA4499",
    "#DDCC77",
    "#88CCEE",
    OKABE_ITO["yellow"],
)

#: Name used for a claim that does not name an actor.
UNSTATED = ""

#: Actor kinds of the registry.
STATE, NON_STATE, MILITIA, PMC, INTERNATIONAL = "state", "non_state", "militia", "pmc", "international"
KINDS = (STATE, NON_STATE, MILITIA, PMC, INTERNATIONAL)

#: Name of the state actor when no country is known (rule 4).
GENERIC_GOVERNMENT = "Government"

#: The default table, shipped with the package.
DEFAULT_TABLE = Path(__file__).resolve().parent / "data" / "actors.csv"

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

#: Generic state wording (rule 4), as normalised words and phrases.
STATE_WORDS = (
    "government", "the government", "central government", "federal government", "government forces",
    "government troops", "government soldiers", "pro government forces", "regime", "regime forces", "army",
    "the army", "national army", "military", "the military", "armed forces", "troops", "soldiers",
    "security forces", "security officials", "security sources", "security services", "police", "the police",
    "national police", "federal police", "defence ministry", "defense ministry", "ministry of defence",
    "ministry of defense", "interior ministry", "ministry of interior", "ministry of the interior",
    "foreign ministry", "general staff", "the general staff", "joint staff", "chief of staff", "authorities",
    "the authorities", "local authorities", "officials", "government officials", "local officials",
    "military officials", "military spokesman", "army spokesman", "government spokesman", "spokesman",
    "presidency", "the presidency", "president", "prime minister", "governor", "the governor",
    "provincial governor", "regional governor", "district governor", "mayor", "commandos", "special forces",
    "border guards", "border guard", "national guard", "marines", "paratroopers", "air force", "navy",
    "defence forces", "defense forces", "national defence forces", "national defense forces", "gendarmerie",
    "state media", "state television", "state tv", "state news agency", "cabinet", "council of ministers",
    "military council", "junta", "the junta", "military junta", "ministry", "the ministry", "command",
    "military command", "operational command", "southern command", "northern command", "eastern command",
    "western command", "army command", "high command", "forces", "our forces", "our troops",
)
#: Words that make a nationality adjective name something other than the state ("Russian-backed").
_NOT_STATE_PREFIX = re.compile(r"\b(?:pro|anti)\s*-\s*$|\b(?:pro|anti)\s+$", re.I)
_NOT_STATE_SUFFIX = re.compile(r"^\s*-?\s*(?:backed|allied|aligned|affiliated|linked|sponsored|supported|"
                               r"trained|armed|funded|speaking)\b", re.I)
#: Words after a demonym that name the state's people or organs ("Russian-installed", "Russian officials").
_STATE_AFTER_DEMONYM = re.compile(r"^\s*-?\s*(?:installed|appointed|led|run|controlled|occupation|occupying)\b",
                                  re.I)

#: Channel words that are not part of a claimant's identity ("the ministry on Telegram").
_CHANNELS = (
    r"Facebook|Telegram|Twitter|X|WhatsApp|YouTube|Instagram|TikTok|VKontakte|VK|website|web\s*site|"
    r"blog|television|TV|radio|state\s+media|state\s+television|news\s+agency|press\s+service|"
    r"press\s+office|statement|communiqu[ée]|(?:social\s+media\s+)?(?:account|page|channel)"
)
_CHANNEL_RES = (
    re.compile(rf"^(?P<org>.+?)\s*\((?:(?:via|on|in)\s+)?(?:a\s+|an\s+|its\s+|their\s+|his\s+|her\s+)?"
               rf"(?P<channel>[^)]*?(?:{_CHANNELS})[^)]*)\)\s*$", re.I),
    re.compile(rf"^(?P<org>.+?)['’]s\s+(?:official\s+)?(?P<channel>(?:[\w-]+\s+)?(?:{_CHANNELS})(?:\s+\w+)?)\s*$", re.I),
    re.compile(rf"^(?P<org>.+?)\s*,?\s+(?:on|via|in|through)\s+(?:a\s+post\s+on\s+|a\s+statement\s+on\s+|a\s+"
               rf"|an\s+|its\s+|their\s+|his\s+|her\s+|the\s+)?(?P<channel>(?:[\w-]+\s+)?(?:{_CHANNELS})"
               rf"(?:\s+(?:channel|account|page|post))?)\s*$", re.I),
)


@dataclass(frozen=True)
class Actor:
    """A party in the conflict.

    ``colour`` is "" for a registry actor not yet drawn on a map;
    :meth:`Actors.resolve` hands out colours on first use. ``configured`` is
    False for actors added on the fly because a claim named them and nothing
    in the registry matched. ``kind`` is one of :data:`KINDS` (or "" when
    unknown), ``country`` an ISO alpha-2 code (the state, or the group's home
    country), ``side`` the actor it fights for when not its own.
    """

    name: str
    colour: str = ""
    aliases: tuple = field(default=(), repr=False)
    configured: bool = True
    kind: str = ""
    country: str = ""
    side: str = ""
    acronyms: tuple = field(default=(), repr=False)

    def is_state(self) -> bool:
        """True when the actor is the state forces of a country (kind ``state``)."""
        return self.kind == STATE

    def is_foreign(self, cc: str) -> bool:
        """True when the actor belongs to a country and it is not ``cc``."""
        return bool(self.country and cc and self.country.upper() != cc.upper())

    @property
    def side_name(self) -> str:
        """The side this actor fights for: ``side``, else its own name."""
        return self.side or self.name

    def to_dict(self) -> dict:
        """The actor as the plain dict the actors file and the page use (tuples as lists)."""
        return {"name": self.name, "colour": self.colour, "aliases": list(self.aliases), "kind": self.kind,
                "country": self.country, "side": self.side, "acronyms": list(self.acronyms)}


@dataclass(frozen=True)
class Claimant:
    """Who makes a claim, split into the organisation or person and the channel it spoke through.

    ``organisation`` is the identity that supersession and filters use;
    ``channel`` is how it was said ("Telegram", "a statement"), kept apart.
    """

    organisation: str
    channel: str = ""


def split_claimant(text: str) -> Claimant:
    """Split "Defence Ministry on Facebook" into organisation and channel.

    Examples
    --------
    >>> split_claimant("Defence Ministry on Facebook")
    Claimant(organisation='Defence Ministry', channel='Facebook')
    >>> split_claimant("the ministry's Telegram channel")
    Claimant(organisation='the ministry', channel='Telegram channel')
    >>> split_claimant("Ukrainian General Staff (via Facebook)")
    Claimant(organisation='Ukrainian General Staff', channel='Facebook')
    >>> split_claimant("Khaama Press")
    Claimant(organisation='Khaama Press', channel='')
    >>> split_claimant("")
    Claimant(organisation='', channel='')
    """
    text = " ".join((text or "").split())
    for rx in _CHANNEL_RES:
        m = rx.match(text)
        if m and m.group("org").strip(" ,"):
            return Claimant(m.group("org").strip(" ,"), m.group("channel").strip())
    return Claimant(*_split_claimant_more(text))


_MORE_CHANNELS = (
    "facebook", "telegram", "twitter", "x", "instagram", "youtube", "whatsapp", "tiktok", "vk", "vkontakte",
    "website", "web site", "social media", "a statement", "statement", "press conference", "a press conference",
    "television", "tv", "state tv", "state television", "radio", "briefing", "a briefing",
)
_MORE_CHANNEL_ALT = "|".join(sorted((re.escape(c) for c in _MORE_CHANNELS), key=len, reverse=True))
_MORE_CHANNEL_PATTERNS = (
    # "X (via Y)", "X (Facebook)", "X (on Telegram)"
    re.compile(r"^(?P<org>.+?)\s*\(\s*(?:via|on|in|through)\s+(?P<ch>[^()]+)\)\s*$", re.I),
    re.compile(r"^(?P<org>.+?)\s*\(\s*(?P<ch>(?:" + _MORE_CHANNEL_ALT + r")(?:\s+(?:post|channel|account|page))?)\s*\)\s*$",
               re.I),
    # "X's Telegram channel", "X's Facebook page"
    re.compile(r"^(?P<org>.+?)['’]s?\s+(?P<ch>(?:official\s+)?(?:" + _MORE_CHANNEL_ALT
               + r"))(?:\s+(?:channel|page|account|feed|post))?\s*$", re.I),
    # "X on Facebook", "X via Telegram", "X in a statement on X", "X said on Telegram"
    re.compile(r"^(?P<org>.+?)\s+(?:(?:said|says|wrote|posted|reported)\s+)?(?:via|on|in|through)\s+"
               r"(?P<ch>(?:(?:a\s+)?(?:statement|post|video|message)\s+on\s+)?(?:its\s+|their\s+|his\s+|her\s+)?"
               r"(?:official\s+)?(?:" + _MORE_CHANNEL_ALT + r")(?:\s+(?:channel|page|account|feed))?)\s*$", re.I),
)


def _split_claimant_more(text: str) -> tuple:
    """(organisation, channel) of a claimant as written (what :func:`split_claimant` tries when its first patterns find no channel).

    Examples
    --------
    >>> _split_claimant_more("Defence Ministry on Telegram")
    ('Defence Ministry', 'Telegram')
    >>> _split_claimant_more("Afghan Defense Ministry (Facebook)")
    ('Afghan Defense Ministry', 'Facebook')
    >>> _split_claimant_more("the ministry in a statement on X")
    ('the ministry', 'a statement on X')
    >>> _split_claimant_more("Abdulbasir Osmani, MP for Badghis (via Khaama Press)")
    ('Abdulbasir Osmani, MP for Badghis', 'Khaama Press')
    >>> _split_claimant_more("Taliban spokesman (unnamed in the article)")
    ('Taliban spokesman (unnamed in the article)', '')
    """
    name = " ".join((text or "").split())
    for pattern in _MORE_CHANNEL_PATTERNS:
        m = pattern.match(name)
        if m and m.group("org").strip(" ,;:-"):
            return m.group("org").strip(" ,;:-"), m.group("ch").strip()
    return name, ""


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Case-fold, strip accents and punctuation, collapse spaces.

    Examples
    --------
    >>> normalise("  Afghan  Forces (ANDSF)! ")
    'afghan forces andsf'
    >>> normalise("Military Forces of Afghanistan (2014-)")
    'military forces of afghanistan 2014'
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text.casefold())
    return " ".join(text.replace("_", " ").split())


def _generated_colour(i: int) -> str:
    """Distinct colours beyond the fixed palettes: golden-angle hues, mid lightness."""
    hue = (0.11 + i * 0.618033988749895) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.45, 0.65)
    return f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"


def state_name(cc: str) -> str:
    """Canonical name of a country's state actor ("UA" -> "Government of Ukraine"); "" when unknown."""
    name = countries.country_name(cc)
    if not name:
        return ""
    the = "the " if name.startswith(("Democratic Republic", "Republic of", "United ", "Central African",
                                     "Philippines", "Netherlands", "Gambia", "Bahamas")) else ""
    return f"Government of {the}{name}"


def _state_actor(cc: str) -> Actor | None:
    country = countries.get(cc)
    if country is None:
        return None
    name = state_name(cc)
    aliases = [f"government of {country.name}", f"{country.name} government", f"military forces of {country.name}",
               f"police forces of {country.name}", f"armed forces of {country.name}", f"{country.name} armed forces",
               f"{country.name} military", f"{country.name} army", f"state of {country.name}"]
    if country.demonym and countries.country_for_demonym(country.demonym) == country.code:
        # Only the country a shared demonym means ("French" is France, not the French Southern Lands).
        aliases += [f"{country.demonym} {w}" for w in ("government", "forces", "army", "military", "troops",
                                                        "armed forces", "security forces", "authorities")]
    return Actor(name, "", tuple(aliases), True, STATE, cc.upper(), "", ())


@lru_cache(maxsize=1)
def _default_entries() -> tuple:
    """The default table as :class:`Actor` values (read once per process)."""
    if not DEFAULT_TABLE.exists():
        return ()
    text = DEFAULT_TABLE.read_text(encoding="utf-8-sig")
    return tuple(_actor_from_entry(e, DEFAULT_TABLE, i) for i, e in enumerate(_entries_from_csv(text, DEFAULT_TABLE), 1))


@lru_cache(maxsize=1)
def _default_registry() -> Actors:
    """The default registry, built once (about 0.3 s: ~250 generated states and the table); never handed out."""
    return Actors(_default_entries())


def _ngrams(key: str, longest: int) -> Iterable[str]:
    words = key.split()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + longest) + 1):
            yield " ".join(words[i:j])


class Actors:
    """Registry of actors: matching with a country context, sides, and colours for a map.

    Examples
    --------
    >>> actors = Actors.default()
    >>> actors.match("ANDSF").name
    'Government of Afghanistan'
    >>> actors.match("Taliban spokesman").name
    'Taliban'
    >>> actors.match("the army", country="UA").name, actors.match("Russian troops", country="UA").name
    ('Government of Ukraine', 'Government of Russia')
    >>> actors.match("Kyiv").name, actors.match("government forces").name
    ('Government of Ukraine', 'Government')
    >>> actors.match("Taliban and/or Islamic State (Afghanistan)") is None
    True
    >>> actors.resolve("Some Brigade Nobody Knows").configured
    False
    >>> actors.resolve("") is None
    True
    """

    def __init__(self, actors: Iterable[Actor] = (), *, states: bool = True):
        self._actors: list = []        # every registry actor, in table order
        self._exact: dict = {}         # normalised name / alias / acronym -> actor name
        self._phrases: dict = {}       # normalised name / alias (multi-word and distinctive) -> actor name
        self._acronyms: dict = {}      # acronym as written -> actor name
        self._by_name: dict = {}       # actor name -> current Actor value
        self._state_by_cc: dict = {}   # ISO code -> state actor name
        self._used: dict = {}          # actor name -> coloured Actor, in first-use order
        self._longest = 1
        self._match_cache: dict = {}
        self._states = states
        # A file that configures "Government" itself keeps generic wording on that actor.
        self._generic_configured = False
        if states:  # first, so a table row for a state adds names to the canonical "Government of X"
            for c in _country_codes():
                generated = _state_actor(c)
                if generated is not None:
                    self._add(generated)
        for actor in actors:
            self._add(actor)
            self._generic_configured |= normalise(actor.name) == normalise(GENERIC_GOVERNMENT)
        self._add(Actor(GENERIC_GOVERNMENT, "", (), True, STATE, "", "", ()))

    # -- construction -------------------------------------------------
    @classmethod
    def default(cls) -> Actors:
        """The default table plus a state actor per country (a fresh copy of one registry built per process)."""
        return _default_registry().copy()

    @classmethod
    def load(cls, path) -> Actors:
        """Read an actor configuration from JSON or CSV (see module docstring)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise ActorConfigError(f"cannot read actors file {path}: {err.strerror}") from err
        if path.suffix.lower() in (".csv", ".tsv"):
            entries, extend = _entries_from_csv(text, path), False
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as err:
                raise ActorConfigError(
                    f"actors file {path} is not valid JSON ({err.msg}, line {err.lineno}); "
                    "expected a list of {\"name\", \"colour\", \"aliases\"} objects or a CSV file"
                ) from err
            extend = False
            if isinstance(data, dict):
                extend = data.get("replace_defaults") is False
                data = data.get("actors")
            if not isinstance(data, list):
                raise ActorConfigError(
                    f"actors file {path}: expected a list of actors (or {{\"actors\": [...]}}), "
                    f"got {type(data).__name__}"
                )
            entries = data
        actors = [_actor_from_entry(e, path, i) for i, e in enumerate(entries, start=1)]
        if extend:
            names = {normalise(a.name) for a in actors}
            actors = actors + [a for a in _default_entries() if normalise(a.name) not in names]
        return cls(actors)

    def copy(self) -> Actors:
        """An independent registry with the same actors (for per-document :meth:`learn`)."""
        new = Actors.__new__(Actors)
        new._actors = list(self._actors)
        new._exact, new._phrases, new._acronyms = dict(self._exact), dict(self._phrases), dict(self._acronyms)
        new._by_name, new._state_by_cc = dict(self._by_name), dict(self._state_by_cc)
        # The match memo is shared until either registry changes (_add and learn start a new one):
        # a memo only ever holds answers for one state of the name tables.
        new._used, new._longest, new._match_cache, new._states = (dict(self._used), self._longest,
                                                                  self._match_cache, self._states)
        new._generic_configured = self._generic_configured
        return new

    def _add(self, actor: Actor) -> Actor:
        existing = self._by_name.get(actor.name)
        if actor.kind == STATE and actor.country:
            state = self._state_by_cc.get(actor.country.upper())
            if state is not None and state != actor.name:
                existing = self._by_name[state]
                actor = replace(actor, name=state)
        if existing is not None:  # a second row for the same actor adds its names
            actor = replace(
                existing,
                aliases=tuple(dict.fromkeys(existing.aliases + actor.aliases)),
                acronyms=tuple(dict.fromkeys(existing.acronyms + actor.acronyms)),
                colour=existing.colour or actor.colour, kind=existing.kind or actor.kind,
                country=existing.country or actor.country, side=existing.side or actor.side,
            )
            self._actors = [actor if a.name == actor.name else a for a in self._actors]
        else:
            self._actors.append(actor)
        self._by_name[actor.name] = actor
        if actor.kind == STATE and actor.country:
            self._state_by_cc.setdefault(actor.country.upper(), actor.name)
        self._match_cache = {}  # a new memo: copies may share the old one
        for alias in (actor.name,) + tuple(actor.aliases):
            key = normalise(alias)
            if not key:
                continue
            self._exact.setdefault(key, actor.name)
            self._phrases.setdefault(key, actor.name)
            self._longest = max(self._longest, len(key.split()))
        for acronym in actor.acronyms:  # matched as written, in capitals: "IS", never "is"
            acronym = acronym.strip()
            if acronym:
                self._acronyms.setdefault(acronym, actor.name)
        return actor

    def learn(self, acronym: str, expansion: str) -> Actor:
        """Register an acronym defined in a text ("the Rapid Support Forces (RSF)").

        The expansion's actor gets the acronym; an unknown expansion becomes a
        new actor (``configured=False``) named by it. Changes this registry:
        call it on a :meth:`copy` per document.
        """
        acronym, expansion = acronym.strip(), " ".join(expansion.split())
        # Only the expansion's own name counts: "Army of the Blue Coast" is not "the army".
        key = normalise(expansion)
        known = self._exact.get(key) if key not in _STATE_WORD_SET else None
        actor = self._by_name[known] if known and known != GENERIC_GOVERNMENT else None
        if actor is None:
            actor = Actor(expansion, "", (), False, "", "", "", (acronym,))
            self._add(actor)
        else:
            actor = self._add(replace(self._by_name[actor.name], acronyms=(acronym,), aliases=()))
        self._acronyms[acronym] = actor.name
        self._match_cache = {}  # a new memo: copies may share the old one
        return self._current(actor.name)

    # -- lookup ---------------------------------------------------------
    def __iter__(self):
        """The actors used so far (resolved for a map), in first-use order."""
        return iter(self.used())

    def __len__(self):
        return len(self._used)

    def used(self) -> list:
        """Actors resolved so far, with their colours, in first-use order (the legend)."""
        return list(self._used.values())

    def all(self) -> list:
        """Every actor in the registry (table rows, generated states, learned and unknown actors)."""
        return [self._current(a.name) for a in self._actors]

    def _current(self, name: str) -> Actor:
        return self._used.get(name) or self._by_name[name]

    def get(self, name: str) -> Actor | None:
        """The actor with exactly this name (or alias or acronym), else None."""
        found = self._exact.get(normalise(name)) or self._acronyms.get((name or "").strip())
        return self._current(found) if found else None

    def state(self, cc: str) -> Actor | None:
        """The state actor of a country ("UA" -> "Government of Ukraine"), None for an unknown code."""
        name = self._state_by_cc.get((cc or "").strip().upper())
        return self._current(name) if name else None

    def qualify(self, name: str, country: str = "") -> str:
        """``name`` with a generic state label qualified by ``country``: "Government" -> "Government of Ukraine"."""
        actor = self.match(name, country=country)
        if actor is not None and actor.kind == STATE:
            return actor.name
        return name

    def match(self, text: str, country: str = "") -> Actor | None:
        """The actor an actor/claimant text refers to, or None (rules in the module docstring)."""
        key = (text, (country or "").upper())
        cached = self._match_cache.get(key, self)
        if cached is self:
            cached = self._match(text, key[1])
            if len(self._match_cache) < 100_000:
                self._match_cache[key] = cached
        return self._current(cached) if cached else None

    def _match(self, text: str, country: str) -> str | None:
        key = normalise(text)
        if not key:
            return None
        if key in self._exact:
            found = self._exact[key]
            if found == GENERIC_GOVERNMENT or key in _STATE_WORD_SET:
                return self._generic_state(country)
            return found
        hits = [g for g in _ngrams(key, self._longest) if g in self._phrases and g not in _STATE_WORD_SET]
        # A phrase inside a longer matched phrase does not count on its own:
        # "police forces of afghanistan 2021" (Taliban) beats "police forces of afghanistan".
        hits = [h for h in hits if not any(h != o and f" {h} " in f" {o} " for o in hits)]
        names = {self._phrases[h] for h in hits}
        for acronym in re.findall(r"[\w-]+", text or ""):
            owner = self._acronyms.get(acronym)
            # An acronym of another country's group is another organisation's in this context
            # ("AA" is the Arakan Army in Myanmar, a news agency in Turkey).
            if owner and not (country and self._by_name[owner].is_foreign(country)
                              and self._by_name[owner].kind not in (INTERNATIONAL, PMC, STATE)):
                names.add(owner)
        states = {n for n in names if self._by_name[n].kind == STATE}
        if len(names) == 1:
            return next(iter(names))
        if len(names) > 1:
            # "Military Forces of Russia (2000-) Wagner Group": a named force and its state -> the named one.
            non_states = names - states
            if len(non_states) == 1 and states and all(
                    self._by_name[s].country == self._by_name[next(iter(non_states))].country for s in states):
                return next(iter(non_states))
            return None
        found = self._by_demonym_or_capital(text or "")
        if found is not None:
            return found or None
        if any(g in _STATE_WORD_SET for g in _ngrams(key, 4)):
            return self._generic_state(country)
        return None

    def _by_demonym_or_capital(self, text: str) -> str | None:
        """State actor named by a nationality adjective or a capital; "" = a non-state use; None = neither."""
        found, excluded = set(), False
        for m in _demonym_re().finditer(text):
            before, after = text[:m.start()], text[m.end():]
            if _NOT_STATE_PREFIX.search(before) or _NOT_STATE_SUFFIX.match(after):
                excluded = True
                continue
            rest = normalise(after)
            if (not rest or _STATE_AFTER_DEMONYM.match(after)
                    or any(rest == w or rest.startswith(w + " ") for w in _STATE_WORD_SET)
                    or m.group(0).endswith("s")):
                cc = countries.country_for_demonym(m.group(0))
                if cc and cc in self._state_by_cc:
                    found.add(self._state_by_cc[cc])
        for m in _capital_re().finditer(text):
            if _NOT_STATE_SUFFIX.match(text[m.end():]):
                excluded = True
                continue
            # "Kyiv", "Moscow's defence ministry", "officials in Damascus"; not "Kyiv Independent".
            rest = normalise(text[:m.start()] + " " + text[m.end():])
            rest = re.sub(r"^(?:the )?(?:officials? |sources? )?in$|^s ", "", rest).strip()
            if rest and rest not in _STATE_WORD_SET:
                continue
            cc = countries.country_for_capital(m.group(0))
            if cc and cc in self._state_by_cc:
                found.add(self._state_by_cc[cc])
        if len(found) == 1:
            return next(iter(found))
        if found or excluded:
            return ""
        return None

    def _generic_state(self, country: str) -> str:
        if self._generic_configured:
            return GENERIC_GOVERNMENT
        return self._state_by_cc.get(country) or GENERIC_GOVERNMENT

    # -- maps -------------------------------------------------------------
    def resolve(self, text: str, country: str = "") -> Actor | None:
        """Like :meth:`match`, but adds an unknown actor; gives the actor its map colour. None for empty text."""
        if not normalise(text):
            return None
        actor = self.match(text, country=country)
        if actor is None:
            actor = self._add(Actor(" ".join(text.split()), "", (), configured=False))
        return self._use(actor.name)

    def _use(self, name: str) -> Actor:
        if name in self._used:
            return self._used[name]
        actor = self._by_name[name]
        taken = {a.colour.upper() for a in self._used.values()}
        colour = actor.colour if actor.colour and actor.colour.upper() not in taken else self._next_colour(taken)
        coloured = replace(actor, colour=colour.upper())
        self._used[name] = coloured
        return coloured

    def _next_colour(self, taken) -> str:
        for colour in PALETTE:
            if colour.upper() not in taken:
                return colour
        i = 0
        while True:
            colour = _generated_colour(i)
            if colour not in taken:
                return colour
            i += 1

    def colour(self, name: str) -> str:
        """The map colour of an actor used so far (its table colour if not used yet); grey when unknown."""
        actor = self.get(name)
        return (actor.colour or UNKNOWN_COLOUR) if actor else UNKNOWN_COLOUR


_STATE_WORD_SET = frozenset(STATE_WORDS)


@lru_cache(maxsize=1)
def _country_codes() -> tuple:
    import pycountry

    return tuple(c.alpha_2 for c in pycountry.countries) + ("XK",)


@lru_cache(maxsize=1)
def _demonym_re():
    return re.compile(r"(?<![\w-])" + countries.demonym_pattern() + r"s?(?![\w])")


@lru_cache(maxsize=1)
def _capital_re():
    words = [w for w in countries.capital_words() if len(w) > 3]
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])")


def _split_list(value) -> list:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [a.strip() for a in re.split(r"[;|]", value or "") if a.strip()]


def _entries_from_csv(text: str, path: Path) -> list:
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "name" not in fields:
        raise ActorConfigError(
            f"actors file {path}: no `name` column (found {', '.join(fields) or 'none'}); "
            "expected columns name,kind,country,side,aliases,acronyms,colour"
        )
    entries = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        entries.append({"name": row.get("name", ""), "colour": row.get("colour") or row.get("color"),
                        "aliases": _split_list(row.get("aliases", "")), "acronyms": _split_list(row.get("acronyms", "")),
                        "kind": row.get("kind", ""), "country": row.get("country", ""), "side": row.get("side", "")})
    return entries


def _actor_from_entry(entry, path: Path, i: int) -> Actor:
    if not isinstance(entry, dict):
        raise ActorConfigError(f"actors file {path}, entry {i}: expected an object, got {entry!r}")
    name = " ".join(str(entry.get("name") or "").split())
    if not name:
        raise ActorConfigError(f"actors file {path}, entry {i}: `name` is empty; every actor needs a name")
    colour = str(entry.get("colour", entry.get("color")) or "").strip()
    if colour and not _HEX.match(colour):
        raise ActorConfigError(
            f"actors file {path}, entry {i} ({name}): colour {colour!r} is not a #RRGGBB hex colour, "
            "e.g. #0072B2"
        )
    lists = {}
    for key in ("aliases", "acronyms"):
        value = entry.get(key) or []
        if isinstance(value, str):
            value = _split_list(value)
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise ActorConfigError(f"actors file {path}, entry {i} ({name}): `{key}` must be a list of strings")
        lists[key] = tuple(a.strip() for a in value if a.strip())
    kind = str(entry.get("kind") or "").strip().lower().replace("-", "_")
    if kind and kind not in KINDS:
        raise ActorConfigError(
            f"actors file {path}, entry {i} ({name}): kind {kind!r} is not one of {', '.join(KINDS)}"
        )
    country = str(entry.get("country") or "").strip().upper()
    if country and countries.get(country) is None:
        raise ActorConfigError(
            f"actors file {path}, entry {i} ({name}): country {country!r} is not an ISO 3166-1 alpha-2 code, e.g. UA"
        )
    return Actor(name, colour.upper(), lists["aliases"], True, kind, country,
                 " ".join(str(entry.get("side") or "").split()), lists["acronyms"])


__all__ = [
    "Actor", "Actors", "ActorConfigError", "Claimant", "split_claimant", "normalise", "state_name",
    "OKABE_ITO", "PALETTE", "DISPUTED_COLOUR", "UNKNOWN_COLOUR", "UNSTATED", "KINDS", "GENERIC_GOVERNMENT",
]
