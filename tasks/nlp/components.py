"""Registered spaCy components and data for newsflow (wired by name, so configs can pin versions)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from tasks.nlp.spans import LEMMATIZER_KEY, doc_text, forget_ents, lemma

POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")
DOTTED_INITIALS_RE = re.compile(r"(?:^|[\s.])[A-Za-z]\.$")
# Words of technology and business the small model tags as organisations, places or people ("AI" as a GPE,
# "API", "SEO", "LLC"): terms, not names. A name ending in one is kept only as an organisation ("Google AI").
DEFAULT_NOT_NAMES = (
    "ai", "a.i.", "agi", "genai", "generative ai", "api", "apis", "sdk", "ui", "ux", "ui/ux", "seo", "sem", "sql",
    "nosql", "html", "html5", "css", "json", "xml", "yaml", "dns", "url", "urls", "http", "https", "ssl", "tls",
    "vpn", "vpns", "ip", "tcp", "usb", "usb-c", "hdmi", "gpu", "gpus", "cpu", "cpus", "ram", "ssd", "hdd", "pdf",
    "pdfs", "csv", "llm", "llms", "ml", "nlp", "iot", "saas", "paas", "iaas", "crm", "erp", "roi", "kpi", "kpis",
    "faq", "faqs", "diy", "llc", "inc", "ltd", "corp", "plc", "gmbh", "wifi", "wi-fi", "5g", "4g", "lte", "4k",
    "hd", "os", "devops", "ci/cd", "b2b", "b2c", "ceo", "cfo", "cto", "coo", "cmo", "hr", "pr", "qa", "r&d", "ev",
    "evs", "esg", "dei", "gdp", "cagr", "ebitda", "mvp", "npm", "cli", "gui", "ide", "sms", "mfa", "2fa", "otp",
    "ssn", "pin", "atm", "gps", "ar", "vr", "xr", "nft", "nfts", "crypto", "dao", "defi", "rss", "cms", "cdn",
    # generations are cohorts of people, not organisations or nationalities
    "gen z", "gen-z", "gen x", "gen-x", "gen alpha", "gen y", "generation z", "generation x", "generation alpha",
    "millennials", "millennial", "boomers", "baby boomers", "zoomers", "gen zers", "gen z'ers",
)  # fmt: skip
# "speaks German", "in Spanish", "the French version": a nationality adjective that names a language.
LANGUAGE_VERBS = frozenset({"speak", "learn", "teach", "study", "translate", "write", "read", "understand", "know"})
# Nouns a product's name stands before: "the Calm app", "Da Vinci chips", "the Claude model".
PRODUCT_NOUNS = frozenset(
    {"app", "apps", "chip", "chips", "platform", "software", "device", "devices", "phone", "phones", "browser",
     "plugin", "extension", "console", "headset", "chatbot", "engine", "framework", "library", "sdk"}
)  # fmt: skip
PUBLISHING_VERBS = frozenset({"available", "say", "publish", "dub", "sing", "subtitle", "print", "air"})
LANGUAGE_NOUNS = frozenset(
    {"language", "languages", "translation", "translations", "version", "versions", "subtitles", "speaker",
     "speakers", "lesson", "lessons", "course", "courses", "class", "classes", "dub", "edition", "dictionary",
     "grammar", "vocabulary", "words", "word", "text", "fluency", "proficiency", "teacher", "tutor", "app"}
)  # fmt: skip
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rep", "sen", "gov", "gen"})
HONORIFIC_RE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\.?\s+(?=\S)")
# Page furniture that NER picks up as ORG/PERSON/GPE when navigation or boilerplate slips through extraction.
DEFAULT_FURNITURE = (
    "latest news", "world news desk", "news desk", "breaking news", "top stories", "most read", "related stories",
    "share this article", "sign up", "subscribe", "cookie policy", "privacy policy", "all rights reserved",
    "advertisement", "about us", "contact us", "contact", "home", "menu", "search", "login", "log in", "sign in",
    "newsletter", "newsletters", "terms of use", "terms of service", "terms and conditions", "cookies", "read more",
    "related articles", "related posts", "pros", "cons", "pros and cons", "faq", "faqs", "table of contents",
    "skip to content", "skip to main content", "back to top", "next article", "previous article", "learn more",
    "get started", "free trial", "pricing", "features", "overview", "summary", "conclusion", "introduction",
    "key takeaways", "final thoughts", "verdict", "editor's note", "editors' picks", "trending", "popular",
)  # fmt: skip
# Words that name an office when they stand before a person's name ("White House spokesman Josh Earnest").
DEFAULT_ROLES = (
    "president", "prime minister", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "governor",
    "envoy", "ambassador", "chancellor", "king", "queen", "general", "colonel", "captain", "commander", "chief",
    "director", "leader", "lawmaker", "senator", "mayor", "judge", "chairman", "official", "premier", "deputy",
    "lieutenant", "major", "brigadier", "admiral", "foreign minister", "ceo", "founder", "co-founder", "professor",
    "researcher", "economist", "analyst", "attorney", "lawyer", "representative", "rep.", "sen.", "gov.",
    "officer", "detective", "sergeant", "sgt.", "inspector", "constable", "trooper", "reverend", "rev.", "bishop",
    "pastor", "coach", "superintendent", "commissioner", "councilman", "councilwoman", "councillor", "congressman",
    "congresswoman", "assemblyman", "assemblywoman", "chair", "chairwoman", "dean", "principal", "nurse", "doctor",
    "sheriff", "deputy", "prosecutor", "rabbi", "imam", "cardinal", "pope", "sultan", "emir", "sheikh", "crown",
    "prince", "princess", "lord", "lady", "dame", "sir", "vice", "chief executive", "spokesperson", "author",
    "writer", "editor", "photographer", "artist", "chef", "designer", "engineer", "reporter", "correspondent",
    "columnist", "host", "producer", "director", "actor", "actress", "singer", "player", "manager", "owner",
)  # fmt: skip
# "<office> of <X>" titles whose X the NER model tags as an organisation.
OFFICE_HEADS = frozenset({"secretary", "minister", "undersecretary"})
# Heads of a name that make it a document, a law or a measure, not an organisation, place or person ("Limited
# Liability Company Law", "Articles of Organization", "the Paris Agreement", "Global Peace Index").
DOCUMENT_HEADS = frozenset(
    {"act", "acts", "law", "laws", "bill", "articles", "agreement", "treaty", "accord", "accords", "protocol",
     "amendment", "regulation", "regulations", "directive", "form", "index", "score", "rule", "rules", "statute",
     "ordinance", "charter", "constitution", "certificate", "license", "licence", "permit"}
)  # fmt: skip
# Capitalised heads a name is still itself before: "the Biden Administration", "the Trump Campaign".
FOLLOWER_HEADS = frozenset(
    {"administration", "government", "campaign", "presidency", "cabinet", "regime", "family", "era", "camp", "team"}
)
# Longest "of"/"for" phrase a name is extended over when the model cut it there ("Moody Center for the Arts").
MAX_NAME_TAIL = 6
NAME_TAIL_WORDS = frozenset({"of", "for", "the", "and", "&", "on", "in"})
# Labels we keep: names people search news by. The small model's PRODUCT, WORK_OF_ART and LAW spans are mostly
# wrong on real pages (headings, menu items, product tiers), and numbers (CARDINAL, PERCENT, ...) are no names.
DEFAULT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
# Pieces of contractions the tokenizer splits off ("is|n’t", "it|’s") that NER sometimes tags.
CONTRACTION_PIECES = frozenset(
    {"n't", "n’t", "'s", "’s", "'re", "’re", "'m", "’m", "'ll", "’ll", "'ve", "’ve", "'d", "’d", "'", "’"}
)
# A line this short without closing punctuation is a heading, menu item or caption, not a sentence: the
# model reads its capitalised words as names ("Brevo Pricing Brevo", "Pros").
HEADING_MAX_WORDS = 12
# A line with more capitalised words than this share is titles or a menu, whatever its length.
TITLE_CASE_SHARE = 0.6
SENTENCE_END = tuple('.!?:;"”’)…')

if not Span.has_extension("normalized"):
    Span.set_extension("normalized", default=None)
if not Span.has_extension("model_label"):
    Span.set_extension("model_label", default=None)


@registry.misc("newsflow.furniture_phrases.v2")
def furniture_phrases() -> list[str]:
    return list(DEFAULT_FURNITURE)


@registry.misc("newsflow.not_names.v1")
def not_names() -> list[str]:
    return list(DEFAULT_NOT_NAMES)


@registry.misc("newsflow.role_words.v2")
def role_words() -> list[str]:
    return list(DEFAULT_ROLES)


@registry.misc("newsflow.entity_labels.v2")
def entity_labels() -> list[str]:
    return list(DEFAULT_LABELS)


def normalize_entity_text(text: str) -> str:
    """Whitespace folded, possessive, honorific and surrounding punctuation stripped; case kept."""
    text = " ".join(text.split())
    text = POSSESSIVE_RE.sub("", text)
    text = text.strip(" \t\"'“”‘’,;:()[]")
    text = text.lstrip(".")
    if text.endswith(".") and not DOTTED_INITIALS_RE.search(text):
        text = text.rstrip(".")  # the sentence's full stop, but not the last one of "U.S." or "Washington, D.C."
    if text.lower().startswith("the ") and len(text) > 4:
        text = text[4:]
    return HONORIFIC_RE.sub("", text)


def heading_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line that reads as a heading or menu item rather than prose."""
    found = []
    position = 0
    for line in text.split("\n"):
        stripped = line.strip()
        words = stripped.split()
        is_short = len(words) <= HEADING_MAX_WORDS and not stripped.endswith(SENTENCE_END)
        # "Introduction to Data Analysis using Excel", "Onewind Tempest View at Amazon": a list of titles.
        is_title_case = len(words) >= 3 and sum(w[:1].isupper() for w in words) > TITLE_CASE_SHARE * len(words)
        if stripped and (is_short or is_title_case):
            found.append((position, position + len(line)))
        position += len(line) + 1
    return found


