"""Actors (who holds or fights for a place) and their colours.

An *actor* is a party a claim is about ("Taliban", "Government"). Claims
name actors and claimants in many ways (ANDSF, Afghan forces, commandos,
Defence Ministry; insurgents, Islamic Emirate), so an :class:`Actors`
registry maps those aliases onto a small set of named actors, each with a
colour from a colour-blind-safe palette (Okabe & Ito 2008).

Matching rules (:meth:`Actors.match`), on normalised text (case-folded,
accents and punctuation removed):

1. the text equals an actor's name or alias: that actor;
2. otherwise the aliases contained in the text as whole words, e.g.
   "Taliban spokesman" contains "taliban". If they all belong to one actor,
   that actor; if they belong to *different* actors ("Taliban and/or
   Islamic State", "Taliban attack on government forces") nothing matches,
   so the text stays its own actor instead of being silently assigned.

Unknown actors are added on first use (:meth:`Actors.resolve`) with the
next unused palette colour, in order of first appearance, so the same
input always gives the same colours; they appear in the legend like the
configured ones.

Configuration file (``--actors FILE``), JSON::

    [{"name": "Government", "colour": "#0072B2",
      "aliases": ["ANDSF", "Afghan forces", "Defence Ministry"]},
     {"name": "Taliban", "colour": "#D55E00", "aliases": ["insurgents"]}]

(or ``{"actors": [...]}``, or ``"replace_defaults": false`` on the object
form to extend the defaults), or CSV with columns ``name,colour,aliases``
where aliases are separated by ``;``. A file replaces the default actors
unless it says otherwise.
"""

from __future__ import annotations

import colorsys
import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from mapper.errors import MapperError

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

