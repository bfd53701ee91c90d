"""The actor registry and the country tables, as the extractor uses them.

One owner for each rule: actor names, aliases, acronyms and state forces
come from :mod:`mapper.actors`; demonyms, capitals and country names from
:mod:`mapper.countries`. This module only adds what is specific to reading
articles: acronyms defined in the text, and a label for every actor phrase
("the army" in an article about Sudan -> "Government of Sudan").
"""

from __future__ import annotations

import re
from functools import lru_cache

from mapper import countries
from mapper.extract import lexicon as lx

_LEADING = re.compile(r"^(?:the|a|an)\s+", re.I)


@lru_cache(maxsize=1)
def default_actors():
    """The default actor registry the extractor reads with, one per process (never changed: an article
    that defines an acronym learns it on a copy)."""
    from mapper.actors import Actors

    return Actors.default()


def match(actors, text: str, country: str = ""):
    """The registry's actor for ``text`` in the context of ``country`` (ISO2), or None."""
    if actors is None or not text:
        return None
    return actors.match(text, country=country)


def label(actors, text: str, country: str = "") -> str:
    """Canonical actor name for a phrase; '' when the registry does not know it."""
    actor = match(actors, text, country)
    return actor.name if actor is not None else ""


def state_name(actors, cc: str) -> str:
    """'Government of Ukraine' for 'UA'; 'Government' when the country is unknown."""
    if not cc or actors is None:
        return "Government"
    state = actors.state(cc)
    return state.name if state is not None else "Government"


def is_state(actors, name: str) -> bool:
    """True when ``name`` is a state actor of the registry ``actors`` (False when unknown)."""
    actor = actors.get(name) if actors is not None and name else None
    return bool(actor is not None and actor.is_state())


def is_known(actors, name: str) -> bool:
    """Is ``name`` an actor the registry knows (configured), not one added on the fly?"""
    if actors is None or not name:
        return False
    actor = actors.get(name) or actors.match(name)
    return bool(actor is not None and actor.configured)


@lru_cache(maxsize=4096)
def demonym_country(word: str) -> str:
    """The ISO country code of a demonym or nationality adjective ("Syrian" -> SY), or ""."""
    return countries.country_for_demonym(word.strip())


@lru_cache(maxsize=4096)
def capital_country(word: str) -> str:
    """The ISO country code of the country whose capital ``word`` is ("Kyiv" -> UA), or ""."""
    return countries.country_for_capital(word.strip())


@lru_cache(maxsize=4096)
def name_country(word: str) -> str:
    """ISO2 of a country name ("Turkey", "DR Congo"), '' if none."""
    return countries.country_for_name(word.strip())


def country_name(cc: str) -> str:
    """The short English name of country ``cc`` ("" for an empty code)."""
    return countries.country_name(cc) if cc else ""


_TOKEN = re.compile(r"\w+(?:[-'’./]\w+)*\.?")
_FORCE_WORDS = frozenset("forces fighters militants troops militia militiamen insurgents rebels gunmen combatants "
                         "soldiers units".split())
#: Lower-case particles a name may start with in running text ("al-Shabaab", "el-Nusra").
_PARTICLE = re.compile(r"^(?:Al|El|Ad|Ash|An|Ar|As|At)(?=[- ])")


class NameFinder:
    """Finds actor names in text by looking up runs of words in a set (much faster than one regex
    alternation of hundreds of names). Case-sensitive: names are written as names."""

    def __init__(self, names):
        self.names = frozenset(names)
        self.first = frozenset(n.split()[0] for n in self.names)
        self.longest = max((len(n.split()) for n in self.names), default=0)

    def finditer(self, text: str, start: int = 0, end: int = None) -> list:
        """(start, end, text) of each name in text[start:end], longest first, with a force word
        after it included ("M23 rebels")."""
        end = len(text) if end is None else end
        out = []
        consumed = start  # tokens before this belong to a name already found
        # Names start with a capital (or a lower-case particle, "al-Shabaab"): only the tokens that can
        # start one are looked at, and a name's later words are read as the single-space chain after it.
        for m in _NAME_START.finditer(text, start, end):
            s0 = m.start()
            if s0 < consumed or not _token_start(text, s0, start):
                continue
            tok = _TOKEN.match(text, s0, end)
            w = tok.group(0)
            if w not in self.first and (w[-1] not in "s." or _strip(w) not in self.first):
                continue
            ends = [tok.end()]  # ends of the chain of tokens separated by one space
            while len(ends) < self.longest and text[ends[-1]:ends[-1] + 1] == " ":
                nxt = _TOKEN.match(text, ends[-1] + 1, end)
                if nxt is None:
                    break
                ends.append(nxt.end())
            found = 0
            for n in range(len(ends), 0, -1):
                cand = text[s0:ends[n - 1]]
                if cand in self.names or _strip(cand) in self.names:
                    found = n
                    break
            if not found:
                continue
            last = ends[found - 1]
            whole = text[s0:last]
            stop = s0 + (len(whole) if whole in self.names else len(_strip(whole)))
            nxt = _TOKEN.match(text, last + 1, end) if text[last:last + 1] == " " else None
            if nxt is not None and nxt.group(0).lower() in _FORCE_WORDS:
                stop = last = nxt.end()
            out.append((s0, stop, text[s0:stop]))
            consumed = last
        return out