class EntityCleaner:
    """Keeps the entity spans that are names: no span across a line break, no contraction pieces, no lone
    lowercase words, no furniture, no unwanted labels, and a name on a heading line only when the prose of
    the article names it too. Sets span._.normalized and span._.model_label."""

    def __init__(
        self, furniture: Iterable[str], labels: Iterable[str], roles: Iterable[str], not_names: Iterable[str]
    ) -> None:
        self.furniture = {phrase.lower() for phrase in furniture}
        self.not_names = {term.casefold() for term in not_names}
        self.labels = set(labels)
        self.roles = {role.lower() for role in roles}

    def __call__(self, doc: Doc) -> Doc:
        kept: list[Span] = []
        for ent in doc.ents:
            span = self._clean(doc, ent)
            if span is not None and (not kept or span.start >= kept[-1].end):
                kept.append(span)  # a span the previous one was extended over is part of it
        headings = heading_lines(doc_text(doc))
        if headings and sum(e - s for s, e in headings) < len(doc_text(doc).strip()) - len(headings):
            kept = self._confirmed(kept, headings)  # a text that is all headings (a headline) keeps its names
        doc.ents = kept
        forget_ents(doc)
        return doc

    def _clean(self, doc: Doc, ent: Span) -> Span | None:
        if ent.label_ not in self.labels or "\n" in ent.text:
            return None
        if normalize_entity_text(ent.text).casefold() in self.not_names:
            return None  # before a title is stripped: "Gen Z" is no General Z
        start, end = ent.start, ent.end
        bracket = next((t.i for t in ent if t.text in "([" and t.i > start), None)
        if bracket is not None:
            end = bracket  # "Chartered Institute of Building (CIOB": the acronym in brackets is not the name
        while start < end and (doc[start].lower_ in CONTRACTION_PIECES or doc[start].is_punct):
            start += 1
        while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].lower_ in CONTRACTION_PIECES):
            end -= 1
        if start >= end:
            return None
        while ent.label_ == "PERSON" and end - start > 1 and self._is_title(doc[start]):
            start += 1  # "Officer Stacy Chiarolanza": the title is a role, not part of the name
        if ent.label_ == "PERSON" and start > 0 and self._is_first_name(doc[start - 1], start, end):
            start -= 1  # "director general Anders Holm": the model left the first name out
        if ent.label_ in ("ORG", "FAC"):
            end = _name_tail_end(doc, start, end)
        span = Span(doc, start, end, label=ent.label_) if (start, end) != (ent.start, ent.end) else ent
        normalized = normalize_entity_text(span.text)
        if not normalized or normalized.lower() in self.furniture or not any(ch.isalpha() for ch in normalized):
            return None
        if not any(ch.isupper() for ch in normalized):
            return None  # "die", "pros": a lowercase word is not a name (the small model guesses on casing)
        words = normalized.casefold().split()
        if normalized.casefold() in self.not_names or (ent.label_ != "ORG" and words[-1] in self.not_names):
            return None
        if len(normalized) <= 2 and not normalized.isupper():
            return None
        if ent.label_ == "NORP" and _names_a_language(span):
            return None
        if ent.label_ == "PERSON" and _names_a_product(span):
            return None
        if len(span) > 1 and span.root.lower_ in DOCUMENT_HEADS:
            return None
        if self._modifies_a_longer_name(span) or self._ends_a_longer_name(span):
            return None
        if span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lower_ in OFFICE_HEADS:
            return None  # "Secretary of State": part of a title, not the organisation
        span._.normalized = normalized
        span._.model_label = ent.label_
        return span

    def _modifies_a_longer_name(self, span: Span) -> bool:
        """The front of a longer name the model did not tag: "Chevy" of "Chevy Bolt", "John Simon Guggenheim" of
        "... Memorial Foundation Fellowship", "Japanese" of the band "Japanese Television". A title before a
        person ("White House Press Secretary Karine Jean-Pierre") and a nation's organisation ("U.S." before an
        ORG "Navy") are not."""
        token = span[-1]
        if span.end < len(span.doc) and span.doc[span.end].tag_ == "POS":
            return False  # "the USDA's MyPlate": the name owns what follows
        while token.dep_ == "compound" and token.head.i >= span.end:
            token = token.head
            if token.ent_type_ == "PERSON" or self._is_title(token) or token.lower_ in FOLLOWER_HEADS:
                return False
            if token.lower_ in self.not_names:
                return False  # "a New York LLC", "Tappet Brothers LLC": a term, not the rest of a name
            if token.ent_type_:
                return not (span.label_ in ("GPE", "NORP") and token.ent_type_ in ("ORG", "FAC"))
            if token.pos_ == "PROPN" and (token.is_title or token.is_upper):
                return True
        return False

    def _ends_a_longer_name(self, span: Span) -> bool:
        """The end of a longer name: "San Antonio" of "UT Health San Antonio", "Minato" of "Harborside Guest
        House Minato" (a person's first name is taken in instead, and a title is no part of a name)."""
        if span.label_ == "PERSON" or span.start == 0:
            return False
        before = span.doc[span.start - 1]
        if before.dep_ != "compound" or not span.start <= before.head.i < span.end or before.pos_ != "PROPN":
            return False
        if not (before.is_title or before.is_upper) or self._is_title(before):
            return False
        # "U.S. Congress", "Georgian London", "Taoist China": a nation or a people before a name is not its start
        return before.ent_type_ == "" or (before.ent_type_ in self.labels and before.ent_type_ not in ("GPE", "NORP"))

    def _is_title(self, token: Token) -> bool:
        return token.lower_ in self.roles or token.lower_.rstrip(".") in HONORIFICS

    def _is_first_name(self, token: Token, start: int, end: int) -> bool:
        return (
            token.pos_ == "PROPN"
            and token.is_title
            and token.ent_iob_ == "O"
            and token.dep_ == "compound"
            and start <= token.head.i < end
            and token.lower_ not in self.roles
            and token.lower_.rstrip(".") not in HONORIFICS
        )

    @staticmethod
    def _confirmed(spans: list[Span], headings: list[tuple[int, int]]) -> list[Span]:
        def on_heading(span: Span) -> bool:
            return any(start <= span.start_char < end for start, end in headings)

        in_prose = {str(s._.normalized).casefold() for s in spans if not on_heading(s)}
        return [s for s in spans if not on_heading(s) or str(s._.normalized).casefold() in in_prose]


