"""Canonical entities: in-article short names and acronyms, aliases, known actors, one label per name."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.components import normalize_entity_text
from tasks.nlp.spans import PUBLISHED_KEY, doc_ents, doc_text

ALIASES_FILE = SEEDS_DIR / "reference" / "entity_aliases.tsv"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
# The labels a bare name can carry when a person of the article is meant ("Tipton" tagged ORG after
# "Darren Tipton" was a PERSON): never places or nationalities the model or the alias table knows.
PERSONABLE_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
ACRONYM_RE = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,9})\)")
INITIAL_RE = re.compile(r"^[A-Z]\.?$")

for name in (
    "canonical", "canonical_label", "entity_id", "role", "role_org", "known_actor_id", "actor_code", "evidence",
    "place_population", "place_kind",
):  # fmt: skip
    if not Span.has_extension(name):
        Span.set_extension(name, default=None)


@registry.misc("newsflow.entity_aliases.v1")
def entity_aliases(path: str = str(ALIASES_FILE)) -> dict[str, tuple[str, str]]:
    """alias -> (canonical name, label), from a TSV of alias, canonical, label. Acronyms (all capitals, as
    "US" or "U.S.") are keyed as written, since "Us" in "About Us" is no country; other aliases by lower case."""
    table: dict[str, tuple[str, str]] = {}
    file = Path(path)
    if not file.is_file():
        return table
    with file.open(encoding="utf-8") as handle:
        for row in csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            if len(row) >= 3:
                table[alias_key(row[0].strip())] = (row[1].strip(), row[2].strip())
    return table


def alias_key(text: str) -> str:
    """Acronyms stay case-sensitive, every other name is looked up case-insensitively."""
    letters = [ch for ch in text if ch.isalpha()]
    return text if letters and all(ch.isupper() for ch in letters) and len(letters) <= 6 else text.casefold()


def known_name(actor: Any) -> str:
    return str(actor.canonical)


def entity_id(canonical: str) -> str:
    """Stable across articles, runs and labels: one id per name, whatever label a mention got."""
    return hashlib.sha256(canonical.casefold().encode()).hexdigest()[:16]


def _name_tokens(name: str) -> list[str]:
    """A person's name without middle initials, for comparing "Elizabeth A. Hoge" with "Elizabeth Hoge"."""
    tokens = name.split()
    return [t for i, t in enumerate(tokens) if not (0 < i < len(tokens) - 1 and INITIAL_RE.match(t))]


LOCATIVE_WORDS = frozenset({"in", "from", "at", "near", "outside", "across", "throughout", "into", "toward"})
PLACE_OF = frozenset({"city of", "town of", "village of", "region of", "province of", "state of", "capital of"})


def _reads_as_place(ent: Span) -> bool:
    """A place name the model took for something else, read as a place by its context: after "in"/"from"
    or "city of", or coordinated with a place."""
    doc = ent.doc
    before = [t.lower_ for t in doc[max(0, ent.start - 3) : ent.start]]
    if before[-1:] and before[-1] in LOCATIVE_WORDS:
        return True
    if " ".join(before[-2:]) in PLACE_OF:
        return True
    partner = (
        ent.root.head if ent.root.dep_ == "conj" else next((c for c in ent.root.children if c.dep_ == "conj"), None)
    )
    return partner is not None and partner.ent_type_ in PLACE_LABELS