#: Where a name may start: a capital letter (or any non-ASCII-lower-case letter), or a lower-case particle.
_NAME_START = re.compile(r"(?<!\w)(?:[^\W\d_a-z]|(?:al|el|ad|ash|an|ar|as|at)(?=[- ]))")


def _token_start(text: str, pos: int, start: int) -> bool:
    """Does a :data:`_TOKEN` scan from ``start`` begin a token at ``pos`` (not inside "pro-Taliban", "U.S.")?"""
    if pos == start:
        return True
    prev = text[pos - 1]
    if prev.isalnum() or prev == "_":
        return False
    return not (prev in "-'’./" and pos - 2 >= start and (text[pos - 2].isalnum() or text[pos - 2] == "_"))


def _strip(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word.rstrip(".")


_SURFACE_CACHE: dict = {}


def surface_names(actors) -> frozenset:
    """Names, aliases and acronyms of the registry's actors as they are written in text (capitalised,
    without dataset qualifiers such as "(2021-)"), for finding actor phrases. State actors count only
    with their acronyms and capitalised aliases that are not "<demonym> forces" (found by the wording)."""
    key = id(actors)  # a registry's names do not change (acronyms are learned on per-article copies)
    if key in _SURFACE_CACHE and _SURFACE_CACHE[key][0] is actors:
        return _SURFACE_CACHE[key][1]
    out = set()
    for a in actors.all():
        forms = list(a.acronyms)
        if a.kind != "state":
            forms += [a.name, *a.aliases]
        else:
            # "Ukrainian forces" is found by the wording; a proper name that starts with a demonym
            # ("Ethiopian National Defense Force", "Syrian Arab Army") is a name.
            forms += [x for x in a.aliases if not demonym_country(x.split()[0]) or _proper_name(x)]
        for f in forms:
            f = " ".join(f.split())
            if len(f) >= 2 and f[:1].isupper() and "(" not in f and not demonym_country(f):
                out.add(f)
                if _PARTICLE.match(f):  # written "al-Shabaab" inside a sentence
                    out.add(f[0].lower() + f[1:])
    result = frozenset(out)
    _SURFACE_CACHE.clear()
    _SURFACE_CACHE[key] = (actors, result)
    return result


def _proper_name(form: str) -> bool:
    """Three or more words, each capitalised or a short connective: a name, not wording."""
    words = form.split()
    return len(words) >= 3 and all(w[:1].isupper() or w in ("of", "and", "the", "for") for w in words)


_FINDERS: dict = {}


def name_finder(actors) -> NameFinder:
    """A :class:`NameFinder` of the registry's surface names (built once per registry)."""
    names = surface_names(actors)
    finder = _FINDERS.get(names)
    if finder is None:
        _FINDERS.clear()
        finder = _FINDERS[names] = NameFinder(names)
    return finder


def learn_acronyms(actors, text: str) -> list:
    """Register acronyms defined in ``text`` ("the Rapid Support Forces (RSF)", "RSF (Rapid Support
    Forces)") on ``actors`` (a per-document copy). Returns the (acronym, expansion) pairs learned."""
    pairs = defined_acronyms(text)
    learn_pairs(actors, pairs)
    return pairs


def learn_pairs(actors, pairs, copy_first: bool = False):
    """Learn the (acronym, expansion) ``pairs`` the registry does not know yet; return the registry
    learned on. With ``copy_first`` a copy of ``actors`` is made before the first one is learned
    (and ``actors`` itself returned when nothing is learned): the copy is what a document needs
    only when it defines an acronym."""
    for acr, exp in pairs:
        # The registry may know the acronym or the group under another spelling ("Afghan National Defense
        # and Security Forces (ANDSF)"): learning would split one actor in two.
        if actors.get(acr) is not None or actors.match(exp) is not None:
            continue
        if copy_first:
            actors, copy_first = actors.copy(), False
        actors.learn(acr, exp)
    return actors


def defined_acronyms(text: str) -> list:
    """(acronym, expansion) pairs defined in ``text``, in order, each once."""
    pairs = []
    for rx in (lx.ACRONYM_AFTER_RE, lx.ACRONYM_BEFORE_RE):
        for m in rx.finditer(text):
            acr, exp = m.group("acr"), _LEADING.sub("", m.group("exp").strip())
            # "Fighters of the Western Hills Front (WHF)": the expansion starts at the acronym's first letter.
            parts = exp.split()
            while len(parts) > 2 and parts[0][:1].upper() != acr[0].upper():
                parts = parts[1:]
            while parts and parts[0].lower() in ("of", "the", "for", "and"):
                parts = parts[1:]
            exp = " ".join(parts)
            words = [w for w in re.split(r"[\s-]+", exp) if w[:1].isupper()]
            # The acronym's letters come from the expansion's capitalised words (in order, most of them).
            if len(words) < 2 or acr[0].upper() != words[0][0].upper():
                continue
            if demonym_country(exp) or capital_country(exp):
                continue
            if (acr, exp) not in pairs:
                pairs.append((acr, exp))
    return pairs


def same_name(a: str, b: str) -> bool:
    """Do two place names look the same ("Donetsk" / "Donetsk Oblast", "Hajjah" / "Hajjah Governorate")?"""
    fa, fb = _fold_place(a), _fold_place(b)
    return bool(fa) and (fa == fb or fb.startswith(fa + " ") or fa.startswith(fb + " "))


def _fold_place(name: str) -> str:
    import unicodedata

    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", name).split())
