"""Keeps the entity mentions the article gives evidence for: the small model's guesses on real pages are
mostly wrong when nothing else backs them ("Kubernetes" a person, "Reddit" a place, "Waterfall" a company)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.spans import doc_ents, forget_ents, lemma

# Last words that make a name an organisation's whatever the model knows of it.
DEFAULT_ORG_HEADS = (
    "inc", "corp", "corporation", "company", "co", "group", "holdings", "ltd", "llc", "plc", "university",
    "college", "school", "institute", "agency", "department", "ministry", "association", "council", "bank",
    "party", "foundation", "committee", "commission", "office", "court", "police", "army", "navy", "force",
    "forces", "times", "news", "post", "journal", "press", "network", "society", "union", "federation",
    "organization", "organisation", "authority", "administration", "board", "bureau", "service", "services",
    "center", "centre", "hospital", "clinic", "museum", "library", "fund", "trust", "alliance", "coalition",
    "league", "club", "church", "airlines", "airways", "motors", "labs", "laboratory", "laboratories",
    "technologies", "systems", "partners", "capital", "ventures", "media", "studios", "records", "magazine",
    "review", "tribune", "herald", "gazette", "guardian", "telegraph", "parliament", "senate", "congress",
    "assembly", "government", "cabinet", "reuters", "academy", "registry", "treasury", "pentagon", "interpol",
    "europol", "fed", "opec", "nato",
)  # fmt: skip
# Nationalities, religions and political groups NER calls NORP, which no country adjective covers.
DEFAULT_GROUPS = (
    "muslim", "muslims", "christian", "christians", "jewish", "jews", "hindu", "hindus", "buddhist", "buddhists",
    "catholic", "catholics", "protestant", "protestants", "sunni", "shia", "shiite", "evangelical", "evangelicals",
    "democrat", "democrats", "democratic", "republican", "republicans", "conservative", "conservatives", "labour",
    "liberal", "liberals", "socialist", "socialists", "communist", "communists", "latino", "latina", "latinos",
    "hispanic", "hispanics", "arab", "arabs", "european", "europeans", "asian", "asians", "african", "africans",
    "indigenous", "aboriginal", "kurds", "kurdish", "sikh", "sikhs", "mormon", "orthodox", "western", "soviet",
)  # fmt: skip
# The endings of nationality words ("Syrian", "Chinese", "Kurdish", "Iraqi", "Thai").
DEMONYM_RE = re.compile(r"(?:ian|ians|ean|eans|ese|ish|i|is|ic|ch|ss|ai)$")
POSSESSIVE_INSIDE_RE = re.compile(r"\w['’]s\s")
GIVEN_NAMES_FILE = SEEDS_DIR / "reference" / "given_names.txt"
HONORIFIC_WORDS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "rev", "sen", "rep", "gov", "gen"})
NAME_PARTICLES = frozenset(
    {"al", "bin", "ibn", "de", "da", "di", "del", "della", "van", "von", "der", "la", "le", "du"}
)
ACRONYM_RE = re.compile(r"^[A-Z][A-Z&.]{1,5}$")
LOCATIVE_WORDS = frozenset(
    {"in", "from", "at", "near", "across", "outside", "throughout", "to", "into", "around", "of", "within", "toward"}
)
# Evidence strong enough on its own (set by the entity linker on span._.evidence).
# A town smaller than this needs "in"/"from" before its name to be taken for a place.
PROMINENT_PLACE_POPULATION = 100_000
# Brand names the model takes for organisations when they name a product: "Microsoft Excel", "Apple CarPlay".
PRODUCT_OF = re.compile(r"^(?:Microsoft|Apple|Google|Amazon|Adobe|Meta|Samsung|Sony|IBM|Oracle|Salesforce|SAP)\s")
DECISIVE = frozenset({"known_actor", "alias", "acronym", "full_name", "place"})
# Genre: a page that says "you" more than this per 1,000 words and reports fewer statements than the
# other figure is a guide or a review (measured on extraction-dev: 16 news articles say "you" 0-6 times
# per 1,000 words but for one, and "said"/"says"/"told"/"according" 2-20 times; half the pages say "you"
# more than 15 times).
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves"})
REPORTING_WORDS = frozenset({"said", "says", "told", "according", "added", "announced", "reported"})
MAX_ADDRESSING_PER_1000 = 8.0
MIN_REPORTING_PER_1000 = 2.0
MIN_WORDS_FOR_GENRE = 150
# doc.user_data keys of reads_as_a_guide's and lists_a_cast's answers.
GUIDE_KEY = "newsflow_reads_as_a_guide"
CAST_KEY = "newsflow_lists_a_cast"
# Names in brackets after a part played, this many times in one text: a cast list, not a news report.
MIN_CAST_NAMES = 2
# Verbs whose subject is a source that has a name ("Technomic reported", "MDRC found").
STATEMENT_VERBS = frozenset(
    {"say", "tell", "report", "add", "note", "explain", "write", "state", "announce", "claim", "find", "show",
     "reveal", "warn", "argue", "estimate", "confirm", "deny", "highlight", "share", "suggest", "urge", "recommend"}
)  # fmt: skip


def _looks_like_a_title_or_code(name: str) -> bool:
    """ "Credit Card/Debit Card Authorization", "Judith Bennett’s Ale": a slash or a possessive inside a
    name makes it a title, a form or a list, not the name of a person, place or organisation."""
    return "/" in name or POSSESSIVE_INSIDE_RE.search(name) is not None


def _is_prominent_place(ent: Span) -> bool:
    """A country, continent, state or city of 100,000 people (places.tsv), or a smaller one read as a place."""
    population = ent._.place_population
    before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
    return population is None or population >= PROMINENT_PLACE_POPULATION or before in LOCATIVE_WORDS


def reads_as_a_guide(doc: Doc) -> bool:
    """The text addresses its reader ("you", "your") and reports no one's words: a guide, review or product
    page rather than a news report. Read once per doc (the evidence and event components both ask)."""
    cached: bool | None = doc.user_data.get(GUIDE_KEY)
    if cached is not None:
        return cached
    words = [t.lower_ for t in doc if t.is_alpha]
    guide = False
    if len(words) >= MIN_WORDS_FOR_GENRE:
        per_thousand = 1000 / len(words)
        addressing = sum(w in SECOND_PERSON for w in words) * per_thousand
        reporting = sum(w in REPORTING_WORDS for w in words) * per_thousand
        guide = addressing > MAX_ADDRESSING_PER_1000 and reporting < MIN_REPORTING_PER_1000
    doc.user_data[GUIDE_KEY] = guide
    return guide


def lists_a_cast(doc: Doc) -> bool:
    """The text names actors in brackets after the parts they play ("Father Jud (Josh O'Connor)", "a former
    soldier (Tatum)"): a review or synopsis of films, shows or games, whose plots are no events."""
    cached: bool | None = doc.user_data.get(CAST_KEY)
    if cached is not None:
        return cached
    casts = 0
    for ent in doc_ents(doc):
        if ent.label_ != "PERSON" or ent.start == 0 or ent.end >= len(doc):
            continue
        if doc[ent.start - 1].text == "(" and doc[ent.end].text == ")" and ent.start >= 2:
            before = doc[ent.start - 2]
            casts += before.pos_ in ("PROPN", "NOUN")
    doc.user_data[CAST_KEY] = casts >= MIN_CAST_NAMES
    return bool(doc.user_data[CAST_KEY])


def _is_a_source(ent: Span) -> bool:
    """The name stands as (or inside) the subject of a statement, or after "according to" / "by" a report."""
    token = ent.root
    for _ in range(3):
        head = token.head
        if token.dep_ in ("nsubj", "nsubjpass") and lemma(head).lower() in STATEMENT_VERBS:
            return True
        if token.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
            return True
        if token.dep_ not in ("compound", "poss", "pobj", "prep", "conj", "appos") or head.i == token.i:
            return False
        token = head
    return False


def org_heads() -> list[str]:
    return list(DEFAULT_ORG_HEADS)


def group_names() -> list[str]:
    return list(DEFAULT_GROUPS)


# Registered by a call: spaCy's decorator is untyped and would make these functions untyped for mypy.
registry.misc.register("newsflow.org_heads.v1", func=org_heads)
registry.misc.register("newsflow.group_names.v1", func=group_names)


class EntityEvidence:
    """Drops mentions nothing but the model's guess supports. Evidence: a known actor or alias, a name the
    article spells out (a full name, an acronym it defines), an organisation's name word ("... University"),
    the name used again in the article, a place after "in"/"from", a nationality's ending; against: every word
    of the name also used as a plain lowercase word in the article ("Labor Rate", "Video Hosting")."""

    def __init__(
        self, org_heads: Iterable[str], groups: Iterable[str], given_names: Iterable[str], roles: Iterable[str]
    ) -> None:
        self.org_heads = {word.casefold() for word in org_heads}
        self.groups = {word.casefold() for word in groups}
        self.given_names = {word.casefold() for word in given_names}
        self.roles = {word.casefold() for word in roles}

    def __call__(self, doc: Doc) -> Doc:
        ents = doc_ents(doc)
        if not ents:
            return doc
        plain_words = {t.lower_ for t in doc if t.is_lower and t.is_alpha}
        counts = Counter(str(e._.canonical or e.text).casefold() for e in ents)
        people = self._confirmed_people(ents)
        if reads_as_a_guide(doc):
            # A how-to, review or product page ("you" everywhere, nobody said anything): the small model's
            # names there are product and feature names more often than not; only corroborated ones stay.
            kept = [e for e in ents if self._is_corroborated(e, people)]
        else:
            kept = [e for e in ents if self._is_supported(e, counts, plain_words, people)]
        if len(kept) != len(ents):
            doc.ents = kept
            forget_ents(doc)
        return doc

    @staticmethod
    def _only_modifies_things(ent: Span, name: str) -> bool:
        """Every mention of the name in the doc qualifies a common noun (compound modifier)."""
        mentions = [e for e in doc_ents(ent.doc) if str(e._.canonical or e.text) == name]
        return all(
            e.root.dep_ in ("compound", "amod") and e.root.head.pos_ == "NOUN" and e.root.head.is_lower
            for e in mentions
        )

    def _confirmed_people(self, ents: tuple[Span, ...]) -> set[str]:
        """The person names of the doc something besides the model vouches for: a known actor, a given name
        ("Matt Burns"), a title or role before a mention ("Dr.", "CEO"), a person noun in apposition ("Corita
        Kent, a nun"), or a statement made ("Mann agreed")."""
        confirmed: set[str] = set()
        organisations = {
            str(e._.canonical or e.text).casefold() for e in ents if (e._.canonical_label or e.label_) == "ORG"
        }
        for ent in ents:
            if (ent._.canonical_label or ent.label_) != "PERSON":
                continue
            name = str(ent._.canonical or ent.text)
            first_word, *others = name.split()
            if others and (
                (first_word.casefold() in organisations and first_word.casefold() not in self.given_names)
                or PRODUCT_OF.search(name)
            ):
                # "Google Cloud", "Microsoft Teams": a firm's name and a word (a given name the model took for a
                # firm, "Wang", still starts a person's name)
                continue
            first = next((w for w in name.split() if w.casefold() not in NAME_PARTICLES and len(w.strip(".")) > 1), "")
            doc = ent.doc
            before = doc[ent.start - 1].lower_.rstrip(".") if ent.start > 0 else ""
            appositive = any(c.dep_ == "appos" and c.lower_ in self.roles for c in ent.root.children)
            if (
                "known_actor" in (ent._.evidence or set())
                or (len(name.split()) >= 2 and first.casefold() in self.given_names)
                or before in self.roles
                or before in HONORIFIC_WORDS
                or appositive
                or _is_a_source(ent)
            ):
                confirmed.add(name)
        return confirmed

    def _is_corroborated(self, ent: Span, people: set[str]) -> bool:
        """Backed by more than the model and the article's own wording: a known actor, an alias, a place
        large enough to be what is meant, an acronym the article spells out as an organisation's name."""
        name = str(ent._.canonical or ent._.normalized or ent.text)
        label = ent._.canonical_label or ent.label_
        if label == "PERSON":
            return name in people  # the model's person guesses on real pages are products as often as people
        evidence = ent._.evidence or set()
        if "acronym" in evidence and not any(w.casefold() in self.org_heads for w in name.split()):
            evidence = evidence - {"acronym"}  # "Certified Insurance Counselor (CIC)": a title, not a body
        if "place" in evidence and "known_actor" not in evidence and not _is_prominent_place(ent):
            evidence = evidence - {"place"}  # "Mustang DNA", "the Flint": a town's name as a word
        return bool(evidence & DECISIVE) and not self._is_product(ent, name, label)

    def _is_product(self, ent: Span, name: str, label: str) -> bool:
        """ "Microsoft Excel", "Apple CarPlay": a company's name and a product word."""
        words = name.split()
        return (
            label == "ORG"
            and len(words) >= 2
            and "known_actor" not in (ent._.evidence or set())
            and not any(w.casefold() in self.org_heads for w in words)
            and PRODUCT_OF.search(name) is not None
        )

    def _is_supported(self, ent: Span, counts: Counter[str], plain_words: set[str], people: set[str]) -> bool:
        name = str(ent._.canonical or ent._.normalized or ent.text)
        label = ent._.canonical_label or ent.label_
        if _looks_like_a_title_or_code(name):
            return False
        folded_words = [w.casefold().strip(".,'’") for w in name.split()]
        known = "known_actor" in (ent._.evidence or set())
        if label == "PERSON" and not known and sum(w in plain_words for w in folded_words) >= 2:
            return False  # "Aura Photo Frames": a product named in ordinary words
        if label in ("GPE", "LOC") and name.casefold() in plain_words and not known:
            before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
            return before in LOCATIVE_WORDS  # "Mobile" beside "on mobile": a town only after "in"/"from"
        if label == "PERSON" or self._is_corroborated(ent, people):
            return self._is_corroborated(ent, people)
        if self._is_product(ent, name, label):
            return False
        words = name.split()
        folded = [w.casefold().strip(".,'’") for w in words]
        mentions = counts[name.casefold()]
        has_org_head = label in ("ORG", "EVENT") and any(w in self.org_heads for w in folded)
        if any(ch.isdigit() for ch in name) and not has_org_head:
            return False  # "UTF-8", "B12", "Superfun S1-": model numbers and codes, not names
        if self._only_modifies_things(ent, name):
            return False  # "the Waterfall model", "Monte Carlo simulations": a kind of thing, not a name
        has_org_head = label == "ORG" and len(words) >= 2 and any(w in self.org_heads for w in folded)
        if 2 * sum(w in plain_words for w in folded) >= len(folded) and not has_org_head:
            return False  # half its words are ordinary words of this article: "Swoogo Pricing", "Deep Calm"
        before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        if label == "ORG" and _is_a_source(ent):
            return True  # "Technomic said", "according to MDRC", "the Strava report found": a named source
        if label == "ORG":
            if (len(words) >= 2 and any(w in self.org_heads for w in folded)) or (
                len(words) == 1 and folded[0] in self.org_heads and before == "the"
            ):
                return True  # "Kenya National Union of Teachers", "Department of Justice", "the Treasury"
            if ACRONYM_RE.match(name):
                return False  # an acronym nobody knows and the article does not spell out: "FICA", "PTO"
            return mentions >= 2
        if label == "GPE":
            if len(name) <= 2:
                return before == ","  # "Ponchatoula, LA"; not "DC motors"
            return before in LOCATIVE_WORDS  # a place no gazetteer knows, read as one: "in Palos Park"
        if label == "NORP":
            return folded[-1] in self.groups or (len(folded[-1]) > 5 and bool(DEMONYM_RE.search(folded[-1])))
        if label in ("LOC", "FAC"):
            return len(words) >= 2 or before in LOCATIVE_WORDS
        return len(words) >= 2 and mentions >= 2  # EVENT


def given_names(path: str = str(GIVEN_NAMES_FILE)) -> list[str]:
    file = Path(path)
    if not file.is_file():
        return []
    return [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


# Registered without the decorator, which is untyped.
registry.misc.register("newsflow.given_names.v1", func=given_names)


@Language.factory(
    "newsflow_entity_evidence",
    default_config={
        "org_heads": {"@misc": "newsflow.org_heads.v1"},
        "groups": {"@misc": "newsflow.group_names.v1"},
        "given_names": {"@misc": "newsflow.given_names.v1"},
        "roles": {"@misc": "newsflow.role_words.v2"},
    },
)
def make_entity_evidence(
    nlp: Language, name: str, org_heads: list[str], groups: list[str], given_names: list[str], roles: list[str]
) -> EntityEvidence:
    return EntityEvidence(org_heads, groups, given_names, roles)
