"""Word lists and patterns for claim extraction: control language, actors,
attribution, denial, scope and time phrases.

Every pattern is general English news wording, not tied to one article:
they are tested on the seed articles and on invented sentences about other
wars (tests/mapper/test_extract_rules.py).
"""

from __future__ import annotations

import re

from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED

# ----------------------------------------------------------- control language
#: Trigger roles: where the place and the actor are, relative to the trigger.
#:   take      ACTOR captured PLACE         (passive: PLACE was captured by ACTOR)
#:   fall      PLACE fell (to ACTOR)
#:   hold      ACTOR controls / has control of PLACE
#:   under     PLACE is under the control of ACTOR / under ACTOR control
#:   expel     ACTOR was driven from PLACE (by OTHER) / OTHER drove ACTOR out of PLACE
#:   contest   fighting for control of PLACE
#:   attack    ACTOR attacked PLACE / an attack on PLACE
#:   surrender (OTHER) surrendered PLACE to ACTOR
#:   withdraw  ACTOR withdrew from PLACE / ACTOR finished pulling out of PLACE (the subject leaves)
TAKE, FALL, HOLD, UNDER, EXPEL, PUSHBACK, CONTEST, ATTACK, SURRENDER, NOMINAL_TAKE, WITHDRAW = (
    "take", "fall", "hold", "under", "expel", "pushback", "contest", "attack", "surrender", "nominal_take",
    "withdraw",
)

_W = r"(?:\s+\w+){0,3}?"  # up to three words in between ("took full control of")

