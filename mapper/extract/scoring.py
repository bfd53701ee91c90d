"""Score draft claims against hand-annotated gold claims (the extraction benchmark's rules).

Pure functions on frozen dataclasses; ``benchmarks/bench_extract.py`` reads the gold files,
runs the extractor and prints what these functions compute.

Rules
-----
* **Match**: a draft and a gold claim match when they name the same place and have the same
  status. Same place = the same name family (``gazetteer.normalize`` key with type words
  such as "district" or "province" stripped, compared exactly or by its vowel-class form,
  against the gold name and its aliases) **or** draft coordinates within
  :data:`MATCH_KM` of the gold point.
* **One to one, greedy by best match**: all matching (gold, draft) pairs are ranked (drafts
  from the gold claim's sentence first, then name match before distance-only match, then more
  agreeing attributes, then larger sentence overlap, then distance, then text order) and
  taken best first, each gold and each draft once.
* **Over matches**: actor, claimant and time accuracy.

  - actor: canonical names compared after folding case and punctuation; a bare
    "Government" (or "government forces") never equals "Government of X". Gold may list
    accepted alternatives (``actor_alt``, e.g. the other party of a two-sided clash).
  - claimant: folded the same way, a leading article dropped and channel words removed
    ("Defence Ministry on Facebook", "Defence Ministry (Facebook)", "via Telegram" ->
    "defence ministry"); gold may list alternatives (``claimant_alt``, e.g. "Governor Shams"
    for "Hessamuddin Shams").
  - time: the draft's interval, in days, overlaps the gold date or interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from gazetteer import haversine_km
from gazetteer.normalize import normalize, soft_form, strip_type_words

#: Distance (km) under which a draft's coordinates count as the gold place.
MATCH_KM = 25.0

_CHANNELS = ("facebook", "twitter", "x", "telegram", "whatsapp", "youtube", "instagram", "tiktok", "website",
             "web site", "statement", "video", "video message", "text message", "tv", "television", "channel",
             "account", "page", "post", "press release", "news conference", "press conference")
_CHANNEL_RE = re.compile(
    r"\s*(?:\((?:via\s+)?[^)]*\)|\b(?:on|via|in|through)\s+(?:its|his|her|their|the|a|an)?\s*"
    r"(?:official\s+)?(?:[\w-]+\s+){0,2}(?:" + "|".join(re.escape(c) for c in sorted(_CHANNELS, key=len,
                                                                                        reverse=True))
    + r")\b.*|’s\s+(?:official\s+)?(?:\w+\s+)?(?:channel|account|page)\b.*|'s\s+(?:official\s+)?(?:\w+\s+)?"
      r"(?:channel|account|page)\b.*)$",
    re.I,
)


# ------------------------------------------------------------------ values
@dataclass(frozen=True)
class GoldClaim:
    """One hand-annotated claim: ``time`` is ISO ``YYYY-MM-DD`` or an interval ``a/b``."""

    place: str
    status: str
    lat: float | None = None
    lon: float | None = None
    actor: str = ""
    claimant: str = ""
    time: str = ""
    scope: str = ""
    sentence: tuple = ()  # (start, end) character offsets in the document text
    aliases: tuple = ()
    actor_alt: tuple = ()
    claimant_alt: tuple = ()
    note: str = ""


@dataclass(frozen=True)
class DraftClaim:
    """What the scorer needs of one extracted claim (times as local calendar days)."""

    place: str
    status: str
    lat: float | None = None
    lon: float | None = None
    actor: str = ""
    claimant: str = ""
    earliest: date | None = None
    latest: date | None = None
    sentence: tuple = ()
    quote: str = ""


@dataclass(frozen=True)
class Match:
    """One gold claim paired with one draft (by place name or distance), with what else agrees."""
    gold_index: int
    draft_index: int
    by: str  # "name" | "distance"
    distance_km: float | None
    actor_ok: bool
    claimant_ok: bool
    time_ok: bool


@dataclass(frozen=True)
class DocResult:
    """Matches of one document plus the gold claims missed and the drafts left over."""

    matches: tuple = ()
    misses: tuple = ()  # gold indices
    false_positives: tuple = ()  # draft indices


@dataclass(frozen=True)
class Totals:
    """Counts of gold claims, drafts and matches of a group of documents, with the scores derived from them."""
    gold: int = 0
    drafts: int = 0
    matched: int = 0
    actor_ok: int = 0
    claimant_ok: int = 0
    time_ok: int = 0
    documents: int = 0

    @property
    def precision(self) -> float:
        """Share of drafts that match a gold claim (1.0 when there is nothing to find and nothing drafted)."""
        return self.matched / self.drafts if self.drafts else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        """Share of gold claims matched by a draft (1.0 without gold claims)."""
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of :attr:`precision` and :attr:`recall`."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, what: str) -> float | None:
        """Share of matches with the right ``actor``, ``claimant`` or ``time`` (None without matches)."""
        n = {"actor": self.actor_ok, "claimant": self.claimant_ok, "time": self.time_ok}[what]
        return n / self.matched if self.matched else None

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(a + b for a, b in zip(_fields(self), _fields(other))))

    def to_dict(self) -> dict:
        """The totals and scores as the benchmark's JSON record (rounded to 4 places)."""
        return {
            "documents": self.documents, "gold": self.gold, "drafts": self.drafts, "matched": self.matched,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "actor_accuracy": _round(self.accuracy("actor")), "claimant_accuracy": _round(self.accuracy("claimant")),
            "time_accuracy": _round(self.accuracy("time")),
        }


