"""Events coded like GDELT: PETRARCH2's CAMEO verb patterns on the parse, political actors, PLOVER and Goldstein."""

from __future__ import annotations

import bisect
import logging
import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.cameo import CameoCode, CameoPatterns, DocKeys, Match, PatternMatcher, Verb, _singular, is_passive
from tasks.nlp.evidence import lists_a_cast, reads_as_a_guide
from tasks.nlp.spans import PUBLISHED_KEY, doc_ents, entity_at, lemma, sentence_ents

LOGGER = logging.getLogger(__name__)
LEXICON_FILE = SEEDS_DIR / "reference" / "event_lexicon.toml"
# Chosen on the events-dev articles (benchmarks/events_eval.py prints precision and recall per threshold).
DEFAULT_MIN_CONFIDENCE = 0.7
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
PLACE_LABELS = ("GPE", "LOC", "FAC")
# Verbs of everyday prose whose bare CAMEO code would make an event of "this allows us to hike more": they count
# only in a pattern that asks for more than the verb (PETRARCH's own patterns for them do).
EVERYDAY_VERBS = frozenset(
    {"suggest", "study", "examine", "check", "explore", "research", "analyse", "analyze", "ascertain", "admit",
     "expose", "reveal", "divulge", "unveil", "profess", "confide", "look", "appear", "seem", "approve",
     "authorize", "authorise", "ratify", "consent", "train", "discuss", "attend", "struggle", "offer", "allow",
     "help", "support", "require", "share", "provide", "give", "get", "make", "take", "use", "need", "want", "add",
     "keep", "hold", "show", "lead", "serve", "benefit", "enable", "include", "issue", "pass", "clear", "go",
     "come", "leave", "arrive", "face", "encounter", "consider", "think", "hear", "learn", "see", "find", "work",
     "run", "manage", "handle", "address", "direct", "control", "conduct", "regulate", "head", "set", "place",
     "put", "post", "stage", "base", "establish", "found", "create", "build", "join", "unite", "gather", "link",
     "connect", "combine", "merge", "boost", "increase", "expand", "improve", "ease", "facilitate", "enhance",
     "pay", "buy", "purchase", "trade", "exchange", "deal", "organize", "organise", "plan", "intend", "mean",
     "ensure", "guarantee", "assure", "expect", "call", "ask", "question", "interview", "target", "aim", "fire",
     "beat", "break", "suffer", "damage", "hurt", "harm", "impair", "affect", "die", "remove", "catch", "grab",
     "enforce", "compete", "differ", "contrast", "counter", "debate", "argue", "influence", "impact", "persuade",
     "respect", "value", "appreciate", "understand", "celebrate", "honor", "honour", "recognize", "recognise",
     "greet", "reward", "disappoint", "worry", "concern", "involve", "permit", "empower", "verify", "tolerate",
     "release", "demonstrate", "engage", "move", "play", "spend", "raise", "open", "start", "launch", "push",
     "press", "meet", "talk", "speak", "contact", "carry", "send", "bring", "fill", "submit", "introduce",
     "invite", "free", "save", "cover", "accept"}
)  # fmt: skip
# Everyday verbs that are events in their own right when one political actor does them to another: meeting,
# talking, pushing back are coded when the pattern or the dyad says so; their bare use needs a target.
DYADIC_EVERYDAY = frozenset({"meet", "talk", "speak", "contact", "face", "push", "press", "call", "ask", "invite"})
# Verbs whose to-infinitive complement says what they are about ("agreed to meet", "threatened to shell").
INTENT_GOVERNORS = frozenset(
    {"agree", "promise", "pledge", "vow", "plan", "intend", "offer", "decide", "prepare", "commit", "volunteer", "seek"}
)
THREAT_GOVERNORS = frozenset({"threaten"})
REFUSAL_GOVERNORS = frozenset({"refuse", "reject", "decline", "fail", "oppose", "resist"})
# "declined to comment" is CAMEO's 011 (decline comment), a statement: no refusal event.
COMMENT_VERBS = frozenset({"comment", "elaborate", "speculate", "respond", "say", "discuss", "disclose", "specify"})
APPEAL_GOVERNORS = frozenset(
    {"urge", "call", "ask", "appeal", "encourage", "recommend", "advise", "request", "invite", "convince", "persuade"}
)
DEMAND_GOVERNORS = frozenset({"demand", "press", "pressure", "push", "order", "insist", "force", "compel"})
# Verbs whose object does what their infinitive says: "urged schools to invest", "allowed teachers to protest".
OBJECT_CONTROL = APPEAL_GOVERNORS | DEMAND_GOVERNORS | frozenset(
    {"allow", "permit", "enable", "help", "tell", "order", "force", "compel", "get", "lead", "want", "expect",
     "authorize", "authorise", "train", "urge", "warn", "instruct", "direct", "require", "prompt", "inspire"}
)  # fmt: skip
READY_WORDS = frozenset({"ready", "willing", "prepared", "committed", "determined", "eager"})
REPORTING_VERBS = frozenset(
    {"say", "tell", "announce", "declare", "state", "add", "report", "confirm", "insist", "note", "explain", "write"}
)
HYPOTHETICAL_HEADS = frozenset(
    {
        "offer", "propose", "plan", "consider", "seek", "want", "hope", "aim", "intend", "prepare", "threaten",
        "would", "could", "might", "may", "should", "proposal", "draft", "if", "expect", "ask", "urge",
    }
)  # fmt: skip
MODALS = frozenset({"would", "could", "might", "may", "should"})
OBLIGATION_AUX = frozenset({"must", "should", "could", "might", "may", "can", "ought"})
INTENT_AUX = frozenset({"will", "would", "shall", "'ll"})
DEMAND_AUX = frozenset({"must", "should"})
# Passive forms that say where their subject stands: "is opposed to", "is committed to", "is determined to".
ADJECTIVAL_PASSIVES = frozenset({"oppose", "commit", "determine", "prepare", "dedicate", "resolve", "involve"})
DENIAL_HEADS = frozenset({"deny", "reject", "refute", "dismiss"})
LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "around", "throughout", "within"})
TARGET_PREPS = ("with", "against", "on", "to", "from", "for", "at", "into", "upon", "toward", "towards")
# "The agency", "the department": a definite description standing for the organisation the article named.
ORG_ANAPHORS = frozenset(
    {
        "agency", "company", "department", "organization", "organisation", "group", "firm", "ministry", "office",
        "commission", "council", "committee", "bureau", "regulator", "board", "institute", "government", "court",
    }
)  # fmt: skip
# What "the agency", "the ministry" make of the organisation they stand for (Phoenix's agent list has no
# "agency" or "department"; in news, without a name, they are a government's).
ANAPHOR_SECTORS = {
    "agency": "GOV", "department": "GOV", "ministry": "GOV", "commission": "GOV", "bureau": "GOV", "regulator": "GOV",
    "government": "GOV", "administration": "GOV", "council": "GOV", "committee": "GOV", "court": "JUD",
}  # fmt: skip
# "The city banned", "the state suspended": a place's government.
LOCALITIES = frozenset({"city", "state", "county", "town", "province", "municipality"})
# Acts done to a place when no one is named: its country is the target ("a curfew in Cizre").
PLACE_TARGETS = frozenset({"COERCE", "ASSAULT", "FIGHT", "SANCTION", "THREATEN"})
# Verbs whose subject is the one harmed ("died of torture"), not the one who did it.
VICTIM_VERBS = frozenset({"die", "perish"})
# Group nouns for people who back a leader or party without being it.
FOLLOWER_NOUNS = frozenset({"supporter", "follower", "sympathizer", "sympathiser", "loyalist", "backer"})
# Nouns for states not named ("the two countries signed", "member nations").
STATE_NOUNS = frozenset({"country", "countries", "nation", "nations"})
# Documents that accuse, demand or reject for whoever issued them ("the lawsuit accuses", "the report urges").
DOCUMENT_NOUNS = frozenset(
    {"lawsuit", "suit", "complaint", "indictment", "petition", "report", "statement", "resolution", "letter", "ruling"}
)
# Nouns for a body of people that an entity before them names ("the Assad regime", "the Kremlin side").
BODY_NOUNS = frozenset(
    {"regime", "side", "camp", "bloc", "body", "team", "network", "spokesman", "spokeswoman", "spokesperson"}
)
# What a nation acts through, as the subject of a verb: "Russian aircraft bombed", "Chinese ships blocked".
STATE_INSTRUMENTS = frozenset(
    {"aircraft", "jet", "warplane", "plane", "helicopter", "drone", "warship", "ship", "vessel", "boat", "tank",
     "missile", "rocket", "artillery", "submarine", "bomber", "fighter", "gunboat", "convoy", "navy", "army",
     "military", "troop", "force", "soldier", "police", "government", "authority", "official", "ministry",
     "embassy", "delegation", "diplomat", "negotiator", "envoy", "court", "parliament", "coastguard", "strike",
     "agent", "officer", "guard", "patrol", "trooper", "marine", "sailor", "pilot", "commando", "unit", "battalion",
     "brigade", "regiment", "division", "militia", "spy", "intelligence", "minister", "leader", "president",
     "spokesman", "spokeswoman", "spokesperson", "representative", "ambassador", "legislator", "lawmaker"}
)  # fmt: skip
# An agent word that names a political group only with a proper name or a group word before it: "the Zapatista
# movement", "opposition forces", not "the coffee movement", "a dominant force", "the labor force".
AMBIGUOUS_AGENTS = frozenset({"force", "movement", "front", "wing", "camp", "circle", "cell", "guard", "party"})
PLACE_OF_ORIGIN_WORDS = frozenset(
    {"based", "headquartered", "born", "made", "owned", "listed", "registered", "founded", "grown", "built"}
)
GROUP_LABELS = ("ORG", "GPE", "NORP")
PEOPLE_LABELS = ("PERSON", "NORP", "GPE", "AGENT")
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers"})
THING_PRONOUNS = frozenset({"it", "its"})
GROUP_PRONOUNS = frozenset({"they", "them", "their", "theirs"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom", "whose"})
# Agent sectors that make a generic noun a political actor on its own; the rest (customers, teachers) are
# actors too in PLOVER, but less often the ones a political event is about.
POLITICAL_SECTORS = ("GOV", "MIL", "COP", "JUD", "LEG", "OPP", "REB", "INS", "SPY", "PTY", "IGO", "NGO", "UAF")
AGENT_SECTORS = frozenset(
    {"AGR", "BUS", "COP", "CRM", "CVL", "EDU", "ELI", "ENV", "GOV", "HLH", "HRI", "IGO", "INS", "JUD", "LAB",
     "LEG", "MED", "MIL", "MNC", "NGM", "NGO", "OPP", "PPL", "PTY", "REB", "REF", "RAD", "SPY", "UAF"}
)  # fmt: skip
STATE_SECTORS = ("GOV", "MIL", "COP", "JUD", "LEG", "SPY")
OBSTRUCT_VERBS = frozenset({"block", "blockade", "obstruct", "barricade"})
# Categories an actor outside politics (a company, customers, a named person) is coded in, on a core trigger
# (seeds/reference/event_lexicon.toml): contentious acts anyone can do, and praise. Cooperation, coercion and war are
# coded for states, political groups and their agents: "the company offers plans" is no AGREE, "the firm
# integrates with X" no SUPPORT, an arrest is an authority's.
SOCIAL_CATEGORIES = frozenset(
    {"DISAPPROVE", "DEMAND", "REJECT", "PROTEST", "THREATEN", "INVESTIGATE", "ASSAULT", "SUPPORT"}
)
# An actor outside those categories' reach weighs this share of its strength (a candidate, not an event).
OUTSIDE_WEIGHT = 0.3
# Categories that are done with or to someone (meeting, cooperating, giving): with no target found the event
# is less sure. Others are often reported without one ("criticised the decision", "called for elections").
NEEDS_TARGET = frozenset({"CONSULT", "COOPERATE", "AID", "SUPPORT"})
TARGET_ABSENT = 0.5
# Verbs whose object, when it is no party, makes them figures of speech: "fight the bill", "kill the deal".
FIGURATIVE_VIOLENCE = frozenset(
    {"fight", "kill", "beat", "hit", "strike", "shoot", "match", "battle", "combat", "tackle"}
)
# Roots of speech acts (appeal, intent, demand, disapproval, rejection, threat), reported in the present as
# often as in the past; other acts in the simple present are habits, less surely events.
SPEECH_ROOTS = frozenset({"01", "02", "03", "10", "11", "12", "13"})
HABITUAL_PENALTY = 0.15
FREQUENCY_ADVERBS = frozenset(
    {"rarely", "seldom", "often", "usually", "sometimes", "frequently", "typically", "generally", "normally",
     "regularly", "routinely", "commonly", "occasionally", "always", "traditionally"}
)  # fmt: skip
# Read on the 711 real pages of extraction-dev (guides, reviews, blogs; few news reports), where 9 in 10 stored
# events were wrong: most came from pages that talk to their reader, from participles that describe a thing
# ("Angular, backed by Google", "companies embracing AI", "demonstrating strong demand"), and from actors no
# event-data coder would code (a company, customers, a city as the subject of "offers", "calls for", "requires").
# Each lowers the confidence, so such an event is a candidate, not an event.
GUIDE_PENALTY = 0.2
MODIFIER_PENALTY = 0.2
UNCODED_ACTOR_PENALTY = 0.2
SUBNATIONAL_PLACES = frozenset({"city", "us_state"})
# What an actor outside politics is coded for when the act is reported as done: contentious acts, not praise.
CONTENTIOUS_CATEGORIES = frozenset({"DISAPPROVE", "DEMAND", "REJECT", "PROTEST", "THREATEN", "INVESTIGATE", "ASSAULT"})
PERFECT_OR_PASSIVE_AUX = frozenset(
    {"has", "have", "had", "having", "was", "were", "is", "are", "been", "be", "being", "got", "get", "gets"}
)
PROGRESSIVE_AUX = frozenset({"is", "are", "was", "were", "been", "'s", "'re"})
CONDITIONAL_PENALTY = 0.15
# Support is for a party; its verb with a thing for its object and no party to go to is most often another sense
# ("embraced the coffee movement"). Not consultation: "held talks" has a thing for its object.
PARTY_OBJECT_CATEGORIES = frozenset({"SUPPORT"})
THING_OBJECT_PENALTY = 0.15
SPECULATION_PENALTY = 0.15
# Acts whose doer the act itself implies when a passive leaves it out ("was arrested": by an authority).
PASSIVE_CATEGORIES = frozenset({"COERCE", "ASSAULT", "FIGHT", "DISAPPROVE", "INVESTIGATE", "SANCTION"})
# Degree adverbs modify adjectives, not acts: "particularly appealing to brands", "very welcoming".
DEGREE_ADVERBS = frozenset(
    {"particularly", "very", "especially", "extremely", "so", "too", "more", "most", "less", "least", "quite",
     "increasingly", "highly", "really", "pretty", "incredibly", "super"}
)  # fmt: skip
# The actor term of a passive with no agent ("two men were arrested"), on a core verb.
PASSIVE_ACTOR = 0.6
TARGET_ABSENT_NEEDED = 0.2
# How much of a CAMEO pattern the clause matched, from surest to least sure. A pattern with content words
# ("* &CEASEFIRE"); a verb that names its category (a core verb); a content pattern on an everyday verb ("offer *
# aid"); a verb the dictionary codes by itself; a pattern of function words ("* to +"); a verb coded only as a
# member of its block; an everyday verb by itself (an event only between political actors: "met", "talked").
STRENGTH_PATTERN = 1.0
STRENGTH_CORE = 0.9
STRENGTH_EVERYDAY_PATTERN = 0.8
STRENGTH_OWN = 0.7
STRENGTH_FRAME = 0.65
STRENGTH_BLOCK = 0.5
STRENGTH_EVERYDAY = 0.2
# Event nouns: one that names its category ("lawsuit", "rally") with its actor attached, and a loose one ("support").
STRENGTH_NOUN = 0.85
STRENGTH_WEAK_NOUN = 0.5
# Confidence = trigger, actor and target terms in these shares.
WEIGHTS = (0.4, 0.4, 0.2)
# Roots whose events are mutual (meet, negotiate, cooperate, fight): coordinated actors are each other's target.
SYMMETRIC_ROOTS = frozenset({"03", "04", "05", "06", "19"})
MODIFIER_DEPS = frozenset({"acl", "amod", "relcl"})
# Dependencies that start a clause of their own.
CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "conj", "parataxis", "relcl", "csubj", "acl"})
SENTENCE_STARTS_KEY = "newsflow_event_sentence_starts"
# entity_id -> the political sector the article's "the agency", "the ministry" gives an organisation it names.
SECTORS_KEY = "newsflow_event_sectors"
QUANTITY_WORDS = frozenset(
    {"tens", "hundreds", "thousands", "millions", "dozens", "scores", "number", "lot", "group", "percent", "majority",
     "half", "third", "quarter", "share", "minority", "most", "many", "some", "all"}
)  # fmt: skip
CALENDAR_WORDS = frozenset(
    {"spring", "summer", "autumn", "fall", "winter",
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
     "april", "may", "june", "july", "august", "september", "october", "november", "december"}
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The parallel slots of CAMEO's intent (03), appeal (02), demand (10) and rejection (12) codes, by the root or
# code of the cooperation meant: "will help" is 033 (intent to provide aid), "refused to meet" 125.
SLOTS: dict[str, tuple[str, str, str, str]] = {
    "03": ("030", "020", "100", "120"),
    "04": ("036", "026", "106", "125"),
    "045": ("039", "028", "108", "126"),
    "046": ("036", "026", "106", "125"),
    "05": ("032", "022", "102", "120"),
    "057": ("030", "020", "100", "127"),
    "06": ("031", "021", "101", "121"),
    "07": ("033", "023", "103", "122"),
    "08": ("035", "025", "105", "124"),
    "081": ("0351", "0251", "1051", "1241"),
    "0841": ("0353", "0253", "1053", "1243"),
    "085": ("0354", "0254", "1054", "1244"),
    "086": ("0355", "0255", "1055", "1245"),
    "087": ("0356", "0256", "1056", "1246"),
    "09": ("030", "020", "100", "120"),
}
# Intent codes (03) and the act they announce, for verbs that announce nothing ("met for talks" is 046).
INTENT_ACTS = {"031": "060", "032": "050", "033": "070", "035": "080", "036": "046", "037": "046", "038": "045",
               "039": "045", "0311": "061", "0312": "062", "0313": "063", "0314": "064", "0331": "071",
               "0332": "072", "0333": "073", "0334": "074", "0353": "0841", "0354": "085", "0355": "086",
               "0356": "087"}  # fmt: skip
# Verbs whose meaning is an agreement or undertaking: their 03 codes stand.
ACCORD_VERBS = frozenset({"agree", "accept", "sign", "endorse", "approve", "ratify", "guarantee", "assure", "signal"})
# Threats by the root or code of the act threatened.
THREATS = {
    "14": "133", "15": "138", "16": "131", "161": "1313", "162": "1311", "163": "1312", "164": "134", "165": "135",
    "166": "136", "17": "130", "172": "132", "1723": "1323", "1724": "1324", "173": "130", "175": "137",
    "18": "1383", "19": "1384", "191": "1381", "192": "1382", "20": "1383", "204": "1385",
}  # fmt: skip

if not Doc.has_extension("events"):
    Doc.set_extension("events", default=[])
for _name in ("canonical", "canonical_label", "entity_id", "actor_code", "known_actor_id"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


class ActorLookup(Protocol):
    """What the coder asks of tasks.nlp.actors.KnownActors (the Phoenix actor and agent dictionaries)."""

    def find(self, name: str) -> Any: ...
    def code_on(self, actor: Any, day: date | None) -> str | None: ...
    def agent(self, word: str) -> Any: ...
    def country_code(self, actor: Any, day: date | None) -> str | None: ...


@registry.misc("newsflow.event_actors.v1")
def event_actors() -> ActorLookup | None:
    """The known actors and agents, or None where tasks.nlp.actors is not installed (named entities only)."""
    try:
        from tasks.nlp import actors  # noqa: F401  (registers newsflow.known_actors.v1)
    except ImportError:
        return None
    try:
        lookup: ActorLookup = registry.misc.get("newsflow.known_actors.v1")()
    except FileNotFoundError as exc:
        LOGGER.warning("known actors unavailable (%s): events are coded on named entities only", exc)
        return None
    return lookup


@registry.misc("newsflow.event_lexicon.v1")
def event_lexicon(path: str = str(LEXICON_FILE)) -> dict[str, Any]:
    """Event nouns and the verbs whose subject receives them (seeds/reference/event_lexicon.toml)."""
    with Path(path).open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Party:
    """A political actor as mentioned: the mention's span, who it is, its CAMEO actor code, how sure we are."""

    name: str
    entity_id: str | None
    start_char: int
    end_char: int
    code: str | None
    strength: float
    political: bool  # coded by the actor dictionaries as a state, IGO or political-sector actor, or a nation
    label: str = ""  # PERSON, ORG, GPE, NORP for names; AGENT for agent nouns
    subnational: bool = False  # a city or a state ("San Diego", "Illinois"): a place more often than an actor


@dataclass
class Clause:
    """One clause's event before it is written out: the trigger, the CAMEO code and where it came from."""

    trigger: Token
    code: str
    match: Match
    pattern_text: str
    mode: str
    negated: bool
    pattern_strength: float
    everyday: bool  # an everyday verb: it needs a political actor
    noun: bool = False  # a noun trigger: its actor and target come in match.roles
    core: bool = False  # the trigger names the category it is coded in (event_lexicon.toml [core_verbs], nouns)


def _root(code: str) -> str:
    return code[:2]


def _slot(code: str) -> tuple[str, str, str, str] | None:
    for size in (4, 3, 2):
        if code[:size] in SLOTS:
            return SLOTS[code[:size]]
    return None


def _threat(code: str) -> str:
    for size in (4, 3, 2):
        if code[:size] in THREATS:
            return THREATS[code[:size]]
    return "130"


def _cooperative(code: str) -> bool:
    return int(code[:2]) <= 9


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _child(token: Token, *deps: str) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


class EventTagger:
    """Writes doc._.events: one record per clause a CAMEO verb pattern codes, with political actors."""

    def __init__(
        self,
        patterns: CameoPatterns,
        codes: dict[str, CameoCode],
        actors: ActorLookup | None,
        min_confidence: float,
        lexicon: dict[str, Any] | None = None,
    ) -> None:
        self.matcher = PatternMatcher(patterns)
        lexicon = lexicon or {}
        self.nouns: dict[str, str] = dict(lexicon.get("nouns", {}))
        self.receiving = frozenset(lexicon.get("receiving", {}).get("verbs", []))
        self.group_nouns: dict[str, str] = dict(lexicon.get("group_nouns", {}))
        self.verb_phrases: dict[str, str] = dict(lexicon.get("verb_phrases", {}))
        self.phrase_heads = frozenset(key.split()[0] for key in self.verb_phrases)
        self.core_verbs: dict[str, frozenset[str]] = {
            category: frozenset(verbs) for category, verbs in lexicon.get("core_verbs", {}).items()
        }
        self.weak_nouns = frozenset(lexicon.get("weak_nouns", {}).get("nouns", []))
        # Every form a lexicon noun's head takes (singular, plural), to skip the other nouns at once.
        heads = {key.split()[-1] for key in self.nouns}
        self.noun_forms = frozenset(
            form for w in heads for form in (w, w + "s", w + "es", w[:-1] + "ies" if w.endswith("y") else w)
        )
        self.org_heads: dict[str, str] = dict(lexicon.get("org_heads", {}))
        self.people_nouns: dict[str, str] = dict(lexicon.get("people_nouns", {}))
        self.role_sectors: dict[str, str] = dict(lexicon.get("role_sectors", {}))
        self.codes = codes
        self.actors = actors
        self.min_confidence = min_confidence

    # -- actors -------------------------------------------------------------------------------------------

    def _entity_party(self, ent: Span, day: date | None) -> Party | None:
        label = ent._.canonical_label or ent.label_
        if label not in ACTOR_LABELS:
            return None
        name = ent._.canonical or ent.text
        code = ent._.actor_code
        known = code is not None or ent._.known_actor_id is not None
        if code is None and self.actors is not None:
            actor = self.actors.find(name) or self.actors.find(ent.text)
            if actor is not None:
                code, known = self.actors.code_on(actor, day), True
        # A name the actor dictionaries code is what GDELT-style coders require; other people and organisations
        # (a company, a shop owner) are actors PLOVER allows, but less surely political ones.
        strength = 1.0 if known else 0.8
        # Companies the dictionaries code (MNC, BUS) are actors, but not political ones; nor is a place or
        # nationality the dictionaries do not know (the small model's GPE for "AI", "Colab", NORP for "Mullvad").
        company = code is not None and ("MNC" in code or "BUS" in code)
        political = not company and known and code is not None
        sectors: dict[str, str] = ent.doc.user_data.get(SECTORS_KEY) or {}
        if not known and label == "ORG" and ent._.entity_id in sectors:
            # "FDA ... The agency urges": the article's own description says what the organisation is.
            code, strength, political = sectors[ent._.entity_id], 0.9, True
        if not known and label == "ORG" and not political:
            # "Fairfield Police", "Federal Motor Carrier Safety Administration", "Association of African Jurists":
            # the name's head says the sector.
            words = name.lower().split()
            heads = [words[-1]] + ([words[words.index("of") - 1]] if "of" in words[1:] else [])
            sector = next((self.org_heads[w] for w in heads if w in self.org_heads), None)
            if sector is None and self.actors is not None:
                agent = next((a for w in heads if (a := self.actors.agent(w)) is not None), None)
                sector = agent.code if agent is not None else None
            if sector is not None and sector.startswith(POLITICAL_SECTORS):
                code, strength, political = sector, 0.9, True
        elif not known and label == "PERSON" and ent._.role and self.actors is not None:
            # "Defence Secretary Tom King", "Judge Alejandro Rivera": a person the dictionaries do not know, whose
            # title the Phoenix agent list codes as a political sector (a CEO's is not).
            agent = self.actors.agent(ent._.role)
            sector = agent.code if agent is not None else self.role_sectors.get(ent._.role)
            if sector is not None and sector.startswith(POLITICAL_SECTORS):
                code, strength, political = sector, 0.9, True
        subnational = ent._.place_kind in SUBNATIONAL_PLACES
        return Party(name, ent._.entity_id, ent.start_char, ent.end_char, code, strength, political, label, subnational)

    def _common_modifier(self, token: Token) -> bool:
        """An ambiguous group word ("movement", "force") whose modifier is a common word, not a name or another
        group word: "the third-wave coffee movement", "a dominant force"."""
        if lemma(token).lower() not in AMBIGUOUS_AGENTS:
            return False
        lefts = [c for c in token.lefts if c.dep_ in ("compound", "amod", "nmod", "poss")]
        # Participles say who led or armed them ("Vietnamese-led forces", "armed forces"), not what kind they are.
        modifiers = [c for c in lefts if c.dep_ in ("compound", "amod") and c.tag_ not in ("VBN", "VBG", "VBD")]
        if not modifiers:
            return False
        for modifier in lefts:
            if entity_at(modifier) is not None or modifier.pos_ == "PROPN" or modifier.is_upper:
                return False  # "the UNITA militarist wing", "the Zapatista movement"
            if self.actors is not None and self.actors.agent(modifier.lower_) is not None:
                return False  # "opposition forces", "rebel movement"
        return True

    def _agent_party(self, token: Token, day: date | None) -> Party | None:
        if self.actors is None or token.pos_ not in ("NOUN", "PROPN"):
            return None
        compounds = [c for c in token.lefts if c.dep_ in ("compound", "amod") and c.i == token.i - 1]
        agent = None
        if compounds:
            agent = self.actors.agent(f"{compounds[0].lower_} {token.lower_}")
        if agent is None and self._common_modifier(token):
            return None
        agent = agent or self.actors.agent(token.lower_) or self.actors.agent(lemma(token).lower())
        if agent is None:
            return None
        start = token.i
        country: str | None = None
        private = False
        for child in token.lefts:
            ent = entity_at(child)
            if child.dep_ in ("amod", "compound", "nmod", "poss") and ent is not None and ent.label_ in ACTOR_LABELS:
                # "Russian police" -> RUSCOP, "Assad's government" -> SYRGOV: the country of the modifier.
                found = self.actors.find(ent._.canonical or ent.text) or self.actors.find(ent.text)
                country = self.actors.country_code(found, day) if found is not None else None
                # "Google officials": people of a firm the dictionaries code as one, whatever their title.
                private = private or (
                    found is not None and any(s in (found.default_code or "") for s in ("BUS", "MNC"))
                )
                start = min(start, ent.start)
            elif child.dep_ in ("amod", "compound") and child.i >= start - 1:
                start = min(start, child.i)
        if country is None:
            code = agent.code
        else:
            code = country + agent.code if agent.position == "suffix" else agent.code + country
        political = agent.code.startswith(POLITICAL_SECTORS) and not private
        strength = (0.95 if country else 0.85) if political else (0.8 if country else 0.7)
        if start == token.i and token.tag_ == "NNS" and _child(token, "det") is None and _generic(token):
            # "Manufacturers must invest", "students attend": people in general, not a party to an event (in
            # the past tense, "teachers marched", they are the ones who did it).
            strength -= 0.15
        span = token.doc[start : token.i + 1]
        # A country makes "Texas teachers" a coded actor (USAEDU), not a political one: the sector says that.
        return Party(span.text, None, span.start_char, span.end_char, code, strength, political, "AGENT")

    def _antecedent(self, token: Token, day: date | None) -> Party | None:
        """The actor a pronoun or 'the agency' stands for: in reported speech the reporter ("the rebels said they
        ..."); else the nearest fitting entity before it that was a clause's subject (he/she: any mention of a
        person), in this or the sentences just before."""
        word = token.lower_
        if word in PERSON_PRONOUNS:
            labels: tuple[str, ...] = ("PERSON",)
        elif word in THING_PRONOUNS:
            labels = ("ORG", "GPE")
        elif word in ORG_ANAPHORS:
            labels = ("ORG",)
        else:
            labels = GROUP_LABELS if word in GROUP_PRONOUNS else ()
        if not labels:
            return None
        mention = (token.idx, token.idx + len(token))
        for ancestor in token.ancestors:
            if lemma(ancestor).lower() in REPORTING_VERBS:
                subject = _child(ancestor, "nsubj")
                if subject is not None and subject.i < token.i and subject.pos_ != "PRON":
                    party = self._named_or_agent(subject, day)
                    # "the rebels said they", "the union said it": an agent noun, plural or collective.
                    collective = word in THING_PRONOUNS and subject.tag_ == "NN"
                    if party is not None and (
                        party.label in labels or (party.label == "AGENT" and (word in GROUP_PRONOUNS or collective))
                    ):
                        return replace(party, start_char=mention[0], end_char=mention[1], strength=party.strength * 0.9)
                break
        ents = doc_ents(token.doc)
        starts = [e.start for e in ents]
        sentence_starts = token.doc.user_data.get(SENTENCE_STARTS_KEY) or [0]
        # Pronouns reach back two sentences; "the agency" may name an organisation introduced paragraphs before.
        reach = 10 if word in ORG_ANAPHORS else 3
        earliest = sentence_starts[max(bisect.bisect_right(sentence_starts, token.i) - reach, 0)]
        if word in ORG_ANAPHORS:
            # "The Colorado attorney general's office said ... the office fined": the same noun, said in full
            # before, before any organisation named in between.
            fuller = next(
                (t for t in reversed(token.doc[earliest : token.i]) if t.lower_ == word and any(
                    c.dep_ in ("poss", "compound", "amod", "nmod") for c in t.children
                )),
                None,
            )  # fmt: skip
            if fuller is not None:
                owner = _child(fuller, "poss")
                party = self._named_or_agent(fuller, day) or (self._named_or_agent(owner, day) if owner else None)
                if party is None:
                    sector = ANAPHOR_SECTORS.get(word)
                    party = replace(_mention(fuller, 0.6), code=sector, political=sector is not None, label="AGENT")
                return replace(party, start_char=mention[0], end_char=mention[1], strength=party.strength * 0.9)
        for ent in reversed(ents[: bisect.bisect_left(starts, token.i)]):
            if ent.start < earliest:
                break
            if ent.end > token.i or (ent._.canonical_label or ent.label_) not in labels:
                continue
            if labels in (("ORG", "GPE"), GROUP_LABELS) and ent.root.dep_ not in (
                "nsubj",
                "nsubjpass",
                "poss",
                "appos",
            ):
                continue
            party = self._entity_party(ent, day)
            if party is not None:
                return replace(party, start_char=mention[0], end_char=mention[1], strength=party.strength * 0.85)
        if word in THING_PRONOUNS:
            # "The lawsuit, filed Tuesday, ... It alleges": a document that was a subject just before.
            document = next(
                (
                    t
                    for t in reversed(token.doc[earliest : token.i])
                    if t.lower_ in DOCUMENT_NOUNS and t.dep_ == "nsubj"
                ),
                None,
            )
            if document is not None:
                return replace(_mention(document, 0.6), start_char=mention[0], end_char=mention[1], label="AGENT")
        return None

    def _described_sectors(self, doc: Doc, day: date | None) -> dict[str, str]:
        """Organisations the dictionaries do not know that the article itself calls "the agency", "the
        department", "the ministry": what it calls them says their sector (FDA ... "the agency" -> GOV)."""
        sectors: dict[str, str] = {}
        lower = doc.to_array(LOWER)
        hashes = [doc.vocab.strings.add(word) for word in ANAPHOR_SECTORS]
        for index in numpy.nonzero(numpy.isin(lower, hashes))[0]:
            token = doc[int(index)]
            if token.pos_ != "NOUN":
                continue
            det = _child(token, "det")
            if det is None or det.lower_ != "the" or entity_at(token) is not None:
                continue
            sector = ANAPHOR_SECTORS.get(token.lower_)
            if sector is None:
                continue
            party = self._antecedent(token, day)
            if party is not None and party.code is None and party.entity_id is not None:
                sectors.setdefault(party.entity_id, sector)
            elif party is None and (acronym := _acronym_before(token)) is not None:
                # "FDA monitors ... The agency urges": an acronym the recogniser left out of its entities.
                sectors.setdefault(f"name:{acronym}", sector)
        return sectors

    def _named_or_agent(self, token: Token, day: date | None) -> Party | None:
        ent = entity_at(token)
        if ent is not None and _hyphenated(ent):
            return None  # "an Ireland-based company", "Russia-backed separatists": part of another word
        if ent is not None:
            if (ent._.canonical_label or ent.label_) in ("GPE", "LOC", "FAC") and _is_place(ent.root):
                return None  # "near the town of Samarra", "at Yongbyon": where, not who
            return self._entity_party(ent, day)
        agent = self._agent_party(token, day)
        if agent is not None:
            return agent
        if token.tag_ in ("NNP", "NNPS") and token.lower_ not in CALENDAR_WORDS and token.dep_ != "compound":
            # A name the entity recogniser missed ("investigating Noble Moving"): someone, not yet known as whom.
            sector = (token.doc.user_data.get(SECTORS_KEY) or {}).get(f"name:{token.text}")
            if sector is not None:
                return replace(_mention(token, 0.85), code=sector, political=True, label="NAME")
            return replace(_mention(token, 0.6), label="NAME")
        group = self._group_party(token, day)
        if group is not None:
            return group
        sector = self.people_nouns.get(token.lower_) if token.pos_ == "NOUN" else None
        if sector is not None:
            # "urged patients", "her sister": people, not political actors ("helps users report": people at large).
            strength = 0.5 if token.tag_ == "NNS" and _child(token, "det") is None and _generic(token) else 0.65
            return replace(_mention(token, strength), code=sector or None, label="AGENT")
        if token.lower_ in QUANTITY_WORDS or token.tag_ == "CD":
            # "Tens of thousands of people", "about 200 supporters of X": whoever they are a number of.
            of = next((g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children), None)
            return self._named_or_agent(of, day) if of is not None and of.dep_ == "pobj" else None
        # "the APEC forum", "Russian aircraft", "rejected an Australian ultimatum": the nation or organisation named
        # in the phrase. As a subject, a city or firm only in a noun for a body of people ("the Austin location
        # provides access" is no act of Austin's).
        word = token.lower_
        body = word in BODY_NOUNS or word in self.org_heads or word in ORG_ANAPHORS
        if token.pos_ == "NOUN":
            subject = token.dep_ in ("nsubj", "nsubjpass")
            for child in token.lefts:
                ent = entity_at(child)
                if child.dep_ in ("amod", "compound", "nmod", "poss") and ent is not None:
                    party = self._entity_party(ent, day)
                    instrument = party is not None and self._instrument(token, child, ent, party, day)
                    if party is not None and subject and not body and not instrument:
                        # "Bosch's implementation demonstrated", "U.S. homebuyers will start", "in the Netherlands
                        # solar panels protected": the noun did it, not the firm or nation that modifies it.
                        continue
                    if party is not None:
                        span = token.doc[ent.start : token.i + 1]
                        return replace(
                            party, start_char=span.start_char, end_char=span.end_char, strength=party.strength * 0.9
                        )
            # "Foreign ministers meeting in Brussels froze ...", parsed with "meeting" as the head: the people.
            for child in reversed(list(token.lefts)):
                if child.dep_ == "compound" and child.tag_ == "NNS":
                    agent = self._agent_party(child, day)
                    if agent is not None:
                        return replace(agent, strength=agent.strength * 0.9)
        return None

    def _instrument(self, noun: Token, modifier: Token, ent: Span, party: Party, day: date | None) -> bool:
        """A subject noun a nation's act is told through: its forces and hardware ("Russian aircraft bombed",
        "Israeli jets struck"), not its people or things ("U.S. homebuyers", "Dutch solar panels")."""
        if modifier.dep_ == "poss":
            return False
        return lemma(noun).lower() in STATE_INSTRUMENTS and self._national(ent, party, day)

    def _national(self, ent: Span, party: Party, day: date | None) -> bool:
        """A nation or a state's body: a nationality, a country named as such (the dictionaries code a city as its
        country: "Austin" is USA), an IGO or a political-sector code (RUSGOV, IGOUNO)."""
        if (ent._.canonical_label or ent.label_) == "NORP":
            return party.political
        code = party.code or ""
        if code.startswith(POLITICAL_SECTORS) or code[3:6].startswith(POLITICAL_SECTORS):
            return True
        found = self.actors.find(ent._.canonical or ent.text) if self.actors is not None else None
        if found is None or found.kind != "country":
            return False
        # "U.S.", "UK": an abbreviation names the country, not one of its cities.
        return found.canonical.lower().startswith(party.name.lower()) or ent.text.replace(".", "").isupper()

    def _group_party(self, token: Token, day: date | None) -> Party | None:
        """ "Hungarian officials", "leaders of the opposition coalition", "their forces": the group named in the
        phrase, with the noun's sector added to a country ("Israeli forces" -> ISRMIL)."""
        if token.pos_ != "NOUN":
            return None
        sector = self.group_nouns.get(lemma(token).lower())
        if sector is None or self._common_modifier(token):
            return None
        owners = [c for c in token.lefts if c.dep_ in ("amod", "compound", "nmod", "poss")]
        owners += [
            g
            for c in token.rights
            if c.dep_ == "prep" and c.lower_ in ("of", "from")
            for g in c.children
            if g.dep_ == "pobj"
        ]
        for owner in owners:
            ent = entity_at(owner)
            party = self._entity_party(ent, day) if ent is not None else None
            if party is None and owner.pos_ in ("PRON", "NOUN"):
                party = self._antecedent(owner, day) if owner.pos_ == "PRON" else self._agent_party(owner, day)
            if party is None:
                continue
            code, label = party.code, party.label
            if sector and code is not None and party.label in ("GPE", "NORP") and len(code) == 3:
                code += sector
            if lemma(token).lower() in FOLLOWER_NOUNS:
                # "supporters of former President X" are X's people, not X or X's government.
                code, label = (code[:3] if code else None), "AGENT"
            start = min(token.left_edge.i, token.i)
            span = token.doc[start : token.right_edge.i + 1] if owner.i > token.i else token.doc[start : token.i + 1]
            return replace(party, start_char=span.start_char, end_char=span.end_char, code=code,
                           strength=party.strength * 0.9, label=label)  # fmt: skip
        if sector:
            mention = _mention(token, 0.7 if sector in STATE_SECTORS or sector == "OPP" else 0.6)
            return replace(mention, code=sector, political=True, label="AGENT")
        # "consumer groups", "members": people, of no group the sentence names.
        return replace(_mention(token, 0.6), label="AGENT")

    def party(self, token: Token | None, cache: dict[int, Party | None], day: date | None) -> Party | None:
        """The political actor a subject or object token names, or None (dates, demonstratives, things)."""
        if token is None:
            return None
        if token.i in cache:
            return cache[token.i]
        cache[token.i] = None  # a relative pronoun's head may lead back here
        found: Party | None = None
        if token.pos_ == "PRON" or token.tag_ in ("PRP", "PRP$", "WP", "WDT"):
            if token.lower_ in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
                found = self.party(token.head.head, cache, day)
            else:
                found = self._antecedent(token, day)
        else:
            found = self._named_or_agent(token, day)
            word = token.lower_
            if found is None and word in ORG_ANAPHORS and _child(token, "det") is not None:
                found = self._antecedent(token, day)
                acronym = _acronym_before(token) if found is None else None
                if acronym is not None:
                    # "The FDA approved ... The agency urged": the acronym the recogniser left out.
                    sector = ANAPHOR_SECTORS.get(word)
                    end = token.idx + len(token)
                    found = Party(acronym, None, token.idx, end, sector, 0.8, sector is not None, "NAME")
                if found is None:
                    # "The city council imposed", "the board endorsed": a body the article does not name.
                    sector = ANAPHOR_SECTORS.get(word)
                    found = replace(_mention(token, 0.7 if sector else 0.6), code=sector, political=sector is not None)
                    found = replace(found, label="AGENT")
            elif found is None and word in STATE_NOUNS:
                found = replace(_mention(token, 0.7), political=True, label="AGENT")  # "the two countries signed"
            elif (
                found is None
                and (word in self.org_heads or word in LOCALITIES)
                and _definite(token)
                and not self._common_modifier(token)
            ):
                # "the association backed", "the city banned": a body by its kind (a city or state as its government).
                sector = self.org_heads.get(word, "GOV")
                found = replace(_mention(token, 0.7), code=sector, political=sector.startswith(POLITICAL_SECTORS))
                found = replace(found, label="AGENT")
            elif found is None and word in DOCUMENT_NOUNS and token.dep_ == "nsubj":
                # "The lawsuit accuses the hospital": the document stands for whoever filed it.
                found = replace(_mention(token, 0.6), label="AGENT")
        cache[token.i] = found
        return found

    # -- clauses -------------------------------------------------------------------------------------------

    @staticmethod
    def _subjects(verb: Token) -> tuple[list[Token], Token | None]:
        """(actor candidates, nearest first; passive target) of a verb: its subject or a passive's agent, else
        the verb that governs an infinitive, participle or coordinated verb ("X agreed to cooperate", "urged
        schools to invest", "troops fighting Y", "a declaration demanding Z" -> who issued it)."""
        actors: list[Token] = []
        passive = None
        for child in verb.children:
            if child.dep_ == "nsubj":
                actors.append(child)
            elif child.dep_ == "nsubjpass":
                passive = child
            elif child.dep_ == "agent":
                for pobj in (g for g in child.children if g.dep_ == "pobj"):
                    actors.append(pobj)
                    # "funded by a grant from X": who gave it.
                    actors.extend(
                        o for p in pobj.children if p.dep_ == "prep" and p.lower_ == "from"
                        for o in p.children if o.dep_ == "pobj"
                    )  # fmt: skip
        if passive is not None and not actors and lemma(verb).lower() in ADJECTIVAL_PASSIVES:
            actors, passive = [passive], None  # "Israel is opposed to ...": a state, not a passive
        if passive is not None and not actors:
            # "an officer was killed when gunmen opened fire": who did it is the subject of the when-clause
            # (which the parser may hang on a coordinated verb: "was killed and two were wounded when ...").
            siblings = [verb, *(c for c in verb.children if c.dep_ == "conj")]
            if any(c.dep_ == "cc" for c in verb.children):  # a coordination the parser split under one head
                siblings += [c for c in verb.head.children if c.dep_ == verb.dep_ and c.i > verb.i][:1]
            for clause in (c for v in siblings for c in v.children):
                if clause.dep_ == "advcl" and any(m.lower_ in ("when", "as", "after") for m in clause.children):
                    actors.extend(c for c in clause.children if c.dep_ == "nsubj")
        governor = verb
        for _ in range(4):
            if actors or passive is not None:
                break
            if governor.dep_ == "xcomp" and _tough(governor.head):
                break  # "Japan is great to visit", "hard to fight": the subject is what is visited
            if governor.dep_ == "xcomp" and lemma(governor.head).lower() in OBJECT_CONTROL:
                # "urged schools to invest": the one urged does it ("need to know Japanese to travel": not).
                obj = _child(governor.head, "dobj")
                if obj is not None:
                    actors.append(obj)
                    break
            if governor.dep_ in ("xcomp", "conj", "advcl", "pcomp", "acomp"):
                governor = governor.head
                actors.extend(c for c in governor.children if c.dep_ == "nsubj")
            elif governor.dep_ in ("acl", "relcl") and governor.head.pos_ in ("NOUN", "PROPN", "PRON"):
                noun = governor.head
                if governor.dep_ == "relcl" or governor.tag_ == "VBG":
                    actors.append(noun)
                    # "issued a declaration demanding ...": whoever issued it.
                    if noun.dep_ in ("dobj", "attr") and noun.head.pos_ in ("VERB", "AUX"):
                        actors.extend(c for c in noun.head.children if c.dep_ == "nsubj")
                elif governor.tag_ == "VBN":
                    passive = noun  # "a drug based on", "startups funded by X": the noun is acted upon
                break
            else:
                break
        return actors, passive

    def _subject(self, verb: Token) -> tuple[Token | None, Token | None]:
        actors, passive = self._subjects(verb)
        return (actors[0] if actors else None), passive

    def _partner(self, actor_token: Token, cache: dict[int, Party | None], day: date | None) -> Token | None:
        """The second of two coordinated actors, in the subject itself or in what it is "from" or "of"."""
        heads = [actor_token]
        heads += [
            g for c in actor_token.children if c.dep_ == "prep" and c.lower_ in ("from", "of") for g in c.children
        ]
        for head in heads:
            for conj in head.children:
                if conj.dep_ == "conj" and self.party(conj, cache, day) is not None:
                    return conj
        return None

    @staticmethod
    def _objects(verb: Token, skip: set[int]) -> list[Token]:
        """Objects an event may be done to, nearest first: direct, indirect, then prepositional."""
        found = [c for c in verb.children if c.dep_ in ("dobj", "dative", "iobj") and c.i not in skip]
        for child in verb.children:
            if child.dep_ in ("prep", "prt", "agent") and child.lower_ in (*TARGET_PREPS, "up", "out"):
                found.extend(g for g in child.children if g.dep_ == "pobj" and g.i not in skip)
        for obj in list(found):
            found.extend(c for c in obj.children if c.dep_ == "conj")
            # "froze the assets of X", "lifted the siege of X": the one whose thing it is; "issued an ultimatum to
            # X", "threatened action against X": the one it is aimed at.
            found.extend(
                g
                for c in obj.children
                if c.dep_ == "prep" and c.lower_ in ("of", *TARGET_PREPS)
                for g in c.children
                if g.dep_ == "pobj" and g.i not in skip
            )
        return found

    @staticmethod
    def _mode(trigger: Token) -> tuple[bool, str]:
        negated = any(c.dep_ == "neg" for c in trigger.children)
        mode = "asserted"
        if _auxiliaries(trigger, ("aux",)) & MODALS:
            mode = "hypothetical"
        if trigger.pos_ == "NOUN" and trigger.dep_ in ("dobj", "pobj"):
            # "they must face its investigation", "could face sanctions": the act is as sure as the verb it is the
            # object of
            verb = trigger.head.head if trigger.dep_ == "pobj" and trigger.head.dep_ == "prep" else trigger.head
            if _auxiliaries(verb, ("aux",)) & MODALS:
                mode = "hypothetical"
        governor = trigger
        for _ in range(3):
            # "Trump may declare an emergency to help Americans": the purpose of what may happen may too.
            if governor.dep_ not in ("xcomp", "advcl") or governor.head.i == governor.i:
                break
            governor = governor.head
            if _auxiliaries(governor, ("aux",)) & MODALS:
                mode = "hypothetical"
        for ancestor in trigger.ancestors:
            head = lemma(ancestor).lower()
            if head in DENIAL_HEADS:
                return negated, "denied"
            subject = _child(ancestor, "nsubj")
            if head in HYPOTHETICAL_HEADS or (subject is not None and lemma(subject).lower() in HYPOTHETICAL_HEADS):
                mode = "hypothetical"
        if trigger.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in trigger.children):
            mode = "hypothetical"
        if negated:
            mode = "denied"
        return negated, mode

    def _own(self, token: Token, match: Match) -> tuple[str, float, str, bool] | None:
        """(code, pattern strength, pattern text, everyday) of the verb by itself, if it codes an event: an
        everyday verb only in a pattern that asks for more than function words."""
        code = match.code
        worded = match.pattern is not None and match.pattern.has_content
        if not match.verb.after and not worded and any(c.dep_ == "prt" for c in token.children):
            return None  # "back up the files", "give up": a phrasal verb the dictionary does not list, another sense
        if code is None and match.pattern is not None and not worded:
            # A no-event pattern of function words ("support * in") says too little to undo the verb's own code.
            code, match = match.verb.code, Match(match.verb, None, match.verb.code, match.roles)
        everyday = match.verb.lemma in EVERYDAY_VERBS
        if worded:
            strength = STRENGTH_EVERYDAY_PATTERN if everyday else STRENGTH_PATTERN
        elif match.pattern is not None:
            strength = STRENGTH_FRAME
        else:
            strength = STRENGTH_OWN if match.verb.own_code else STRENGTH_BLOCK
        text = match.pattern.text if match.pattern is not None else f"{match.verb.block}: * [{match.verb.code}]"
        dyad = "target" in match.roles and ("source" in match.roles or "compound" in match.roles)
        if everyday and not worded and not dyad:
            # Bare, an everyday verb is an event only when a coded political actor does it to another (checked
            # with the actor): "met", "talked".
            strength = STRENGTH_EVERYDAY
        if code is None or code not in self.codes or not self.codes[code].event_type:
            return None
        return code, strength, text, everyday

    def _clause(self, token: Token, match: Match, complement: tuple[Token, Match] | None) -> Clause | None:
        """The clause's one event: the governing verb's own content pattern if it has one, else the governor's
        sense applied to its complement's code ("agreed to meet" 036, "refused to meet" 125), else the verb's own
        code, else the complement's event."""
        verb_lemma = match.verb.lemma
        if verb_lemma in REFUSAL_GOVERNORS and any(
            c.dep_ == "xcomp" and lemma(c).lower() in COMMENT_VERBS for c in token.children
        ):
            return None  # "declined to comment": CAMEO 011, a statement, no PLOVER event
        own = self._own(token, match)
        specific = own is not None and match.pattern is not None and match.pattern.has_content
        chosen = own
        if not specific:
            inner_code = complement[1].code if complement is not None else None
            combined = self._combine(verb_lemma, inner_code, self._appeal_frame(token))
            if combined is not None:
                inner_text = ""
                if complement is not None:
                    inner = complement[1]
                    inner_text = " + " + (inner.pattern.text if inner.pattern else f"{inner.verb.block}: *")
                base = own[2] if own is not None else f"{match.verb.block}: *"
                strength = 0.8 if complement is not None and complement[1].pattern is not None else 0.65
                chosen = (combined, max(strength, own[1] if own is not None else 0.0), base + inner_text, False)
            elif own is None and complement is not None:
                return self._clause(complement[0], complement[1], None)
        if chosen is None:
            return None
        code, strength, text, everyday = chosen
        negated, mode = self._mode(token)
        if _root(code) in ("03", "13") and code != match.code:
            mode = "hypothetical"
        auxes = _auxiliaries(token)
        # PLOVER's THREATEN needs an act threatened; "warned companies that..." with none is criticism.
        warning = match.verb.block == "WARN" or (match.pattern is not None and "warning" in match.pattern.text)
        if code == "130" and warning and not self._threatens(token):
            code = "110"
        # Protest without an object is a demonstration ("teachers protest at the Capitol"); a state protesting
        # a decision is verbal disapproval (CAMEO 11).
        if verb_lemma == "protest" and _root(code) == "11" and _child(token, "dobj") is None:
            code = "140"
        # "met for talks" [036]: an intent code on a verb that states no intent, in a clause with no future or
        # modal, codes what was done (046).
        intent_words = auxes & (INTENT_AUX | MODALS) or verb_lemma in INTENT_GOVERNORS | ACCORD_VERBS
        if _root(code) == "03" and code == match.code and not intent_words and mode == "asserted":
            code = self._act(code)
        # "will visit", "would blockade": an announced intention, coded by its direction.
        if auxes & INTENT_AUX and _root(code) not in ("02", "03", "10", "12", "13"):
            code = self._intent(code)
            mode = "hypothetical"
        if negated and _cooperative(code) and _root(code) not in ("01", "02", "10", "12"):
            slots = _slot(code)
            code = slots[3] if slots else "120"
        if negated:
            mode = "denied"
        core = self._core(token, match, code)
        if core:
            strength = max(strength, STRENGTH_CORE)
        return Clause(token, code, match, text, mode, negated, strength, everyday, core=core)

    def _names_event(self, match: Match, category: str) -> bool:
        """A word of the pattern is an event noun of the category (not a loose one: "offer * help" is no AID)."""
        assert match.pattern is not None
        for element in match.pattern.upper + match.pattern.lower:
            for phrase in element.phrases:
                for word in phrase:
                    code = self.nouns.get(word) or self.nouns.get(_singular(word))
                    entry = self.codes.get(code) if code is not None else None
                    if entry is not None and entry.event_type == category and _singular(word) not in self.weak_nouns:
                        return True
        return False

    def _core(self, token: Token, match: Match, code: str) -> bool:
        """The verb names the category it is coded in ("accused" DISAPPROVE, "called for" DEMAND), or its pattern
        names it by an event noun ("filed * complaint", "launched * investigation")."""
        entry = self.codes.get(code)
        if entry is None:
            return False
        if match.pattern is not None and match.pattern.has_content and self._names_event(match, entry.event_type):
            return True
        verb = match.verb
        verbs = self.core_verbs.get(entry.event_type)
        if not verbs:
            return False
        word = verb.lemma
        if word in verbs or verb.block == "PHRASE":
            return True
        particles = [" ".join(verb.after)] if verb.after else []
        particles += [c.lower_ for c in token.rights if c.dep_ in ("prt", "prep", "advmod") and c.i <= token.i + 2]
        return any(f"{word} {p}" in verbs for p in particles)

    @staticmethod
    def _appeal_frame(token: Token) -> bool:
        """ "urges consumers to be vigilant", "recommends patients not use": asking someone to act."""
        has_object = _child(token, "dobj") is not None
        for child in token.children:
            if child.dep_ == "xcomp" and has_object:
                return True
            if child.dep_ == "ccomp" and child.tag_ in ("VB", "VBP") and _child(child, "nsubj") is not None:
                return True
        return False

    def _threatens(self, token: Token) -> bool:
        """A clause under the verb announces an act: "warned it would retaliate", "warned of strikes"."""
        for child in token.children:
            if child.dep_ in ("ccomp", "xcomp") and any(
                c.lower_ in INTENT_AUX | {"could", "might"} for c in child.children
            ):
                return True
        return False

    @staticmethod
    def _act(code: str) -> str:
        """The cooperation an intent code announces: 036 (intent to meet) -> 046 (negotiate), 033 -> 070."""
        for size in (4, 3):
            act = INTENT_ACTS.get(code[:size])
            if act is not None:
                return act
        return code

    @staticmethod
    def _intent(code: str) -> str:
        """An announced act: intent to cooperate (03), threat of material conflict (13); a verbal act stays."""
        if _cooperative(code):
            slots = _slot(code)
            return slots[0] if slots else "030"
        return _threat(code) if int(code[:2]) >= 14 else code

    def _agreed(self, code: str) -> str:
        """ "agreed to postpone the demonstration": agreeing is cooperation whatever is agreed to."""
        return self._intent(code) if _cooperative(code) or int(code[:2]) >= 14 else "030"

    def _combine(self, governor: str, inner: str | None, appeal_frame: bool) -> str | None:
        """The code of "<governor> to <inner>": intent, threat, refusal, appeal or demand of the act inner codes
        (an appeal with no coded act is a bare appeal, 020 or 100)."""
        if inner is not None and _root(inner) == "01":
            inner = None
        slots = _slot(inner) if inner is not None else None
        if governor in APPEAL_GOVERNORS and (inner is not None or appeal_frame):
            return slots[1] if slots else "020"
        if governor in DEMAND_GOVERNORS and (inner is not None or appeal_frame):
            return slots[2] if slots else "100"
        if inner is None:
            return None
        if governor in INTENT_GOVERNORS:
            return self._agreed(inner)
        if governor in THREAT_GOVERNORS:
            return _threat(inner)
        if governor in REFUSAL_GOVERNORS:
            return slots[3] if slots else "120"
        return None

    # -- locations and dates --------------------------------------------------------------------------------

    @staticmethod
    def _location(sentence: Span, trigger: Token, exclude: set[int]) -> Span | None:
        places = [
            e
            for e in sentence_ents(sentence)
            if (e._.canonical_label or e.label_) in PLACE_LABELS and not exclude & set(range(e.start, e.end))
        ]

        def preposition_before(ent: Span) -> str:
            index = ent.start - 1
            while index > 0 and ent.doc[index].dep_ == "det":
                index -= 1
            return ent.doc[index].lower_ if index >= 0 else ""

        preceded = [e for e in places if preposition_before(e) in ("in", "at", "near", "outside", "inside")]
        near_trigger = [e for e in preceded if trigger in e.root.ancestors and _depth(e.root) - _depth(trigger) <= 3]
        chosen = near_trigger or preceded
        return chosen[0] if chosen else None

    @staticmethod
    def _date_text(sentence: Span) -> str | None:
        for ent in sentence_ents(sentence):
            if ent.label_ == "DATE":
                return ent.text
        for token in sentence:
            if token.lower_ in ("yesterday", "today", "tonight") or token.lower_ in WEEKDAYS:
                return token.text
        return None

    # -- the component -----------------------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        day: date | None = doc.user_data.get(PUBLISHED_KEY)
        sentences = list(doc.sents)
        doc.user_data[SENTENCE_STARTS_KEY] = [s.start for s in sentences]
        doc.user_data[SECTORS_KEY] = self._described_sectors(doc, day)
        cache: dict[int, Party | None] = {}
        keys = DocKeys(doc, self.matcher.patterns.vocabulary)

        subjects: dict[int, set[int]] = {}

        def is_actor(token: Token, verb: Token, role: str, before_verb: bool) -> bool:
            # PETRARCH's '$' and '+' stand for actors its dictionaries code, not any name (a company, a shop),
            # for a whole noun phrase (its head, not the "Texas" of "Texas plumbers"), and before the verb for
            # the verb's own subject, not a governing verb's.
            ent = entity_at(token)
            head = ent.root if ent is not None else token
            if head.i != token.i or head.dep_ in ("compound", "amod", "nmod", "poss", "det") or token.pos_ == "PRON":
                return False
            if _is_place(head):
                return False
            if before_verb:
                if verb.i not in subjects:
                    candidates, passive = self._subjects(verb)
                    subjects[verb.i] = {t.i for c in candidates + ([passive] if passive else []) for t in c.subtree}
                if token.i not in subjects[verb.i]:
                    return False
            party = self.party(token, cache, day)
            return party is not None and party.political

        events: list[dict[str, Any]] = []
        # A page that talks to its reader and reports no one's words (a guide, a review) narrates no events.
        # Nor does a review of films or shows that names the cast: their plots are no one's acts.
        doubt = GUIDE_PENALTY if reads_as_a_guide(doc) or lists_a_cast(doc) else 0.0
        for sentence in sentences:
            matches: dict[int, Match] = {}
            for token in sentence:
                if token.pos_ != "VERB" or token.dep_ == "prep":
                    continue
                match = self.matcher.match(token, is_actor, keys)
                if match is None or match.code is None or match.pattern is None or not match.pattern.has_content:
                    # An idiom of the hand list says more than the verb's bare code ("pushed back" is no demand).
                    match = self._phrase_match(token, keys) or match
                if match is None or match.code is None:
                    match = _demand_frame(token) or match
                if match is not None:
                    matches[token.i] = match
            clauses = self._clauses(doc, matches)
            # A verb coded by a specific pattern codes its clause; an everyday verb's pattern only if it is the core
            # of its category ("staged a hunger strike in prison": the strike, not "* prison").
            coded = {c.trigger.i for c in clauses if c.pattern_strength >= 0.75 and (c.core or not c.everyday)}
            nouns = self._noun_clauses(sentence, coded)
            # "organized a general strike", "coordinated sanctions": the event noun says more than the verb's bare
            # code, so it stands for the clause.
            replaced = {n.trigger.head.i for n in nouns}
            replaced |= {c.i for n in nouns for c in n.trigger.children if c.dep_ == "amod" and c.pos_ == "VERB"}
            clauses = [c for c in clauses if c.trigger.i not in replaced] + nouns
            records = [r for c in clauses if (r := self._record(c, sentence, cache, day)) is not None]
            records.sort(key=lambda r: (r.pop("_rank_key"), r["trigger_char"]))
            heads: set[int] = set()
            for rank, record in enumerate(records):
                record["rank_in_sentence"] = rank
                head = record.pop("_clause")
                if head in heads:
                    # One main event per clause: a second one in the same clause is less sure.
                    record["confidence"] = round(record["confidence"] - 0.1, 2)
                heads.add(head)
                record["confidence"] = round(record["confidence"] - doubt, 2)
                record["is_confident"] = record["confidence"] >= self.min_confidence
            events.extend(records)
        doc.user_data.pop(SENTENCE_STARTS_KEY, None)
        doc.user_data.pop(SECTORS_KEY, None)
        doc._.events = events
        return doc

    def _clauses(self, doc: Doc, matches: dict[int, Match]) -> list[Clause]:
        """One clause per governing verb: an infinitive complement belongs to the verb it completes."""
        absorbed: set[int] = set()
        complements: dict[int, tuple[Token, Match]] = {}
        for index, match in matches.items():
            token = doc[index]
            head = token.head
            if token.dep_ == "xcomp" and head.i in matches:
                complements.setdefault(head.i, (token, match))
                absorbed.add(index)
            elif token.dep_ == "xcomp" and head.dep_ == "acomp" and head.lower_ in READY_WORDS:
                absorbed.add(index)
                complements.setdefault(index, (token, match))
        clauses: list[Clause] = []
        for index, match in matches.items():
            token = doc[index]
            if index in absorbed and index not in complements:
                continue
            if index in complements and complements[index][0].i == index:
                # "is ready to lift the ban": readiness is intent.
                clause = self._clause(token, match, None)
                if clause is not None and _root(clause.code) not in ("02", "03", "10", "12", "13"):
                    clause.code = self._intent(clause.code)
                    clause.mode = "hypothetical"
            else:
                clause = self._clause(token, match, complements.get(index))
            if clause is not None:
                clauses.append(clause)
        return clauses

    def _phrase_match(self, token: Token, keys: DocKeys) -> Match | None:
        """A verb idiom of the hand list ("walked off the job", "went on strike")."""
        word = keys.lemma(token)
        if word not in self.phrase_heads:
            return None
        for child in token.children:
            if child.dep_ not in ("prt", "prep", "dobj") and not (child.dep_ == "advmod" and child.i == token.i + 1):
                continue
            objects = [g.lower_ for g in child.children if g.dep_ == "pobj"]
            for key in [f"{word} {child.lower_}"] + [f"{word} {child.lower_} {o}" for o in objects]:
                code = self.verb_phrases.get(key)
                if code is not None:
                    return Match(Verb(key, code, "PHRASE", (), (), own_code=True), None, code)
        return None

    def _noun_clauses(self, sentence: Span, coded: set[int]) -> list[Clause]:
        """Events named by a noun with an actor attached: "EU sanctions", "complaints from customers", "X launched
        an investigation into Y" (unless the verb it is the object of codes the clause already)."""
        clauses: list[Clause] = []
        for token in sentence:
            if token.lower_ not in self.noun_forms or token.pos_ != "NOUN" or token.dep_ == "compound":
                continue  # "sanctions evasion", "protest songs": the noun names a thing, not the event
            if entity_at(token) is not None:
                continue
            word = token.lower_ if token.lower_ in self.nouns else _singular(token.lower_)
            before = token.doc[token.i - 1].lower_ if token.i > sentence.start else ""
            key = f"{before} {word}" if f"{before} {word}" in self.nouns else word
            code = self.nouns.get(key)
            if code is None or token.head.i in coded or lemma(token.head).lower() in DENIAL_HEADS:
                continue  # "denied the allegations": the denial is the clause's event, not the allegation
            roles = self._noun_roles(token, len(key.split()))
            if "source" not in roles and "passive" not in roles:
                continue
            verb = Verb(key, code, "NOUN", (), ())
            negated, mode = self._mode(token.head if token.head.pos_ in ("VERB", "AUX") else token)
            match = Match(verb, None, code, roles)
            core = word not in self.weak_nouns
            strength = STRENGTH_NOUN if core else STRENGTH_WEAK_NOUN
            text = f"NOUN: {key} [{code}]"
            clauses.append(Clause(token, code, match, text, mode, negated, strength, False, noun=True, core=core))
        return clauses

    def _noun_roles(self, noun: Token, key_words: int = 1) -> dict[str, Token]:
        roles: dict[str, Token] = {}
        for child in noun.children:
            if child.i > noun.i - key_words and child.i < noun.i:
                continue  # "hunger" of "hunger strike": the event's name, not who did it
            ent = entity_at(child)
            if child.dep_ == "amod" and child.pos_ == "VERB" and (subject := _child(child, "nsubj")) is not None:
                # "The US and EU coordinated sanctions", parsed with the verb as the noun's modifier: its subject.
                roles.setdefault("source", subject)
            elif child.dep_ == "poss" or (
                child.dep_ in ("compound", "amod", "nmod") and (ent is not None or self._agentive(child))
            ):
                # "EU sanctions", "the Justice Department complaint", "police investigation" (not "fraud
                # investigations": a modifier that names no one says what about).
                roles.setdefault("source", ent.root if ent is not None else child)
            elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
                pobj = _child(child, "pobj")
                if pobj is not None:
                    roles["source"] = pobj
            elif child.dep_ == "prep" and child.lower_ in ("against", "on", "into", "of", "to", "with", "over"):
                pobj = _child(child, "pobj")
                if pobj is not None:
                    roles.setdefault("target", pobj)
            elif child.dep_ == "acl" and lemma(child).lower() in ("involve", "target"):
                obj = _child(child, "dobj")
                if obj is not None:
                    roles.setdefault("target", obj)
            elif child.dep_ in ("acl", "amod") and child.tag_ == "VBN" and (by := _child(child, "agent")) is not None:
                # "a rally led by X", "sanctions imposed by the EU": the agent of the participle.
                agent = _child(by, "pobj")
                if agent is not None:
                    roles.setdefault("source", agent)
        head = noun.head
        if noun.dep_ in ("dobj", "attr") and head.pos_ in ("VERB", "AUX"):
            subject, _ = self._subject(head)
            if lemma(head).lower() in self.receiving:
                if subject is not None:
                    roles.setdefault("target", subject)
                # "got complaints from customers", with "from" on the verb.
                giver = next(
                    (_child(c, "pobj") for c in head.children if c.dep_ == "prep" and c.lower_ == "from"), None
                )
                if giver is not None:
                    roles.setdefault("source", giver)
            elif subject is not None:
                roles.setdefault("source", subject)
            for child in head.children:
                if child.dep_ in ("dative", "prep") and child.lower_ in ("to", "against", "on"):
                    target = _child(child, "pobj") if child.dep_ == "prep" else child
                    if target is not None:
                        roles.setdefault("target", target)
        elif noun.dep_ == "pobj" and head.lower_ == "under" and head.head.pos_ in ("VERB", "AUX"):
            # "the company is under investigation": done to the subject, by someone unnamed.
            subject = _child(head.head, "nsubj")
            if subject is not None:
                roles["passive"] = subject
        return roles

    def _agentive(self, token: Token) -> bool:
        """A common noun for people or a body of them: an agent noun, a group or people noun."""
        word = token.lower_
        if word in self.people_nouns or lemma(token).lower() in self.group_nouns:
            return True
        return self.actors is not None and self.actors.agent(word) is not None

    def _record(
        self, clause: Clause, sentence: Span, cache: dict[int, Party | None], day: date | None
    ) -> dict[str, Any] | None:
        token = clause.trigger
        roles = clause.match.roles
        if clause.noun:
            actor_token, passive = roles.get("source"), roles.get("passive")
        else:
            if _imperative(token):
                return None  # "Visit the capital", "Monitor and kill expensive queries": advice to the reader
            if any(c.dep_ == "advmod" and c.lower_ in DEGREE_ADVERBS for c in token.children):
                return None  # "particularly appealing to brands": an adjective
            candidates, passive = self._subjects(token)
            if lemma(token).lower() in VICTIM_VERBS and candidates:
                candidates, passive = [], candidates[0]  # "a prisoner died": the one it happened to
            actor_token = next((c for c in candidates if self.party(c, cache, day) is not None), None)
            actor_token = actor_token or (candidates[0] if candidates else None)
        placed = roles.get("source") or roles.get("compound")
        if placed is not None and not (
            placed.i > token.i and not clause.noun and _child(token, "nsubj") is not None and not is_passive(token)
        ):
            # The pattern's actor, unless it stands after a verb that has its subject ("you'll visit the market of
            # X": the visitor is "you", not X).
            actor_token = placed
        code = clause.code
        root = _root(code)
        target_token = roles.get("target") or passive
        skip = {actor_token.i} if actor_token is not None else set()
        if target_token is None and not clause.noun:
            # The first object that names an actor: "issued warning letters to companies" -> companies; for
            # "agreed to deploy X to Y", the complement's objects too.
            objects = self._objects(token, skip)
            complements = [c for c in token.children if c.dep_ == "xcomp"]
            complements += [g for c in complements for g in c.children if g.dep_ == "xcomp"]  # "refused to allow X"
            objects += [o for c in complements for o in self._objects(c, skip)]
            target_token = next((o for o in objects if self.party(o, cache, day) is not None), None)
        if target_token is None and actor_token is not None and root in SYMMETRIC_ROOTS:
            # "Delegations from the army and the RSF met": each side is the other's target.
            target_token = self._partner(actor_token, cache, day)
        # "X said Y must withdraw": a demand by the reporter on Y.
        auxes = _auxiliaries(token, ("aux",))
        demanded = auxes & DEMAND_AUX and token.dep_ == "ccomp" and lemma(token.head).lower() in REPORTING_VERBS
        if demanded:
            slots = _slot(code)
            code = slots[2] if slots else "100" if _cooperative(code) or root == "12" else code
            target_token, actor_token = actor_token, _child(token.head, "nsubj")
            root = _root(code)
        actor = self.party(actor_token, cache, day)
        target = self.party(target_token, cache, day)
        if target is None and root in ("02", "10"):
            # Whoever is urged to act is someone who can ("urges consumers to be vigilant", "recommends patients
            # not use").
            urged = _child(token, "dobj") or next(
                (_child(c, "nsubj") for c in token.children if c.dep_ == "ccomp" and _child(c, "nsubj") is not None),
                None,
            )
            if urged is not None and urged.pos_ != "PRON" and self._appeal_frame(token):
                target = self.party(urged, cache, day)
                if target is None and urged.tag_ not in ("NNS", "NNPS", "NNP"):
                    return None  # "urging content to become user-oriented": no one is asked anything
                target_token, target = urged, target or _mention(urged, 0.8)
        if target is not None and actor is not None and target.name == actor.name:
            target = None
        if actor is None and not (passive is not None and target is not None):
            return None
        if (
            actor is None
            and target is not None
            and root in ("18", "19")
            and not target.political
            and target.label not in PEOPLE_LABELS
        ):
            return None  # "the mainnet is rarely attacked", "servers were hit": no one named did violence to anyone
        strength = clause.pattern_strength
        if clause.everyday:
            # "the company offers support", "this allows us": an everyday verb needs a political actor, in its
            # bare sense a coded one (and someone met, for "meet" and "talk").
            worded = clause.match.pattern is not None and clause.match.pattern.has_content
            bare = clause.pattern_strength <= STRENGTH_EVERYDAY
            if actor is None or not (actor.political or (actor.label in ACTOR_LABELS and not bare)):
                return None
            verb = clause.match.verb
            if not worded and verb.lemma in DYADIC_EVERYDAY and not verb.after and target is None:
                return None
            if target is None and not clause.core:
                # "provides access", "offers support" to no one named: the pattern's word alone is weak evidence.
                strength = min(strength, STRENGTH_FRAME)
        obj = _child(token, "dobj")
        figurative = lemma(token).lower() in FIGURATIVE_VIOLENCE and target is None and obj is not None
        if root in ("18", "19", "20") and figurative and not self._armed(actor):
            # "teachers fight the vouchers bill", "the Leaf will match the Bolt's range": not violence (a state's or
            # an armed group's strike on a power station is).
            return None
        # Conventional force is a state's or an army's (FIGHT, CAMEO 19); the same violence by anyone else, or by
        # no one named ("was killed"), is unconventional (ASSAULT, 18).
        if root == "19" and code in ("190", "193", "194", "195") and not self._fights(actor, target):
            code, root = "180", "18"
        # A strike with nothing struck, by workers, is a labour strike (143), not an attack; threatening one is a
        # threat (130), not of military force.
        if lemma(token).lower() == "strike" and root in ("13", "19") and obj is None and not self._armed(actor):
            code, root = ("130", "13") if root == "13" else ("143", "14")
        # Blocking roads is a protest when people do it (144), a blockade when a state does (191).
        if lemma(token).lower() in OBSTRUCT_VERBS and root in ("17", "19") and not self._state(actor):
            if actor is None or is_passive(token) or not _reported_as_done(token):
                return None  # "pay or be blocked", "tools that block trackers": no one protested
            code, root = "144", "14"
        entry = self.codes.get(code)
        if entry is None or not entry.event_type:
            return None
        category = entry.event_type
        core = clause.core
        if code != clause.code and not core and self._core(token, clause.match, code):
            # Recoded by who did it ("residents blocked the road" is a protest): the verb may name the new category.
            core, strength = True, max(strength, STRENGTH_CORE)
        if actor is not None:
            actor_term = actor.strength
            if not actor.political and not (core and self._social(actor, category)):
                actor_term *= OUTSIDE_WEIGHT
        else:
            # "was arrested", "were killed": someone did it to the target; a core verb says who was done to.
            actor_term = PASSIVE_ACTOR if core and category in PASSIVE_CATEGORIES else 0.0
        if target is not None:
            target_term = 1.0 if target.political else 0.85
        else:
            target_term = TARGET_ABSENT_NEEDED if category in NEEDS_TARGET else TARGET_ABSENT
        trigger_weight, actor_weight, target_weight = WEIGHTS
        confidence = trigger_weight * strength + actor_weight * actor_term + target_weight * target_term
        if auxes & OBLIGATION_AUX and not demanded:
            # "Manufacturers must invest", "could fight": what should or might happen, not what did.
            confidence -= 0.1
        if _conditional(token):
            confidence -= CONDITIONAL_PENALTY  # "if your company is sued": no one has been
        if not clause.noun and any(c.dep_ == "advmod" and c.lower_ in FREQUENCY_ADVERBS for c in token.children):
            confidence -= HABITUAL_PENALTY  # "is rarely attacked", "often clash": what happens as a rule
        present = token.tag_ in ("VBZ", "VBP") or (token.tag_ == "VB" and auxes and auxes <= {"do", "does"})
        # Of the speech acts, offers and plans in the present are what someone provides ("the government offers
        # subsidized premiums"); demands, warnings and rejections in the present are reported ones ("urges").
        habitual_exempt = SPEECH_ROOTS - {"03"}
        # "does not supply" is a habit, whatever its negation codes (a refusal, REJECT, is a speech act)
        said_root = _root(clause.match.code) if clause.negated and clause.match.code else root
        if not clause.noun and present and not auxes - {"do", "does"} and said_root not in habitual_exempt:
            # "The agency investigates fraud", "California enforces limits": the simple present of an act says what
            # someone does as a rule; news reports acts in the past ("urges", "warns" are the reporting present).
            confidence -= HABITUAL_PENALTY
        if clause.mode != "asserted" and root not in SPEECH_ROOTS:
            # "may declare an emergency to help", "cannot be accused": what might or did not happen; a stated
            # intent, demand or refusal is an act itself ("said they would release").
            confidence -= SPECULATION_PENALTY
        if not clause.noun and _describes_a_thing(token, by_state=self._codable_state(actor)):
            confidence -= MODIFIER_PENALTY
        if not self._codable(actor, target, category, core, clause):
            confidence -= UNCODED_ACTOR_PENALTY
        if target is None and category in PARTY_OBJECT_CATEGORIES and _has_a_thing_for_object(token):
            confidence -= THING_OBJECT_PENALTY  # "Japan has embraced the coffee movement": support for a thing
        exclude = {t.i for t in (actor_token, target_token) if t is not None}
        place = self._location(sentence, token, exclude)
        if target is None and place is not None and category in PLACE_TARGETS:
            # "imposed a curfew in Cizre", "threatened to ban voting in East Jerusalem": coded, as GDELT does, on
            # the place's country (it adds nothing to the confidence).
            target = self._entity_party(place, day)
            if target is not None and target.code is None:
                target = None
        depth = _depth(token) + (2 if token.dep_ in MODIFIER_DEPS else 0)
        return {
            "event_type": entry.event_type,
            "cameo_code": code,
            "cameo_root": code[:2],
            "goldstein": entry.goldstein,
            "quad_class": entry.quad_class,
            "trigger": token.text,
            "trigger_char": token.idx,
            "trigger_end_char": token.idx + len(token),
            **_party_fields("actor", actor),
            **_party_fields("target", target),
            "location": (place._.canonical or place.text) if place is not None else None,
            "location_entity_id": place._.entity_id if place is not None else None,
            "location_start_char": place.start_char if place is not None else None,
            "location_end_char": place.end_char if place is not None else None,
            "date_text": self._date_text(sentence),
            "negated": clause.negated,
            "mode": clause.mode,
            "rank_in_sentence": 0,
            "confidence": round(min(confidence, 1.0), 2),
            "pattern": clause.pattern_text,
            "sentence_start_char": sentence.start_char,
            "is_confident": True,
            "_rank_key": depth,
            "_clause": _clause_head(token).i,
        }

    @staticmethod
    def _codable_state(actor: Party | None) -> bool:
        """A state, its agents or a political group, not a company and not a city or state of a country."""
        return actor is not None and actor.political and not actor.subnational and not _company(actor)

    def _codable(self, actor: Party | None, target: Party | None, category: str, core: bool, clause: Clause) -> bool:
        """Whether an event-data coder would code this actor: a state, its agents or a political group (a city or
        a state of a country only when it acts on one of those: "California sued the administration"); anyone
        else only for a contentious act the verb names, reported as done ("deaf students demanded", "the
        clergy condemned it"), not as a habit or a trait ("consumers who demand evidence")."""
        if actor is None:
            return True  # a passive with no agent: the act's own word decided ("was arrested")
        if self._codable_state(actor):
            return True
        if actor.subnational and self._codable_state(target):
            return True
        if not core or category not in CONTENTIOUS_CATEGORIES or not self._social(actor, category):
            return False
        if category == "INVESTIGATE":
            return False  # researchers, reporters and artists "investigate" and "inquire": no coder codes that
        if clause.noun:
            # "a rally led by Teachers Against School Vouchers", "a lawsuit by Andrea Bartz": a named party's act
            # (not "customer inquiries").
            return actor.label in ("PERSON", "ORG", "NORP")
        return _reported_as_done(clause.trigger)

    @staticmethod
    def _social(actor: Party, category: str) -> bool:
        """An actor outside politics may be coded in the contentious categories; violence only by people."""
        if category not in SOCIAL_CATEGORIES:
            return False
        return category != "ASSAULT" or actor.label in ("PERSON", "AGENT")

    def _fights(self, actor: Party | None, target: Party | None) -> bool:
        """Conventional combat: a state's forces, or an armed group against a state's ("suicide bombers killed 23
        people" is unconventional violence, rebels attacking an army post is combat)."""
        return self._state(actor) or (self._armed(actor) and self._state(target))

    def _armed(self, actor: Party | None) -> bool:
        """A state's forces, or rebels and insurgents who fight them."""
        code = actor.code or "" if actor is not None else ""
        return self._state(actor) or code.endswith(("REB", "INS")) or code.startswith(("REB", "INS"))

    @staticmethod
    def _state(actor: Party | None) -> bool:
        """A government, its forces or a nation: a bare country code, or a GOV/MIL/COP/JUD/LEG/SPY sector."""
        if actor is None:
            return False
        if actor.label in ("GPE", "NORP"):
            return True
        code = actor.code or ""
        sector = code if code[:3] in AGENT_SECTORS else code[3:]
        if actor.label == "AGENT":
            return sector.startswith(STATE_SECTORS)  # "supporters of X" carry X's country, not its state
        return (len(code) == 3 and code not in AGENT_SECTORS) or sector.startswith(STATE_SECTORS)


def _hyphenated(ent: Span) -> bool:
    """The name says where a thing is from, joined by a hyphen ("Ireland-based", "U.S.-born"); "Vietnamese-led
    forces" are still the nation's."""
    doc = ent.doc
    if ent.end + 1 >= len(doc) or doc[ent.end].text not in ("-", "–") or doc[ent.end - 1].whitespace_:
        return False
    return doc[ent.end + 1].lower_ in PLACE_OF_ORIGIN_WORDS


def _company(party: Party) -> bool:
    code = party.code or ""
    return "MNC" in code or "BUS" in code


def _describes_a_thing(verb: Token, by_state: bool) -> bool:
    """A participle with no auxiliary that describes a noun or comments on a clause ("Angular, backed by
    Google", "companies embracing AI", "—demonstrating strong demand"), not a reported act; a state's act
    told as a participle still is one ("startups funded by the National Science Foundation")."""
    if verb.tag_ not in ("VBG", "VBN") or any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return False
    if verb.tag_ == "VBN":
        return verb.dep_ in ("acl", "amod") and not by_state
    head = verb.head
    shares_aux = verb.dep_ == "conj" and any(c.dep_ in ("aux", "auxpass") for c in head.children)
    return not shares_aux


def _has_a_thing_for_object(verb: Token) -> bool:
    """The verb's direct object is a common noun that names no one."""
    return any(c.dep_ == "dobj" and c.pos_ == "NOUN" and not c.ent_type_ for c in verb.children)


def _auxiliaries(verb: Token, deps: tuple[str, ...] = ("aux", "auxpass")) -> set[str]:
    """The verb's auxiliaries, lowercased; a coordinated verb with no subject or auxiliary of its own shares its
    head's ("could fight and win", "were arrested and charged")."""
    for _ in range(4):
        own = {c.lower_ for c in verb.children if c.dep_ in deps}
        if own or verb.dep_ != "conj" or any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass") for c in verb.children):
            return own
        verb = verb.head
    return set()


def _reported_as_done(verb: Token) -> bool:
    """The past, the perfect, a passive or what is going on: "demanded", "have condemned", "was sued", "are
    pushing back"; not a habit or a trait ("consumers who demand evidence", "a demanding schedule")."""
    if verb.tag_ == "VBD":
        return True
    auxes = _auxiliaries(verb)
    if verb.tag_ == "VBN":
        # The small model tags some simple pasts VBN ("Hundreds of residents protested"): a subject makes it one.
        return bool(auxes & PERFECT_OR_PASSIVE_AUX) or any(c.dep_ == "nsubj" for c in verb.children)
    return verb.tag_ == "VBG" and bool(auxes & PROGRESSIVE_AUX)


def _generic(noun: Token) -> bool:
    """The clause a bare plural is the subject of speaks in the present or a modal: a general statement."""
    verb = noun.head
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ in ("VBD",) or a.lower_ in ("had", "was", "were", "did") for a in auxes):
        return False
    return verb.tag_ in ("VBP", "VBZ", "VB") or any(a.tag_ == "MD" for a in auxes)


