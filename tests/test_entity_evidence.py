"""Entity evidence with the real spaCy model: a name is kept only when the article backs what the model guessed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from spacy.language import Language

from newsflow.settings import SEEDS_DIR, NlpSettings
from tasks.nlp.tagger import load_pipeline, tag_documents

REFERENCE = SEEDS_DIR / "reference"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(NlpSettings().model)


def names_of(nlp: Language, text: str) -> set[tuple[str, str]]:
    return {(m["canonical"], m["label"]) for m in tag_documents(nlp, [text], 8, 100_000)[0].mentions}


def test_a_guide_that_talks_to_the_reader_keeps_no_unbacked_names(nlp: Language) -> None:
    text = (
        "You can connect your phone to Android Auto in minutes. If you want, you can also use Zero Trust "
        "Architecture tools. Before you buy, you should check whether your car supports Wireless Play. You will "
        "love how easy it is, and you can save money if you compare plans."
    )
    assert names_of(nlp, text) == set()


def test_news_keeps_the_company_the_person_its_role_confirms_and_the_city(nlp: Language) -> None:
    text = (
        "Shares of Brightline Holdings fell on Tuesday after chief executive Dana Whitfield said the company "
        "would cut 200 jobs. Whitfield told analysts in Chicago that demand had slowed."
    )
    assert names_of(nlp, text) == {
        ("Brightline Holdings", "ORG"),
        ("Dana Whitfield", "PERSON"),
        ("Chicago", "GPE"),
    }


def test_an_acronym_the_article_never_defines_and_nobody_speaks_for_is_dropped(nlp: Language) -> None:
    assert names_of(nlp, "The XKT framework is fast. Many teams use XKT for their builds.") == set()


def test_a_product_named_in_ordinary_words_is_not_a_person(nlp: Language) -> None:
    assert names_of(nlp, "Our favourite pick is Aura Photo Frames, which display your pictures.") == set()


def test_a_place_name_after_a_locative_preposition_is_a_place(nlp: Language) -> None:
    assert ("Mobile", "GPE") in names_of(nlp, "Police in Mobile said two men were arrested on Friday.")


@pytest.mark.parametrize(
    ("builder", "output"), [("seeds.build_places", "places.tsv"), ("seeds.build_given_names", "given_names.txt")]
)
def test_reference_lists_rebuild_byte_for_byte_from_their_sources(builder: str, output: str, tmp_path: Path) -> None:
    rebuilt = tmp_path / output
    subprocess.run([sys.executable, "-m", builder, "--out", str(rebuilt)], check=True, cwd=SEEDS_DIR.parent)
    assert rebuilt.read_bytes() == (REFERENCE / output).read_bytes()
