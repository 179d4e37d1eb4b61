"""In-article short-name coreference, roles and titles, and canonical entities with stable ids."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.components import normalize_entity_text
from tasks.nlp.spans import doc_ents

ALIASES_FILE = SEEDS_DIR / "reference" / "entity_aliases.tsv"
# Words that name an office when they stand before a person's name ("White House spokesman Josh Earnest").
DEFAULT_ROLES = (
    "president",
    "prime minister",
    "minister",
    "secretary",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "governor",
    "envoy",
    "ambassador",
    "chancellor",
    "king",
    "queen",
    "general",
    "colonel",
    "captain",
    "commander",
    "chief",
    "director",
    "leader",
    "lawmaker",
    "senator",
    "mayor",
    "judge",
    "chairman",
    "official",
    "premier",
    "deputy",
    "lieutenant",
    "major",
    "brigadier",
    "admiral",
    "foreign minister",
)

for name in ("canonical", "canonical_label", "entity_id", "role", "role_org"):
    if not Span.has_extension(name):
        Span.set_extension(name, default=None)


@registry.misc("newsflow.entity_aliases.v1")
def entity_aliases(path: str = str(ALIASES_FILE)) -> dict[str, tuple[str, str]]:
    """alias (lower case) -> (canonical name, label), from a TSV of alias, canonical, label."""
    table: dict[str, tuple[str, str]] = {}
    file = Path(path)
    if not file.is_file():
        return table
    with file.open(encoding="utf-8") as handle:
        for row in csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            if len(row) >= 3:
                table[row[0].strip().lower()] = (row[1].strip(), row[2].strip())
    return table


@registry.misc("newsflow.role_words.v1")
def role_words() -> list[str]:
    return list(DEFAULT_ROLES)


def entity_id(canonical: str, label: str) -> str:
    """Stable across articles and runs: the same canonical name and label give the same id."""
    return hashlib.sha256(f"{label}|{canonical.casefold()}".encode()).hexdigest()[:16]


class EntityLinker:
    """Sets span._.canonical / entity_id / role / role_org on every entity of a doc."""

    def __init__(self, aliases: dict[str, tuple[str, str]], roles: Iterable[str]) -> None:
        self.aliases = aliases
        self.roles = {r.lower() for r in roles}

    def __call__(self, doc: Doc) -> Doc:
        full_names: dict[str, str] = {}  # last name -> full name, from multi-word PERSON mentions
        for ent in doc.ents:
            name = ent._.normalized or normalize_entity_text(ent.text)
            if ent.label_ == "PERSON" and len(name.split()) >= 2:
                full_names.setdefault(name.split()[-1].lower(), name)
        for ent in doc.ents:
            name = ent._.normalized or normalize_entity_text(ent.text)
            label = ent.label_
            alias = self.aliases.get(name.lower()) or self.aliases.get(ent.text.strip().lower())
            if alias:
                name, label = alias
            elif label == "PERSON" and len(name.split()) == 1 and name.lower() in full_names:
                name = full_names[name.lower()]  # "Kerry" -> "John Kerry"
            ent._.canonical = name
            ent._.canonical_label = label
            ent._.entity_id = entity_id(name, label)
            if ent.label_ == "PERSON":
                self._set_role(ent)
        return doc

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
            ent._.role_org = orgs[-1]._.normalized or orgs[-1].text


@Language.factory(
    "newsflow_entity_linker",
    default_config={
        "aliases": {"@misc": "newsflow.entity_aliases.v1"},
        "roles": {"@misc": "newsflow.role_words.v1"},
    },
)
def make_entity_linker(nlp: Language, name: str, aliases: dict[str, tuple[str, str]], roles: list[str]) -> EntityLinker:
    return EntityLinker(aliases, roles)
