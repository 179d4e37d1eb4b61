"""Batch tagging with spaCy: entity mentions with sentence index and character offsets."""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import spacy
from spacy.language import Language

from tasks.nlp import components, entities, events, quotes  # noqa: F401  (registers factories and misc functions)
from tasks.nlp.events import resolve_event_date

LOGGER = logging.getLogger(__name__)

# Bump when the newsflow part of the pipeline changes behaviour: stored rows carry it.
NEWSFLOW_NLP_VERSION = 2


_LOAD_LOCK = threading.Lock()


def load_pipeline(model: str) -> Language:
    """Load the model once per process and add newsflow's components after its NER (thread-safe: a warm-up
    task and the first tag task may ask at the same time)."""
    with _LOAD_LOCK:
        return _load_pipeline(model)


@functools.lru_cache(maxsize=4)
def _load_pipeline(model: str) -> Language:
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise RuntimeError(f"spaCy model {model!r} is not installed; install it or set NEWSFLOW_NLP__MODEL") from exc
    nlp.add_pipe("newsflow_entity_cleaner", after="ner")
    nlp.add_pipe("newsflow_entity_linker", after="newsflow_entity_cleaner")
    nlp.add_pipe("newsflow_quotes", after="newsflow_entity_linker")
    nlp.add_pipe("newsflow_events", after="newsflow_quotes")
    if "lemmatizer" in nlp.pipe_names:
        # Only newsflow's components read lemmas, of a few tokens each: they call the lemmatizer themselves.
        nlp.add_pipe("newsflow_lemmas_on_demand", before="newsflow_entity_cleaner")
        nlp.disable_pipe("lemmatizer")
    return nlp


def pipeline_version(nlp: Language) -> str:
    return (
        f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'model')}-{nlp.meta.get('version', '0')}"
        f"+newsflow-nlp.{NEWSFLOW_NLP_VERSION}"
    )


def split_text(text: str, max_chars: int) -> Iterator[tuple[int, str]]:
    """Yield (offset, chunk) pieces no longer than max_chars, cut at paragraph (else space) boundaries."""
    start = 0
    while start < len(text):
        end = min(start + max_chars, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


@dataclass
class Tagged:
    """What the tagger found in one text: entity mentions and quotes, offsets into that text."""

    mentions: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


# "GENEVA (WWS) — " or "POTOSI, Bolivia — ": the parser takes a dateline for the sentence's subject.
DATELINE_RE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,}(?:,\s*[A-Z][\w .'-]*)?\s*(?:\([A-Z][A-Za-z.]+\)\s*[—–-]|[—–]|--)\s+")


def mask_dateline(text: str) -> str:
    """Blank out a leading wire dateline with spaces, so every offset into the text stays the same."""
    match = DATELINE_RE.match(text)
    return " " * match.end() + text[match.end() :] if match else text


def effective_batch_size(pieces: Sequence[tuple[int, int, str]], batch_size: int, batch_words: int | None) -> int:
    if not batch_words or not pieces:
        return batch_size
    mean_words = sum(len(chunk.split()) for _, _, chunk in pieces) / len(pieces)
    return max(1, min(batch_size, int(batch_words // max(mean_words, 1.0))))


def tag_documents(
    nlp: Language,
    texts: Sequence[str | None],
    batch_size: int,
    max_chars: int,
    published: Sequence[date | None] | None = None,
    batch_words: int | None = None,
) -> list[Tagged]:
    """Mentions and quotes per text (empty for empty text), in input order, from one batched nlp.pipe.

    batch_words caps the words in one nlp.pipe batch (fewer documents per batch when they are long):
    spaCy's memory grows with batch size times document length.
    """
    pieces: list[tuple[int, int, str]] = []  # (text index, char offset, chunk)
    for index, text in enumerate(texts):
        if text and text.strip():
            pieces.extend((index, offset, chunk) for offset, chunk in split_text(mask_dateline(text), max_chars))
    results = [Tagged() for _ in texts]
    sentence_base = [0 for _ in texts]
    # Strings spaCy interns while tagging are freed at the end of the zone: without it a long-running
    # process grows with every new token it has seen (650 MB more after 1,200 long articles).
    with nlp.memory_zone():
        docs = nlp.pipe(
            (chunk for _, _, chunk in pieces), batch_size=effective_batch_size(pieces, batch_size, batch_words)
        )
        for (index, offset, _chunk), doc in zip(pieces, docs, strict=True):
            sentences = list(doc.sents)
            sentence_starts = [sent.start for sent in sentences]
            sentence_chars = [sent.start_char for sent in sentences]
            for ent in doc.ents:
                results[index].mentions.append(
                    {
                        "sentence_index": sentence_base[index] + _sentence_of(sentence_starts, ent.start),
                        "start_char": offset + ent.start_char,
                        "end_char": offset + ent.end_char,
                        "text": ent.text,
                        "normalized": ent._.normalized or ent.text,
                        "label": ent.label_,
                        "canonical": ent._.canonical or ent._.normalized or ent.text,
                        "entity_id": ent._.entity_id,
                        "role": ent._.role,
                        "role_org": ent._.role_org,
                    }
                )
            for quote in doc._.quotes:
                sentence_char = quote.pop("sentence_start_char")
                results[index].quotes.append(
                    {
                        **quote,
                        "start_char": offset + quote["start_char"],
                        "end_char": offset + quote["end_char"],
                        "cue_char": offset + quote["cue_char"] if quote["cue_char"] is not None else None,
                        "sentence_index": sentence_base[index] + _sentence_of(sentence_chars, sentence_char),
                    }
                )
            for event in doc._.events:
                sentence_char = event.pop("sentence_start_char")
                day = published[index] if published is not None else None
                results[index].events.append(
                    {
                        **event,
                        "trigger_char": offset + event["trigger_char"],
                        "sentence_index": sentence_base[index] + _sentence_of(sentence_chars, sentence_char),
                        "event_date": resolve_event_date(event["date_text"], day),
                    }
                )
            sentence_base[index] += len(sentence_starts)
            # The components cache spans in doc.user_data, and a span points back at its doc: that cycle
            # kept every tagged doc alive until Python's next full collection (hundreds of MB between them).
            doc.user_data.clear()
    for tagged in results:
        _link_quotes_to_events(tagged)
    return results


def _link_quotes_to_events(tagged: Tagged) -> None:
    """A quote is about the event whose trigger it contains ("said Russia had to limit ..."), if any."""
    for quote in tagged.quotes:
        inside = [e for e in tagged.events if quote["start_char"] <= e["trigger_char"] < quote["end_char"]]
        main = min(inside, key=lambda e: (e["rank_in_sentence"], e["trigger_char"]), default=None)
        quote["event_trigger_char"] = main["trigger_char"] if main else None


def tag_texts(
    nlp: Language, texts: Sequence[str | None], batch_size: int, max_chars: int
) -> list[list[dict[str, Any]]]:
    """Entity mentions only, per text (see tag_documents)."""
    return [tagged.mentions for tagged in tag_documents(nlp, texts, batch_size, max_chars)]


def _sentence_of(sentence_starts: list[int], position: int) -> int:
    """Index of the sentence containing position (token index or char offset, matching the starts given)."""
    # Sentences are few per chunk; a linear scan from the end is simpler than bisect and as fast here.
    for index in range(len(sentence_starts) - 1, -1, -1):
        if sentence_starts[index] <= position:
            return index
    return 0