# (role, status, pattern). Order matters only for overlapping matches (longest wins).
TRIGGERS = [
    (TAKE, CONTROLLED, r"\b(?:captur(?:ed|es|e|ing)|overr(?:an|un|uns|unning)|seiz(?:ed|es|e|ing)|"
                       r"conquer(?:ed|s|ing)?|retook|retak(?:en|es|e|ing)|recaptur(?:ed|es|e|ing)|"
                       r"liberat(?:ed|es|e|ing)|occupied|overpowered|overt(?:ook|aken|akes|ake|aking)|regain(?:ed|s|ing))\b"),
    (TAKE, CONTROLLED, r"\b(?:t(?:ook|aken?|akes|aking)|retook|retak(?:en|es|e|ing)|gain(?:ed|s|ing)?|regain(?:ed|s|ing)?|seiz(?:ed|es|e|ing)|"
                       r"assum(?:ed|es|e|ing)|establish(?:ed|es|ing)?|wrest(?:ed|s|ing)?|consolidat(?:ed|es|e|ing)|"
                       r"extend(?:ed|s|ing)?|secur(?:ed|es|e|ing)|claim(?:ed|s|ing)?)"
                       r"(?:\s+(?:back|full|complete|total|the|over|effective|partial|firm))*\s+control\s+(?:of|over)\b"),
    (TAKE, CONTROLLED, r"\b(?:t(?:ook|aken|akes|aking)|t(?:ake))\s+over\b"),
    # "secured Kherson", "securing eastern Ghouta": only with a name right after ("secured the release of",
    # "secured funding" are no claims)
    (TAKE, CONTROLLED, r"\bsecur(?:ed|ing)(?=\s+(?:the\s+)?(?:(?:north|south|east|west|central)(?:ern)?\s+)?"
                       r"(?-i:[A-Z][a-z]))"),
    (TAKE, CONTROLLED, r"\b(?:roll(?:ed|s|ing)?\s+up|(?:made|making|make|makes)\s+(?:\w+\s+){0,2}?gains\s+in|"
                       r"gain(?:ed|s|ing)?\s+ground\s+in)\b"),
    (NOMINAL_TAKE, CONTROLLED, r"\b(?:takeover|capture|fall|seizure|conquest|recapture|occupation|liberation)"
                               r"\s+of\b"),
    (FALL, CONTROLLED, r"\b(?:fell|fallen|falls)\b"),
    (HOLD, CONTROLLED, r"\b(?:ha(?:s|ve|d)|hold(?:s|ing)?|held|retain(?:s|ed|ing)?|maintain(?:s|ed|ing)?|"
                       r"keep(?:s|ing)?|kept|in|exercis(?:es|ed|ing))"
                       r"(?:\s+(?:full|complete|total|effective|partial|firm|the))*\s+control\s+(?:of|over)\b"),
    (HOLD, CONTROLLED, r"\bcontrol(?:s|led|ling)?\b(?!\s+(?:of|over)\b)"),
    (UNDER, CONTROLLED, r"\bunder\s+(?:the\s+)?(?:full\s+|complete\s+|total\s+)?control\s+of\b"),
    (UNDER, CONTROLLED, r"\bunder\s+(?:\w+[\s-]){1,4}?control\b"),
    (UNDER, CONTROLLED, r"\bin\s+the\s+hands\s+of\b"),
    (UNDER, CONTROLLED, r"\b(?:controlled|held|occupied|run|besieged)\s+by\b"),
    (HOLD, CONTROLLED, r"\b[\w’'.]+-(?:controlled|held|occupied|run)\b"),
    (EXPEL, NOT_CONTROLLED, r"\b(?:driven|drove|drive[sn]?|forced|kicked|chased|flushed|cleared|expelled|"
                            r"ousted|routed|evicted)\s+(?:\w+\s+){0,3}?(?:out\s+of|out|from|away\s+from)\b"),
    (EXPEL, NOT_CONTROLLED, r"\b(?:dislodg(?:ed|es|e|ing)|expell(?:ed|ing)|oust(?:ed|ing)|evict(?:ed|ing)|"
                            r"cleared)\b"),
    (WITHDRAW, NOT_CONTROLLED, r"\b(?:withdr(?:ew|awn|aws|awing|aw)|retreat(?:ed|s|ing)?|pull(?:ed|s|ing)?\s+(?:back|out)|"
                               r"fled|abandon(?:ed|s|ing)?|evacuat(?:ed|es|ing)|le(?:ft|aving|aves))"
                               r"(?:\s+(?:its|their|his|all|the|remaining|last|of|our|from)?\s*(?:own\s+)?"
                               r"(?:forces|troops|units|soldiers|fighters|men|positions|personnel|garrison)?)?"
                               r"\s*(?:from|out\s+of|of)\b"),
    (WITHDRAW, NOT_CONTROLLED, r"\babandon(?:ed|s|ing)?\b"),
    (WITHDRAW, NOT_CONTROLLED, r"\b(?:lost|lose|loses|losing|ceded|cede|cedes|ceding|relinquish(?:ed|es|ing)?)\s+"
                               r"(?:\w+\s+){0,2}?control\s+(?:of|over)\b"),
    (WITHDRAW, NOT_CONTROLLED, r"\b(?:withdrawal|pull-?out|retreat)\s+of\b"),
    (WITHDRAW, NOT_CONTROLLED, r"\b(?:withdrawal|retreat|pull-?out|pullback)\s+(?:of\s+(?:\w+\s+){0,3}?)?from\b"),
    (WITHDRAW, NOT_CONTROLLED, r"\b(?:finish(?:ed|es)?|complet(?:ed|es)|conclud(?:ed|es))\s+(?:their\s+|its\s+|the\s+)?"
                               r"(?:withdrawal|pulling\s+out|pull-?out|retreat)\b"),
    (EXPEL, NOT_CONTROLLED, r"\bpush(?:ed|es|ing)?\s+(?:\w+\s+){0,3}?out\s+of\b"),
    (PUSHBACK, CONTESTED, r"\bpush(?:ed|es|ing)?\s+back(?:\s+from)?\b|\bpush(?:ed|es|ing)?\s+(?:\w+\s+){1,3}?back\b|"
                          r"\brepel(?:led|s|ling)?\b|\brepuls(?:ed|es|ing)\b"),
    (CONTEST, CONTESTED, r"\b(?:fight(?:ing|s)?|battl(?:e|es|ing)|war|struggle|clash(?:es|ed|ing)?|vying|compet(?:ing|e))"
                         r"(?:[\s”\"’]+\w+){0,5}?[\s”\"’,]+for\s+(?:the\s+)?control\s+of\b"),
    (CONTEST, CONTESTED, r"\b(?:fighting|clashes|battles?|combat|gunfights?|firefights?|street\s+fighting)"
                         r"(?:\s+(?:is|are|was|were|has|have|had|been|still|continues?|continued|continuing|ongoing|"
                         r"raging|rages|raged|erupted|broke\s+out|underway|going\s+on|reported))+\s+(?:in|around|near|"
                         r"across|for|inside|on\s+the\s+outskirts\s+of)\b"),
    (CONTEST, CONTESTED, r"\b(?:are|is|were|was|remain|remains|remained)\s+(?:still\s+)?(?:fighting|battling|clashing|"
                         r"holding\s+out|resisting)\s+(?:in|inside|around|for|on\s+the\s+outskirts\s+of)\b"),
    (CONTEST, CONTESTED, r"\b(?:fighting|clashes|battles?)\s+(?:continues?|continued|(?:is|are)\s+\w+ing)\s+"
                         r"(?:in|around|inside)\b"),
    (CONTEST, CONTESTED, r"\bclash(?:ed|es|ing)?\s+(?:with|between|against|in|at|around|near)\b|\bclashes\s+(?:took\s+place|occurred|"
                         r"erupted|broke\s+out|were\s+reported)\b|\b(?:armed\s+)?clash(?:es)?\s+(?:in|at|around)\b|"
                         r"\bexchang(?:ed|es|ing)\s+(?:heavy\s+)?fire\b|\bengag(?:ed|es|ing)\s+in\s+(?:an?\s+)?(?:armed\s+)?"
                         r"(?:clash(?:es)?|fighting|battle|gunfight)\b|\bfought\b|\bbattled\b"),
    (CONTEST, CONTESTED, r"\b(?:clashes|fighting|gunfights?|firefights?|skirmishes|heavy\s+fighting)\b"),
    (CONTEST, CONTESTED, r"\b(?:besieg(?:ed|es|e|ing)|encircl(?:ed|es|e|ing)|surround(?:ed|s|ing)|"
                         r"under\s+siege|entered|enter(?:s|ing)?|stormed|storm(?:s|ing)?|"
                         r"advanc(?:ed|es|ing)\s+(?:on|into|towards?)|defend(?:ed|s|ing)?)\b"),
    (CONTEST, CONTESTED, r"\b(?:battle|fight|struggle|siege)\s+(?:for|of)\b"),
    (ATTACK, ATTACKED, r"\b(?:attack(?:s)?|assault(?:s)?|offensive|strike(?:s)?|raid(?:s)?|push|onslaught|"
                       r"counterattack|counteroffensive|bombardment|shelling|airstrikes?)\s+(?:on|against|in|into)\b"),
    (ATTACK, ATTACKED, r"\bc(?:ame|omes|oming)\s+under\s+(?:\w+\s+)?(?:attack|fire|shelling|bombardment|assault)\b"),
    (CONTEST, CONTESTED, r"\b(?:press(?:ed|es|ing)?|continu(?:ed|es|ing)|conduct(?:ed|s|ing)|wag(?:ed|es|ing))\s+"
                         r"(?:its\s+|their\s+|the\s+)?(?:military\s+)?(?:operations?|offensive|assault|campaign)\s+"
                         r"(?:in|on|into|against|around)\b|\b(?:military\s+)?operations\s+(?:were|are|is|was)\s+"
                         r"(?:continuing|ongoing|underway)\s+(?:in|on|around)\b"),
    (ATTACK, ATTACKED, r"\b(?:fir(?:ed|es|ing)|launch(?:ed|es|ing))\s+(?:[\w-]+\s+){0,4}?(?:at|on|into|towards)\b|"
                       r"\bopen(?:ed|s|ing)?\s+fire\s+(?:on|at)\b|\bair\s*(?:raids?|strikes?)\b|\bdrone\s+strikes?\b"),
    (ATTACK, ATTACKED, r"\b(?:attack(?:ed|ing)|assault(?:ed|ing)|shell(?:ed|ing)|bomb(?:ed|ing)|raid(?:ed|ing)|"
                       r"strik(?:es|ing)|struck|target(?:ed|ing)|ambush(?:ed|ing))\b"),
    (SURRENDER, CONTROLLED, r"\bsurrender(?:ed|s|ing)?\b|\bhand(?:ed|s|ing)?\s+over\b|\bcapitulat(?:ed|es|e|ing)\b"),
]
#: Literal words one of which a sentence must contain (lower case) for a trigger pattern to be tried:
#: a cheap pre-filter, so most patterns never scan most sentences. Keyed by the pattern's position in
#: TRIGGERS, checked by tests/mapper/test_extract_rules.py (every pattern match contains a stem).
_STEMS_BY_START = (
    (r"\b(?:t(?:ook|aken?|akes|aking)|retook", ("control",)),
    (r"\b(?:ha(?:s|ve|d)|hold", ("control",)),
    (r"\bcontrol(?:s|led", ("control",)),
    (r"\bunder\s+", ("control",)),
    (r"\bin\s+the\s+hands", ("hands",)),
    (r"\bpush(?:ed|es|ing)?\s+(?:\w+\s+){0,3}?out", ("push",)),
    (r"\b(?:fight(?:ing|s)?|battl(?:e|es|ing)|war|", ("control",)),
    (r"\b(?:fighting|clashes|battles?|combat", ("fight", "clash", "battle", "combat")),
    (r"\b(?:fighting|clashes|battles?)\s+(?:continues", ("fight", "clash", "battle")),
    (r"\bclash(?:ed|es|ing)?\s+", ("clash", "exchang", "engag", "fought", "battled")),
    (r"\b(?:battle|fight|struggle|siege)\s+(?:for", ("battle", "fight", "struggle", "siege")),
    (r"\b(?:withdrawal|retreat|pull-?out", ("withdrawal", "retreat", "pull")),
    (r"\b(?:finish(?:ed|es)?|complet", ("finish", "complet", "conclud")),
    (r"\b(?:captur(?:ed|es|e|ing)|overr", ("captur", "overr", "seiz", "conquer", "retook", "retak", "liberat",
                                           "occupied", "overpower", "overt", "regain")),
    (r"\b(?:t(?:ook|aken|akes|aking)|t(?:ake))\s+over", ("took", "tak")),
    (r"\bsecur(?:ed|ing)(?=", ("secur",)),
    (r"\b(?:roll(?:ed|s|ing)?\s+up", ("roll", "gains", "ground")),
    (r"\b(?:takeover|capture|fall|", ("takeover", "capture", "fall", "seizure", "conquest", "recapture",
                                     "occupation", "liberation")),
    (r"\b(?:fell|fallen|falls)", ("fell", "fallen", "falls")),
    (r"\b(?:driven|drove|", ("driv", "drove", "forced", "kicked", "chased", "flushed", "cleared", "expelled",
                             "ousted", "routed", "evicted")),
    (r"\b(?:dislodg", ("dislodg", "expel", "oust", "evict", "cleared")),
    (r"\b(?:withdr(?:ew", ("withdr", "retreat", "pull", "fled", "abandon", "evacuat", "left", "leav")),
    (r"\babandon", ("abandon",)),
    (r"\b(?:lost|lose|loses", ("control",)),
    (r"\b(?:withdrawal|pull-?out|retreat)\s+of", ("withdrawal", "pull", "retreat")),
    (r"\b(?:clashes|fighting|gunfights", ("clashes", "fighting", "gunfight", "firefight", "skirmishes")),
    (r"\bpush(?:ed|es|ing)?\s+back", ("push", "repel", "repuls")),
    (r"\b(?:are|is|were|was|remain", ("fighting", "battling", "clashing", "holding", "resisting")),
    (r"\b(?:besieg", ("besieg", "encircl", "surround", "siege", "enter", "storm", "advanc", "defend")),
    (r"\b(?:attack(?:s)?|assault", ("attack", "assault", "offensive", "strike", "raid", "push", "onslaught",
                                    "counter", "bombard", "shelling", "airstrike")),
    (r"\b(?:fir(?:ed|es|ing)|launch", ("fir", "launch", "fire", "air", "drone")),
    (r"\bc(?:ame|omes|oming)\s+under", ("under",)),
    (r"\b(?:press(?:ed|es|ing)?|continu", ("operation", "offensive", "assault", "campaign")),
    (r"\b(?:controlled|held|occupied|run|besieged)\s+by", (" by",)),
    (r"\b[\w’'.]+-(?:controlled", ("-controlled", "-held", "-occupied", "-run")),
    (r"\b(?:attack(?:ed|ing)|", ("attack", "assault", "shell", "bomb", "raid", "strik", "struck", "target",
                                 "ambush")),
    (r"\bsurrender", ("surrender", "hand", "capitulat")),
)


