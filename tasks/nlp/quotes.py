"""Quotes: direct (in quotation marks) and reported ("X said Y ..."), with speaker, cue verb and offsets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from tasks.nlp.spans import doc_ents, entity_at, lemma

QUOTE_RE = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")
DEFAULT_CUES = (
    "say",
    "tell",
    "add",
    "ask",
    "state",
    "warn",
    "declare",
    "insist",
    "note",
    "explain",
    "claim",
    "announce",
    "write",
    "argue",
    "reply",
    "respond",
    "urge",
    "deny",
    "acknowledge",
    "admit",
    "stress",
    "confirm",
    "predict",
    "promise",
    "vow",
    "threaten",
    "accuse",
)
QUOTE_MARKS = '"“” '
PRONOUNS = {"he", "she", "they", "him", "her"}
SUBJECT_DEPS = ("nsubj", "nsubjpass")

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=[])


@registry.misc("newsflow.quote_cues.v1")
def quote_cues() -> list[str]:
    return list(DEFAULT_CUES)


class QuoteFinder:
    def __init__(self, cues: Iterable[str]) -> None:
        self.cues = set(cues)
        # "he said" after a quote goes to the last person quoted (set while a doc is processed).
        self._last_speaker: Span | None = None

    def _speaker(self, cue: Token) -> tuple[Span | None, Token | None]:
        subjects = [c for c in cue.children if c.dep_ in SUBJECT_DEPS]
        if not subjects:
            return None, None
        subject = subjects[0]
        ent = entity_at(subject)
        if ent is None:
            # "the spokesman" / compound heads: a PERSON entity inside the subject phrase
            ent = next(
                (
                    e
                    for e in doc_ents(cue.doc)
                    if e.label_ == "PERSON" and subject.left_edge.i <= e.start and e.end <= subject.right_edge.i + 1
                ),
                None,
            )
        if ent is None and subject.pos_ == "PROPN":
            # NER misses surnames that are also words ("Earnest said"): match a full name met earlier.
            ent = next(
                (e for e in doc_ents(cue.doc) if e.label_ == "PERSON" and len(e) > 1 and e[-1].text == subject.text),
                None,
            )
        if ent is None and subject.lower_ in PRONOUNS:
            ent = self._last_speaker or self._last_person_before(cue.doc, subject.i)
        return ent, subject

    @staticmethod
    def _last_person_before(doc: Doc, index: int) -> Span | None:
        people = [e for e in doc_ents(doc) if e.label_ == "PERSON" and e.end <= index and e.root.dep_ in SUBJECT_DEPS]
        return people[-1] if people else None

    def __call__(self, doc: Doc) -> Doc:
        quotes: list[dict[str, Any]] = []
        self._last_speaker = None
        direct_spans = [(m.start(1), m.end(1)) for m in QUOTE_RE.finditer(doc.text)]
        cues = [t for t in doc if t.pos_ == "VERB" and lemma(t).lower() in self.cues]
        found: list[tuple[int, str, int, int, Token | None, Span]] = []
        # Token.sent / Span.sent rescan the doc's sentences on every call: index them once.
        sentences = list(doc.sents)
        sentence_of = [0] * len(doc)
        for number, sent in enumerate(sentences):
            sentence_of[sent.start : sent.end] = [number] * len(sent)
        for start, end in direct_spans:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            here = sentence_of[span.start]
            sentence = sentences[here]
            # The cue is outside the marks, in the sentence where the quote ends or right after it.
            after = sentence_of[min(span.end, len(doc) - 1)]
            nearby = [t for t in cues if not start <= t.idx < end and sentence_of[t.i] in (here, after)]
            cue = min(nearby, key=lambda t: min(abs(t.idx - end), abs(t.idx - start)), default=None)
            found.append((start, "direct", start, end, cue, sentence))
        for cue in cues:
            complements = [c for c in cue.children if c.dep_ == "ccomp"]
            if not complements:
                continue
            clause = complements[0]
            first, last = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)
            while first < last and doc.text[first] in QUOTE_MARKS:
                first += 1
            text_end = first + len(doc.text[first:last].rstrip(' .,"”'))
            if any(s <= first and text_end <= e + 1 for s, e in direct_spans):
                continue  # the clause is the direct quote itself
            found.append((first, "reported", first, text_end, cue, sentences[sentence_of[cue.i]]))
        for _, kind, start, end, cue, sentence in sorted(found, key=lambda f: (f[0], f[1])):
            speaker, _ = self._speaker(cue) if cue is not None else (None, None)
            if speaker is not None:
                self._last_speaker = speaker
            quotes.append(self._record(kind, doc.text[start:end], start, end, cue, speaker, sentence))
        doc._.quotes = sorted(quotes, key=lambda q: (q["start_char"], q["kind"]))
        return doc

    @staticmethod
    def _record(
        kind: str, text: str, start: int, end: int, cue: Token | None, speaker: Span | None, sentence: Span
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "text": text.strip(),
            "start_char": start,
            "end_char": end,
            "cue": lemma(cue) if cue is not None else None,
            "cue_char": cue.idx if cue is not None else None,
            "speaker": (speaker._.canonical or speaker.text) if speaker is not None else None,
            "speaker_entity_id": speaker._.entity_id if speaker is not None else None,
            "sentence_start_char": sentence.start_char,
        }


@Language.factory("newsflow_quotes", default_config={"cues": {"@misc": "newsflow.quote_cues.v1"}})
def make_quote_finder(nlp: Language, name: str, cues: list[str]) -> QuoteFinder:
    return QuoteFinder(cues)
