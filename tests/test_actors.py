"""Known actors and agents from the Phoenix dictionaries: names, dated CAMEO codes, agent nouns, the derived tables."""

from __future__ import annotations

import csv
import importlib.util
import sys
from datetime import date
from types import ModuleType

import pytest
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.actors import Actor, KnownActors, known_actors, normalize_name

REFERENCE_DIR = SEEDS_DIR / "reference"
MID_2016 = date(2016, 7, 15)


def load_builder() -> ModuleType:
    """seeds/ is scripts, not a package: load the builder from its file, as tests/test_seeds.py does."""
    spec = importlib.util.spec_from_file_location("build_known_actors", SEEDS_DIR / "build_known_actors.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_known_actors"] = module
    spec.loader.exec_module(module)
    return module


build_known_actors = load_builder()


@pytest.fixture(scope="module")
def actors() -> KnownActors:
    return known_actors()


def found(actors: KnownActors, name: str) -> Actor:
    actor = actors.find(name)
    assert actor is not None, name
    return actor


def test_putin_is_the_russian_government_in_2016(actors: KnownActors) -> None:
    putin = found(actors, "Vladimir Putin")
    assert putin.actor_id == "VLADIMIR_PUTIN"
    assert (putin.canonical, putin.label, putin.kind) == ("Vladimir Putin", "PERSON", "person")
    assert actors.find("Putin") == putin
    assert actors.code_on(putin, MID_2016) == "RUSGOV"
    assert actors.country_code(putin, MID_2016) == "RUS"


def test_kerry_is_secretary_of_state_in_2016_and_a_senator_in_2010(actors: KnownActors) -> None:
    kerry = found(actors, "John Kerry")
    assert actors.code_on(kerry, MID_2016) == "USAGOV"
    assert actors.code_on(kerry, date(2010, 6, 1)) == "USAGOVLEG"


def test_two_digit_years_up_to_30_are_this_century(actors: KnownActors) -> None:
    # The source writes Kerry's State Department years as [USAGOV >130201].
    assert ("USAGOV", date(2013, 2, 1), None) in found(actors, "John Kerry").codes
    assert ("RUSELI", date(1970, 1, 1), date(1999, 8, 9)) in found(actors, "Vladimir Putin").codes


def test_bare_kerry_is_no_alias_but_an_unambiguous_surname(actors: KnownActors) -> None:
    # The source leaves "KERRY" out of his aliases ("just KERRY is somewhat vague"), and no other known person
    # is called Kerry.
    assert actors.find("Kerry") is None
    assert actors.by_surname("Kerry") == found(actors, "John Kerry")
    assert actors.by_surname("Putin") == found(actors, "Putin")


def test_a_surname_several_people_share_names_nobody(actors: KnownActors) -> None:
    assert actors.by_surname("Clinton") is None  # Bill and Hillary
    assert actors.by_surname("Bush") is None  # George H. W. and George W.


def test_russia_russian_and_moscow_are_country_code_rus(actors: KnownActors) -> None:
    russia = found(actors, "Russia")
    assert (russia.canonical, russia.label, russia.kind) == ("Russia", "GPE", "country")
    for name in ("Russia", "Russian", "Moscow", "the Russian Federation"):
        assert actors.find(name) == russia, name
        assert actors.country_code(found(actors, name), MID_2016) == "RUS"


def test_united_nations_and_un_are_the_igo_phoenix_codes_igouno(actors: KnownActors) -> None:
    for name in ("United Nations", "the United Nations", "UN", "U.N."):
        un = found(actors, name)
        assert (un.canonical, un.label, un.kind) == ("United Nations", "ORG", "igo"), name
        assert actors.code_on(un, MID_2016) == "IGOUNO"
        assert actors.country_code(un, MID_2016) is None  # IGO is no country


def test_us_with_and_without_dots_is_the_united_states(actors: KnownActors) -> None:
    for name in ("US", "U.S.", "United States", "America"):
        assert found(actors, name).canonical == "United States", name
        assert actors.country_code(found(actors, name), MID_2016) == "USA"


def test_an_everyday_word_alias_needs_a_capital(actors: KnownActors) -> None:
    assert found(actors, "Turkey").canonical == "Turkey"
    assert actors.find("turkey") is None
    assert actors.find("us") is None
    assert found(actors, "Chad").kind == "country"


def test_find_ignores_case_possessives_articles_and_punctuation(actors: KnownActors) -> None:
    putin = found(actors, "Putin")
    for name in ("PUTIN", "putin's", "Putin’s", "  Vladimir   Putin ", "(Putin),", "President Vladimir Putin"):
        assert actors.find(name) == putin, name
    assert actors.find("the European Union") == actors.find("EU")
    assert normalize_name("The U.S.'s") == "u.s."