def _stems(pattern: str) -> tuple:
    for start, stems in _STEMS_BY_START:
        if pattern.startswith(start):
            return stems
    return ()


TRIGGER_RES = [(role, status, re.compile(p, re.I), _stems(p)) for role, status, p in TRIGGERS]
#: Every stem of every pattern, each once: a sentence is checked against these once, then each pattern
#: asks the set of stems present (cheaper than checking each pattern's stems in turn).
TRIGGER_STEMS = tuple(sorted({st for *_, stems in TRIGGER_RES for st in stems}))

#: Words before a trigger that make it an intention, not a report ("sent troops to retake").
INTENT_BEFORE = re.compile(
    r"(?:\b(?:will|would|could|may|might|can|should|must|shall)\b[\s,]+(?:[\w,]+\s+){0,5}$)|"
    r"(?:\bto\s+\w+(?:\s+\w+){0,4}\s+and\s+$)|"
    r"(?:\bto|\bwill|\bwould|\bcould|\bmay|\bmight|\bcan|\bshould|\bmust|\bplan(?:s|ned)?\s+to|\baim(?:s|ed)?\s+to|"
    r"\btry(?:ing)?\s+to|\btried\s+to|\battempt(?:s|ed|ing)?\s+to|\beffort\s+to|\bbid\s+to|\bthreaten(?:s|ed)?\s+to|"
    r"\bfailed\s+to|\bvow(?:s|ed)?\s+to|\bhope(?:s|d)?\s+to|\bseek(?:s|ing)?\s+to|\bsought\s+to|\bready\s+to|"
    r"\bif|\bunless|\bbefore)\s+(?:\w+\s+){0,2}$",
    re.I,
)
#: Negation right before a trigger ("has not fallen", "did not capture", "never controlled").
NEGATION_BEFORE = re.compile(
    r"\b(?:not|n['’]t|never|no\s+longer|nor)\s+(?:\w+\s+){0,2}$|\b(?:no|any)\s+$", re.I
)
NEGATIVE_SUBJECT = re.compile(r"\b(?:doesn['’]t|don['’]t|didn['’]t|does\s+not|do\s+not|did\s+not|has\s+not|"
                              r"have\s+not|hasn['’]t|haven['’]t|had\s+not|hadn['’]t)\b", re.I)

