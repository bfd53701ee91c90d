"""Status vocabulary of claims and the words that map onto it.

=================  ==========================================================
status             meaning
=================  ==========================================================
``controlled``     the actor holds, or has taken, the place
``contested``      fighting for control of the place (incl. "under attack")
``attacked``       an incident at the place (attack, airstrike, shelling),
                   with no claimed change of control
``not_controlled`` a denial: the claimant says the actor does *not* hold it
=================  ==========================================================

:func:`normalize_status` maps the words analysts and reports use onto these four
and says how it did (``exact`` or ``synonym``), so a load report can list every
mapping. :func:`acled_status` and :func:`ucdp_status` do the same for dataset
event types (``how`` = ``"acled"`` / ``"ucdp"``).
"""

from __future__ import annotations

import difflib
import re

from mapper.errors import UnknownStatus
from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED, STATUSES

__all__ = [
    "STATUS_DESCRIPTIONS",
    "SYNONYMS",
    "normalize_status",
    "acled_status",
    "ucdp_status",
    "government_actor",
]

STATUS_DESCRIPTIONS = {
    CONTROLLED: "the actor holds or has taken the place",
    CONTESTED: "fighting for control of the place",
    ATTACKED: "an incident at the place, no claimed change of control",
    NOT_CONTROLLED: "a denial: the claimant says the actor does not hold the place",
}

_SYNONYM_WORDS = {
    CONTROLLED: (
        "control",
        "controls",
        "in control",
        "under control",
        "took control",
        "taken control",
        "take control",
        "takes control",
        "has control",
        "holds",
        "held",
        "hold",
        "captured",
        "capture",
        "captures",
        "seized",
        "seize",
        "seizes",
        "overran",
        "overrun",
        "overruns",
        "fell",
        "fallen",
        "falls",
        "fell to",
        "has fallen",
        "retook",
        "retaken",
        "retake",
        "retakes",
        "recaptured",
        "recapture",
        "recaptures",
        "regained",
        "regains",
        "taken",
        "taken over",
        "took over",
        "takeover",
        "take over",
        "occupied",
        "occupies",
        "liberated",
        "liberate",
        "liberates",
        "liberation",
        "occupy",
        "secured",
        "cleared",
        "conquered",
    ),
    CONTESTED: (
        "contest",
        "contests",
        "clash",
        "clashes",
        "clashed",
        "fighting",
        "fight",
        "fights",
        "fought",
        "battle",
        "battles",
        "battling",
        "under attack",
        "besieged",
        "siege",
        "under siege",
        "encircled",
        "surrounded",
        "disputed",
        "ongoing fighting",
        "armed clash",
        "assault",
        "assaulted",
        "offensive",
        "pushed back",
        "counterattack",
        "counteroffensive",
        "frontline",
        "front line",
    ),
    ATTACKED: (
        "attack",
        "attacks",
        "attacked",
        "airstrike",
        "airstrikes",
        "air strike",
        "air strikes",
        "drone strike",
        "strike",
        "struck",
        "shelling",
        "shelled",
        "bombing",
        "bombed",
        "bomb",
        "explosion",
        "ied",
        "raid",
        "raided",
        "ambush",
        "ambushed",
        "rocket attack",
        "missile strike",
        "missile strikes",
        "missile attack",
        "rockets",
        "mortar",
        "mortars",
        "artillery",
        "suicide attack",
        "incident",
    ),
    NOT_CONTROLLED: (
        "denied",
        "denies",
        "deny",
        "denial",
        "not captured",
        "not controlled",
        "not in control",
        "not fallen",
        "has not fallen",
        "did not fall",
        "not taken",
        "not seized",
        "no control",
        "repelled",
        "repulsed",
        "driven out",
        "ousted",
        "expelled",
        "withdrew",
        "withdrawn",
        "withdraw",
        "withdraws",
        "withdrawing",
        "withdrawal",
        "pulled out",
        "pulling out",
        "retreated",
        "pushed out",
    ),
}

#: Accepted synonyms (lower case, single spaces) -> status. "under attack" means contested.
SYNONYMS = {word: status for status, words in _SYNONYM_WORDS.items() for word in words}

_NEGATIONS = (
    "not ",
    "never ",
    "no longer ",
    "has not ",
    "have not ",
    "had not ",
    "did not ",
    "was not ",
    "were not ",
    "is not ",
    "are not ",
)


def _clean(word: str) -> str:
    w = str(word).strip().lower()
    w = w.replace("_", " ").replace("-", " ")
    w = re.sub(r"[\"'“”‘’?!.:;]+", "", w)
    return re.sub(r"\s+", " ", w).strip()