def _name_tail_end(doc: Doc, start: int, end: int) -> int:
    """The end of an organisation's name the model cut before its "of"/"for" phrase: "The Moody Center" + "for
    the Arts". Only capitalised words and the small words between them are taken in."""
    if end >= len(doc) or doc[end].lower_ not in ("of", "for") or not start <= doc[end].head.i < end:
        return end
    objects = [child for child in doc[end].children if child.dep_ == "pobj"]
    if not objects or objects[0].pos_ != "PROPN":
        return end
    tail_end = end + 1
    while tail_end <= min(objects[0].right_edge.i, end + MAX_NAME_TAIL):
        token = doc[tail_end]
        if token.ent_type_ not in ("", "ORG", "FAC") or "\n" in token.text:
            break
        if token.lower_ not in NAME_TAIL_WORDS and not (token.is_title or token.is_upper):
            break
        tail_end += 1
    while tail_end > end + 1 and doc[tail_end - 1].lower_ in NAME_TAIL_WORDS:
        tail_end -= 1
    return tail_end if tail_end > objects[0].i else end


def _names_a_product(span: Span) -> bool:
    """A person's name that is a product's: "the Calm app", "Huawei's Da Vinci chips", "Anthropic's Claude"
    (a firm's person has a title or a full name: "Google's chief executive Sundar Pichai")."""
    root = span.root
    if root.dep_ == "compound" and root.head.lower_ in PRODUCT_NOUNS and root.head.i >= span.end:
        return True
    possessor = next((c for c in root.children if c.dep_ == "poss" and c.i < span.start), None)
    return len(span) == 1 and possessor is not None and possessor.ent_type_ == "ORG"