# -------------------------------------------------------------------- denials
DENIAL = re.compile(
    r"\b(?:denied|den(?:y|ies|ying)|rejected|reject(?:s|ing)?|dismissed|dismiss(?:es|ing)?|refuted|"
    r"refut(?:es|ing)?|disputed|disput(?:es|ing)?|contradicted|rebuffed)\b"
    r"(?P<claims>(?:\s+(?:the\s+)?(?P<owner>[\w’'-]+(?:\s+[\w’'-]+){0,2}?)['’]?s?\s+)?"
    r"(?:claims?|reports?|allegations?|rumou?rs?|assertions?))?",
    re.I,
)

# ---------------------------------------------------------------- attribution
SPEECH_VERBS = (
    r"said|says|say|told|tells|claimed|claims|claim|reported|reports|announced|announces|stated|states|"
    r"confirmed|confirms|added|adds|wrote|writes|posted|posts|tweeted|tweets|insisted|insists|warned|warns|"
    r"indicated|indicates|implied|implies|conceded|concedes|complained|complains|assured|assures|noted|notes|"
    r"acknowledged|acknowledges|admitted|admits|alleged|alleges|asserted|asserts|declared|declares|"
    r"explained|explains|maintained|maintains|suggested|suggests|showed|shows|revealed|reveals|"
    r"denied|denies|deny|rejected|rejects|dismissed|dismisses|refuted|refutes|reporting|saying|claiming|"
    r"announcing|adding|stating|confirming|insisting|telling|writing|noting|warning"
)
def first_letters(words: str) -> str:
    """A character class of the first letters of ``words`` ("said|told" -> "[STst]"): put in a lookahead
    before an alternation, it lets the regex engine skip most positions at once (about ×2 on news text)."""
    firsts = {w.lstrip("(?:")[:1] for w in words.split("|") if w}
    return "[" + "".join(sorted({c.lower() for c in firsts} | {c.upper() for c in firsts})) + "]"


