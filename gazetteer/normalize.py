"""Name normalisation that survives transliteration.

Three levels, each a plain string key stored in the index:

``normalize(name)``
    Case, diacritics, apostrophes and ayn/hamza marks, hyphens and spaces
    folded; Arabic-script letter variants unified (ي/ی, ك/ک, ة/ۀ/ه…).
    "Qal‘ah-ye Now" -> "qalah ye now".
``strip_type_words(key)``
    Leading/trailing type words removed ("badghis province" -> "badghis"),
    returning the kind they hint at.
``skeleton(key)``
    A romanisation-insensitive consonant skeleton for Latin names: izafe
    connectors (-e-, -i-, -ye, joined Puli/Mazari/Sari) dropped, q->k, v->w,
    double letters single, then vowels and h/w/y removed after the first
    letter. "Qala-e-Naw", "Qal-e-Naw", "Qal'eh-ye Now" -> "kln".
    Skeletons are a recall device only: candidates sharing one are re-scored
    with :func:`similarity`.

Examples
--------
>>> normalize("Qala-I- Naw")
'qala i naw'
>>> skeleton(normalize("Pul-e Khumri")) == skeleton(normalize("Puli Khumri"))
True
>>> normalize("")
''
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Marks that romanisations use for ayn, hamza and apostrophes: removed outright
# so "Qal'eh" and "Qaleh" meet.
_APOSTROPHES = "'’‘`´ʿʾʻʼʹˈ′＇"
# Characters treated as word separators.
_SEPARATORS = "-‐‑‒–—_./,;:·•|\\+&\u200c\u200d\u00a0"
# Letters NFKD does not decompose.
_LATIN_EXTRA = {
    "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
    "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ſ": "s",
}
# Arabic-script variants (Arabic, Persian, Urdu, Pashto orthographies).
_ARABIC = {
    "ي": "ی", "ى": "ی", "ئ": "ی", "ې": "ی", "ۍ": "ی", "ے": "ی",
    "ك": "ک", "ڪ": "ک",
    "ة": "ه", "ۀ": "ه", "ہ": "ه", "ە": "ه", "ھ": "ه", "ۂ": "ه",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ؤ": "و", "ۇ": "و",
    "ـ": "",  # tatweel
}
_TRANSLATE = str.maketrans(
    {**{c: "" for c in _APOSTROPHES}, **{c: " " for c in _SEPARATORS}, **_LATIN_EXTRA, **_ARABIC}
)
_PARENS = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Bumped whenever a key function changes: an index built with another version is rebuilt.
NORMALIZE_VERSION = "5"  # 5: the Arabic article written with e (ez-, es-, en-...) is dropped too

#: Longest query, in characters, the resolver looks at (longer input is junk, not a name).
MAX_NAME_LENGTH = 200

# Type words: value = the kind they hint at.
_TYPE_WORDS_TRAILING = {
    "province": "admin1", "provinces": "admin1", "wilayat": "admin1", "velayat": "admin1",
    "welayat": "admin1", "vilayat": "admin1", "governorate": "admin1", "oblast": "admin1",
    "region": "admin1", "state": "admin1", "prefecture": "admin1", "department": "admin1",
    "district": "admin2", "districts": "admin2", "woleswali": "admin2", "uluswali": "admin2",
    "county": "admin2", "parish": "admin2", "borough": "admin2", "municipality": "admin2",
    "rayon": "admin2", "raion": "admin2", "subdistrict": "admin3", "township": "admin3",
    "city": "populated_place", "town": "populated_place", "village": "populated_place",
    "center": "populated_place", "centre": "populated_place", "matun": "populated_place",
    "markaz": "populated_place", "bazaar": "populated_place", "bazar": "populated_place",
    "area": "other",
}
_TYPE_WORDS_LEADING = {
    "province of": "admin1", "wilayat e": "admin1", "velayat e": "admin1", "welayat e": "admin1",
    "wilayat": "admin1", "velayat": "admin1", "district of": "admin2", "city of": "populated_place",
    "town of": "populated_place", "village of": "populated_place", "the": "",
}
_IZAFE = frozenset({"e", "i", "ye", "yi", "y", "ee", "e ye"})
# The Arabic article in its romanised (and sun-letter assimilated) forms, with a or e as Levantine
# and North African spellings write it: dropped from the skeleton so "An Nuaymah", "Al-Nuaymah" and
# "Nuaymah" meet, and "Deir ez-Zor" / "Dayr al-Zour".
_ARTICLES = frozenset({"al", "el", "ul", "an", "ar", "as", "ash", "at", "ad", "az", "adh", "ath",
                       "en", "er", "es", "esh", "et", "ed", "ez", "edh", "eth"})


def clean_text(text: str) -> str:
    """Remove control characters and collapse whitespace (keeps case and script)."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """Fold a place name to its lookup key (see module docstring).

    Returns ``""`` for input that holds no letters.
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = s.translate(_TRANSLATE)
    # Strip Latin diacritics; leave other scripts' combining marks to the rule below.
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = unicodedata.normalize("NFC", s)
    # Arabic harakat, superscript alef and the like are combining in NFKD too, so they are gone.
    s = "".join(ch if (ch.isalnum() or ch.isspace()) else " " for ch in s)
    s = _SPACES.sub(" ", s).strip()
    return s