def _acronym_before(anaphor: Token) -> str | None:
    """The nearest acronym ("FDA", "SEC") that was a clause's subject in the anaphor's sentence or the two before."""
    starts = anaphor.doc.user_data.get(SENTENCE_STARTS_KEY) or [0]
    earliest = starts[max(bisect.bisect_right(starts, anaphor.i) - 3, 0)]
    for token in reversed(anaphor.doc[earliest : anaphor.i]):
        text = token.text
        if token.dep_ in ("nsubj", "nsubjpass") and token.tag_ == "NNP" and 2 <= len(text) <= 6 and text.isupper():
            return text
    return None


def _definite(noun: Token) -> bool:
    """ "the association", "the city": a body the reader knows, not "a private party"."""
    det = _child(noun, "det")
    return det is not None and det.lower_ == "the"


def _demand_frame(verb: Token) -> Match | None:
    """ "X declared that China must drop barriers": a demand (CAMEO 100) by whoever said it, on any verb."""
    if verb.dep_ != "ccomp" or lemma(verb.head).lower() not in REPORTING_VERBS:
        return None
    if not any(c.dep_ == "aux" and c.lower_ in DEMAND_AUX for c in verb.children):
        return None
    return Match(Verb("must", "100", "DEMAND_FRAME", (), (), own_code=True), None, "100")