def normalize_status(word) -> tuple[str, str]:
    """Map a status word onto the vocabulary.

    Returns ``(status, how)`` with ``how`` either ``"exact"`` or ``"synonym"``.

    Raises
    ------
    UnknownStatus
        When the word is neither a status nor a known synonym; the message lists
        the vocabulary and the closest words, and ``err.suggestions`` holds them.

    Examples
    --------
    >>> normalize_status("Controlled")
    ('controlled', 'exact')
    >>> normalize_status("retook")
    ('controlled', 'synonym')
    >>> normalize_status("under attack")
    ('contested', 'synonym')
    >>> normalize_status("not captured")
    ('not_controlled', 'synonym')
    >>> normalize_status("capturd")
    Traceback (most recent call last):
    ...
    mapper.errors.UnknownStatus: 'capturd' is not a status (expected controlled, contested, attacked or not_controlled, or a synonym such as captured, clashes, airstrike, denied); did you mean 'captured' or 'capture' or 'recaptured'?
    """
    w = _clean(word)
    if not w:
        raise UnknownStatus(
            "empty status (expected controlled, contested, attacked or not_controlled)"
        )
    exact = w.replace(" ", "_")
    if exact in STATUSES:
        return exact, "exact"
    if w in SYNONYMS:
        return SYNONYMS[w], "synonym"
    for neg in _NEGATIONS:
        if w.startswith(neg):
            rest = w[len(neg) :]
            if SYNONYMS.get(rest) == CONTROLLED or rest == CONTROLLED:
                return NOT_CONTROLLED, "synonym"
    suggestions = difflib.get_close_matches(w, list(STATUSES) + list(SYNONYMS), n=3, cutoff=0.75)
    msg = (
        f"'{str(word).strip()}' is not a status (expected controlled, contested, attacked or not_controlled, "
        "or a synonym such as captured, clashes, airstrike, denied)"
    )
    if suggestions:
        msg += "; did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"
    err = UnknownStatus(msg)
    err.suggestions = suggestions
    raise err


# ---- datasets --------------------------------------------------------------------------------
_GOVERNMENT_PREFIXES = (
    "military forces of",
    "police forces of",
    "government of",
    "national army of",
)


def government_actor(*actors: str) -> str:
    """The first actor that names state forces (ACLED "Military Forces of …", UCDP "Government of …").

    >>> government_actor("Taliban", "Military Forces of Afghanistan (2014-)")
    'Military Forces of Afghanistan (2014-)'
    >>> government_actor("Taliban", "")
    ''
    """
    for actor in actors:
        a = (actor or "").strip()
        if a.lower().startswith(_GOVERNMENT_PREFIXES):
            return a
    return ""


def acled_status(
    event_type: str, sub_event_type: str, actor1: str = "", actor2: str = ""
) -> tuple[str, str]:
    """Status and actor for an ACLED event: ``(status, actor)``.

    * "Non-state actor overtakes territory" and "Non-violent transfer of territory"
      -> controlled by ``actor1`` (ACLED codes the actor that gains it as actor1);
    * "Government regains territory" -> controlled by the government actor
      (``actor1`` unless only ``actor2`` names state forces);
    * Battles -> contested (``actor1``);
    * every other event -> attacked (``actor1``), including protests and riots:
      the raw type stays in ``status_raw`` so a map can filter them.

    >>> acled_status("Strategic developments", "Non-state actor overtakes territory", "Taliban", "Police")
    ('controlled', 'Taliban')
    >>> acled_status("Battles", "Government regains territory", "Taliban", "Military Forces of Afghanistan (2014-)")
    ('controlled', 'Military Forces of Afghanistan (2014-)')
    >>> acled_status("Battles", "Armed clash", "Taliban", "Military Forces of Afghanistan (2014-)")
    ('contested', 'Taliban')
    """
    sub = (sub_event_type or "").strip().lower()
    ev = (event_type or "").strip().lower()
    a1 = (actor1 or "").strip()
    if sub in ("non-state actor overtakes territory", "non-violent transfer of territory"):
        return CONTROLLED, a1
    if sub == "government regains territory":
        gov = government_actor(a1) or government_actor(actor2) or a1
        return CONTROLLED, gov
    if ev == "battles":
        return CONTESTED, a1
    return ATTACKED, a1


_UCDP_TYPES = {1: "state-based conflict", 2: "non-state conflict", 3: "one-sided violence"}


def ucdp_status(type_of_violence) -> tuple[str, str]:
    """``(status, label)`` for a UCDP GED ``type_of_violence`` code.

    1 (state-based) and 2 (non-state) are fighting between armed groups -> contested;
    3 (one-sided violence against civilians) -> attacked.

    >>> ucdp_status("3")
    ('attacked', 'one-sided violence')
    >>> ucdp_status(7)
    Traceback (most recent call last):
    ...
    mapper.errors.UnknownStatus: UCDP type_of_violence '7' is not 1, 2 or 3
    """
    try:
        code = int(str(type_of_violence).strip())
    except ValueError:
        code = None
    if code not in _UCDP_TYPES:
        raise UnknownStatus(f"UCDP type_of_violence '{type_of_violence}' is not 1, 2 or 3")
    return (ATTACKED if code == 3 else CONTESTED), _UCDP_TYPES[code]
