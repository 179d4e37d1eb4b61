"""Entity tagging with the real spaCy model and newsflow's registered components."""

from __future__ import annotations

import gc

import pytest
from spacy.language import Language

from newsflow.settings import NlpSettings
from tasks.nlp.components import normalize_entity_text
from tasks.nlp.tagger import load_pipeline, pipeline_version, split_text, tag_documents, tag_texts


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(NlpSettings().model)


def test_furniture_is_not_an_entity_and_possessives_are_stripped(nlp: Language, seed_article_text: str) -> None:
    [mentions] = tag_texts(nlp, [seed_article_text], 8, 100_000)
    names = {m["normalized"] for m in mentions}
    assert "Latest News" not in names and "World News Desk" not in names
    assert "al-Qaida" in names and "al-Qaida's" not in names
    assert {"John Kerry", "Vladimir Putin", "Josh Earnest"} <= names


def test_offsets_point_at_the_mention_text(nlp: Language, seed_article_text: str) -> None:
    [mentions] = tag_texts(nlp, [seed_article_text], 8, 100_000)
    for m in mentions:
        assert seed_article_text[m["start_char"] : m["end_char"]] == m["text"]
    sentence_indexes = [m["sentence_index"] for m in mentions]
    assert sentence_indexes == sorted(sentence_indexes) and sentence_indexes[-1] > 5


def test_long_text_is_tagged_in_chunks_with_correct_offsets(nlp: Language) -> None:
    paragraph = "President Emmanuel Macron met Chancellor Olaf Scholz in Berlin on Monday.\n"
    text = paragraph * 40
    [mentions] = tag_texts(nlp, [text], 8, 1_000)  # forces ~4 chunks
    assert sum(1 for m in mentions if m["normalized"] == "Berlin") == 40
    for m in mentions:
        assert text[m["start_char"] : m["end_char"]] == m["text"]
    assert max(m["sentence_index"] for m in mentions) >= 39


def test_empty_and_missing_texts_yield_no_mentions(nlp: Language) -> None:
    assert tag_texts(nlp, ["", None, "   "], 8, 100_000) == [[], [], []]


def test_pipeline_version_names_model_and_newsflow_version(nlp: Language) -> None:
    version = pipeline_version(nlp)
    assert "core_web_sm" in version and "+newsflow-nlp." in version
    assert "newsflow_entity_cleaner" in nlp.pipe_names


def test_split_text_never_loses_characters() -> None:
    text = "abc def\nghi jkl mno\npqr " * 50
    pieces = list(split_text(text, 37))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 37 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("al-Qaida's", "al-Qaida"), ("the  Pentagon", "Pentagon"), ("Assad’s", "Assad"), ('"Kremlin"', "Kremlin")],
)
def test_entity_text_normalization(raw: str, clean: str) -> None:
    assert normalize_entity_text(raw) == clean


def test_unknown_model_gives_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="NEWSFLOW_NLP__MODEL"):
        load_pipeline("no_such_model_xx")


def test_short_names_resolve_to_the_full_name_in_the_article(nlp: Language, seed_article_text: str) -> None:
    tagged = tag_documents(nlp, [seed_article_text], 8, 100_000)[0]
    by_text = {(m["text"], m["canonical"]) for m in tagged.mentions if m["label"] == "PERSON"}
    assert ("Kerry", "John Kerry") in by_text and ("Assad", "Bashar Assad") in by_text
    ids = {m["entity_id"] for m in tagged.mentions if m["canonical"] == "John Kerry"}
    assert len(ids) == 1


def test_aliases_give_one_canonical_entity_with_a_stable_id(nlp: Language) -> None:
    first, second = tag_documents(
        nlp,
        [
            "The US and America's allies met. The U.S. envoy spoke in the United States.",
            "Officials in the United States said the UN would vote.",
        ],
        8,
        100_000,
    )
    us_ids = {m["entity_id"] for m in first.mentions + second.mentions if m["canonical"] == "United States"}
    assert len(us_ids) == 1
    assert {m["canonical"] for m in second.mentions} >= {"United States", "United Nations"}


def test_titles_and_roles_are_captured(nlp: Language, seed_article_text: str) -> None:
    tagged = tag_documents(nlp, [seed_article_text], 8, 100_000)[0]
    earnest = next(m for m in tagged.mentions if m["canonical"] == "Josh Earnest" and m["role"])
    assert earnest["role"] == "spokesman" and earnest["role_org"] == "White House"
    assert "State" not in {m["text"] for m in tagged.mentions if m["label"] == "ORG"}  # "Secretary of State"


def test_quotes_are_attributed_direct_and_reported(nlp: Language, seed_article_text: str) -> None:
    quotes = tag_documents(nlp, [seed_article_text], 8, 100_000)[0].quotes
    speakers = {(q["kind"], q["speaker"]) for q in quotes}
    assert {
        ("direct", "John Kerry"),
        ("direct", "Vladimir Putin"),
        ("direct", "Josh Earnest"),
        ("reported", "Josh Earnest"),
        ("reported", "Vladimir Putin"),
    } <= speakers
    kerry = next(q for q in quotes if q["speaker"] == "John Kerry")
    assert kerry["text"].startswith("Hopefully we'll be able") and kerry["cue"] == "say"
    assert seed_article_text[kerry["start_char"] : kerry["end_char"]] == kerry["text"]
    pronoun = next(q for q in quotes if q["text"].startswith("military might"))
    assert pronoun["speaker"] == "Josh Earnest"  # "he said" resolved to the last person quoted
    reported = next(q for q in quotes if q["kind"] == "reported" and q["text"].startswith("Russia had to limit"))
    assert reported["speaker"] == "Josh Earnest"


@pytest.mark.parametrize(
    ("text", "masked_prefix"),
    [
        ("GENEVA (WWS) — Delegations met.", 15),
        ("POTOSI, Bolivia — Residents", 18),
        ("LONDON (Reuters) - UK", 19),
        ("NATO - the alliance met", 0),
        ("US Secretary of State John Kerry met", 0),
    ],
)
def test_datelines_are_blanked_without_moving_offsets(text: str, masked_prefix: int) -> None:
    from tasks.nlp.tagger import mask_dateline

    masked = mask_dateline(text)
    assert len(masked) == len(text)
    assert masked[:masked_prefix].strip() == "" and masked[masked_prefix:] == text[masked_prefix:]


def test_tagged_docs_are_freed_without_waiting_for_the_cycle_collector(nlp: Language, seed_article_text: str) -> None:
    from spacy.tokens import Doc

    gc.collect()
    gc.disable()  # what the cycle collector would find is what tagging left behind in reference cycles
    try:
        tag_documents(nlp, [seed_article_text] * 3, batch_size=8, max_chars=100_000)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        leaked_docs = [o for o in gc.garbage if isinstance(o, Doc)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert leaked_docs == []