def _conditional(token: Token) -> bool:
    """The trigger's clause is the condition of an "if" or "unless"."""
    head = _clause_head(token)
    return any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in head.children)


def _clause_head(token: Token) -> Token:
    """The verb heading the clause a trigger is in (an infinitive or a noun belongs to its governor's clause)."""
    for _ in range(20):
        if token.pos_ in ("VERB", "AUX") and token.dep_ in CLAUSE_DEPS:
            return token
        if token.head.i == token.i:
            return token
        token = token.head
    return token


def _tough(head: Token) -> bool:
    """ "great to visit", "is hard to fight": an adjective (or a copula with one) whose infinitive's object is the
    subject; "ready to", "willing to" pass their subject on."""
    if head.pos_ == "ADJ":
        return head.lower_ not in READY_WORDS
    adjective = _child(head, "acomp")
    return head.pos_ == "AUX" and adjective is not None and adjective.lower_ not in READY_WORDS


def _imperative(verb: Token) -> bool:
    """A bare verb with no subject or auxiliary heading its sentence (or coordinated with one that does)."""
    for _ in range(3):
        if verb.tag_ != "VB" or any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "mark") for c in verb.children):
            return False
        if verb.dep_ == "ROOT":
            return True
        if verb.dep_ != "conj":
            return False
        verb = verb.head
    return False


