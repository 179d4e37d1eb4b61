"""Events coded like GDELT: PETRARCH2's CAMEO verb patterns on the parse, political actors, PLOVER and Goldstein."""

from __future__ import annotations

import bisect
import logging
import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.cameo import CameoCode, CameoPatterns, DocKeys, Match, PatternMatcher, Verb, _singular
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
     "invite", "free", "save", "cover"}
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
APPEAL_GOVERNORS = frozenset(
    {"urge", "call", "ask", "appeal", "encourage", "recommend", "advise", "request", "invite", "convince", "persuade"}
)
DEMAND_GOVERNORS = frozenset({"demand", "press", "pressure", "push", "order", "insist", "force", "compel"})
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
GROUP_LABELS = ("ORG", "GPE", "NORP")
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
# Categories whose event is done to someone: without a target the event is less certain.
DYADIC = frozenset(
    {
        "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "SANCTION",
        "COERCE", "ASSAULT", "FIGHT", "INVESTIGATE", "CONCEDE",
    }
)  # fmt: skip
# A dyadic event (DEMAND, ASSAULT ...) with no target found weighs nothing on that side: on the dev articles
# crediting it (0.3, 0.5) cost precision at every threshold for little recall.
TARGETLESS = 0.0
# Roots whose events are mutual (meet, negotiate, cooperate, fight): coordinated actors are each other's target.
SYMMETRIC_ROOTS = frozenset({"03", "04", "05", "06", "19"})
MODIFIER_DEPS = frozenset({"acl", "amod", "relcl"})
SENTENCE_STARTS_KEY = "newsflow_event_sentence_starts"
QUANTITY_WORDS = frozenset({"tens", "hundreds", "thousands", "millions", "dozens", "scores", "number", "lot", "group"})
CALENDAR_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
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
        strength = 1.0 if known else 0.95 if label in ("GPE", "NORP") else 0.8
        # Companies the dictionaries code (MNC, BUS) are actors, but not political ones.
        company = code is not None and ("MNC" in code or "BUS" in code)
        political = not company and ((known and code is not None) or label in ("GPE", "NORP"))
        if not known and label == "ORG" and self.actors is not None:
            # "Fairfield Police", "Federal Motor Carrier Safety Administration": the name says the sector.
            words = name.lower().split()
            heads = [words[-1]] + ([words[words.index("of") - 1]] if "of" in words[1:] else [])
            agent = next((a for w in heads if (a := self.actors.agent(w)) is not None), None)
            if agent is not None and agent.code.startswith(POLITICAL_SECTORS):
                code, strength, political = agent.code, 0.9, True
        return Party(name, ent._.entity_id, ent.start_char, ent.end_char, code, strength, political, label)

    def _agent_party(self, token: Token, day: date | None) -> Party | None:
        if self.actors is None or token.pos_ not in ("NOUN", "PROPN"):
            return None
        compounds = [c for c in token.lefts if c.dep_ in ("compound", "amod") and c.i == token.i - 1]
        agent = None
        if compounds:
            agent = self.actors.agent(f"{compounds[0].lower_} {token.lower_}")
        agent = agent or self.actors.agent(token.lower_) or self.actors.agent(lemma(token).lower())
        if agent is None:
            return None
        start = token.i
        country: str | None = None
        for child in token.lefts:
            ent = entity_at(child)
            if child.dep_ in ("amod", "compound", "nmod", "poss") and ent is not None and ent.label_ in ACTOR_LABELS:
                # "Russian police" -> RUSCOP, "Assad's government" -> SYRGOV: the country of the modifier.
                found = self.actors.find(ent._.canonical or ent.text) or self.actors.find(ent.text)
                country = self.actors.country_code(found, day) if found is not None else None
                start = min(start, ent.start)
            elif child.dep_ in ("amod", "compound") and child.i >= start - 1:
                start = min(start, child.i)
        if country is None:
            code = agent.code
        else:
            code = country + agent.code if agent.position == "suffix" else agent.code + country
        political = agent.code.startswith(POLITICAL_SECTORS)
        strength = (0.95 if country else 0.85) if political else (0.8 if country else 0.7)
        if start == token.i and token.tag_ == "NNS" and _child(token, "det") is None and _generic(token):
            # "Manufacturers must invest", "students attend": people in general, not a party to an event (in
            # the past tense, "teachers marched", they are the ones who did it).
            strength -= 0.15
        span = token.doc[start : token.i + 1]
        return Party(
            span.text, None, span.start_char, span.end_char, code, strength, political or country is not None, "AGENT"
        )

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
                    if party is not None and (
                        party.label in labels or (party.label == "AGENT" and word in GROUP_PRONOUNS)
                    ):
                        return replace(party, start_char=mention[0], end_char=mention[1], strength=party.strength * 0.9)
                break
        ents = doc_ents(token.doc)
        starts = [e.start for e in ents]
        sentence_starts = token.doc.user_data.get(SENTENCE_STARTS_KEY) or [0]
        # Pronouns reach back two sentences; "the agency" may name an organisation introduced paragraphs before.
        reach = 10 if word in ORG_ANAPHORS else 3
        earliest = sentence_starts[max(bisect.bisect_right(sentence_starts, token.i) - reach, 0)]
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
        return None

    def _named_or_agent(self, token: Token, day: date | None) -> Party | None:
        ent = entity_at(token)
        if ent is not None:
            if (ent._.canonical_label or ent.label_) in ("GPE", "LOC", "FAC") and _is_place(ent.root):
                return None  # "near the town of Samarra", "at Yongbyon": where, not who
            return self._entity_party(ent, day)
        agent = self._agent_party(token, day)
        if agent is not None:
            return agent
        if token.tag_ in ("NNP", "NNPS") and token.lower_ not in CALENDAR_WORDS and token.dep_ != "compound":
            # A name the entity recogniser missed ("investigating Noble Moving"): someone, not yet known as whom.
            return replace(_mention(token, 0.6), label="NAME")
        group = self._group_party(token, day)
        if group is not None:
            return group
        if token.lower_ in QUANTITY_WORDS or token.tag_ == "CD":
            # "Tens of thousands of people", "about 200 supporters of X": whoever they are a number of.
            of = next((g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children), None)
            return self._named_or_agent(of, day) if of is not None and of.dep_ == "pobj" else None
        # "Hungarian officials", "the APEC forum", "Russia's diplomats": the nation or organisation named in it.
        if token.pos_ == "NOUN":
            for child in token.lefts:
                ent = entity_at(child)
                if child.dep_ in ("amod", "compound", "nmod", "poss") and ent is not None:
                    party = self._entity_party(ent, day)
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

    def _group_party(self, token: Token, day: date | None) -> Party | None:
        """ "Hungarian officials", "leaders of the opposition coalition", "their forces": the group named in the
        phrase, with the noun's sector added to a country ("Israeli forces" -> ISRMIL)."""
        if token.pos_ != "NOUN":
            return None
        sector = self.group_nouns.get(lemma(token).lower())
        if sector is None:
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
            code = party.code
            if sector and code is not None and party.label in ("GPE", "NORP") and len(code) == 3:
                code += sector
            start = min(token.left_edge.i, token.i)
            span = token.doc[start : token.right_edge.i + 1] if owner.i > token.i else token.doc[start : token.i + 1]
            return replace(party, start_char=span.start_char, end_char=span.end_char, code=code,
                           strength=party.strength * 0.9, label=party.label)  # fmt: skip
        if sector:
            mention = _mention(token, 0.7 if sector in STATE_SECTORS or sector == "OPP" else 0.6)
            return replace(mention, code=sector, political=True, label="AGENT")
        return None

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
            if found is None and token.lower_ in ORG_ANAPHORS and _child(token, "det") is not None:
                found = self._antecedent(token, day)
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
                actors.extend(g for g in child.children if g.dep_ == "pobj")
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
            if governor.dep_ == "xcomp":
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
            # "froze the assets of X", "lifted the siege of X": the one whose thing it is.
            found.extend(
                g for c in obj.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"
            )
        return found

    @staticmethod
    def _mode(trigger: Token) -> tuple[bool, str]:
        negated = any(c.dep_ == "neg" for c in trigger.children)
        mode = "asserted"
        if any(c.dep_ == "aux" and c.lower_ in MODALS for c in trigger.children):
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
        # A verb the dictionary codes by itself ("condemn" 111) is surer than one coded as its block's member.
        bare = 0.8 if match.verb.own_code else 0.6
        strength = 1.0 if worded else 0.75 if match.pattern is not None else bare
        text = match.pattern.text if match.pattern is not None else f"{match.verb.block}: * [{match.verb.code}]"
        everyday = match.verb.lemma in EVERYDAY_VERBS
        dyad = "target" in match.roles and ("source" in match.roles or "compound" in match.roles)
        if everyday and not worded and not dyad:
            # Bare, an everyday verb is an event only when a coded political actor does it (checked with the
            # actor); "meet", "talk" also need someone met.
            strength = 0.45
        if code is None or code not in self.codes or not self.codes[code].event_type:
            return None
        return code, strength, text, everyday

    def _clause(self, token: Token, match: Match, complement: tuple[Token, Match] | None) -> Clause | None:
        """The clause's one event: the governing verb's own content pattern if it has one, else the governor's
        sense applied to its complement's code ("agreed to meet" 036, "refused to meet" 125), else the verb's own
        code, else the complement's event."""
        verb_lemma = match.verb.lemma
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
        auxes = {c.lower_ for c in token.children if c.dep_ in ("aux", "auxpass")}
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
        return Clause(token, code, match, text, mode, negated, strength, everyday)

    @staticmethod
    def _appeal_frame(token: Token) -> bool:
        """ "urges consumers to be vigilant", "recommends patients not use": asking someone to act."""
        has_object = _child(token, "dobj") is not None
        for child in token.children:
            if child.dep_ == "xcomp" and has_object:
                return True
            if child.dep_ == "ccomp" and child.tag_ == "VB" and _child(child, "nsubj") is not None:
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
        cache: dict[int, Party | None] = {}
        keys = DocKeys(doc)

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
        for sentence in sentences:
            matches: dict[int, Match] = {}
            for token in sentence:
                if token.pos_ != "VERB" or token.dep_ == "prep":
                    continue
                match = self.matcher.match(token, is_actor, keys)
                if match is None or match.code is None:
                    match = self._phrase_match(token, keys) or match
                if match is not None:
                    matches[token.i] = match
            clauses = self._clauses(doc, matches)
            nouns = self._noun_clauses(sentence, {c.trigger.i for c in clauses if c.pattern_strength >= 0.75})
            # "organized a general strike", "coordinated sanctions": the event noun says more than the verb's bare
            # code, so it stands for the clause.
            replaced = {n.trigger.head.i for n in nouns}
            clauses = [c for c in clauses if c.trigger.i not in replaced] + nouns
            records = [r for c in clauses if (r := self._record(c, sentence, cache, day)) is not None]
            records.sort(key=lambda r: (r.pop("_rank_key"), r["trigger_char"]))
            for rank, record in enumerate(records):
                record["rank_in_sentence"] = rank
                if rank > 0:
                    record["confidence"] = round(record["confidence"] - 0.1, 2)
                record["is_confident"] = record["confidence"] >= self.min_confidence
            events.extend(records)
        doc.user_data.pop(SENTENCE_STARTS_KEY, None)
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
        if not self.verb_phrases:
            return None
        word = keys.lemma(token)
        for child in token.children:
            if child.dep_ not in ("prt", "prep", "dobj"):
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
            if token.pos_ != "NOUN" or entity_at(token) is not None:
                continue
            word = token.lower_ if token.lower_ in self.nouns else _singular(token.lower_)
            before = token.doc[token.i - 1].lower_ if token.i > sentence.start else ""
            key = f"{before} {word}" if f"{before} {word}" in self.nouns else word
            code = self.nouns.get(key)
            if code is None or token.head.i in coded:
                continue
            roles = self._noun_roles(token)
            if "source" not in roles and "passive" not in roles:
                continue
            verb = Verb(key, code, "NOUN", (), ())
            negated, mode = self._mode(token.head if token.head.pos_ in ("VERB", "AUX") else token)
            match = Match(verb, None, code, roles)
            clauses.append(Clause(token, code, match, f"NOUN: {key} [{code}]", mode, negated, 0.6, False, noun=True))
        return clauses

    def _noun_roles(self, noun: Token) -> dict[str, Token]:
        roles: dict[str, Token] = {}
        for child in noun.children:
            if child.dep_ == "poss" or (child.dep_ in ("compound", "amod", "nmod") and child.i == noun.i - 1):
                ent = entity_at(child)
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
        head = noun.head
        if noun.dep_ in ("dobj", "attr") and head.pos_ in ("VERB", "AUX"):
            subject, _ = self._subject(head)
            if lemma(head).lower() in self.receiving:
                if subject is not None:
                    roles.setdefault("target", subject)
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

    def _record(
        self, clause: Clause, sentence: Span, cache: dict[int, Party | None], day: date | None
    ) -> dict[str, Any] | None:
        token = clause.trigger
        roles = clause.match.roles
        if clause.noun:
            actor_token, passive = roles.get("source"), roles.get("passive")
        else:
            candidates, passive = self._subjects(token)
            actor_token = next((c for c in candidates if self.party(c, cache, day) is not None), None)
            actor_token = actor_token or (candidates[0] if candidates else None)
        if "source" in roles or "compound" in roles:
            actor_token = roles.get("source") or roles.get("compound")
        code = clause.code
        root = _root(code)
        target_token = roles.get("target") or passive
        skip = {actor_token.i} if actor_token is not None else set()
        if target_token is None and not clause.noun:
            # The first object that names an actor: "issued warning letters to companies" -> companies; for
            # "agreed to deploy X to Y", the complement's objects too.
            objects = self._objects(token, skip)
            objects += [o for c in token.children if c.dep_ == "xcomp" for o in self._objects(c, skip)]
            target_token = next((o for o in objects if self.party(o, cache, day) is not None), None)
        if target_token is None and actor_token is not None and root in SYMMETRIC_ROOTS:
            # "Delegations from the army and the RSF met": each side is the other's target.
            target_token = self._partner(actor_token, cache, day)
        # "X said Y must withdraw": a demand by the reporter on Y.
        auxes = {c.lower_ for c in token.children if c.dep_ == "aux"}
        if auxes & DEMAND_AUX and token.dep_ == "ccomp" and lemma(token.head).lower() in REPORTING_VERBS:
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
            if urged is not None and urged.pos_ in ("NOUN", "PROPN"):
                target_token, target = urged, _mention(urged, 0.8)
        if target is not None and actor is not None and target.name == actor.name:
            target = None
        if actor is None and not (passive is not None and target is not None):
            return None
        if clause.everyday:
            # "the company offers support", "this allows us": an everyday verb needs a political actor, in its
            # bare sense a coded one (and someone met, for "meet" and "talk").
            bare = clause.pattern_strength < 0.5
            if actor is None or not (actor.political or (actor.label in ACTOR_LABELS and not bare)):
                return None
            if bare and clause.match.verb.lemma in DYADIC_EVERYDAY and target is None:
                return None
        # Conventional force is a state's or an army's (FIGHT, CAMEO 19); the same violence by anyone else, or by
        # no one named ("was killed"), is unconventional (ASSAULT, 18).
        if root == "19" and code in ("190", "193", "194", "195") and not self._armed(actor):
            code, root = "180", "18"
        # Blocking roads is a protest when people do it (144), a blockade when a state does (191).
        if lemma(token).lower() in OBSTRUCT_VERBS and root in ("17", "19") and not self._state(actor):
            code, root = "144", "14"
        entry = self.codes.get(code)
        if entry is None or not entry.event_type:
            return None
        target_term = 1.0 if target is not None else (TARGETLESS if entry.event_type in DYADIC else 0.6)
        actor_term = actor.strength if actor is not None else 0.0
        confidence = 0.35 * clause.pattern_strength + 0.45 * actor_term + 0.2 * target_term
        if auxes & OBLIGATION_AUX:
            # "Manufacturers must invest", "could fight": what should or might happen, not what did.
            confidence -= 0.1
        exclude = {t.i for t in (actor_token, target_token) if t is not None}
        place = self._location(sentence, token, exclude)
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
        }

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
        return (len(code) == 3 and code not in AGENT_SECTORS) or sector.startswith(STATE_SECTORS)


def _generic(noun: Token) -> bool:
    """The clause a bare plural is the subject of speaks in the present or a modal: a general statement."""
    verb = noun.head
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ in ("VBD",) or a.lower_ in ("had", "was", "were", "did") for a in auxes):
        return False
    return verb.tag_ in ("VBP", "VBZ", "VB") or any(a.tag_ == "MD" for a in auxes)


def _is_place(token: Token) -> bool:
    """The object of a locative preposition, directly or as "the town of X"."""
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
