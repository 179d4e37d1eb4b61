"""Batch tagging with spaCy: entity mentions with sentence index and character offsets."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import spacy
from spacy.language import Language

from tasks.nlp import components  # noqa: F401  (registers factories and misc functions)

LOGGER = logging.getLogger(__name__)

# Bump when the newsflow part of the pipeline changes behaviour: stored rows carry it.
NEWSFLOW_NLP_VERSION = 1


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str) -> Language:
    """Load the model once per process and add newsflow's components after its NER."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise RuntimeError(f"spaCy model {model!r} is not installed; install it or set NEWSFLOW_NLP__MODEL") from exc
    nlp.add_pipe("newsflow_entity_cleaner", after="ner")
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


def tag_texts(
    nlp: Language, texts: Sequence[str | None], batch_size: int, max_chars: int
) -> list[list[dict[str, Any]]]:
    """Entity mentions per text (empty list for empty text), in input order, from one batched nlp.pipe."""
    pieces: list[tuple[int, int, str]] = []  # (text index, char offset, chunk)
    for index, text in enumerate(texts):
        if text and text.strip():
            pieces.extend((index, offset, chunk) for offset, chunk in split_text(text, max_chars))
    results: list[list[dict[str, Any]]] = [[] for _ in texts]
    sentence_base = [0 for _ in texts]
    docs = nlp.pipe((chunk for _, _, chunk in pieces), batch_size=batch_size)
    for (index, offset, _chunk), doc in zip(pieces, docs, strict=True):
        sentence_starts = [sent.start for sent in doc.sents]
        for ent in doc.ents:
            sentence_index = sentence_base[index] + _sentence_of(sentence_starts, ent.start)
            results[index].append(
                {
                    "sentence_index": sentence_index,
                    "start_char": offset + ent.start_char,
                    "end_char": offset + ent.end_char,
                    "text": ent.text,
                    "normalized": ent._.normalized or ent.text,
                    "label": ent.label_,
                }
            )
        sentence_base[index] += len(sentence_starts)
    return results


def _sentence_of(sentence_starts: list[int], token_index: int) -> int:
    # Sentences are few per chunk; a linear scan from the end is simpler than bisect and as fast here.
    for position in range(len(sentence_starts) - 1, -1, -1):
        if sentence_starts[position] <= token_index:
            return position
    return 0