SPEECH_VERB_RE = re.compile(rf"\b(?={first_letters(SPEECH_VERBS)})(?:{SPEECH_VERBS})\b", re.I)
ACCORDING_TO = re.compile(r"\baccording\s+to\s+", re.I)
#: "in a statement", "on Facebook", "in a video message" after a speech verb: the channel.
CHANNEL = re.compile(
    r"\b(?:in|on|via|through)\s+(?:a|an|the|his|her|their|its)?\s*(?:(?:\w+\s+){0,2}?)"
    r"(?P<channel>statement|press\s+release|press\s+conference|video(?:\s+message)?|text\s+message|audio\s+message|"
    r"Facebook(?:\s+post)?|Twitter|X|Telegram(?:\s+channel)?|WhatsApp|tweet|post|interview|briefing|"
    r"news\s+conference|television|TV|radio|broadcast)\b",
    re.I,
)
#: "a Facebook post from X", "a statement by X": the claimant is X.
CARRIER = re.compile(
    r"^(?:another\s+|a\s+|an\s+|the\s+|one\s+)?(?:(?P<channel>[\w-]+(?:\s+[\w-]+)?)\s+)?"
    r"(?:post|statement|report|reports|announcement|message|video|tweet|communiqu[eé]|release|update|bulletin)\s+"
    r"(?:from|by|of|issued\s+by|released\s+by)\s+(?P<who>.+)$",
    re.I,
)

