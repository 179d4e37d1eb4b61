"""Events in the PLOVER ontology: trigger, actor, target, location, date expression, negation and mode."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.spans import doc_ents, entity_at, lemma, sentence_ents

LEXICON_FILE = SEEDS_DIR / "reference" / "event_lexicon.toml"
# Heads under which an event is proposed, planned or conditional rather than something that happened.
HYPOTHETICAL_HEADS = frozenset(
    {
        "offer",
        "propose",
        "plan",
        "consider",
        "seek",
        "want",
        "hope",
        "aim",
        "intend",
        "prepare",
        "threaten",
        "would",
        "could",
        "might",
        "may",
        "should",
        "proposal",
        "draft",
        "if",
        "expect",
        "ask",
        "urge",
    }
)
MODALS = frozenset({"would", "could", "might", "may", "should", "will", "shall", "must", "can"})
DENIAL_HEADS = frozenset({"deny", "reject", "refute", "dismiss"})
PLACE_LABELS = ("GPE", "LOC", "FAC")
ACTOR_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC")
TARGET_PREPS = frozenset({"with", "against", "on", "to", "from", "for", "at"})
# PLOVER codes announced intentions by their direction: "will visit / would release" is AGREE (intent to
# cooperate), "will boycott / would blockade" is THREATEN; a negated cooperative act is REJECT.
COOPERATIVE = frozenset({"CONSULT", "AGREE", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT", "INVESTIGATE"})
CONFLICTUAL = frozenset({"PROTEST", "SANCTION", "COERCE", "ASSAULT", "FIGHT", "MOBILIZE"})
# Killing by armies, aircraft or artillery is conventional fighting (FIGHT), not one-sided violence (ASSAULT).
MILITARY_WORDS = frozenset(
    {
        "army",
        "troops",
        "troop",
        "forces",
        "force",
        "soldier",
        "soldiers",
        "military",
        "aircraft",
        "warplane",
        "warplanes",
        "gunship",
        "gunships",
        "artillery",
        "navy",
        "tank",
        "tanks",
        "jets",
        "jet",
        "helicopter",
        "helicopters",
        "battalion",
        "militia",
        "guerrilla",
        "guerrillas",
        "rebels",
    }
)
MILITARY_ASSAULT_VERBS = frozenset({"kill", "bomb", "shoot", "attack", "wound", "injure"})
INTENT_AUX = frozenset({"will", "would", "shall"})
INTENT_HEADS = frozenset(
    {
        "plan",
        "prepare",
        "prepared",
        "intend",
        "decide",
        "vow",
        "pledge",
        "promise",
        "expect",
        "ready",
        "willing",
    }
)
# A trigger that only describes a noun ("the curfew imposed in Sudan", "crimes committed by") is background,
# not the event the sentence reports: it ranks below triggers in the clause spine.
MODIFIER_DEPS = frozenset({"acl", "amod", "relcl"})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

CAMEO_ROOTS = {"AGREE": "03", "THREATEN": "13", "REJECT": "12", "DEMAND": "10"}

if not Doc.has_extension("events"):
    Doc.set_extension("events", default=[])


@dataclass(frozen=True)
class Trigger:
    category: str
    cameo: str
    kind: str  # verb | noun | phrase


@registry.misc("newsflow.event_lexicon.v1")
def event_lexicon(path: str = str(LEXICON_FILE)) -> dict[str, Any]:
    with Path(path).open("rb") as handle:
        return tomllib.load(handle)


def _index(lexicon: dict[str, Any]) -> tuple[dict[str, Trigger], dict[str, Trigger], dict[tuple[str, str], Trigger]]:
    verbs: dict[str, Trigger] = {}
    nouns: dict[str, Trigger] = {}
    phrases: dict[tuple[str, str], Trigger] = {}
    for category, spec in lexicon["categories"].items():
        for word in spec.get("verbs", []):
            verbs.setdefault(word, Trigger(category, spec["cameo"], "verb"))
        for word in spec.get("nouns", []):
            nouns.setdefault(word, Trigger(category, spec["cameo"], "noun"))
        for phrase in spec.get("phrases", []):
            head, _, rest = phrase.partition(" ")
            phrases.setdefault((head, rest.split()[-1] if rest else ""), Trigger(category, spec["cameo"], "phrase"))
    return verbs, nouns, phrases


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _phrase_of(token: Token) -> tuple[str, str | None, float]:
    """(text, entity id, strength) for an actor/target head token: its entity if any, else its noun phrase."""
    ent = entity_at(token)
    if ent is None:
        ent = next(
            (
                e
                for e in doc_ents(token.doc)
                if e.label_ in ACTOR_LABELS and token.left_edge.i <= e.start and e.end <= token.i + 1
            ),
            None,
        )
    if ent is not None:
        return (ent._.canonical or ent.text), ent._.entity_id, 1.0
    words = [
        t for t in token.subtree if (t.i <= token.i and t.dep_ in ("compound", "amod", "nmod", "poss")) or t is token
    ]
    return " ".join(t.text for t in sorted(words, key=lambda t: t.i)), None, 0.5


class EventTagger:
    def __init__(self, lexicon: dict[str, Any]) -> None:
        self.verbs, self.nouns, self.phrases = _index(lexicon)

    def _trigger(self, token: Token) -> Trigger | None:
        if token.pos_ in ("VERB", "AUX"):
            head = lemma(token).lower()
            for child in token.children:
                if child.dep_ in ("prt", "dobj", "prep"):
                    hit = self.phrases.get((head, lemma(child).lower()))
                    if hit:
                        return hit
            return self.verbs.get(head)
        if token.pos_ in ("NOUN", "PROPN") and not token.ent_type_:
            return self.nouns.get(lemma(token).lower())
        return None

    def _actor_target(self, trigger: Token) -> tuple[Token | None, Token | None]:
        actor = target = None
        governor = trigger
        for child in trigger.children:
            if child.dep_ == "nsubj":
                actor = child
            elif child.dep_ == "nsubjpass":
                target = child
            elif child.dep_ == "agent":
                actor = next((g for g in child.children if g.dep_ == "pobj"), actor)
            elif child.dep_ in ("dobj", "dative", "iobj", "attr") and target is None:
                target = child
        if target is None:
            for child in trigger.children:
                if child.dep_ == "prep" and lemma(child).lower() in TARGET_PREPS:
                    target = next((g for g in child.children if g.dep_ == "pobj"), None)
                    if target is not None:
                        break
        # "X agreed to cooperate", "X said it would withdraw": the subject sits on a governing verb.
        while (
            actor is None
            and governor.dep_ in ("xcomp", "ccomp", "conj", "advcl", "relcl", "pcomp", "dobj", "pobj", "acl")
            and governor.head is not governor
        ):
            governor = governor.head
            actor = next((c for c in governor.children if c.dep_ == "nsubj"), None)
            if trigger.pos_ == "NOUN" and actor is None:
                actor = next((c for c in trigger.children if c.dep_ == "poss"), None)
        if trigger.pos_ == "NOUN" and actor is None:
            actor = next(
                (c for c in trigger.children if c.dep_ in ("poss", "compound", "amod") and entity_at(c) is not None),
                None,
            )
        # "The rebels said they will release ...": a pronoun subject stands for the reporting verb's subject.
        if actor is not None and actor.pos_ == "PRON":
            for ancestor in actor.head.ancestors:
                subject = next((c for c in ancestor.children if c.dep_ == "nsubj"), None)
                if subject is not None and subject.pos_ != "PRON":
                    actor = subject
                    break
        # A PLOVER target is an actor (person, organisation, country), not the thing acted on: "grant asylum
        # to X", "provide aid to X", "lift a curfew in X". Prefer an actor entity near the trigger.
        if target is None or entity_at(target) is None:
            target = self._actor_entity_near(trigger, exclude=actor) or target
        return actor, target

    @staticmethod
    def _actor_entity_near(trigger: Token, exclude: Token | None) -> Token | None:
        excluded = set(exclude.subtree) if exclude is not None else set()
        objects = [c for c in trigger.children if c.dep_ in ("dobj", "dative", "iobj", "prep", "attr", "nsubjpass")]
        for obj in objects:
            for token in obj.subtree:
                if token in excluded:
                    continue
                ent = entity_at(token)
                if ent is not None and ent.label_ in ("PERSON", "ORG", "GPE", "NORP") and token == ent.root:
                    return token
        return None

    @staticmethod
    def _mode(trigger: Token) -> tuple[bool, str]:
        negated = any(c.dep_ == "neg" for c in trigger.children)
        mode = "asserted"
        if any(c.dep_ == "aux" and lemma(c).lower() in MODALS - {"will", "must", "can"} for c in trigger.children):
            mode = "hypothetical"
        for ancestor in trigger.ancestors:
            head = lemma(ancestor).lower()
            if head in DENIAL_HEADS:
                return negated, "denied"
            subject = next((c for c in ancestor.children if c.dep_ == "nsubj"), None)
            if head in HYPOTHETICAL_HEADS or (subject is not None and lemma(subject).lower() in HYPOTHETICAL_HEADS):
                mode = "hypothetical"
        if negated:
            mode = "denied"
        return negated, mode

    @staticmethod
    def _plover_category(trigger: Token, category: str, negated: bool) -> str:
        if category == "ASSAULT" and lemma(trigger).lower() in MILITARY_ASSAULT_VERBS:
            subject = next((c for c in trigger.children if c.dep_ in ("nsubj", "agent")), None)
            if subject is not None and any(t.lower_ in MILITARY_WORDS for t in subject.subtree):
                category = "FIGHT"
        auxes = {lemma(c).lower() for c in trigger.children if c.dep_ in ("aux", "auxpass")}
        if "must" in auxes or "should" in auxes:
            return "DEMAND"
        intent = bool(auxes & INTENT_AUX) or (trigger.dep_ == "xcomp" and lemma(trigger.head).lower() in INTENT_HEADS)
        if negated and category in COOPERATIVE:
            return "REJECT"
        if intent and category in COOPERATIVE - {"AGREE"}:
            return "AGREE"
        if intent and category in CONFLICTUAL:
            return "THREATEN"
        return category

    @staticmethod
    def _location(sentence: Span, trigger: Token, exclude: set[int]) -> Span | None:
        places = [
            e
            for e in sentence_ents(sentence)
            if (e._.canonical_label or e.label_) in PLACE_LABELS and e.start not in exclude
        ]

        def preposition_before(ent: Span) -> str:
            index = ent.start - 1
            while index > 0 and ent.doc[index].dep_ == "det":
                index -= 1
            return ent.doc[index].lower_ if index >= 0 else ""

        preceded = [e for e in places if preposition_before(e) in ("in", "at", "near", "outside")]
        near_trigger = [e for e in preceded if trigger in e[0].ancestors or e.root.head.head == trigger]
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

    def __call__(self, doc: Doc) -> Doc:
        events: list[dict[str, Any]] = []
        for sentence in doc.sents:
            found = [(t, hit) for t in sentence if (hit := self._trigger(t)) is not None]
            # The main event is the trigger highest in the parse (the clause the sentence is about).
            found.sort(
                key=lambda f: (
                    _depth(f[0]) + (0.5 if f[1].kind == "noun" else 0) + (2 if f[0].dep_ in MODIFIER_DEPS else 0),
                    f[0].i,
                )
            )
            date_text = self._date_text(sentence)
            for rank, (token, hit) in enumerate(found):
                actor, target = self._actor_target(token)
                actor_text, actor_id, actor_strength = _phrase_of(actor) if actor is not None else (None, None, 0.0)
                target_text, target_id, target_strength = (
                    _phrase_of(target) if target is not None else (None, None, 0.0)
                )
                exclude = {t.i for t in (actor, target) if t is not None}
                place = self._location(sentence, token, exclude)
                negated, mode = self._mode(token)
                category = self._plover_category(token, hit.category, negated)
                if category != hit.category:
                    mode = "hypothetical" if category in ("AGREE", "THREATEN") else mode
                confidence = 0.4 + (0.2 if rank == 0 else 0) + 0.2 * actor_strength + 0.2 * target_strength
                events.append(
                    {
                        "event_type": category,
                        "cameo_root": CAMEO_ROOTS.get(category, hit.cameo),
                        "trigger": token.text,
                        "trigger_char": token.idx,
                        "actor": actor_text,
                        "actor_entity_id": actor_id,
                        "target": target_text,
                        "target_entity_id": target_id,
                        "location": (place._.canonical or place.text) if place is not None else None,
                        "date_text": date_text,
                        "negated": negated,
                        "mode": mode,
                        "rank_in_sentence": rank,
                        "confidence": round(min(confidence, 1.0), 2),
                        "sentence_start_char": sentence.start_char,
                    }
                )
        doc._.events = events
        return doc


@Language.factory("newsflow_events", default_config={"lexicon": {"@misc": "newsflow.event_lexicon.v1"}})
def make_event_tagger(nlp: Language, name: str, lexicon: dict[str, Any]) -> EventTagger:
    return EventTagger(lexicon)


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
