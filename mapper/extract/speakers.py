"""Who "it", "he", "the ministry", "our forces" refer to.

A :class:`Discourse` remembers, in text order, the organisations and people
an article has named (speakers, actors). Pronouns and short definite
descriptions are resolved to the nearest compatible antecedent before them:

* "it", "its" -> the last organisation ("the Defence Ministry ... it said");
* "he", "she", "his", "her" -> the last person ("Governor X ... he told reporters");
* "they", "their" -> the last organisation or group (plural armed groups are "they");
* "the ministry", "the army", "the group", "the spokesman" -> the last named
  speaker or actor whose name has that head word ("Russian Defence Ministry");
* "we", "our", "us" -> the speaker of the sentence (the side of the speaker).

Nothing is resolved across more than :data:`MAX_ANTECEDENT_CHARS` of text:
an antecedent far back is more often wrong than right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: How far back (characters) an antecedent may be.
MAX_ANTECEDENT_CHARS = 1500

PRONOUNS_ORG = frozenset({"it", "its"})
PRONOUNS_PERSON = frozenset({"he", "she", "his", "her", "him"})
PRONOUNS_PLURAL = frozenset({"they", "their", "them"})
PRONOUNS_SPEAKER = frozenset({"we", "our", "us", "i", "my"})
PRONOUNS = PRONOUNS_ORG | PRONOUNS_PERSON | PRONOUNS_PLURAL | PRONOUNS_SPEAKER

#: Head words of organisations (as opposed to people).
ORG_HEADS = re.compile(
    r"\b(?:ministry|army|military|forces|force|group|government|office|command|council|agency|police|"
    r"movement|front|militia|organi[sz]ation|administration|authorit(?:y|ies)|state\s+media|media|television|"
    r"radio|agency|brigade|battalion|division|regiment|corps|staff|service|headquarters|junta|regime|"
    r"coalition|alliance|committee|party|wing|kremlin|pentagon|outlet|channel|unit|units|presidency|"
    r"cabinet|parliament|mission|observatory|monitor|network|ministry\s+of\s+\w+)\b", re.I)
#: Head words of people.
PERSON_HEADS = re.compile(
    r"\b(?:spokes(?:man|woman|person)|governor|commander|official|minister|president|general|colonel|"
    r"officer|lawmaker|mp|chief|leader|mayor|head|envoy|analyst|resident|witness|source|soldier|fighter|"
    r"adviser|advisor|secretary|representative|deputy|director|elder|activist|journalist|correspondent|"
    r"member|emir|sheikh|lieutenant|captain|major|sergeant)\b", re.I)
_NAME = re.compile(r"^(?:[A-Z][\w’'-]+\s+){1,3}[A-Z][\w’'-]+$")


def kind_of(phrase: str) -> str:
    """'person', 'org' or '' for a speaker or actor phrase."""
    p = phrase.strip()
    if not p:
        return ""
    low = p.lower()
    if low in PRONOUNS_PERSON:
        return "person"
    if low in PRONOUNS_ORG or low in PRONOUNS_PLURAL:
        return "org"
    person = PERSON_HEADS.search(p)
    org = ORG_HEADS.search(p)
    if person and org:
        # "Defence Ministry spokesman" is a person; "the ministry of the interior" an organisation.
        return "person" if person.start() > org.start() else "org"
    if person:
        return "person"
    if org:
        return "org"
    if _NAME.match(p):
        return "person"
    return "org" if p.isupper() else ""


def head_word(phrase: str) -> str:
    """The head noun of a short definite description ("the ministry" -> "ministry"), or ''."""
    m = re.fullmatch(r"(?:the|this|that)\s+(?:same\s+)?(\w+)", phrase.strip(), re.I)
    return m.group(1).lower() if m else ""


@dataclass
class Mentioned:
    """An entity named at character ``pos``: a person or organisation, its actor (side) and role."""
    pos: int
    name: str
    kind: str  # person | org
    actor: str = ""  # the actor (side) the entity belongs to, when known
    role: str = "speaker"  # speaker (said/told/claimed) | actor (named as a party)


@dataclass
class Discourse:
    """Entities named so far in an article, in text order."""

    items: list = field(default_factory=list)

    def add(self, pos: int, name: str, kind: str = "", actor: str = "", role: str = "speaker") -> None:
        """Record an entity named at ``pos`` (empty names, pronouns and names of no known kind are skipped)."""
        kind = kind or kind_of(name)
        if not name or name.lower() in PRONOUNS or not kind:
            return
        self.items.append(Mentioned(pos, name, kind, actor, role))

    def before(self, pos: int, roles=("speaker", "actor", "org")):
        """Entities named before ``pos`` (nearest first), within :data:`MAX_ANTECEDENT_CHARS`."""
        return self._before(pos, roles)

    def _before(self, pos: int, roles=("speaker", "actor")):
        for it in reversed(self.items):
            if it.pos < pos and pos - it.pos <= MAX_ANTECEDENT_CHARS and it.role in roles:
                yield it

    def resolve(self, phrase: str, pos: int, roles=("speaker", "actor"), ordered: bool = True) -> Mentioned | None:
        """The antecedent of a pronoun or of "the <head>" at ``pos`` among the entities of ``roles``
        (with ``ordered``, the first role first; else the nearest of any of them); None when there is none."""
        if len(roles) > 1 and ordered:
            for r in roles:
                found = self.resolve(phrase, pos, (r,))
                if found is not None:
                    return found
            return None
        low = phrase.strip().lower()
        if low in PRONOUNS_ORG or low in PRONOUNS_PLURAL:
            want = "org"
        elif low in PRONOUNS_PERSON:
            want = "person"
        else:
            head = head_word(phrase)
            if not head:
                return None
            for it in self._before(pos, roles):
                if re.search(rf"\b{re.escape(head)}\b", it.name, re.I) and it.name.lower() != low:
                    return it
            return None
        for it in self._before(pos, roles):
            if it.kind == want:
                return it
        return None