# ---------------------------------------------------------------------- actors
#: Generic words for non-state armed groups; resolved to the document's main named group.
INSURGENT_WORDS = (
    r"insurgents?|insurgency|militants?|rebels?|jihadists?|jihadis|guerrillas?|separatists?|extremists?|"
    r"terrorists?|invaders|the\s+group|the\s+enemy|enemy|gunmen|fighters|insurgent\s+fighters|"
    r"Islamist\s+insurgency|Islamist\s+militants|armed\s+opposition|"
    # "Sudan's paramilitary", "the paramilitaries": a force outside the army, named elsewhere in
    # the article; never the state the country name before it would suggest
    r"paramilitar(?:y|ies)(?:\s+(?:forces?|group|fighters))?"
)
#: Generic words for government forces; a nationality adjective before them is kept.
GOVERNMENT_WORDS = (
    r"government\s+(?:forces|troops|soldiers)|pro-government\s+forces|regime\s+forces|security\s+(?:forces|troops|"
    r"units|personnel|officials)|national\s+(?:army|security\s+forces|police|defen[cs]e\s+forces)|"
    r"special\s+(?:forces|operations?\s+(?:units|forces)|operation\s+units)|commandos?|elite\s+(?:troop(?:er)?s|units|forces)|"
    r"armed\s+forces|army|military|troops|soldiers|police|policemen|border\s+guards|defen[cs]e\s+forces|"
    r"forces|the\s+government|central\s+government|government|authorities|marines|paratroopers|"
    r"Afghan\s+National\s+Defen[cs]e\s+and\s+Security\s+Forces"
)
#: Criminal armed groups; resolved to the document's main named group, else "Armed gangs".
GANG_WORDS = r"(?:armed\s+|criminal\s+)?(?:gangs?|gang\s+members|gangsters|bandits|cartels?|cartel\s+members)"
MILITIA_WORDS = r"militias?|militia\s+units|militiamen|uprising\s+forces|popular\s+uprising|local\s+defen[cs]e\s+forces"

#: State, militia and generic insurgent wording (a nationality adjective before it is looked up in
#: mapper.countries by the extractor: "Russian forces", "the Iraqi army").
ACTOR_RE = re.compile(
    # The lookahead lists the letters every alternative starts with (a fast skip, see first_letters).
    r"(?=[abcdefgijlmnprstuABCDEFGIJLMNPRSTU])"  # (gang words start with a, b, c or g)
    rf"(?:(?P<gov>\b(?:{GOVERNMENT_WORDS})\b)"
    rf"|(?P<militia>\b(?:(?:local|pro-government|tribal|armed)\s+)?(?:{MILITIA_WORDS})\b)"
    rf"|(?P<insurgent>\b(?:(?:the\s+)?(?:{INSURGENT_WORDS}))\b)"
    rf"|(?P<gang>\b(?:{GANG_WORDS})\b))",
    re.I,
)
#: The word(s) before a force word that may be a demonym ("Russian", "South Sudanese", "U.S.").
DEMONYM_BEFORE = re.compile(r"(?P<dem>(?:[A-Z][\w’'.-]*\s)?[A-Z][\w’'.-]*)\s+$")

# ------------------------------------------------------------------------ scope
_NUM = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
        r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty)")
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50})
UNIT_WORDS = (r"districts?|provinces?|regions?|governorates?|counties|county|states?|cities|city|towns?|villages?|"
              r"settlements?|municipalities|municipality|oblasts?|departments?|prefectures?|neighbou?rhoods?|"
              r"areas?|parts?|urban\s+cent(?:er|re)s|district\s+cent(?:er|re)s|checkpoints?|bases?|outposts?")
