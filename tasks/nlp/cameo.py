"""CAMEO codes and PETRARCH2's verb patterns as registered data, and the pattern matcher over spaCy parses."""

from __future__ import annotations

import csv
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, Token
from spacy.util import registry

from newsflow.settings import SEEDS_DIR
from tasks.nlp.spans import lemma

PATTERNS_FILE = SEEDS_DIR / "reference" / "cameo_verb_patterns.json"
CODES_FILE = SEEDS_DIR / "reference" / "cameo_codes.tsv"
# TABARI stems ("negotiat", "mediat") match any word they begin; shorter pattern words must match whole.
MIN_STEM = 5
ACTOR_MARKS = {"$": "source", "+": "target", "%": "compound"}
# Words that tie a pattern together without saying what happened: a pattern of these and actor marks alone
# ("$ * + in", "is * to") codes the verb's own sense, not a specific use of it.
FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "to", "that", "with", "in", "on", "at", "by", "for", "from", "of", "into", "onto",
     "against", "over", "under", "between", "among", "about", "as", "than", "after", "before", "upon", "if",
     "unless", "who", "which", "whom", "and", "or", "but", "not", "no", "nor", "is", "are", "was", "were", "be",
     "been", "being", "am", "has", "have", "had", "having", "will", "would", "shall", "should", "may", "might",
     "can", "could", "must", "did", "does", "do", "it", "its", "their", "his", "her", "they", "he", "she", "said",
     "says", "say", "told", "tell", "up", "out", "off", "down", "back", "away", "near", "across", "around", "through",
     "throughout", "within", "without", "toward", "towards", "behind", "beyond", "along", "amid", "during", "since",
     "until", "via", "per", "despite", "inside", "outside", "beside", "below", "above", "like"}
)  # fmt: skip


@dataclass(frozen=True)
class CameoCode:
    code: str
    name: str
    goldstein: float
    quad_class: int
    event_type: str  # PLOVER label; "" for codes that are no PLOVER event (01 statements)


@dataclass(frozen=True)
class Element:
    """One slot of a pattern half: words (a synset gives several phrases), an actor mark, or a skipped phrase."""

    kind: str  # word | actor | skip
    phrases: tuple[tuple[str, ...], ...] = ()
    role: str = ""  # source | target | compound, for actor marks
    adjacent: bool = False  # must follow the previous element (or the verb) with no word between


@dataclass(frozen=True)
class Pattern:
    block: str
    upper: tuple[Element, ...]  # the words before the verb, in reading order
    lower: tuple[Element, ...]  # the words after it
    code: str | None  # None: the pattern says this use of the verb is no event
    text: str
    specificity: int  # words the pattern asks for, actor marks counted too: the longest match wins
    order: int
    upper_touches_verb: bool  # "IS_TO_*": the last word before the verb must be right before it
    has_content: bool  # asks for a word that is not a function word ("* &CEASEFIRE", "* + to invest")
    voice: str  # "passive" for "+ * by $" (target before the verb, source after), "active" for "$ * +", else ""
    required: frozenset[str]  # single words the pattern cannot match without


@dataclass(frozen=True)
class Verb:
    lemma: str
    code: str | None
    block: str
    before: tuple[str, ...]
    after: tuple[str, ...]  # particles of a phrasal verb ("meet with", "call on")
    own_code: bool = False  # coded by itself in the dictionary, not only as a member of its block


@dataclass
class Match:
    verb: Verb
    pattern: Pattern | None
    code: str | None
    roles: dict[str, Token] = field(default_factory=dict)  # source / target / compound tokens the pattern placed


@dataclass
class CameoPatterns:
    """The verb dictionary indexed for lookups by lemma: verbs, and per block the patterns by an anchor word."""

    verbs: dict[str, list[Verb]]
    forms: dict[str, str]  # irregular form -> lemma, for tokens the lemmatizer gets wrong
    anchored: dict[str, dict[str, list[Pattern]]]  # block -> anchor word -> patterns ("" = no literal word)
    block_codes: dict[str, str | None]
    pattern_count: int
    # Every word and anchor a pattern may ask for: a token's other keys can never match, so they are not kept.
    vocabulary: frozenset[str] = frozenset()

    def verbs_for(self, token: Token, keys: DocKeys | None = None) -> list[Verb]:
        word = keys.lemma(token) if keys is not None else lemma(token).lower()
        found = self.verbs.get(word)
        if found is None and token.lower_ in self.forms:
            found = self.verbs.get(self.forms[token.lower_])
        if found is None:
            # The lemmatizer may guess a wrong stem ("fined" -> "fin"): try the regular ones.
            found = next((self.verbs[w] for w in _stems(token.lower_) if w in self.verbs), None)
        return found or []


