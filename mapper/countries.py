"""Country names, demonyms and capitals: one table for the extractor, the actor registry and the map.

Reporting names a country in three ways besides its name: a nationality
adjective ("Russian forces", "the Syrian town of X"), its plural noun ("the
Russians") and its capital used as a metonym ("Kyiv said", "Moscow denied").
This module is the one owner of those three lookups.

Built once, lazily, from PyPI ``pycountry`` (every ISO 3166-1 code),
``countryinfo`` (capital, demonym, common name) and the geoparser's
adjective table, with a few corrections where the packages disagree with
newsroom usage (countryinfo files GB under "Wales"; Myanmar as "Burma").

Examples
--------
>>> country_for_demonym("Russian"), country_for_demonym("Syrians"), country_for_demonym("Martian")
('RU', 'SY', '')
>>> country_for_capital("Kiev"), country_for_capital("Moscow"), country_for_capital("Paris, Texas")
('UA', 'RU', '')
>>> country_name("SY"), demonym("UA"), country_name("??")
('Syria', 'Ukrainian', '')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Corrections to the packages: (name, demonym, capital) as newsrooms write them.
_OVERRIDES = {
    "GB": ("United Kingdom", "British", "London"),
    "US": ("United States", "American", "Washington"),
    "MM": ("Myanmar", "Myanmar", "Naypyidaw"),
    "PS": ("Palestine", "Palestinian", "Ramallah"),
    "CZ": ("Czechia", "Czech", "Prague"),
    "MK": ("North Macedonia", "Macedonian", "Skopje"),
    "SZ": ("Eswatini", "Swazi", "Mbabane"),
    "CD": ("Democratic Republic of the Congo", "Congolese", "Kinshasa"),
    "CG": ("Republic of the Congo", "", "Brazzaville"),
    "CI": ("Ivory Coast", "Ivorian", "Abidjan"),
    "KR": ("South Korea", "South Korean", "Seoul"),
    "KP": ("North Korea", "North Korean", "Pyongyang"),
    "XK": ("Kosovo", "Kosovar", "Pristina"),
    "TR": ("Turkey", "Turkish", "Ankara"),
    "LA": ("Laos", "Lao", "Vientiane"),
    "BO": ("Bolivia", "Bolivian", "La Paz"),
    "NE": ("Niger", "Nigerien", "Niamey"),
}

#: More spellings of capitals and seats of power used as metonyms ("the Kremlin said").
_EXTRA_CAPITALS = {
    "Kiev": "UA", "Kyiv": "UA", "Kremlin": "RU", "the Kremlin": "RU", "Sanaa": "YE", "Sana'a": "YE",
    "Nay Pyi Taw": "MM", "Naypyitaw": "MM", "Washington": "US", "Washington D.C.": "US", "Pentagon": "US",
    "Tel Aviv": "IL", "Islamabad": "PK", "Khartoum": "SD", "Port Sudan": "SD", "Addis Ababa": "ET",
    "Bamako": "ML", "Ouagadougou": "BF", "Abuja": "NG", "Tripoli": "LY", "Kabul": "AF",
}

#: Demonyms the packages miss or that several countries share (the first owner wins).
_EXTRA_DEMONYMS = {
    "U.S.": "US", "US": "US", "Emirati": "AE", "Burkinabe": "BF", "Burkinabè": "BF", "Burmese": "MM",
    "Myanmar": "MM", "Congolese": "CD", "Sahrawi": "EH", "Kosovar": "XK",
    "Azeri": "AZ", "Azerbaijani": "AZ", "Belarusian": "BY", "Belarussian": "BY", "Filipino": "PH",
    "Nepali": "NP", "Lao": "LA", "Laotian": "LA", "Tajik": "TJ", "Uzbek": "UZ", "Kyrgyz": "KG",
    "Kazakh": "KZ", "Turkmen": "TM", "Saudi": "SA", "South Sudanese": "SS", "Central African": "CF",
    "Israeli": "IL", "Palestinian": "PS", "Gazan": "PS", "Yemeni": "YE", "Chadian": "TD",
}

#: Words that countryinfo gives as demonyms but that name no single country in news text.
_NOT_DEMONYMS = {"arab", "european", "african", "asian", "american samoan"}


@dataclass(frozen=True)
class Country:
    """One country as reporting names it."""

    code: str        # ISO 3166-1 alpha-2
    name: str        # short common English name ("Syria", "Russia")
    demonym: str     # nationality adjective ("Syrian"), "" when none is safe
    capital: str     # capital as newsrooms spell it, "" when unknown


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w.'-]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class _Tables:
    countries: dict      # code -> Country
    demonyms: dict       # folded demonym -> code
    capitals: dict       # folded capital -> code
    names: dict          # folded name / alt spelling -> code


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    import pycountry

    try:
        from countryinfo import CountryInfo

        info = {((v.get("ISO") or {}).get("alpha2") or "").upper(): v for v in CountryInfo.all().values()}
    except ImportError:  # pragma: no cover - a declared dependency; degrade to pycountry names
        info = {}
    countries, demonyms, capitals, names = {}, {}, {}, {}
    # Larger countries first, so a demonym or capital two countries share ("American",
    # "Congolese") goes to the one reporting means; the corrections below win over both.
    codes = sorted([c.alpha_2 for c in pycountry.countries] + ["XK"],
                   key=lambda cc: -float((info.get(cc) or {}).get("population") or 0))
    for code in codes:
        rec = info.get(code) or {}
        py = pycountry.countries.get(alpha_2=code)
        name = (getattr(py, "common_name", None) or rec.get("name") or getattr(py, "name", code)) if py else code
        dem, cap = rec.get("demonym") or "", rec.get("capital") or ""
        if code in _OVERRIDES:
            name, dem, cap = _OVERRIDES[code]
        if dem and _fold(dem) in _NOT_DEMONYMS:
            dem = ""
        countries[code] = Country(code, name, dem, cap)
        for alias in [name, getattr(py, "name", ""), getattr(py, "official_name", "")] + list(rec.get("altSpellings") or []):
            key = _fold(alias)
            if len(key) > 3:
                names.setdefault(key, code)
        if dem:
            demonyms.setdefault(_fold(dem), code)
        if cap:
            capitals.setdefault(_fold(cap), code)
    # Everyday names the packages lack ("Britain", "America", "Burma", "U.K."): the gazetteer's table.
    from gazetteer._country_aliases import COUNTRY_ALIASES

    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            key = _fold(alias)
            # "USA", "U.K." are names; "US", "UK" stay codes and "CAR" a word ("us", "car" in text).
            if len(key) > 3 or "." in alias or (len(key) == 3 and alias.isupper() and key not in ("car",)):
                names.setdefault(key, code)
    for code, (_name, dem, cap) in _OVERRIDES.items():
        if dem:
            demonyms[_fold(dem)] = code
        capitals[_fold(cap)] = code
    for word, code in _EXTRA_DEMONYMS.items():
        if code:
            demonyms[_fold(word)] = code
    for word, code in _EXTRA_CAPITALS.items():
        capitals[_fold(word)] = code
    # The geoparser's adjective table names places by English name; add what it knows.
    from mapper.geoparse.lexicon import ADJECTIVE_PLACES

    for adjective, place in ADJECTIVE_PLACES.items():
        code = names.get(_fold(place), "")
        if code:
            demonyms.setdefault(_fold(adjective), code)
    return _Tables(countries, demonyms, capitals, names)


def get(code: str) -> Country | None:
    """The :class:`Country` for an ISO alpha-2 code (any case), or None."""
    return _tables().countries.get((code or "").strip().upper())


def country_name(code: str) -> str:
    """Short common English name for an ISO alpha-2 code; "" when unknown."""
    c = get(code)
    return c.name if c else ""


def demonym(code: str) -> str:
    """Nationality adjective for an ISO alpha-2 code ("UA" -> "Ukrainian"); "" when unknown."""
    c = get(code)
    return c.demonym if c else ""


def country_for_demonym(word: str) -> str:
    """ISO alpha-2 code of a nationality adjective or its plural noun ("Russians"); "" if none."""
    key = _fold(word)
    tables = _tables()
    code = tables.demonyms.get(key)
    if code is None and key.endswith("s"):
        code = tables.demonyms.get(key[:-1])
    return code or ""


def country_for_capital(name: str) -> str:
    """ISO alpha-2 code of the country whose capital (or seat of power) this is; "" if none."""
    return _tables().capitals.get(_fold(name), "")


def country_for_name(name: str) -> str:
    """ISO alpha-2 code for a country name or common alternative spelling; "" if none."""
    return _tables().names.get(_fold(name), "")


def demonym_words() -> tuple:
    """Every demonym the table knows, as written (capitalised), longest first."""
    tables = _tables()
    words = {c.demonym for c in tables.countries.values() if c.demonym}
    words |= {w for w, code in _EXTRA_DEMONYMS.items() if code}
    from mapper.geoparse.lexicon import ADJECTIVE_PLACES

    words |= {a for a in ADJECTIVE_PLACES if country_for_demonym(a)}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def capital_words() -> tuple:
    """Every capital / seat-of-power name the table knows, longest first."""
    tables = _tables()
    words = {c.capital for c in tables.countries.values() if c.capital} | set(_EXTRA_CAPITALS)
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=1)
def demonym_pattern() -> str:
    """Regex alternation of every demonym (longest first), for rules that look for "<demonym> forces"."""
    return "(?:" + "|".join(re.escape(w) for w in demonym_words()) + ")"


__all__ = [
    "Country", "get", "country_name", "demonym", "country_for_demonym", "country_for_capital",
    "country_for_name", "demonym_words", "capital_words", "demonym_pattern",
]