SCOPE_RES = [
    ("count", re.compile(rf"\b(?P<n>{_NUM})\s+(?:out\s+)?of\s+(?:the\s+|its\s+)?(?P<m>{_NUM})"
                         rf"(?:\s+(?P<unit>(?:[\w-]+\s+){{0,2}}?(?:{UNIT_WORDS})))?\b", re.I)),
    ("all", re.compile(rf"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|its\s+|their\s+)?(?:(?P<m>{_NUM})\s+)?"
                       rf"(?P<unit>{UNIT_WORDS})\b", re.I)),
    ("majority", re.compile(rf"\b(?:a\s+|the\s+)?(?:majority|bulk|most)\s+of\s+(?:the\s+|its\s+)?"
                            rf"(?P<unit>{UNIT_WORDS})\b|\bmost\s+(?P<unit2>{UNIT_WORDS})\b", re.I)),
    ("fraction", re.compile(rf"\b(?P<frac>(?:one|two|three)[- ](?:thirds?|quarters?|fifths?)|half|a\s+third|"
                            rf"a\s+quarter)\s+of\s+(?:the\s+|its\s+)?(?P<unit>{UNIT_WORDS})\b", re.I)),
    ("some", re.compile(r"\b(?P<q>several|some|many|a\s+number\s+of|large|most|much|parts|part)\s+"
                        r"(?:(?P<unit>parts|areas|neighbou?rhoods|districts|villages|towns|sections|quarters)\s+)?"
                        r"(?:of\s+the\s+(?P<of>city|town|province|district|country|capital))?\b", re.I)),
    ("centre", re.compile(r"\b(?:the\s+)?(?P<what>(?:city|town|district|provincial)\s+cent(?:er|re)|"
                          r"outskirts|downtown|centre|center|"
                          r"(?:provincial\s+|police\s+|district\s+|security\s+)?headquarters|prison|airport|"
                          r"governor['’]s\s+(?:compound|office|residence)|(?:local|central)\s+prison|military\s+base|"
                          r"police\s+station|checkpoints?)\b", re.I)),
    ("entire", re.compile(r"\b(?:the\s+)?(?:entire|whole)\b|\b(?:completely|fully|entirely)\b", re.I)),
]

# ----------------------------------------------------------------------- times
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
_DAYPART = r"(?:morning|afternoon|evening|night|early\s+hours|midday|noon)"
TIME_RE = re.compile(
    rf"\b(?:(?:on|by|since|until|late|early|(?:early|late)\s+on)\s+)?"
    rf"(?:{_WEEKDAY},?\s+(?:\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?|{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?)"
    rf"|\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
    rf"(?:\s+{_DAYPART})?\b"
    rf"|\b(?:(?:on|by|since|until|early|late)\s+)?(?:(?:last|this|next|early|late)\s+)?{_WEEKDAY}(?:['’]s)?"
    rf"(?:\s+{_DAYPART})?\b"
    rf"|\b(?:last|this|yesterday|tomorrow)\s+{_DAYPART}\b"
    rf"|\b(?:yesterday|today|tonight|overnight|earlier\s+today|earlier\s+this\s+week|last\s+week|this\s+week|"
    rf"last\s+month|this\s+month|earlier\s+this\s+month)\b"
    rf"|\b(?:in|since|by|during|until)\s+(?:early\s+|late\s+|mid-)?{_MONTH}(?:\s+\d{{4}})?\b"
    rf"|\b(?:\d+|two|three|four|five|six|seven|several)\s+(?:days|weeks|hours)\s+ago\b",
)

# ------------------------------------------------------- pronouns and sides
#: Nouns for fighting units after a possessive ("its fighters", "our units").
FORCE_NOUNS = (r"forces|troops|soldiers|fighters|militants|units|men|army|military|militia|militiamen|rebels|"
               r"insurgents|gunmen|police|personnel|commandos|defenders|servicemen|brigades?|battalions?|"
               r"positions|garrison|paramilitaries")
#: Possessive or subject pronouns that stand for an actor ("its fighters captured", "we liberated", "it had
#: withdrawn"); resolved to the speaker or the nearest organisation by mapper.extract.speakers.
PRONOUN_ACTOR_RE = re.compile(
    r"(?=[itohwITOHW])"  # the first letters of the pronouns: a fast skip
    rf"\b(?P<poss>its|their|our|his|her)\s+(?:own\s+)?(?:[\w-]+\s+)?(?:{FORCE_NOUNS})\b"
    r"|\b(?P<subj>we|it|they)\b(?=\s+(?:\w+ly\s+|also\s+|now\s+|still\s+)?(?:had|have|has|was|were|are|is|"
    r"['’]ve|['’]d|\w+ed|took|retook|overran|seized|captured|controls?|holds?|held|fell)\b)",
    re.I,
)
#: An acronym defined in the text: "the Rapid Support Forces (RSF)" / "RSF (Rapid Support Forces)".
ACRONYM_AFTER_RE = re.compile(
    r"\b(?P<exp>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|al|el|of|for|the|and|de|du|des|la|le|wa|"
    r"(?:al|el|wal|ad|ash|as|ar|an|at|bin|ibn)-\w+)){1,7})\s+\((?P<acr>[A-Z][A-Za-z0-9-]{1,9})\)"
)
ACRONYM_BEFORE_RE = re.compile(
    r"\b(?P<acr>[A-Z][A-Z0-9-]{1,9})\s+\((?P<exp>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|al|el|of|for|the|and|de|wa))"
    r"{1,7})\)"
)