def _is_place(token: Token) -> bool:
    """The object of a locative preposition, directly, as "the town of X" or in a list or apposition ("in La
    Fayette, Georgia")."""
    for _ in range(3):
        if token.dep_ not in ("appos", "conj", "npadvmod") or token.head.i == token.i:
            break
        token = token.head
    if token.dep_ != "pobj":
        return False
    preposition = token.head
    if preposition.lower_ == "of" and preposition.head.dep_ == "pobj":
        preposition = preposition.head.head
    return preposition.lower_ in LOCATIVE_PREPS


def _mention(token: Token, strength: float) -> Party:
    """An actor known only by its noun phrase (no entity, no agent): the head and the words that modify it."""
    start = min([token.i] + [c.i for c in token.lefts if c.dep_ in ("compound", "amod", "nmod", "poss", "nummod")])
    span = token.doc[start : token.i + 1]
    return Party(span.text, None, span.start_char, span.end_char, None, strength, False)


def _party_fields(side: str, party: Party | None) -> dict[str, Any]:
    return {
        side: party.name if party is not None else None,
        f"{side}_entity_id": party.entity_id if party is not None else None,
        f"{side}_start_char": party.start_char if party is not None else None,
        f"{side}_end_char": party.end_char if party is not None else None,
        f"{side}_code": party.code if party is not None else None,
    }