def _names_a_language(span: Span) -> bool:
    """A nationality word used as the name of a language: "speaks German", "translated into French", "in
    Spanish", "German lessons" (not "German officials", "the Germans")."""
    if len(span) != 1:
        return False
    token = span[0]
    if token.dep_ in ("compound", "amod") and token.head.lower_ in LANGUAGE_NOUNS:
        return True
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head  # "teaches German and Spanish": Spanish is what German is
    if any(t.ent_type_ == "LANGUAGE" for t in (token, *token.conjuncts)):
        return True  # "English, Arabic, French, German": listed with a language the model knows as one
    head = token.head
    if token.dep_ in ("compound", "amod") and head.lower_ in LANGUAGE_NOUNS:
        return True
    if token.dep_ == "dobj" and lemma(head).lower() in LANGUAGE_VERBS:
        return True
    if token.dep_ == "pobj" and head.lower_ in ("in", "into", "from") and token.tag_ in ("NNP", "JJ"):
        # "written in German", "translated from Spanish": only when the phrase hangs on a verb of language or a
        # language noun; "in German" after a noun of people is a nationality ("officials in German cities" has a
        # noun after it and is not a pobj itself).
        governor = head.head
        return lemma(governor).lower() in LANGUAGE_VERBS | PUBLISHING_VERBS or governor.lower_ in LANGUAGE_NOUNS
    return False