def _stems(word: str) -> list[str]:
    """The lemmas a regular verb form may have: "fined" -> fine, fin; "banning" -> ban, bann; "sues" -> sue."""
    if word.endswith("ied") or word.endswith("ies"):
        return [word[:-3] + "y"]
    if word.endswith("ed"):
        return [word[:-1], word[:-2]] + ([word[:-3]] if word[-3:-2] == word[-4:-3] else [])
    if word.endswith("ing"):
        return [word[:-3], word[:-3] + "e"] + ([word[:-4]] if word[-4:-3] == word[-5:-4] else [])
    if word.endswith("s"):
        return [word[:-1], word[:-2]] if word.endswith("es") else [word[:-1]]
    return []


def _phrase_words(text: str) -> list[tuple[str, bool]]:
    """(word, adjacent to the previous word) pairs of a pattern half written with ' ' and '_' connectors."""
    pieces = re.split(r"([ _])", text)
    words: list[tuple[str, bool]] = []
    adjacent = pieces[0] == "" and len(pieces) > 1 and pieces[1] == "_"
    for index in range(0, len(pieces), 2):
        word = pieces[index]
        if word:
            words.append((word, adjacent))
        adjacent = index + 1 < len(pieces) and pieces[index + 1] == "_"
    return words


def _elements(text: str, synsets: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[Element, ...]:
    elements: list[Element] = []
    for word, adjacent in _phrase_words(text):
        if word in ACTOR_MARKS:
            elements.append(Element("actor", role=ACTOR_MARKS[word], adjacent=adjacent))
        elif word == "^":
            elements.append(Element("skip", adjacent=adjacent))
        elif word.startswith("&"):
            elements.append(Element("word", phrases=synsets[word[1:]], adjacent=adjacent))
        else:
            elements.append(Element("word", phrases=((word,),), adjacent=adjacent))
    return tuple(elements)


def _voice(upper: tuple[Element, ...], lower: tuple[Element, ...]) -> str:
    """TABARI wrote "+ * BY $" for passives and "$ * +" for actives; on a parse the voice must agree."""
    before = {e.role for e in upper if e.kind == "actor"}
    after = {e.role for e in lower if e.kind == "actor"}
    if "target" in before and "source" in after:
        return "passive"
    if "source" in before and "target" in after:
        return "active"
    return ""


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod")
    )


def _specificity(elements: Iterable[Element]) -> int:
    """Content words count twice, function words and actor marks once: "* + effort" beats "* + to"."""
    total = 0
    for element in elements:
        if element.kind == "actor":
            total += 1
        elif element.kind == "word":
            phrase = max(element.phrases, key=len)
            total += sum(1 if word in FUNCTION_WORDS else 2 for word in phrase)
    return total


def cameo_verb_patterns(path: str = str(PATTERNS_FILE)) -> CameoPatterns:
    """The verb dictionary, read once per process and path."""
    return _load_patterns(path)


# Registered by call, not decorator: spaCy's registry decorators are untyped.
registry.misc.register("newsflow.cameo_verb_patterns.v1", func=cameo_verb_patterns)


@functools.lru_cache(maxsize=4)
def _load_patterns(path: str) -> CameoPatterns:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    synsets = {name: tuple(tuple(p.split()) for p in phrases) for name, phrases in data["synsets"].items()}
    verbs: dict[str, list[Verb]] = {}
    forms: dict[str, str] = {}
    anchored: dict[str, dict[str, list[Pattern]]] = {}
    block_codes: dict[str, str | None] = {}
    order = 0
    vocabulary: set[str] = set()
    for block in data["blocks"]:
        name = block["name"]
        block_codes[name] = block["code"]
        rows = block["rows"]
        for word, code, before, after, irregular in rows[: block["n_verbs"]]:
            own = code is not None
            verbs.setdefault(word, []).append(Verb(word, code or block["code"], name, tuple(before), tuple(after), own))
            for form in irregular:
                forms.setdefault(form, word)
        index = anchored.setdefault(name, {})
        for upper_text, lower_text, code in rows[block["n_verbs"] :]:
            upper, lower = _elements(upper_text, synsets), _elements(lower_text, synsets)
            literal = [e for e in upper + lower if e.kind == "word"]
            required = frozenset(e.phrases[0][0] for e in literal if len(e.phrases) == 1 and len(e.phrases[0]) == 1)
            pattern = Pattern(
                block=name,
                upper=upper,
                lower=lower,
                code=code,
                text=f"{name}: {upper_text} * {lower_text}".replace("  ", " ").strip(),
                specificity=_specificity(upper + lower),
                order=order,
                upper_touches_verb=upper_text.endswith("_"),
                has_content=any(any(w not in FUNCTION_WORDS for p in e.phrases for w in p) for e in literal),
                voice=_voice(upper, lower),
                required=required,
            )
            order += 1
            vocabulary.update(w for e in literal for phrase in e.phrases for w in phrase)
            # Index under the first words a pattern's first literal slot can start with, so a verb only tries
            # the patterns whose anchor occurs near it.
            anchors = {p[0][:MIN_STEM] for p in literal[0].phrases} if literal else {""}
            vocabulary.update(anchors)
            for anchor in anchors:
                index.setdefault(anchor, []).append(pattern)
    # A phrasal verb is tried before the bare verb ("meet with" before "meet").
    for entries in verbs.values():
        entries.sort(key=lambda v: -(len(v.after) + len(v.before)))
    return CameoPatterns(verbs, forms, anchored, block_codes, order, frozenset(vocabulary))