@Language.factory(
    "newsflow_events",
    default_config={
        "patterns": {"@misc": "newsflow.cameo_verb_patterns.v1"},
        "codes": {"@misc": "newsflow.cameo_codes.v1"},
        "actors": {"@misc": "newsflow.event_actors.v1"},
        "lexicon": {"@misc": "newsflow.event_lexicon.v1"},
        "min_confidence": DEFAULT_MIN_CONFIDENCE,
    },
)
def make_event_tagger(
    nlp: Language,
    name: str,
    patterns: CameoPatterns,
    codes: dict[str, CameoCode],
    actors: Any,  # ActorLookup | None (spaCy validates config values against the annotations: no Protocols)
    lexicon: dict[str, Any],
    min_confidence: float,
) -> EventTagger:
    return EventTagger(patterns, codes, actors, min_confidence, lexicon)


def resolve_event_date(date_text: str | None, published: date | None) -> date | None:
    """'yesterday', 'today', weekday names, 'last week/month' against the publication date; else None."""
    if not date_text or published is None:
        return None
    text = date_text.lower()
    if "yesterday" in text:
        return published - timedelta(days=1)
    if "today" in text or "tonight" in text:
        return published
    if "last week" in text:
        return published - timedelta(days=7)
    if "last month" in text:
        return (published.replace(day=1) - timedelta(days=1)).replace(day=1)
    for index, name in enumerate(WEEKDAYS):
        if name in text:
            # News uses a bare weekday for the most recent such day (the publication day itself included).
            return published - timedelta(days=(published.weekday() - index) % 7)
    return None
