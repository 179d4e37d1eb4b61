"""Known political actors and agent nouns (PETRARCH2's Phoenix dictionaries): names -> actors -> CAMEO codes by date."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spacy.util import registry

from newsflow.settings import SEEDS_DIR

ACTORS_FILE = SEEDS_DIR / "reference" / "known_actors.tsv"
ALIASES_FILE = SEEDS_DIR / "reference" / "actor_aliases.tsv"
AGENTS_FILE = SEEDS_DIR / "reference" / "agents.tsv"
# Punctuation around a mention that is no part of the name ("Putin," "(NATO)" "'Hamas'").
OUTER_PUNCTUATION = "\"'“”‘’«»()[]{}<>,;:!?*"
POSSESSIVE_RE = re.compile(r"(?<=[\w.])'s?$")
# A name's last word that is no surname ("Martin Luther King Jr.").
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
INITIAL_RE = re.compile(r"^\w\.?$")
# Arabic articles a surname is written with or without ("al-Assad", "Assad").
ARTICLE_PREFIX_RE = re.compile(r"^(?:al|el|ad|ash|as|at|az|an|ar)-")

Code = tuple[str, date | None, date | None]


@dataclass(frozen=True)
class Actor:
    actor_id: str  # "VLADIMIR_PUTIN": the primary phrase of the source dictionary
    canonical: str  # "Vladimir Putin"
    label: str  # PERSON | GPE | ORG | NORP (and FAC/LOC where the hand alias table says so)
    kind: str  # country | place | person | igo | ngo | company | media | armed_group | government | military | ...
    codes: tuple[Code, ...]  # (code, first day, last day), inclusive, None = open
    default_code: str | None


@dataclass(frozen=True)
class Agent:
    noun: str  # "police"
    code: str  # "COP"
    position: str  # "suffix" (after the country code: RUSCOP) | "prefix" (before it: NGO~)


def normalize_name(text: str) -> str:
    """The key a name is looked up by: lower case, single spaces, no possessive, no leading "the", no outer
    punctuation. "The U.S.'s" -> "u.s.", "Putin's" -> "putin", "“Hamas,”" -> "hamas"."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = " ".join(text.replace("_", " ").split()).casefold()
    for _ in range(2):  # punctuation can sit on either side of a possessive: "(Putin's)"
        text = text.strip(OUTER_PUNCTUATION + " ")
        text = POSSESSIVE_RE.sub("", text)
        last = text.rsplit(" ", 1)[-1]
        if text.endswith(".") and last.count(".") == 1 and len(last) > 2:
            text = text[:-1]  # a sentence's full stop, not the one of "U.S." or "V."
    if text.startswith("the "):
        text = text[4:]
    return text


def loose_name(key: str) -> str:
    """A normalised name without full stops and hyphens: "u.s." -> "us", "al-qaeda" -> "al qaeda"."""
    return " ".join(key.replace(".", "").replace("-", " ").split())


class KnownActors:
    """Lookups over the three reference tables; build it with known_actors() so a process reads them once."""

    def __init__(
        self, actors: dict[str, Actor], aliases: dict[str, tuple[str, bool]], agents: dict[str, Agent]
    ) -> None:
        self.actors = actors
        self._aliases = aliases  # normalised alias -> (actor_id, is_common_word); ambiguous aliases left out
        self._agents = agents
        self.country_codes = frozenset(
            code[:3] for a in actors.values() if a.kind in ("country", "place") for code in _all_codes(a)
        )

    @functools.cached_property
    def _loose(self) -> dict[str, tuple[str, bool]]:
        # Built on first use, like _surnames: the load stays a plain read of the tables.
        return _unique_index((loose_name(alias), value) for alias, value in self._aliases.items())

    @functools.cached_property
    def _surnames(self) -> dict[str, Actor]:
        return _surname_index(self.actors.values())

    def find(self, name: str) -> Actor | None:
        """The actor a name (a mention, an alias, a canonical name) stands for; None when unknown or ambiguous.
        An alias that is an everyday word ("Turkey", "Chad") needs a capital letter in the name."""
        key = normalize_name(name)
        if not key:
            return None
        found = self._aliases.get(key) or self._loose.get(loose_name(key))
        if found is None:
            return None
        actor_id, is_common_word = found
        if is_common_word and not any(ch.isupper() for ch in name):
            return None
        return self.actors.get(actor_id)

    def code_on(self, actor: Actor, day: date | None) -> str | None:
        """The actor's CAMEO code on a day: of the ranges holding the day the one begun last (on the day one role
        ends and the next begins, the next); else default_code. With no day: the open-ended range, else the
        range that ended last, else default_code."""
        if day is None:
            open_ranges = [c for c in actor.codes if c[2] is None]
            if open_ranges:
                return max(open_ranges, key=_start)[0]
            if actor.codes:
                return max(actor.codes, key=lambda c: c[2] or date.max)[0]
            return actor.default_code
        holding = [c for c in actor.codes if (c[1] is None or c[1] <= day) and (c[2] is None or day <= c[2])]
        if holding:
            return max(holding, key=_start)[0]
        return actor.default_code

    def by_surname(self, surname: str) -> Actor | None:
        """The one known person with this last name ("Putin" -> Vladimir Putin); None when several share it."""
        return self._surnames.get(ARTICLE_PREFIX_RE.sub("", normalize_name(surname)))

    def agent(self, word: str) -> Agent | None:
        """An agent noun, singular or plural, any case: "Police", "troops", "riot police"."""
        return self._agents.get(normalize_name(word))

    def country_code(self, actor: Actor, day: date | None) -> str | None:
        """The country part of the actor's code on a day (RUSGOV -> RUS), None for an IGO, NGO or company code."""
        code = self.code_on(actor, day)
        if code is None or code[:3] not in self.country_codes:
            return None
        return code[:3]


