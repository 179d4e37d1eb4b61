"""Event coding with the real model: the seed article coded like GDELT, quiet on everyday prose, political actors,
modes, and floors on both events-dev sets."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from newsflow.settings import NlpSettings
from tasks.nlp.cameo import cameo_codes
from tasks.nlp.evaluate_events import score_event_articles, score_event_sentences
from tasks.nlp.events import DEFAULT_MIN_CONFIDENCE, resolve_event_date
from tasks.nlp.tagger import Tagged, load_pipeline, tag_documents

from .conftest import SHARED_DIR

pytestmark = pytest.mark.slow

PUBLISHED = date(2016, 7, 15)  # a Friday
EVENTS_DEV = SHARED_DIR / "data" / "events-dev"
ARTICLES = EVENTS_DEV / "events-dev-articles.jsonl"
SENTENCES = EVENTS_DEV / "plover-gsr-half-a.json"
# Pinned a little under what benchmarks/events_eval.py measured when they were set: articles P 0.920, R 0.418,
# actor 0.913; sentences 0.624 (confident events), 0.685 (candidates too), type+actor+target 0.423.
ARTICLE_PRECISION_FLOOR = 0.85
ARTICLE_RECALL_FLOOR = 0.40
ARTICLE_ACTOR_FLOOR = 0.85
SENTENCE_TYPE_FLOOR = 0.60
SENTENCE_TYPE_WITH_CANDIDATES_FLOOR = 0.66
SENTENCE_FULL_FLOOR = 0.40
EVENT_KEYS = {
    "event_type", "cameo_code", "cameo_root", "goldstein", "quad_class", "trigger", "trigger_char", "trigger_end_char",
    "actor", "actor_entity_id", "actor_start_char", "actor_end_char", "actor_code", "target", "target_entity_id",
    "target_start_char", "target_end_char", "target_code", "location", "location_entity_id", "location_start_char",
    "location_end_char", "date_text", "negated", "mode", "rank_in_sentence", "confidence", "pattern",
}  # fmt: skip


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(NlpSettings().model)


def _tag(nlp: Language, text: str, published: date | None = None) -> Tagged:
    return tag_documents(nlp, [text], 8, 100_000, [published])[0]


def _main(tagged: Tagged) -> dict[str, object]:
    return min(tagged.events + tagged.event_candidates, key=lambda e: (e["sentence_index"], e["rank_in_sentence"]))


def test_seed_meeting_is_consult_coded_like_gdelt(nlp: Language, seed_article_text: str) -> None:
    tagged = _tag(nlp, seed_article_text, PUBLISHED)
    meeting = next(e for e in tagged.events if e["trigger"] == "met")
    assert meeting["event_type"] == "CONSULT" and meeting["cameo_code"].startswith("04")
    assert meeting["goldstein"] == cameo_codes()[meeting["cameo_code"]].goldstein and meeting["quad_class"] == 1
    assert (meeting["actor"], meeting["actor_code"]) == ("John Kerry", "USAGOV")
    assert (meeting["target"], meeting["target_code"]) == ("Vladimir Putin", "RUSGOV")
    assert meeting["location"] == "Kremlin"
    assert meeting["event_date"] == date(2016, 7, 14)  # "yesterday" against the publication date
    assert meeting["mode"] == "asserted" and not meeting["negated"] and meeting["rank_in_sentence"] == 0
    spans = {
        side: seed_article_text[meeting[f"{side}_start_char"] : meeting[f"{side}_end_char"]]
        for side in ("actor", "target")
    }
    assert spans == {"actor": "John Kerry", "target": "Vladimir Putin"}


def test_proposed_offers_are_hypothetical(nlp: Language, seed_article_text: str) -> None:
    tagged = _tag(nlp, seed_article_text, PUBLISHED)
    proposal = [e for e in tagged.events + tagged.event_candidates if e["sentence_index"] == 1]
    assert any(e["trigger"] == "offering" for e in proposal), "the proposal's offer is coded"
    assert all(e["mode"] == "hypothetical" for e in proposal)


def test_every_event_has_the_record_the_tagger_stores(nlp: Language, seed_article_text: str) -> None:
    tagged = _tag(nlp, seed_article_text, PUBLISHED)
    codes = cameo_codes()
    for event in tagged.events + tagged.event_candidates:
        assert set(event) >= EVENT_KEYS, EVENT_KEYS - set(event)
        assert seed_article_text[event["trigger_char"] : event["trigger_end_char"]] == event["trigger"]
        entry = codes[event["cameo_code"]]
        assert (event["event_type"], event["goldstein"], event["quad_class"]) == (
            entry.event_type, entry.goldstein, entry.quad_class
        )  # fmt: skip
        assert event["cameo_root"] == event["cameo_code"][:2] and 0.0 <= event["confidence"] <= 1.0
    assert all(e["confidence"] >= DEFAULT_MIN_CONFIDENCE for e in tagged.events)
    assert all(e["confidence"] < DEFAULT_MIN_CONFIDENCE for e in tagged.event_candidates)


@pytest.mark.parametrize(
    "text",
    [
        "This allows us to hike more often in the summer.",
        "Frequently Asked Questions",
        "The plane has been grounded since March.",
        "We wound up in the hotel lobby after midnight.",
        "The company offers free shipping and helps customers choose a plan.",
        "Our new app requires an account and supports dark mode.",
        "In October, this prompted a lot of questions from readers.",
    ],
)
def test_everyday_prose_codes_no_event(nlp: Language, text: str) -> None:
    tagged = _tag(nlp, text)
    assert tagged.events == [] and tagged.event_candidates == []


@pytest.mark.parametrize(
    "text",
    [
        "Private equity firm Harbor Lane has entered into a definitive agreement to acquire Brightpath.",
        "The company offers flexible plans and partners with local clinics.",
        "Our spokesperson declined to comment on the report.",
        "Visit the capital of the United States with a local guide.",
        "If your business is sued, the state will accept legal documents on its behalf.",
        "Teachers vowed to fight the vouchers bill.",
        "The app is particularly appealing to fashion brands.",
    ],
)
def test_business_prose_advice_and_figures_of_speech_are_no_confident_events(nlp: Language, text: str) -> None:
    assert _tag(nlp, text).events == []


@pytest.mark.parametrize(
    ("text", "event_type", "actor"),
    [
        ("Hundreds of residents protested against the new airport on Saturday.", "PROTEST", "residents"),
        ("The union blamed management for the breakdown in talks.", "DISAPPROVE", "union"),
        ("Parents demanded answers from the school district.", "DEMAND", "Parents"),
        ("Thousands of nurses went on strike on Monday over staffing levels.", "PROTEST", "nurses"),
        ("A rally led by the Coalition for Fair Rents drew thousands to the square.", "PROTEST", "Fair Rents"),
    ],
)
def test_people_outside_politics_are_actors_of_contentious_acts(
    nlp: Language, text: str, event_type: str, actor: str
) -> None:
    event = _main(_tag(nlp, text))
    assert event["event_type"] == event_type and actor in str(event["actor"])
    assert float(str(event["confidence"])) >= DEFAULT_MIN_CONFIDENCE


def test_what_the_article_calls_an_organisation_makes_it_a_government_actor(nlp: Language) -> None:
    text = "The FDA approved the drug in May. The agency urged doctors to report side effects."
    event = next(e for e in _tag(nlp, text).events if e["trigger"] == "urged")
    assert (event["event_type"], event["actor"], event["actor_code"]) == ("DEMAND", "FDA", "GOV")


def test_a_form_the_lemmatizer_gets_wrong_still_finds_its_verb(nlp: Language) -> None:
    event = _main(_tag(nlp, "The Securities and Exchange Commission fined the bank $50 million on Tuesday."))
    assert (event["event_type"], event["cameo_code"], event["trigger"]) == ("COERCE", "172", "fined")


def test_violence_is_fight_for_states_and_assault_otherwise(nlp: Language) -> None:
    bombing, clash = tag_documents(
        nlp,
        ["Two suicide bombers killed 23 people in Tel Aviv.", "Government troops clashed with rebels near the border."],
        8,
        100_000,
    )
    assert _main(bombing)["event_type"] == "ASSAULT"
    assert _main(clash)["event_type"] == "FIGHT"


def test_a_reported_must_is_a_demand_on_its_subject(nlp: Language) -> None:
    event = _main(_tag(nlp, "The French government declared on Tuesday that Iran must halt enrichment."))
    assert event["event_type"] == "DEMAND" and event["target"] == "Iran" and event["actor_code"] == "FRAGOV"


def test_a_pronoun_actor_is_resolved_to_who_said_it(nlp: Language) -> None:
    tagged = _tag(nlp, "The rebels said they would release the hostages.")
    event = _main(tagged)
    assert event["event_type"] == "AGREE" and event["mode"] == "hypothetical"
    assert event["actor"] == "rebels" and event["actor_code"] == "REB"


def test_an_agent_noun_takes_its_country(nlp: Language) -> None:
    tagged = _tag(nlp, "Russian police arrested dozens of protesters in Moscow on Saturday.")
    event = _main(tagged)
    assert event["event_type"] == "COERCE" and event["cameo_code"] == "173"
    assert event["actor_code"] == "RUSCOP" and event["location"] == "Moscow"


def test_negated_cooperation_is_a_rejection(nlp: Language) -> None:
    event = _main(_tag(nlp, "The government did not agree to the ceasefire proposal."))
    assert event["event_type"] == "REJECT" and event["negated"] and event["mode"] == "denied"


def test_announced_intent_is_coded_by_direction(nlp: Language) -> None:
    visit, blockade = tag_documents(
        nlp,
        ["The foreign minister will visit Albania in June.", "Farmers said they would blockade Paris."],
        8,
        100_000,
    )
    assert _main(visit)["event_type"] == "AGREE"
    assert _main(blockade)["event_type"] == "THREATEN"


def test_the_threshold_is_a_setting_and_weak_events_become_candidates() -> None:
    strict = load_pipeline(NlpSettings().model, event_min_confidence=1.01)
    tagged = _tag(strict, "Russian police arrested dozens of protesters in Moscow on Saturday.")
    assert tagged.events == [] and tagged.event_candidates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", date(2016, 7, 14)),
        ("today", PUBLISHED),
        ("Monday", date(2016, 7, 11)),
        ("on Friday", PUBLISHED),
        ("last month", date(2016, 6, 1)),
        ("in 1999", None),
        (None, None),
    ],
)
def test_event_dates_resolve_against_publication(text: str | None, expected: date | None) -> None:
    assert resolve_event_date(text, PUBLISHED) == expected


def test_reported_quote_is_linked_to_the_event_it_reports(nlp: Language) -> None:
    text = "Foreign Minister Cem Aydin said Turkey had agreed to mediate between the two sides."
    tagged = _tag(nlp, text)
    quote = next(q for q in tagged.quotes if q["kind"] in ("reported", "indirect"))
    assert quote["event_trigger_char"] == text.index("agreed")
    assert next(e for e in tagged.events if e["trigger_char"] == quote["event_trigger_char"])["event_type"] == "AGREE"


@pytest.mark.skipif(not ARTICLES.is_file(), reason="events-dev articles not present")
def test_whole_articles_stay_above_the_pinned_floors(nlp: Language) -> None:
    scores = score_event_articles(nlp, ARTICLES)
    assert scores["gold"] == 55 and scores["articles"] == 25
    assert scores["precision"] >= ARTICLE_PRECISION_FLOOR
    assert scores["recall"] >= ARTICLE_RECALL_FLOOR
    assert scores["actor_accuracy"] >= ARTICLE_ACTOR_FLOOR


@pytest.mark.skipif(not SENTENCES.is_file(), reason="events-dev sentences not present")
def test_plover_sentences_stay_above_the_pinned_floors(nlp: Language) -> None:
    scores = score_event_sentences(nlp, SENTENCES)
    assert scores["sentences"] == 149
    assert scores["event_type_accuracy"] >= SENTENCE_TYPE_FLOOR
    assert scores["event_type_accuracy_with_candidates"] >= SENTENCE_TYPE_WITH_CANDIDATES_FLOOR
    assert scores["type_actor_target_accuracy"] >= SENTENCE_FULL_FLOOR


@pytest.mark.parametrize(
    "text",
    [
        "Angular, backed by Google, went further with two-way data binding.",  # a participle describing a thing
        "Catering companies are reducing food waste, embracing eco-friendly packaging.",  # a company's habit
        "Educated consumers who demand evidence read ingredient lists.",  # a trait, not an act
    ],
)
def test_descriptions_and_actors_no_coder_would_code_are_only_candidates(nlp: Language, text: str) -> None:
    assert _tag(nlp, text).events == []


def test_a_states_act_told_as_a_participle_is_still_an_event(nlp: Language) -> None:
    tagged = _tag(nlp, "Startups funded by the U.S. National Science Foundation are creating new technologies.")
    assert [e["event_type"] for e in tagged.events] == ["AID"]


def test_a_page_that_talks_to_its_reader_narrates_no_events(nlp: Language) -> None:
    event = "In 2021, China banned all crypto transactions and mining activities."
    advice = " ".join(
        f"If you want to trade, you should check your wallet and keep your keys safe, tip {n}." for n in range(20)
    )
    assert [e["event_type"] for e in _tag(nlp, event).events] == ["COERCE"]
    guide = _tag(nlp, f"{advice}\n{event}")
    assert guide.events == [] and [e["event_type"] for e in guide.event_candidates] == ["COERCE"]


@pytest.mark.parametrize(
    "text",
    [
        # a firm's or a nation's word modifying the noun that did it is no actor
        "Bosch's implementation of knowledge graphs demonstrated a 70% improvement in data analysis efficiency.",
        "In the Netherlands solar panels protected soft fruits such as raspberries from hail.",
        "Accenture, an Ireland-based professional services company, holds 7% market share in the market.",
        # what happens as a rule, or to no one
        "Though Ethereum Mainnet is rarely attacked, it's important to measure client improvements.",
        "The Department of State does not supply seals.",
        # what may happen, and its purpose
        "President Trump may declare a national housing emergency to help more Americans afford homes.",
        "The SEC has made headlines, so the issuers must face its investigation in market conduct.",
        # support for a thing, not for a party
        "In recent years, Japan has also embraced the third-wave coffee movement.",
    ],
)
def test_no_confident_event_from_things_habits_or_speculation(nlp: Language, text: str) -> None:
    tagged = _tag(nlp, text)
    assert not tagged.events, [(e["trigger"], e["event_type"], e["actor"], e["confidence"]) for e in tagged.events]


def test_a_common_word_before_an_ambiguous_group_word_is_no_political_group(nlp: Language) -> None:
    tagged = _tag(nlp, "In recent years, Japan has also embraced the third-wave coffee movement.")
    assert all(e["target_code"] is None for e in tagged.events + tagged.event_candidates)


def test_nations_still_act_through_their_forces_and_named_wings(nlp: Language) -> None:
    fire = _tag(nlp, "Vietnamese-led forces launched rocket fire against Kampuchean guerrilla camps on Monday.")
    refusal = _tag(nlp, "The UNITA militarist wing refused to allow United Nations planes to land.")
    abuse = _tag(nlp, "U.S. border patrol agents sexually abused illegal Mexican immigrants, a rights group charged.")
    assert _main(fire)["event_type"] == "FIGHT"
    assert _main(refusal)["event_type"] == "REJECT"
    assert any(e["event_type"] == "ASSAULT" and str(e["actor_code"]).startswith("USA") for e in abuse.events)