def _fields(t: Totals) -> tuple:
    return (t.gold, t.drafts, t.matched, t.actor_ok, t.claimant_ok, t.time_ok, t.documents)


def _round(x):
    return None if x is None else round(x, 4)


# ------------------------------------------------------------------ comparisons
def place_key(name: str) -> str:
    """Name-family key: normalised, type words ("district", "the city of") stripped."""
    return strip_type_words(normalize(name or ""))[0]


def same_name(gold: GoldClaim, draft_place: str) -> bool:
    """True when the draft's place name is the gold place or one of its aliases, after folding."""
    d = place_key(draft_place)
    if not d:
        return False
    for name in (gold.place, *gold.aliases):
        g = place_key(name)
        if g and (g == d or soft_form(g) == soft_form(d)):
            return True
    return False


def distance_km(lat1, lon1, lat2, lon2) -> float | None:
    """Great-circle km between two (lat, lon) points (:func:`gazetteer.haversine_km`); None when one is missing."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    return haversine_km(lat1, lon1, lat2, lon2)


def fold(text: str) -> str:
    """Case and punctuation folded, spaces collapsed, a leading article dropped."""
    s = re.sub(r"[^\w\s]", " ", (text or "").casefold().replace("’", "'").replace("'s ", " "))
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"^(?:the|a|an) ", "", s)


def same_actor(gold: GoldClaim, draft_actor: str) -> bool:
    """True when the draft's actor equals the gold actor or an accepted alternative, after folding."""
    # Exact after folding: a bare "Government" never equals "Government of X".
    d = fold(draft_actor)
    return any(fold(g) == d for g in (gold.actor, *gold.actor_alt))


def claimant_key(text: str) -> str:
    """Claimant without its channel: "Defence Ministry on Facebook" -> "defence ministry"."""
    s = (text or "").strip()
    prev = None
    while prev != s:
        prev = s
        s = _CHANNEL_RE.sub("", s).strip(" ,;")
    return fold(s)


def same_claimant(gold: GoldClaim, draft_claimant: str) -> bool:
    """True when the draft's claimant equals the gold claimant or an accepted alternative."""
    d = claimant_key(draft_claimant)
    return bool(d) and any(claimant_key(g) == d for g in (gold.claimant, *gold.claimant_alt))


def gold_interval(time: str) -> tuple:
    """``"2021-07-07"`` -> (date, date); ``"2021-07-06/2021-07-07"`` -> (date, date)."""
    a, _, b = (time or "").partition("/")
    start = date.fromisoformat(a.strip()[:10])
    end = date.fromisoformat(b.strip()[:10]) if b.strip() else start
    if end < start:
        raise ValueError(f"time interval {time!r} ends before it starts")
    return start, end