# ----------------------------------------------------------- rebuttals
#: A rebuttal of what was said before, without repeating it: "rejected the claim", "This is not true".
REBUTTAL_RE = re.compile(
    r"\b(?:denied|den(?:y|ies|ying)|rejected|reject(?:s|ing)?|dismissed|dismiss(?:es|ing)?|refuted|refut(?:es|ing)?|"
    r"disputed|disput(?:es|ing)?|rebuffed|contradicted)\s+(?:the|this|that|these|those|such|its|their|his|"
    r"her|any)?\s*(?:\w+\s+)?(?:claims?|reports?|allegations?|assertions?|statements?|rumou?rs?|accounts?)\b"
    r"(?!\s+that)"
    r"|\b(?:this|that|it|these\s+claims|the\s+claims?|the\s+reports?|such\s+reports)\s+(?:is|was|are|were)\s+"
    r"(?:not\s+true|untrue|false|fake|baseless|a\s+lie|lies|propaganda|fabricated|incorrect|not\s+correct|"
    r"unfounded|nonsense)\b"
    r"|^\W*(?:not\s+true|untrue|false|lies|fake\s+news|propaganda|nonsense)\b"
    # "..., but officials denied this." (the pronoun stands for the claim just made)
    r"|\b(?:denied|den(?:y|ies)|rejected|reject(?:s)?|dismissed|dismiss(?:es)?|refuted|refutes?|disputed|disputes?)\s+"
    r"(?:this|it|that)\s*(?=[.,;!”\"]|$)",
    re.I,
)
#: Words (lower case) one of which a sentence must contain for REBUTTAL_RE to be tried.
REBUTTAL_WORDS = ("den", "reject", "dismiss", "refut", "disput", "rebuff", "contradict", "true", "false", "fake",
                  "baseless", "lie", "propaganda", "fabricated", "correct", "unfounded", "nonsense")
#: A conditional or an open question that makes what follows hypothetical ("if the group consolidates control").
CONDITIONAL_RE = re.compile(r"\b(?:if|unless|whether|in\s+case|should\s+(?:the|it|they))\b", re.I)
#: History: a year or era in the trigger's clause that places the event in the past ("which fell in 2015").
HISTORY_RE = re.compile(
    r"\b(?:in|since|until|by|during|from)\s+(?:(?:early|late|mid-?)\s*)?(?P<year>1[89]\d\d|20\d\d)\b"
    r"|\b(?P<year2>1[89]\d\d|20\d\d)\b|\b(?:years|decades|centuries)\s+ago\b|\bonce\s+(?:held|controlled)\b|"
    r"\bhistorically\b|\bformerly\b|\bin\s+the\s+past\b",
    re.I,
)
#: Reference points: "near X", "north of X", "20 km from X" name where something happened, not what.
NEAR_BEFORE_RE = re.compile(
    r"\b(?:near|outside|close\s+to|towards?|approaching|on\s+the\s+road\s+to|"
    r"(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|"
    r"away)\s+(?:of|from)|\d+\s*(?:km|kilometres|kilometers|miles)\s+(?:from|outside)|on\s+the\s+outskirts\s+of|"
    r"the\s+outskirts\s+of|between|the\s+(?:direction|approaches)\s+(?:of|to))\s+(?:the\s+)?"
    r"(?:(?:city|town|village|province|district|region|state)\s+of\s+)?$",
    re.I,
)
#: Gaps that join a list after its head: "towns near X, including A and B".
INCLUDING_GAP_RE = re.compile(r"^\s*,?\s*(?:including|such\s+as|notably|among\s+them|namely)\s+(?:the\s+)?"
                              r"(?:(?:towns?|villages?|cities|city|districts?|areas?|settlements?)\s+of\s+)?$", re.I)