def cameo_codes(path: str = str(CODES_FILE)) -> dict[str, CameoCode]:
    """Every CAMEO code with its name, Goldstein score, QuadClass and PLOVER category."""
    return _load_codes(path)


registry.misc.register("newsflow.cameo_codes.v1", func=cameo_codes)


@functools.lru_cache(maxsize=4)
def _load_codes(path: str) -> dict[str, CameoCode]:
    with Path(path).open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return {
            row["cameo_code"]: CameoCode(
                row["cameo_code"],
                row["name"],
                float(row["goldstein"].rstrip("*")),
                int(row["quad_class"]),
                row["event_type"],
            )
            for row in rows
        }


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[-3:-2] in ("s", "x", "z", "h"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


class DocKeys:
    """Per-doc caches the matcher shares across a doc's verbs: each token's match keys and lemma, and which
    tokens are part of a hyphenated word."""

    def __init__(self, doc: Doc, vocabulary: frozenset[str] | None = None) -> None:
        self.vocabulary = vocabulary
        self.keys: dict[int, frozenset[str]] = {}
        self.lemmas: dict[int, str] = {}
        self.hyphenated: set[int] = set()
        for token in doc:
            if token.text == "-" and token.i > 0 and not doc[token.i - 1].whitespace_ and token.whitespace_ == "":
                self.hyphenated.update((token.i - 1, token.i + 1))

    def lemma(self, token: Token) -> str:
        found = self.lemmas.get(token.i)
        if found is None:
            found = self.lemmas[token.i] = lemma(token).lower()
        return found

    def of(self, token: Token) -> frozenset[str]:
        """What a pattern word may be to match this token: its form, singular, a verb's lemma, and the form's stems
        of MIN_STEM letters or more (TABARI stems); nothing for part of a hyphenated word ("won-backed" is one
        word to TABARI's tokenizer, not the currency "won")."""
        keys = self.keys.get(token.i)
        if keys is None:
            if token.i in self.hyphenated:
                keys = frozenset()
            else:
                word = token.lower_
                found = {word, _singular(word)}
                found.update(word[:n] for n in range(MIN_STEM, len(word)))
                if token.pos_ in ("VERB", "AUX"):
                    found.add(self.lemma(token))
                keys = frozenset(found) if self.vocabulary is None else self.vocabulary.intersection(found)
            self.keys[token.i] = keys
        return keys


class Window:
    """The words around one verb that its patterns may use, with the keys each word can match (positions of a
    key are found when a pattern asks for it: most keys of a window are never asked for)."""

    def __init__(self, tokens: list[Token], keys: DocKeys) -> None:
        self.tokens = tokens
        self.keysets = [keys.of(token) for token in tokens]
        self.all_keys: frozenset[str] = frozenset().union(*self.keysets)
        self.indices = [token.i for token in tokens]
        self._positions: dict[str, list[int]] = {}

    def positions(self, key: str) -> list[int]:
        found = self._positions.get(key)
        if found is None:
            found = self._positions[key] = [p for p, ks in enumerate(self.keysets) if key in ks]
        return found

    def phrase_at(self, phrase: tuple[str, ...], start: int) -> list[int]:
        """Window positions from start where the phrase's words stand one after another."""
        if phrase[0] not in self.all_keys:
            return []
        found = []
        size, keysets, indices = len(self.tokens), self.keysets, self.indices
        for position in self.positions(phrase[0]):
            if position < start or position + len(phrase) > size:
                continue
            if all(
                phrase[k] in keysets[position + k] and indices[position + k] == indices[position + k - 1] + 1
                for k in range(1, len(phrase))
            ):
                found.append(position)
        return found


# (token, verb, role, before the verb?) -> may this token fill the pattern's actor mark?
ActorTest = Callable[[Token, Token, str, bool], bool]


def _match_elements(
    elements: tuple[Element, ...],
    window: Window,
    first_adjacent_to: int | None,
    is_actor: ActorTest,
    verb: Token,
    end_before: int | None = None,
) -> dict[str, Token] | None:
    """Match elements in order against the window; returns the actor tokens placed (an empty dict for a match
    with no actor marks) or None. first_adjacent_to: doc index the first element must follow; end_before: doc
    index the last element must end right before."""
    search = _Search(elements, window, is_actor, verb, end_before)
    return search.run(0, 0, first_adjacent_to, first_adjacent_to is None)


class _Search:
    """The backtracking search of one pattern half (a class, not a recursive closure: a closure that calls itself
    is a reference cycle, and this one would hold the doc's tokens until the cycle collector ran)."""

    def __init__(
        self, elements: tuple[Element, ...], window: Window, is_actor: ActorTest, verb: Token, end_before: int | None
    ) -> None:
        self.elements = elements
        self.window = window
        self.tokens = window.tokens
        self.is_actor = is_actor
        self.verb = verb
        self.end_before = end_before

    def run(self, index: int, position: int, previous_i: int | None, gap_ok: bool) -> dict[str, Token] | None:
        tokens = self.tokens
        if index == len(self.elements):
            return {} if self.end_before is None or previous_i == self.end_before - 1 else None
        element = self.elements[index]
        if element.kind == "skip":
            return self.run(index + 1, position, previous_i, True)
        follow = previous_i + 1 if element.adjacent and not gap_ok and previous_i is not None else None
        if element.kind == "actor":
            for here in range(position, len(tokens)):
                if follow is not None and tokens[here].i != follow:
                    continue
                # '%' is TABARI's compound actor, "X and Y": both sides at once.
                joint = element.role != "compound" or any(c.dep_ == "conj" for c in tokens[here].children)
                if joint and self.is_actor(tokens[here], self.verb, element.role, tokens[here].i < self.verb.i):
                    rest = self.run(index + 1, here + 1, tokens[here].i, True)
                    if rest is not None:
                        return {element.role: tokens[here], **rest}
            return None
        for phrase in element.phrases:
            for here in self.window.phrase_at(phrase, position):
                if follow is not None and tokens[here].i != follow:
                    continue
                rest = self.run(index + 1, here + len(phrase), tokens[here + len(phrase) - 1].i, False)
                if rest is not None:
                    return rest
        return None


def _reach(pattern: Pattern, lower: Window, verb: Token) -> int:
    """How far after the verb the pattern's first word after it stands (0 for a pattern with none)."""
    first = next((e for e in pattern.lower if e.kind == "word"), None)
    if first is None:
        return 0
    positions = [p for phrase in first.phrases for p in lower.phrase_at(phrase, 0)]
    return min((lower.tokens[p].i - verb.i for p in positions), default=0)


# "say", "tell", "describe": statements are no PLOVER event, and their patterns code the content of what was said,
# which newsflow codes on the reported clause's own verb.
STATEMENT_BLOCKS = frozenset({"EXPLAIN_VERBAL"})
SUBJECT_DEPS = ("nsubj", "nsubjpass", "expl", "csubj")
# A reporting verb's patterns may not reach into what was reported: that clause is coded on its own verb.
REPORTED_DEPS = ("ccomp", "advcl", "xcomp")
# Clauses of their own inside a verb's subtree: coordinated verbs, asides, relative clauses.
OTHER_CLAUSE_DEPS = ("conj", "parataxis", "relcl")


def _inside(index: int, ranges: list[tuple[int, int]]) -> bool:
    return any(first <= index <= last for first, last in ranges)


def lower_window(verb: Token, skip: int, is_reporting: bool) -> list[Token]:
    """The verb's own phrase after it: its subtree's tokens to its right (past a phrasal verb's particles), not an
    inverted subject ("says study author X") nor, for a reporting verb, the clause it reports. Subtrees are read
    as the index ranges of the (projective) parse: no per-token walks."""
    excluded = SUBJECT_DEPS + REPORTED_DEPS if is_reporting else SUBJECT_DEPS
    ranges = [(c.left_edge.i, c.right_edge.i) for c in verb.rights if c.dep_ in excluded]
    span = verb.doc[verb.i + skip + 1 : verb.right_edge.i + 1]
    for token in span:
        if token.dep_ in OTHER_CLAUSE_DEPS and (token.pos_ in ("VERB", "AUX") or token.dep_ != "conj"):
            ranges.append((token.left_edge.i, token.right_edge.i))
    return [t for t in span if not _inside(t.i, ranges)] if ranges else list(span)


def upper_window(verb: Token, skip: int) -> list[Token]:
    """What governs the verb, before it: its left dependents, the verbs above it and their subjects and
    auxiliaries ("X said it would not *", "X is to *", "% agreed to *")."""
    limit = verb.i - skip
    ranges = [(c.left_edge.i, min(c.right_edge.i, limit - 1)) for c in verb.lefts]
    below = verb
    for ancestor in verb.ancestors:
        if ancestor.pos_ not in ("VERB", "AUX", "ADJ") or below.dep_ in ("conj", "parataxis"):
            break  # a relative clause ends at the noun it describes; a coordinated verb has its own auxiliaries
        below = ancestor
        if ancestor.i < limit:
            ranges.append((ancestor.i, ancestor.i))
        for child in ancestor.lefts:
            if child.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "neg", "advmod", "expl", "mark"):
                ranges.append((child.left_edge.i, min(child.right_edge.i, limit - 1)))
    if not ranges:
        return []
    start = min(first for first, _ in ranges)
    return [t for t in verb.doc[start:limit] if _inside(t.i, ranges)]