@Language.factory(
    "newsflow_entity_cleaner",
    default_config={
        "furniture": {"@misc": "newsflow.furniture_phrases.v2"},
        "labels": {"@misc": "newsflow.entity_labels.v2"},
        "roles": {"@misc": "newsflow.role_words.v2"},
        "not_names": {"@misc": "newsflow.not_names.v1"},
    },
)
def make_entity_cleaner(
    nlp: Language, name: str, furniture: list[str], labels: list[str], roles: list[str], not_names: list[str]
) -> EntityCleaner:
    return EntityCleaner(furniture, labels, roles, not_names)


@Language.component("newsflow_line_sentences")
def line_sentences(doc: Doc) -> Doc:
    """Every line starts a sentence (extracted bodies hold one paragraph, heading or list item per line), so
    a heading is never parsed as the subject of the sentence below it."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
    return doc


@Language.factory("newsflow_lemmas_on_demand")
def make_lemmas_on_demand(nlp: Language, name: str) -> LemmasOnDemand:
    return LemmasOnDemand(nlp)


class LemmasOnDemand:
    """Lets newsflow's components lemmatize only the tokens they look at (verbs, trigger candidates) with the
    model's own lemmatizer, which load_pipeline then disables: lemmatizing every token was ~7 % of the
    model's time, and the lemmas come out the same (tasks.nlp.spans.lemma)."""

    def __init__(self, nlp: Language) -> None:
        self.lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.component_names else None

    def __call__(self, doc: Doc) -> Doc:
        if self.lemmatizer is not None:
            doc.user_data[LEMMATIZER_KEY] = self.lemmatizer
        return doc
