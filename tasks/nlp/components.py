"""Registered spaCy components and data for newsflow (wired by name, so configs can pin versions)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from tasks.nlp.spans import LEMMATIZER_KEY, forget_ents

POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")
# Page furniture that NER picks up as ORG/PERSON when boilerplate slips through extraction.
DEFAULT_FURNITURE = (
    "latest news",
    "world news desk",
    "news desk",
    "breaking news",
    "top stories",
    "most read",
    "related stories",
    "share this article",
    "sign up",
    "subscribe",
    "cookie policy",
    "privacy policy",
    "all rights reserved",
    "advertisement",
)
# "<office> of <X>" titles whose X the NER model tags as an organisation.
OFFICE_HEADS = frozenset({"secretary", "minister", "undersecretary"})
# Labels we keep: the rest (CARDINAL, PERCENT, ...) are numbers, not things people search news by.
DEFAULT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART")

if not Span.has_extension("normalized"):
    Span.set_extension("normalized", default=None)


@registry.misc("newsflow.furniture_phrases.v1")
def furniture_phrases() -> list[str]:
    return list(DEFAULT_FURNITURE)


@registry.misc("newsflow.entity_labels.v1")
def entity_labels() -> list[str]:
    return list(DEFAULT_LABELS)


def normalize_entity_text(text: str) -> str:
    """Whitespace folded, possessive and surrounding punctuation stripped; case kept (names are cased)."""
    text = " ".join(text.split())
    text = POSSESSIVE_RE.sub("", text)
    text = text.strip(" \t\"'“”‘’.,;:()[]")
    if text.lower().startswith("the ") and len(text) > 4:
        text = text[4:]
    return text


class EntityCleaner:
    """Trims possessives off entity spans, drops furniture and unwanted labels, sets span._.normalized."""

    def __init__(self, furniture: Iterable[str], labels: Iterable[str]) -> None:
        self.furniture = {phrase.lower() for phrase in furniture}
        self.labels = set(labels)

    def __call__(self, doc: Doc) -> Doc:
        kept: list[Span] = []
        for ent in doc.ents:
            if ent.label_ not in self.labels:
                continue
            span = ent
            if len(span) > 1 and span[-1].tag_ == "POS":
                span = Span(doc, span.start, span.end - 1, label=span.label_)
            normalized = normalize_entity_text(span.text)
            if not normalized or normalized.lower() in self.furniture:
                continue
            if not any(ch.isalpha() for ch in normalized):
                continue
            if span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lower_ in OFFICE_HEADS:
                continue  # "Secretary of State": part of a title, not the organisation
            span._.normalized = normalized
            kept.append(span)
        doc.ents = kept
        forget_ents(doc)
        return doc


@Language.factory(
    "newsflow_entity_cleaner",
    default_config={
        "furniture": {"@misc": "newsflow.furniture_phrases.v1"},
        "labels": {"@misc": "newsflow.entity_labels.v1"},
    },
)
def make_entity_cleaner(nlp: Language, name: str, furniture: list[str], labels: list[str]) -> EntityCleaner:
    return EntityCleaner(furniture, labels)


@Language.factory("newsflow_lemmas_on_demand")
def make_lemmas_on_demand(nlp: Language, name: str) -> LemmasOnDemand:
    return LemmasOnDemand(nlp)


class LemmasOnDemand:
    """Lets newsflow's components lemmatize only the tokens they look at (verbs, trigger candidates) with the
    model's own lemmatizer, which load_pipeline then disables: lemmatizing every token was ~7 % of the
    model's time, and the lemmas come out the same (tasks.nlp.spans.lemma)."""

    def __init__(self, nlp: Language) -> None:
        self.lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.component_names else None

    def __call__(self, doc: Doc) -> Doc:
        if self.lemmatizer is not None:
            doc.user_data[LEMMATIZER_KEY] = self.lemmatizer
        return doc