#: Colours handed to actors not in the configuration, in order: the rest of
#: Okabe-Ito, then Paul Tol's "muted" scheme (also colour-blind safe).
EXTRA_PALETTE = (
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

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class ActorConfigError(MapperError, ValueError):
    """Raised when an ``--actors`` file cannot be read or has an invalid entry."""


@dataclass(frozen=True)
class Actor:
    """A party in the conflict, with the colour the map uses for it.

    ``configured`` is False for actors added on the fly because a claim
    named them and no configured alias matched.
    """

    name: str
    colour: str
    aliases: tuple = field(default=(), repr=False)
    configured: bool = True

    def to_dict(self) -> dict:
        return {"name": self.name, "colour": self.colour, "aliases": list(self.aliases)}


DEFAULT_ACTORS = (
    Actor(
        "Government",
        OKABE_ITO["blue"],
        (
            "government", "afghan government", "government of afghanistan", "government forces",
            "afghan forces", "afghan government forces", "andsf", "ansf",
            "afghan national defense and security forces", "afghan national defence and security forces",
            "security forces", "afghan security forces", "security officials", "afghan security officials",
            "afghan army", "afghan national army", "ana", "afghan national police", "anp", "police",
            "commandos", "afghan commandos", "special forces", "special operation units",
            "afghan special operation units", "defence ministry", "defense ministry",
            "afghan defence ministry", "afghan defense ministry", "ministry of defence", "ministry of defense",
            "mod", "interior ministry", "ministry of interior", "nds", "national directorate of security",
            "governor", "provincial governor", "vice president", "first vice president", "president ashraf ghani", "military forces of afghanistan 2014",
            "military forces of afghanistan 2004 2021", "military forces of afghanistan 2014 2021",
            "police forces of afghanistan 2014", "police forces of afghanistan 2004 2021",
            "police forces of afghanistan 2014 2021", "militia pro government",
        ),
    ),
    Actor(
        "Taliban",
        OKABE_ITO["vermillion"],
        (
            "taliban", "taleban", "insurgents", "insurgent", "islamic emirate",
            "islamic emirate of afghanistan", "taliban spokesman", "zabihullah mujahid",
            "qari yousuf ahmadi", "military forces of afghanistan 2021",
            "police forces of afghanistan 2021",
        ),
    ),
    Actor(
        "Islamic State",
        OKABE_ITO["bluish_green"],
        ("islamic state", "islamic state afghanistan", "islamic state khorasan", "islamic state khorasan province",
         "iskp", "is k", "isis", "isil", "isis k", "daesh"),
    ),
)


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
    return "#{:02X}{:02X}{:02X}".format(round(r * 255), round(g * 255), round(b * 255))


class Actors:
    """Registry of actors: alias matching and colours.

    Examples
    --------
    >>> actors = Actors.default()
    >>> actors.match("ANDSF").name
    'Government'
    >>> actors.match("Taliban spokesman").name
    'Taliban'
    >>> actors.match("Taliban and/or Islamic State (Afghanistan)") is None
    True
    >>> actors.resolve("National Resistance Front").configured
    False
    >>> actors.resolve("") is None
    True
    """

    def __init__(self, actors: Iterable[Actor] = DEFAULT_ACTORS):
        self._actors: list = []
        self._exact: dict = {}
        self._phrases: dict = {}
        self._match_cache: dict = {}
        for actor in actors:
            self._add(actor)

    # -- construction -------------------------------------------------
    @classmethod
    def default(cls) -> "Actors":
        return cls(DEFAULT_ACTORS)

    @classmethod
    def load(cls, path) -> "Actors":
        """Read an actor configuration from JSON or CSV (see module docstring)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise ActorConfigError(f"cannot read actors file {path}: {err.strerror}") from err
        if path.suffix.lower() == ".csv":
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
            actors = [a for a in DEFAULT_ACTORS if normalise(a.name) not in names] + actors
        return cls(actors)

    def _add(self, actor: Actor) -> Actor:
        self._actors.append(actor)
        self._match_cache.clear()
        for alias in (actor.name,) + tuple(actor.aliases):
            key = normalise(alias)
            if key:
                self._exact.setdefault(key, actor)
                self._phrases.setdefault(key, actor)
        return actor

    # -- lookup ---------------------------------------------------------
    def __iter__(self):
        return iter(list(self._actors))

    def __len__(self):
        return len(self._actors)

    def get(self, name: str) -> Optional[Actor]:
        """The actor with exactly this name (or alias), else None."""
        return self._exact.get(normalise(name))

    def match(self, text: str) -> Optional[Actor]:
        """The actor an actor/claimant text refers to, or None (rules in module docstring)."""
        cached = self._match_cache.get(text, self)
        if cached is not self:
            return cached
        found = self._match(text)
        if len(self._match_cache) < 100_000:
            self._match_cache[text] = found
        return found

    def _match(self, text: str) -> Optional[Actor]:
        key = normalise(text)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        padded = f" {key} "
        hits = [phrase for phrase in self._phrases if f" {phrase} " in padded]
        # A phrase inside a longer matched phrase does not count on its own:
        # "police forces of afghanistan 2021" (Taliban) beats "police" (Government).
        hits = [h for h in hits if not any(h != o and f" {h} " in f" {o} " for o in hits)]
        found = {id(self._phrases[h]): self._phrases[h] for h in hits}
        if len(found) == 1:
            return next(iter(found.values()))
        return None

    def resolve(self, text: str) -> Optional[Actor]:
        """Like :meth:`match`, but adds an unknown actor (with a new colour); None for empty text."""
        if not normalise(text):
            return None
        actor = self.match(text)
        if actor is not None:
            return actor
        return self._add(Actor(" ".join(text.split()), self._next_colour(), (), configured=False))

    def _next_colour(self) -> str:
        used = {a.colour.upper() for a in self._actors}
        for colour in EXTRA_PALETTE:
            if colour.upper() not in used:
                return colour
        i = 0
        while True:
            colour = _generated_colour(i)
            if colour not in used:
                return colour
            i += 1

    def colour(self, name: str) -> str:
        actor = self.get(name)
        return actor.colour if actor else UNKNOWN_COLOUR


def _entries_from_csv(text: str, path: Path) -> list:
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "name" not in fields:
        raise ActorConfigError(
            f"actors file {path}: no `name` column (found {', '.join(fields) or 'none'}); "
            "expected columns name,colour,aliases"
        )
    entries = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        aliases = [a.strip() for a in re.split(r"[;|]", row.get("aliases", "")) if a.strip()]
        entries.append({"name": row.get("name", ""), "colour": row.get("colour") or row.get("color"),
                        "aliases": aliases})
    return entries


def _actor_from_entry(entry, path: Path, i: int) -> Actor:
    if not isinstance(entry, dict):
        raise ActorConfigError(f"actors file {path}, entry {i}: expected an object, got {entry!r}")
    name = str(entry.get("name") or "").strip()
    if not name:
        raise ActorConfigError(f"actors file {path}, entry {i}: `name` is empty; every actor needs a name")
    colour = entry.get("colour", entry.get("color"))
    if colour is None or colour == "":
        default = next((a for a in DEFAULT_ACTORS if normalise(a.name) == normalise(name)), None)
        colour = default.colour if default else EXTRA_PALETTE[(i - 1) % len(EXTRA_PALETTE)]
    colour = str(colour).strip()
    if not _HEX.match(colour):
        raise ActorConfigError(
            f"actors file {path}, entry {i} ({name}): colour {colour!r} is not a #RRGGBB hex colour, "
            "e.g. #0072B2"
        )
    aliases = entry.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [a.strip() for a in re.split(r"[;|]", aliases) if a.strip()]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ActorConfigError(f"actors file {path}, entry {i} ({name}): `aliases` must be a list of strings")
    return Actor(name, colour.upper(), tuple(aliases))