class EntityLinker:
    """Sets span._.canonical / canonical_label / entity_id / role / role_org / known_actor_id / actor_code."""

    def __init__(
        self, aliases: dict[str, tuple[str, str]], roles: Iterable[str], actors: Any = None, places: Any = None
    ) -> None:
        self.aliases = aliases
        self.roles = {r.lower() for r in roles}
        self.actors = actors
        self.places = places

    def __call__(self, doc: Doc) -> Doc:
        ents = doc_ents(doc)
        published: date | None = doc.user_data.get(PUBLISHED_KEY)
        acronyms = self._acronyms(doc, ents)
        resolved: list[tuple[str, str, Any]] = []  # (canonical, label, known actor) per entity
        evidence: list[set[str]] = []  # why the name can be trusted (read by newsflow_entity_evidence)
        surfaces = [ent._.normalized or normalize_entity_text(ent.text) for ent in ents]
        for ent, surface in zip(ents, surfaces, strict=True):
            resolved.append(self._lookup(surface, ent.label_, acronyms))
            found = set()
            if alias_key(surface) in self.aliases:
                found.add("alias")
            if surface in acronyms or ACRONYM_RE.match(doc_text(ent.doc), ent.end_char):
                found.add("acronym")
            if resolved[-1][2] is not None:
                found.add("known_actor")
            known_place = self.places.find(surface) if self.places is not None else None
            if known_place is not None:
                if ent.label_ in PLACE_LABELS:
                    found.add("place")
                    if ent.label_ == "LOC" and known_place.kind != "continent" and resolved[-1][2] is None:
                        resolved[-1] = (resolved[-1][0], "GPE", None)  # "NYC", "Texas": a city or a state is a GPE
                elif resolved[-1][2] is None and _reads_as_place(ent):
                    # "the city of El Fasher" (ORG), "Kharkiv and Sumy" (PERSON): the model's label is wrong.
                    resolved[-1] = (resolved[-1][0], "GPE", None)
                    found.add("place")
            evidence.append(found)
        full_names = self._full_person_names(surfaces, resolved)
        for index, surface in enumerate(surfaces):
            name, label, actor = resolved[index]
            is_known_person = actor is not None and actor.label == "PERSON"
            is_bare = len(surface.split()) == 1 and (is_known_person or surface.isupper())
            if (
                actor is not None
                and is_bare
                and alias_key(surface) not in self.aliases
                and not self._country_is_named(actor, resolved, published)
                and self._has_country(actor, published)
            ):
                # A bare surname or acronym the dictionary knows ("Hennessy", "FPS") is that politician or
                # group only in an article about their country; in a hammock review it is a brand.
                resolved[index] = (surface, ents[index].label_, None)
                evidence[index].discard("known_actor")
                name, label, actor = resolved[index]
            is_person = actor is None or actor.label == "PERSON"
            if label in PERSONABLE_LABELS and is_person:
                # The article's own people come first: a "Putin" of the article may not be the known one.
                longer = self._longer_name(surface, list(full_names), label)
                if longer is not None and full_names[longer][0] != name:
                    resolved[index] = (full_names[longer][0], "PERSON", full_names[longer][1])
                    evidence[index].add("full_name")
                elif actor is None and label == "PERSON" and len(name.split()) == 1 and self.actors is not None:
                    known = self.actors.by_surname(name)
                    # Not when the word is part of another name here ("Google Gemini"): then it is that.
                    in_other_names = known is None or any(
                        name in other.split() and other != name
                        for other, _, _ in resolved
                        if other != known_name(known)
                    )
                    if known is not None and not in_other_names and self._country_is_named(known, resolved, published):
                        resolved[index] = (known.canonical, "PERSON", known)
                        evidence[index].add("known_actor")
        # One label per name in the article: the known actor's, else the label most mentions got.
        votes: dict[str, Counter[str]] = {}
        for name, label, _actor in resolved:
            votes.setdefault(name.casefold(), Counter())[label] += 1
        surfaces_by_start = {ent.start: surface for ent, surface in zip(ents, surfaces, strict=True)}
        for ent, (name, _label, actor), found in zip(ents, resolved, evidence, strict=True):
            ent._.canonical = name
            ent._.evidence = found
            # A known person or organisation has its own label ("Nvidia" is no GPE); places keep the model's
            # (GPE, LOC or FAC: the dictionary files capitals and landmarks under their country).
            ent._.canonical_label = (
                actor.label
                if actor is not None and actor.label in ("PERSON", "ORG")
                else votes[name.casefold()].most_common(1)[0][0]
            )
            ent._.entity_id = entity_id(name)
            if actor is not None:
                ent._.known_actor_id = actor.actor_id
                ent._.actor_code = self.actors.code_on(actor, published)
            elif "place" in found:
                place = self.places.find(surfaces_by_start[ent.start])
                ent._.actor_code = place.country or None  # "Sumy" -> UKR
                # Countries, continents and states count as prominent (population 0 in the table = unknown).
                ent._.place_population = place.population if place.kind == "city" else None
            if self.places is not None and ent._.canonical_label in ("GPE", "LOC"):
                # country, continent, us_state or city: the event coder takes only a country for a state actor.
                known_place = self.places.find(surfaces_by_start[ent.start]) or self.places.find(name)
                ent._.place_kind = known_place.kind if known_place is not None else None
            if ent._.canonical_label == "PERSON":
                self._set_role(ent)
        return doc

    def _lookup(self, name: str, label: str, acronyms: dict[str, str]) -> tuple[str, str, Any]:
        """(canonical, label, known actor or None) of one mention, from the hand aliases, the acronyms the
        article defines, then the known-actors table."""
        alias = self.aliases.get(alias_key(name))
        if alias is not None:
            return alias[0], alias[1], self._find_actor(alias[0])
        if name in acronyms:
            name = acronyms[name]
        if label not in NAME_LABELS:
            return name, label, None
        actor = self._find_actor(name)
        if actor is None:
            return name, label, None
        if actor.label == "PERSON":
            # Every spelling of a known person is one entity ("Assad", "Bashar Assad" -> Bashar al-Assad).
            return (actor.canonical, "PERSON", actor) if label in PERSONABLE_LABELS else (name, label, None)
        # Nationalities, capitals, cities and organisations keep their own name ("Russian" is a NORP, "Moscow"
        # no "Russia", "Pentagon" no "United States Military"); their actor code comes from the dictionary.
        return name, label, actor

    def _has_country(self, actor: Any, published: date | None) -> bool:
        return self.actors is not None and self.actors.country_code(actor, published) is not None

    def _country_is_named(self, actor: Any, resolved: list[tuple[str, str, Any]], published: date | None) -> bool:
        """The article names the country the actor's code belongs to (or an actor of it)."""
        country = self.actors.country_code(actor, published) if self.actors is not None else None
        if country is None:
            return False
        return any(
            other is not None and other is not actor and self.actors.country_code(other, published) == country
            for _, _, other in resolved
        )

    def _find_actor(self, name: str) -> Any:
        if self.actors is None:
            return None
        return self.actors.find(name)

    @staticmethod
    def _acronyms(doc: Doc, ents: tuple[Span, ...]) -> dict[str, str]:
        """ "The Chartered Institute of Building (CIOB)": the article's own definition of an acronym."""
        found: dict[str, str] = {}
        for ent in ents:
            match = ACRONYM_RE.match(doc_text(doc), ent.end_char)
            if match is None:
                continue
            long_name = normalize_entity_text(ent.text)
            initials = "".join(w[0] for w in long_name.split() if w[0].isupper())
            acronym = match.group(1)
            if len(long_name.split()) >= 2 and acronym.upper()[0] == initials[:1] and acronym != long_name:
                found.setdefault(acronym, long_name)
        return found

    @staticmethod
    def _full_person_names(surfaces: list[str], resolved: list[tuple[str, str, Any]]) -> dict[str, tuple[str, Any]]:
        """The names of two or more words the article itself uses for a person (longest, first given, first),
        each with what it resolved to."""
        found: dict[str, tuple[str, Any]] = {}
        for surface, (name, label, actor) in zip(surfaces, resolved, strict=True):
            if label == "PERSON" and len(_name_tokens(surface)) >= 2:
                found.setdefault(surface, (name, actor))
        return dict(sorted(found.items(), key=lambda item: -len(item[0].split())))

    @staticmethod
    def _longer_name(name: str, full_names: list[str], label: str) -> str | None:
        """The one person of the article whose full name this shorter mention is part of: "Kerry" -> "John
        Kerry", "Joon" -> "Yeun Joon Kim", "Harden Bradford" -> "Joy Harden Bradford"; None when several fit."""
        tokens = _name_tokens(name)
        key = [t.casefold() for t in tokens]
        matches = set()
        for full in full_names:
            full_key = [t.casefold() for t in _name_tokens(full)]
            if full_key == key or len(full_key) <= len(key):
                continue
            # A one-word mention is the surname, or (for a person) a middle name ("Joon" of "Yeun Joon Kim"),
            # never the first word: "Shopify" is no short form of "Shopify App Store".
            is_part = (
                (key[0] == full_key[-1] or (label == "PERSON" and key[0] in full_key[1:]))
                if len(key) == 1
                else (full_key[-len(key) :] == key)
            )
            is_shortened = len(key) > 1 and key[0] == full_key[0] and key[-1] == full_key[-1]
            if is_part or is_shortened:
                matches.add(full)
        if label != "PERSON" and len(key) > 1:
            return None  # "Harvard University" is no part of "John Harvard"
        # Names that extend one another ("Elizabeth Hoge", "Elizabeth A. Hoge") are one person.
        distinct = {tuple(t.casefold() for t in _name_tokens(m)) for m in matches}
        if len(distinct) != 1:
            return None
        return min(matches, key=full_names.index)

    def _set_role(self, ent: Span) -> None:
        """Office words and organisations in the modifiers left of a person's name."""
        modifiers = [t for t in ent.root.children if t.i < ent.start and t.dep_ in ("compound", "amod", "nmod")]
        tokens = sorted({t for m in modifiers for t in m.subtree if t.i < ent.start}, key=lambda t: t.i)
        if not tokens:
            return
        # The office word nearest the name wins: "Foreign Minister" -> minister, "White House spokesman" -> spokesman.
        ent._.role = next((t.text.lower() for t in reversed(tokens) if t.text.lower() in self.roles), None)
        orgs = [
            e for e in doc_ents(ent.doc) if e.start >= tokens[0].i and e.end <= ent.start and e.label_ in ("ORG", "GPE")
        ]
        if orgs:
            ent._.role_org = orgs[-1]._.canonical or orgs[-1]._.normalized or orgs[-1].text


@Language.factory(
    "newsflow_entity_linker",
    default_config={
        "aliases": {"@misc": "newsflow.entity_aliases.v1"},
        "roles": {"@misc": "newsflow.role_words.v2"},
        "actors": None,
        "places": None,
    },
)
def make_entity_linker(
    nlp: Language, name: str, aliases: dict[str, tuple[str, str]], roles: list[str], actors: Any, places: Any
) -> EntityLinker:
    return EntityLinker(aliases, roles, actors, places)