def same_time(gold: GoldClaim, draft: DraftClaim) -> bool:
    """True when the draft's time interval overlaps the gold claim's."""
    if not gold.time or draft.earliest is None:
        return False
    g0, g1 = gold_interval(gold.time)
    d0, d1 = draft.earliest, draft.latest or draft.earliest
    return d0 <= g1 and g0 <= d1


def _overlap(a: tuple, b: tuple) -> int:
    if len(a) != 2 or len(b) != 2:
        return 0
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


# ------------------------------------------------------------------ matching
def place_match(gold: GoldClaim, draft: DraftClaim, km: float = MATCH_KM) -> tuple:
    """(by, distance_km): by is "name", "distance" or "" (no match)."""
    dist = distance_km(gold.lat, gold.lon, draft.lat, draft.lon)
    if same_name(gold, draft.place):
        return "name", dist
    if dist is not None and dist <= km:
        return "distance", dist
    return "", dist


def match_document(gold: list, drafts: list, km: float = MATCH_KM) -> DocResult:
    """Match drafts to gold claims one to one, greedily by best match (see module docstring)."""
    pairs = []
    for gi, g in enumerate(gold):
        for di, d in enumerate(drafts):
            if d.status != g.status:
                continue
            by, dist = place_match(g, d, km)
            if not by:
                continue
            a, c, t = same_actor(g, d.actor), same_claimant(g, d.claimant), same_time(g, d)
            ov = _overlap(g.sentence, d.sentence)
            rank = (0 if ov else 1, 0 if by == "name" else 1, -(a + c + t), -ov,
                    dist if dist is not None else 0.0, gi, di)
            pairs.append((rank, Match(gi, di, by, None if dist is None else round(dist, 1), a, c, t)))
    pairs.sort(key=lambda p: p[0])
    used_g, used_d, matches = set(), set(), []
    for _, m in pairs:
        if m.gold_index in used_g or m.draft_index in used_d:
            continue
        used_g.add(m.gold_index)
        used_d.add(m.draft_index)
        matches.append(m)
    matches.sort(key=lambda m: m.gold_index)
    return DocResult(
        matches=tuple(matches),
        misses=tuple(i for i in range(len(gold)) if i not in used_g),
        false_positives=tuple(i for i in range(len(drafts)) if i not in used_d),
    )


def totals(gold: list, drafts: list, result: DocResult) -> Totals:
    """Counts of one document."""
    return Totals(
        gold=len(gold), drafts=len(drafts), matched=len(result.matches),
        actor_ok=sum(m.actor_ok for m in result.matches), claimant_ok=sum(m.claimant_ok for m in result.matches),
        time_ok=sum(m.time_ok for m in result.matches), documents=1,
    )


def draft_from_claim(claim, lat=None, lon=None) -> DraftClaim:
    """A :class:`DraftClaim` from a :class:`mapper.model.Claim` (coordinates from the gazetteer when given)."""
    extra = dict(claim.extra or ())
    sent = ()
    if "sentence_start" in extra and "sentence_end" in extra:
        try:
            sent = (int(extra["sentence_start"]), int(extra["sentence_end"]))
        except (TypeError, ValueError):
            sent = ()
    end = claim.time_end or claim.time
    return DraftClaim(
        place=claim.place, status=claim.status,
        lat=claim.lat if claim.lat is not None else lat, lon=claim.lon if claim.lon is not None else lon,
        actor=claim.actor or "", claimant=claim.claimant or "",
        earliest=claim.time.earliest.date() if claim.time else None,
        latest=end.latest.date() if end else None, sentence=sent, quote=claim.quote or "",
    )


__all__ = [
    "MATCH_KM", "GoldClaim", "DraftClaim", "Match", "DocResult", "Totals", "place_key", "same_name", "distance_km",
    "fold", "same_actor", "claimant_key", "same_claimant", "gold_interval", "same_time", "place_match",
    "match_document", "totals", "draft_from_claim",
]
