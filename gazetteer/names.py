"""Rows of the index's ``names`` table: the keys under which a place can be found.

Every writer of the index (the embedded build and each source loader) turns a place's names
into rows with :func:`rows_for_names`, so all of them agree on what a key is, which variants are
stored and how each is flagged. A row is the tuple ``(key, skel, soft, pid, name, flag)``, the
column order :func:`gazetteer.store.insert` and :func:`gazetteer.store.insert_rows` expect.

Examples
--------
>>> [r[0] for r in rows_for_names(7, ["Qala i Naw"], "Qala-e-Naw")]
['qala e naw', 'qala i naw']
>>> list(rows_for_names(7, [], ""))
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gazetteer.normalize import normalize, skeleton, soft_form, split_alternates, strip_type_words
from gazetteer.store import NAME_FLAG_ALIAS

#: Name flags: the place's own name, one of its other names, a name with its type words removed
#: ("Kunduz Province" -> "kunduz"), and an analyst alias (see :mod:`gazetteer.sources.aliases`).
PRIMARY, ALTERNATE, STRIPPED, ALIAS = 0, 1, 2, NAME_FLAG_ALIAS
#: Keys longer than this (normalized characters) are not stored: no one writes such a name.
MAX_KEY_CHARS = 120

#: ``(key, skel, soft, pid, name, flag)``: normalized key, its consonant skeleton, its soft form
#: ("" when there is no skeleton), the place's pid, the name as written, the name flag.
NameRow = tuple[str, str, str, int, str, int]


def row_for_key(key: str, pid: int, name: str, flag: int) -> NameRow:
    """The row storing the normalized ``key`` (written ``name``) for place ``pid`` with ``flag``."""
    sk = skeleton(key)
    return (key, sk, soft_form(key) if sk else "", pid, name, flag)


def rows_for_names(pid: int, names: Iterable, primary: str) -> Iterator[NameRow]:
    """Rows for a place's ``primary`` name and its other ``names``, one per distinct key.

    A name written with alternatives ("Tskhinvali (Tskhinval)", "Mosul/Al-Mawsil") gives a key per
    part; each key also gives its form without type words (flag :data:`STRIPPED`). Non-strings,
    empty names and keys longer than :data:`MAX_KEY_CHARS` are skipped.
    """
    seen = set()
    for display, flag in [(primary, PRIMARY)] + [(n, ALTERNATE) for n in names]:
        if not display or not isinstance(display, str):
            continue
        for part in split_alternates(display) if "(" in display or "/" in display else (display,):
            key = normalize(part)
            if not key or len(key) > MAX_KEY_CHARS:
                continue
            if key not in seen:
                seen.add(key)
                yield row_for_key(key, pid, part, flag)
            stripped, _hint = strip_type_words(key)
            if stripped != key and stripped not in seen:
                seen.add(stripped)
                yield row_for_key(stripped, pid, part, STRIPPED)