def test_hand_written_canonical_names_win(actors: KnownActors) -> None:
    with (REFERENCE_DIR / "entity_aliases.tsv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t") if row and not row[0].startswith("#")]
    assert found(actors, "Ivory Coast").canonical == "Côte d'Ivoire"
    assert found(actors, "ISIS").canonical == "Islamic State"
    for _alias, canonical, _label in rows:
        actor = actors.find(canonical)
        if actor is not None:
            assert actor.canonical == canonical, canonical


def test_unknown_names_and_nouns_are_none(actors: KnownActors) -> None:
    assert actors.find("Xyzzy Plugh") is None
    assert actors.find("") is None
    assert actors.find("...") is None
    assert actors.by_surname("Xyzzy") is None
    assert actors.agent("xyzzy") is None


def test_date_ranges_hold_their_first_and_last_day(actors: KnownActors) -> None:
    # [IGOUNO 970101-061231], default [ELI]
    annan = found(actors, "Kofi Annan")
    assert actors.code_on(annan, date(1996, 12, 31)) == "ELI"
    assert actors.code_on(annan, date(1997, 1, 1)) == "IGOUNO"
    assert actors.code_on(annan, date(2006, 12, 31)) == "IGOUNO"
    assert actors.code_on(annan, date(2007, 1, 1)) == "ELI"


def test_on_the_day_one_role_ends_and_the_next_begins_the_next_counts(actors: KnownActors) -> None:
    kerry = found(actors, "John Kerry")  # [USAGOVLEG 850103-130201], [USAGOV >130201]
    assert actors.code_on(kerry, date(2013, 1, 31)) == "USAGOVLEG"
    assert actors.code_on(kerry, date(2013, 2, 1)) == "USAGOV"
    assert actors.code_on(kerry, date(1985, 1, 3)) == "USAGOVLEG"
    assert actors.code_on(kerry, date(1985, 1, 2)) is None  # no default code


def test_without_a_day_the_open_ended_code_counts(actors: KnownActors) -> None:
    assert actors.code_on(found(actors, "Putin"), None) == "RUSGOV"
    assert actors.code_on(found(actors, "Russia"), None) == "RUS"


def test_police_and_riot_police_are_cop_after_the_country(actors: KnownActors) -> None:
    for word in ("police", "Police", "riot police", "Riot Police", "policemen"):
        agent = actors.agent(word)
        assert agent is not None, word
        assert (agent.code, agent.position) == ("COP", "suffix"), word


def test_troops_are_military_and_protesters_opposition(actors: KnownActors) -> None:
    for word, code in (("troops", "MIL"), ("troop", "MIL"), ("soldiers", "MIL"), ("protesters", "OPP")):
        agent = actors.agent(word)
        assert agent is not None and agent.code == code, word


def test_a_tilde_after_the_code_puts_it_before_the_country(actors: KnownActors) -> None:
    agent = actors.agent("peacekeeping troops")  # PEACEKEEPING_TROOPS {} [IGO~]
    assert agent is not None
    assert (agent.code, agent.position) == ("IGO", "prefix")


def test_the_registered_lookup_is_read_once(actors: KnownActors) -> None:
    assert known_actors() is actors
    assert registry.misc.get("newsflow.known_actors.v1")() is actors


def test_every_derived_table_says_where_it_comes_from() -> None:
    for name in ("known_actors.tsv", "actor_aliases.tsv", "agents.tsv"):
        head = (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines()[:8]
        assert any("PETRARCH2" in line for line in head), name
        assert any("MIT" in line for line in head), name
        assert any(build_known_actors.COMMAND in line for line in head), name
    assert (REFERENCE_DIR / "PETRARCH2-LICENSE.txt").read_text(encoding="utf-8").startswith("The MIT License")


@pytest.mark.slow
def test_the_builder_reproduces_the_committed_tables_byte_for_byte() -> None:
    if not (build_known_actors.DEFAULT_SOURCE / build_known_actors.ACTOR_FILES[0]).is_file():
        pytest.skip("the PETRARCH2 dictionaries (../shared/data/petrarch2-dictionaries) are not on this machine")
    files = build_known_actors.render(build_known_actors.DEFAULT_SOURCE)
    assert sorted(files) == sorted(build_known_actors.OUTPUT_FILES)
    for name, content in files.items():
        assert content.encode("utf-8") == (REFERENCE_DIR / name).read_bytes(), (
            f"{name} is stale: run {build_known_actors.COMMAND}"
        )