class PatternMatcher:
    """Finds the CAMEO verb and its most specific matching pattern for a token of a parsed sentence."""

    def __init__(self, patterns: CameoPatterns) -> None:
        self.patterns = patterns

    def verb_entry(self, token: Token, keys: DocKeys | None = None) -> Verb | None:
        """The dictionary verb this token is, a phrasal one if its particles follow ("met with", "called on")."""
        doc = token.doc
        for verb in self.patterns.verbs_for(token, keys):
            after = doc[token.i + 1 : token.i + 1 + len(verb.after)]
            before = doc[max(token.i - len(verb.before), 0) : token.i]
            if [t.lower_ for t in after] == list(verb.after) and [t.lower_ for t in before] == list(verb.before):
                return verb
        return None

    def match(self, token: Token, is_actor: ActorTest, keys: DocKeys) -> Match | None:
        verb = self.verb_entry(token, keys)
        if verb is None:
            return None
        skip = len(verb.after)
        index = self.patterns.anchored.get(verb.block)
        if verb.block in STATEMENT_BLOCKS or not index:
            return Match(verb, None, verb.code)
        block_code = self.patterns.block_codes.get(verb.block)
        reporting = block_code is not None and block_code.startswith("01")
        lower = Window(lower_window(token, skip, reporting), keys)
        upper = Window(upper_window(token, len(verb.before)), keys)
        present = lower.all_keys | upper.all_keys
        candidates = {p.order: p for anchor in present | {""} for p in index.get(anchor, ())}
        best: Match | None = None
        best_reach = 0
        for pattern in sorted(candidates.values(), key=lambda p: (-p.specificity, p.order)):
            if best is not None and best.pattern is not None and pattern.specificity < best.pattern.specificity:
                break
            if not pattern.required <= present:
                continue
            if pattern.code is not None and pattern.code.startswith("01"):
                # "said * &HOSTAGE [013]": PETRARCH coding the statement about the act; newsflow codes the
                # reported act itself, so such patterns neither code nor block it.
                continue
            roles = self._try(pattern, token, skip, len(verb.before), lower, upper, is_actor)
            if roles is None:
                continue
            # Of equally specific patterns the one whose words stand nearest the verb wins: "opened fire on a
            # patrol near the border" is "* fire", not "* border".
            reach = _reach(pattern, lower, token)
            if best is None or reach < best_reach:
                best, best_reach = Match(verb, pattern, pattern.code, roles), reach
        return best or Match(verb, None, verb.code)

    @staticmethod
    def _try(
        pattern: Pattern, token: Token, skip: int, verb_before: int, lower: Window, upper: Window, is_actor: ActorTest
    ) -> dict[str, Token] | None:
        if pattern.voice and (pattern.voice == "passive") != is_passive(token):
            return None
        roles: dict[str, Token] = {}
        if pattern.upper:
            end_before = token.i - verb_before if pattern.upper_touches_verb else None
            found = _match_elements(pattern.upper, upper, None, is_actor, token, end_before)
            if found is None:
                return None
            roles.update(found)
        if pattern.lower:
            adjacent_to = token.i + skip if pattern.lower[0].adjacent else None
            found = _match_elements(pattern.lower, lower, adjacent_to, is_actor, token)
            if found is None:
                return None
            roles.update(found)
        return roles