def _start(code: Code) -> date:
    return code[1] or date.min


def _all_codes(actor: Actor) -> Iterator[str]:
    yield from (c[0] for c in actor.codes)
    if actor.default_code:
        yield actor.default_code


def _unique_index(pairs: Iterator[tuple[str, tuple[str, bool]]]) -> dict[str, tuple[str, bool]]:
    """key -> value where every pair with that key agrees; keys that name two actors are dropped."""
    index: dict[str, tuple[str, bool]] = {}
    clashes: set[str] = set()
    for key, value in pairs:
        if key in index and index[key][0] != value[0]:
            clashes.add(key)
        index.setdefault(key, value)
    for key in clashes:
        del index[key]
    return index


def surname_of(canonical: str) -> str | None:
    """A person's last name as by_surname() looks it up: "Bashar al-Assad" -> "assad", "Martin Luther King Jr." ->
    "king"; None for a one-word name."""
    words = [w for w in canonical.casefold().split() if w not in NAME_SUFFIXES]
    while len(words) > 1 and INITIAL_RE.match(words[-1]):
        words.pop()
    if len(words) < 2:
        return None
    return ARTICLE_PREFIX_RE.sub("", words[-1])


def _surname_index(actors: Iterable[Actor]) -> dict[str, Actor]:
    """surname -> the person, when every known person of that surname is one person (the source lists some twice,
    "KOFI_ANNAN" and "K._ANNAN" with the same codes): then the fullest plain name ("Kofi Annan") stands for it."""
    people: dict[str, list[Actor]] = {}
    for actor in actors:
        surname = surname_of(actor.canonical) if actor.label == "PERSON" else None
        if surname is not None:
            people.setdefault(surname, []).append(actor)
    index: dict[str, Actor] = {}
    for surname, candidates in people.items():
        if len({(a.codes, a.default_code) for a in candidates}) == 1:
            index[surname] = min(candidates, key=_plainness)
    return index


def _plainness(actor: Actor) -> tuple[bool, int, str]:
    words = actor.canonical.split()
    return (any(INITIAL_RE.match(w) for w in words), len(words), actor.actor_id)


def _rows(path: str, *columns: str) -> Iterator[list[str]]:
    """The named columns of a TSV written by seeds/build_known_actors.py (no quoting; '#' lines are comments).
    Plain splitting: csv.DictReader takes most of a second over the 60,000 alias rows."""
    lines = (line for line in Path(path).read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    header = next(lines).split("\t")
    positions = [header.index(c) for c in columns]
    for line in lines:
        cells = line.split("\t")
        yield [cells[p] for p in positions]


def _codes(text: str) -> tuple[Code, ...]:
    codes = []
    for item in text.split(";") if text else ():
        code, first, last = item.split(":")
        codes.append((code, date.fromisoformat(first) if first else None, date.fromisoformat(last) if last else None))
    return tuple(codes)


@functools.lru_cache(maxsize=4)
def load_known_actors(actors_path: str, aliases_path: str, agents_path: str) -> KnownActors:
    actors = {
        actor_id: Actor(actor_id, canonical, label, kind, _codes(codes), default_code or None)
        for actor_id, canonical, label, kind, codes, default_code in _rows(
            actors_path, "actor_id", "canonical", "label", "kind", "codes", "default_code"
        )
    }
    aliases = {
        alias: (actor_id, is_common_word == "1")
        for alias, actor_id, is_ambiguous, is_common_word in _rows(
            aliases_path, "alias", "actor_id", "is_ambiguous", "is_common_word"
        )
        if is_ambiguous != "1"
    }
    agents = {
        noun: Agent(noun, code, position) for noun, code, position in _rows(agents_path, "noun", "code", "position")
    }
    return KnownActors(actors, aliases, agents)


def known_actors(
    actors_path: str = str(ACTORS_FILE), aliases_path: str = str(ALIASES_FILE), agents_path: str = str(AGENTS_FILE)
) -> KnownActors:
    """The known actors and agents, read once per process and paths (the entity linker and the event tagger
    both ask for them)."""
    return load_known_actors(actors_path, aliases_path, agents_path)


# Registered by a call rather than as @registry.misc(...): spaCy's decorator is untyped and would make
# known_actors() return Any to every caller.
registry.misc.register("newsflow.known_actors.v1", func=known_actors)
