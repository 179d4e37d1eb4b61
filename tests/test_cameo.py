"""CAMEO data and matcher: the build reproduces the shipped files, patterns parse as PETRARCH reads them, and the
matcher finds the verb, its particles and its most specific pattern on real parses."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from newsflow.settings import SEEDS_DIR, NlpSettings
from seeds.build_event_patterns import (
    CODES_OUT,
    DEFAULT_SOURCE,
    PATTERNS_OUT,
    VERB_FILE,
    build,
    event_type,
    normalise_code,
    read_plover,
)
from tasks.nlp.cameo import DocKeys, Match, PatternMatcher, _elements, _phrase_words, cameo_codes, cameo_verb_patterns
from tasks.nlp.tagger import load_pipeline

REFERENCE = SEEDS_DIR / "reference"
HAS_SOURCE = (DEFAULT_SOURCE / VERB_FILE).is_file()


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(NlpSettings().model)


@pytest.mark.skipif(not HAS_SOURCE, reason="../shared/data (PETRARCH2 dictionaries) not present")
def test_build_reproduces_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    counts = build(DEFAULT_SOURCE, tmp_path)
    for name in (PATTERNS_OUT, CODES_OUT):
        assert (tmp_path / name).read_bytes() == (REFERENCE / name).read_bytes(), name
    assert counts["patterns"] > 10_000 and counts["codes"] > 300


@pytest.mark.skipif(not HAS_SOURCE, reason="../shared/data (CAMEO2PLOVER) not present")
def test_cameo_codes_map_to_the_gold_standard_plover_labels() -> None:
    plover = read_plover(DEFAULT_SOURCE / "events-dev" / "CAMEO2PLOVER-2021.txt")
    assert event_type("042", plover) == "CONSULT"
    assert event_type("0214", plover) == "DEMAND"  # appeals, which the 2021 table leaves out
    assert event_type("1041", plover) == "DEMAND"  # REQUEST in 2021
    assert event_type("112", plover) == "DISAPPROVE" and event_type("092", plover) == "INVESTIGATE"
    assert event_type("193", plover) == "FIGHT" and event_type("182", plover) == "ASSAULT"
    assert event_type("163", plover) == "SANCTION"
    assert event_type("0841", plover) == "RETREAT" and event_type("081", plover) == "CONCEDE"
    assert event_type("010", plover) == ""  # a statement is no PLOVER event


def test_codes_are_normalised_as_petrarch_reads_them() -> None:
    known = {"040", "04", "073", "07", "100"}
    assert normalise_code("040:040", known) == "040"  # the second code is the target's side
    assert normalise_code("---", known) is None
    assert normalise_code("0732", known) == "073"  # unknown code -> its longest known prefix
    assert normalise_code("100!", known) == "100"


def test_code_table_has_goldstein_and_quad_class_for_every_code() -> None:
    codes = cameo_codes()
    assert codes["040"].goldstein == 1.0 and codes["040"].quad_class == 1
    assert codes["0871"].quad_class == 2 and codes["0871"].event_type == "RETREAT"
    assert codes["112"].quad_class == 3 and codes["190"].goldstein == -10.0 and codes["190"].quad_class == 4
    assert all(1 <= c.quad_class <= 4 and -10 <= c.goldstein <= 10 for c in codes.values())


def test_pattern_connectors_and_marks_parse_as_in_petrarch() -> None:
    assert _phrase_words("is_to_") == [("is", False), ("to", True)]
    assert _phrase_words("_by $") == [("by", True), ("$", False)]
    synsets: dict[str, tuple[tuple[str, ...], ...]] = {"CEASEFIRE": (("truce",), ("cease", "fire"))}
    target, word, synset = _elements("+ against &CEASEFIRE", synsets)
    assert (target.kind, target.role) == ("actor", "target")
    assert word.phrases == (("against",),)
    assert synset.phrases == (("truce",), ("cease", "fire"))


def test_patterns_are_indexed_by_verb_lemma_with_phrasal_verbs_first() -> None:
    patterns = cameo_verb_patterns()
    meet = patterns.verbs["meet"]
    assert meet[0].after == ("with",) and meet[-1].after == ()
    assert patterns.pattern_count > 10_000


def _match(nlp: Language, text: str, verb: str) -> Match:
    doc = nlp(text)
    token = next(t for t in doc if t.text == verb)
    match = PatternMatcher(cameo_verb_patterns()).match(token, lambda *_: True, DocKeys(doc))
    assert match is not None
    return match


@pytest.mark.slow
def test_phrasal_verb_and_its_particle_are_found(nlp: Language) -> None:
    match = _match(nlp, "The minister met with rebel leaders in Geneva.", "met")
    assert (match.verb.lemma, match.verb.after) == ("meet", ("with",))


@pytest.mark.slow
def test_content_words_outrank_function_words_in_the_chosen_pattern(nlp: Language) -> None:
    match = _match(nlp, "A top U.S. official praised Haiti's efforts to improve its record.", "praised")
    assert match.pattern is not None and "effort" in match.pattern.text and match.code == "051"


@pytest.mark.slow
def test_a_pattern_written_for_the_passive_codes_only_passives(nlp: Language) -> None:
    active = _match(nlp, "Burmese troops captured the town near the Thai border.", "captured")
    assert active.pattern is None or active.pattern.voice != "passive"
    passive = _match(nlp, "Two soldiers were captured by rebels near the border.", "captured")
    assert passive.pattern is None or passive.pattern.voice != "active"


@pytest.mark.slow
def test_part_of_a_hyphenated_word_matches_no_pattern_word(nlp: Language) -> None:
    match = _match(nlp, "South Korea moved to enable won-backed stablecoins.", "enable")
    assert match.pattern is None or "CURRENCY" not in match.pattern.text
    plain = _match(nlp, "South Korea moved to enable won deposits.", "enable")
    assert plain.pattern is not None and "CURRENCY" in plain.pattern.text
