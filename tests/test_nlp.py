"""Entity tagging with the real spaCy model and newsflow's registered components."""

from __future__ import annotations

import pytest
from spacy.language import Language

from newsflow.settings import NlpSettings
from tasks.nlp.components import normalize_entity_text
from tasks.nlp.tagger import load_pipeline, pipeline_version, split_text, tag_texts


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