def split_alternates(name: str) -> list:
    """Split "Nad Ali district (Marja)" into ["Nad Ali district", "Marja"].

    Also splits on " / " between alternates and on a spaced dash, which ACLED
    uses for "City - District". The first element is the main name; empty parts
    are dropped.
    """
    parts = [m.strip() for m in _PARENS.findall(name)]
    main = _PARENS.sub(" ", name)
    out = []
    # " / " separates alternates; ACLED writes "City - District" ("Goma - Keshero").
    for piece in re.split(r"\s+/\s+|\s*/\s*(?=[A-Z])|\s+[-–—]\s+", main):
        if piece.strip():
            out.append(piece.strip())
    out.extend(p for p in parts if p)
    return out or [name]


def strip_type_words(key: str) -> tuple:
    """Remove type words from a normalized key.

    Returns ``(stripped_key, kind_hint)``; ``kind_hint`` is ``None`` when no
    type word was present. Never strips a key to nothing.

    >>> strip_type_words("badghis province")
    ('badghis', 'admin1')
    >>> strip_type_words("province")
    ('province', None)
    """
    hint = None
    changed = True
    while changed:
        changed = False
        for lead, kind in _TYPE_WORDS_LEADING.items():
            if key.startswith(lead + " ") and len(key) > len(lead) + 1:
                key = key[len(lead) + 1:]
                hint = hint or kind or None
                changed = True
        head, _, last = key.rpartition(" ")
        if head and last in _TYPE_WORDS_TRAILING:
            key = head
            hint = hint or _TYPE_WORDS_TRAILING[last]
            changed = True
    return key, hint


def _tokens_without_izafe(key: str) -> list:
    toks = [t for t in key.split(" ") if t]
    out = []
    for i, t in enumerate(toks):
        if t in _IZAFE and i > 0:
            continue
        if t in _ARTICLES and i < len(toks) - 1:
            continue
        if i < len(toks) - 1 and len(t) >= 4 and t.endswith("i") and t.isascii():
            t = t[:-1]  # joined izafe: Puli -> Pul, Mazari -> Mazar
        if len(t) > 3 and t.endswith(("eh", "ah")) and t.isascii():
            t = t[:-1]  # Persian final heh: Qal'eh -> Qale
        out.append(t)
    return out


_VOWELISH = frozenset("aeiouyhw")
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def skeleton(key: str) -> str:
    """Consonant skeleton of a normalized Latin key ("" for non-Latin keys)."""
    if not key or not key.isascii():
        return ""
    s = "".join(_tokens_without_izafe(key))
    if not s.isalpha():
        s = "".join(ch for ch in s if ch.isalpha())
        if not s:
            return ""
    s = s.replace("ph", "f").replace("ck", "k").replace("q", "k").replace("v", "w")
    s = _DOUBLE.sub(r"\1", s)
    first = "a" if s[0] in "aeiouy" else s[0]
    return first + "".join(ch for ch in s[1:] if ch not in _VOWELISH)


_SOFT_MAP = str.maketrans({"e": "a", "i": "a", "y": "a", "u": "o", "w": "o", "q": "k", "v": "w"})


@lru_cache(maxsize=65536)
def soft_form(key: str) -> str:
    """Vowel-class form used to compare two keys that share a skeleton."""
    if not key.isascii():
        return key
    s = "".join(_tokens_without_izafe(key))
    s = s.replace("h", "").translate(_SOFT_MAP)
    return _DOUBLE.sub(r"\1", s)


_WORD_FINAL_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=65536)
def transliteration_form(key: str) -> str:
    """The :func:`soft_form` of a normalized key, also blind to a vowel ending a word before
    another word ("Qal-e-Naw" / "Qala i Naw") and to anything but letters: two spellings with the
    same form differ only in vowels of one class, doubled letters, h, spacing and izafe."""
    if not key.isascii():
        return key
    toks = _tokens_without_izafe(key)
    toks = [t[:-1] if i < len(toks) - 1 and len(t) > 2 and t[-1] in _WORD_FINAL_VOWELS else t
            for i, t in enumerate(toks)]
    s = "".join(toks).replace("h", "").translate(_SOFT_MAP)
    return _DOUBLE.sub(r"\1", "".join(ch for ch in s if ch.isalpha()))


def sounds_alike(a: str, b: str) -> bool:
    """Whether two names (as written) have the same :func:`transliteration_form`, type words aside.

    >>> sounds_alike("Qal-e-Naw", "Qala i Naw"), sounds_alike("Tirin Kot", "Tarinkot")
    (True, True)
    >>> sounds_alike("Minova", "Minoa")
    False
    """
    fa = transliteration_form(strip_type_words(normalize(a))[0])
    return bool(fa) and fa == transliteration_form(strip_type_words(normalize(b))[0])


def similarity(a: str, b: str) -> float:
    """Similarity of two normalized keys in [0, 1], tolerant of romanisation."""
    from rapidfuzz.fuzz import ratio

    if a == b:
        return 1.0
    # Mean of the literal and the vowel-class similarity: the soft form alone lets
    # unrelated names with the same consonants through (Kalyani / Qala-e-Naw).
    return (ratio(a, b) + ratio(soft_form(a), soft_form(b))) / 200.0


def looks_like_code(name: str) -> bool:
    """True for alternates that are codes (IATA "LQN", postal codes), not names."""
    stripped = name.strip()
    return (stripped.isupper() and len(stripped) <= 4 and stripped.isascii()) or any(
        ch.isdigit() for ch in stripped
    )
