"""Quotes with their attribution: direct, indirect and mixed, each with its cue, speaker mention and speaker."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from tasks.nlp.entities import entity_id
from tasks.nlp.spans import doc_ents, doc_text, entity_at, lemma

# Verbs that introduce a direct quote: `"...," she said`, `he told reporters: "..."`.
SPEECH_CUES = (
    "say", "tell", "add", "ask", "explain", "note", "write", "state", "recall", "continue", "insist", "warn",
    "argue", "describe", "reply", "answer", "respond", "conclude", "admit", "acknowledge", "declare", "announce",
    "claim", "stress", "emphasize", "emphasise", "remark", "observe", "comment", "caution", "urge", "joke",
    "quip", "tweet", "post", "plead", "shout", "scream", "exclaim", "recount", "muse", "concede", "agree",
    "inquire", "wonder", "predict", "promise", "vow", "suggest", "elaborate", "summarize", "testify",
)  # fmt: skip
# Verbs that report what someone said, found or holds, with the content as a clause (`X said (that) ...`).
REPORT_CUES = (
    "say", "tell", "add", "explain", "note", "write", "state", "insist", "warn", "argue", "reply", "respond",
    "conclude", "admit", "acknowledge", "declare", "announce", "claim", "stress", "emphasize", "emphasise",
    "remark", "observe", "comment", "caution", "concede", "agree", "predict", "promise", "vow", "confirm",
    "deny", "report", "reveal", "estimate", "testify", "allege", "contend", "maintain", "assert", "believe",
    "hope", "expect", "think", "fear", "worry", "complain", "recall", "point", "share", "cite", "indicate",
    "show", "find", "suggest", "highlight", "describe", "mention", "inform", "assure", "notify", "advise",
    "recommend", "urge", "propose", "acknowledge", "announce", "disclose", "forecast", "project", "signal",
)  # fmt: skip
# Report verbs that are only a quote with a source that can hold a view: a person, an organisation, a
# document ("the study found that"), never "this guide shows how" or "we found that".
EVIDENCE_CUES = ("show", "find", "suggest", "indicate", "highlight", "reveal", "point", "signal", "project")
# Verbs of belief that report a stated view only for a person the article quotes ("Tipton believes ...").
COGNITION_CUES = frozenset({"believe", "hope", "expect", "think", "fear", "worry", "agree"})
# Cues whose content is an object or an infinitive, not a clause: "urged schools to invest", "recommends X".
ADVICE_CUES = ("urge", "advise", "recommend", "suggest", "propose", "hope", "expect")
# Nouns that stand for the organisation they speak for or come from ("a spokesperson for X", "X's report").
SOURCE_NOUNS = (
    "spokesperson", "spokesman", "spokeswoman", "representative", "rep", "official", "officials", "report",
    "reports", "study", "studies", "survey", "research", "website", "statement", "paper", "complaint", "filing",
    "analysis", "data", "findings", "release", "poll", "review", "investigation", "audit", "letter", "notice",
    "memo", "document", "documents", "records", "lawsuit", "suit", "spokespeople", "account", "post",
)  # fmt: skip
DOCUMENT_NOUNS = frozenset(
    {
        "report", "study", "survey", "research", "website", "statement", "paper", "complaint", "filing",
        "analysis", "data", "findings", "release", "poll", "review", "investigation", "audit", "letter",
        "notice", "memo", "document", "records", "lawsuit", "suit", "trial", "census", "figures", "statistics",
        "index", "assessment", "evaluation", "experiment", "estimate", "estimates", "ruling", "indictment",
    }
)  # fmt: skip
# Definite descriptions that name the organisation mentioned just before ("the agency said").
ORG_DESCRIPTIONS = frozenset(
    {
        "agency", "company", "firm", "department", "ministry", "group", "organization", "organisation", "bank",
        "government", "administration", "university", "board", "council", "commission", "court", "office",
        "union", "party", "chain", "retailer", "airline", "platform", "app", "startup", "business", "network",
        "institute", "association", "foundation", "hospital", "school", "district", "club", "team", "brand",
        "service", "authority", "regulator", "police", "army", "military", "coalition", "alliance", "campaign",
    }
)  # fmt: skip
# Common nouns of people that speak in news ("residents said", "experts warn"); agent nouns (police, troops,
# protesters) come from the known-actors table, and "-er"/"-ist" words are most often people too.
PEOPLE_NOUNS = frozenset(
    {"people", "person", "resident", "expert", "witness", "parent", "family", "staff", "authority", "public",
     "student", "woman", "man", "child", "victim", "patient", "customer", "user", "neighbor", "neighbour",
     "friend", "critic", "crowd", "audience", "fan", "citizen", "colleague", "member", "relative", "survivor",
     "community", "source", "insider", "observer", "participant", "guest", "host", "doctor", "investor",
     "director", "donor", "senator", "governor", "mayor", "author", "creator", "operator", "inspector",
     "graduate", "executive", "official", "chief", "head", "spokesperson", "professional", "advisor", "adviser",
     "detractor", "guy", "local", "enthusiast", "mechanic", "analyst", "proponent", "opponent", "supporter"}
)  # fmt: skip
# Writings that carry someone's words as documents do ("a piece from MIT Technology Review", "the schedule").
WRITINGS = frozenset(
    {"piece", "article", "claim", "claims", "schedule", "guidance", "guideline", "label", "warning", "policy",
     "law", "rule", "filing", "petition", "email", "message", "tweet", "blog", "book", "editorial", "op-ed"}
)  # fmt: skip
QUANTITY_WORDS = frozenset({"%", "percent", "half", "third", "quarter", "majority", "minority", "share", "number"})
PERSON_SUFFIXES = ("er", "ers", "ist", "ists", "ian", "ians", "ant", "ants", "ent", "ents", "ee", "ees", "man", "men")
QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“"}
SINGLE_PAIRS = {"‘": "’", "'": "'"}
MARKS = frozenset("\"“”«»„‘’'")
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
HE = frozenset({"he", "him", "his", "himself"})
SHE = frozenset({"she", "her", "hers", "herself"})
THIRD_PERSON = frozenset({"he", "she", "it", "they"})
FIRST_SECOND_PERSON = frozenset({"i", "we", "you", "me", "us", "one", "y'all"})
NOT_SOURCES = frozenset(
    {"this", "that", "these", "those", "which", "what", "who", "whom", "there", "here", "it", "something",
     "anything", "nothing", "everything", "everyone", "anyone", "someone", "nobody", "all", "each", "some"}
)  # fmt: skip
HEDGE_MODALS = frozenset({"would", "could", "might", "may", "should", "can", "must", "shall"})
MASCULINE_TITLES = frozenset({"mr", "mr.", "sir", "lord", "king", "prince"})
FEMININE_TITLES = frozenset({"ms", "ms.", "mrs", "mrs.", "miss", "dame", "lady", "queen", "princess"})
# A pronoun reaches back at most this far for its antecedent.
ANTECEDENT_WINDOW_CHARS = 1_500
# Inside a direct quote, at most this share of tokens may hang on words outside it (the parser's noise);
# more, and the marks enclose a phrase of the sentence ("remains "a true bakery""), not a quotation.
MAX_OUTSIDE_HEADS = 0.15
MIN_INDIRECT_WORDS = 3
WORD_RE = re.compile(r"\w+")

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=[])


@registry.misc("newsflow.quote_cues.v2")
def quote_cues() -> dict[str, list[str]]:
    return {
        "speech": list(SPEECH_CUES),
        "report": list(REPORT_CUES),
        "evidence": list(EVIDENCE_CUES),
        "advice": list(ADVICE_CUES),
    }


@registry.misc("newsflow.source_nouns.v1")
def source_nouns() -> list[str]:
    return list(SOURCE_NOUNS)


@dataclass(frozen=True)
class Quotation:
    """Text between a pair of quotation marks: content offsets, and whether its mark stays open to the end of
    the paragraph (a quote that goes on in the next paragraph)."""

    start: int
    end: int
    is_open: bool = False


def _is_single_open(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in '([“"—–-') and not after.isspace()


def _is_single_close(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or after in '.,;:!?)]”"—–-')


def find_quotations(text: str) -> list[Quotation]:
    """Every quotation in text, paragraph by paragraph: double marks first; single marks (‘…’, '…') where
    they are placed like quotation marks and not like apostrophes. Nested marks stay inside the outer quote."""
    found: list[Quotation] = []
    position = 0
    for paragraph in text.split("\n"):
        found.extend(_paragraph_quotations(paragraph, position))
        position += len(paragraph) + 1
    return found


def _paragraph_quotations(paragraph: str, base: int) -> list[Quotation]:
    found: list[Quotation] = []
    index = 0
    while index < len(paragraph):
        char = paragraph[index]
        close = QUOTE_PAIRS.get(char)
        if close is None and char in SINGLE_PAIRS and _is_single_open(paragraph, index):
            end = _single_close(paragraph, index + 1, SINGLE_PAIRS[char])
            if end is not None:
                found.append(Quotation(base + index + 1, base + end))
                index = end + 1
                continue
        if close is None:
            index += 1
            continue
        end = paragraph.find(close, index + 1)
        if end == -1:
            # An opening mark with no close: by convention the quote goes on in the next paragraph.
            if len(paragraph) - index > 20:
                found.append(Quotation(base + index + 1, base + len(paragraph.rstrip()), is_open=True))
            break
        if end > index + 1:
            found.append(Quotation(base + index + 1, base + end))
        index = end + 1
    return found


def _single_close(paragraph: str, start: int, close: str) -> int | None:
    index = paragraph.find(close, start)
    while index != -1:
        if _is_single_close(paragraph, index) and index - start >= 2:
            return index
        index = paragraph.find(close, index + 1)
    return None


@dataclass
class Speaker:
    """The mention a quote is attributed to, and who it is (name None: a source that names no one)."""

    start_char: int
    end_char: int
    text: str
    name: str | None = None
    entity_id: str | None = None
    label: str | None = None
    is_plural: bool = False


@dataclass
class Attribution:
    kind: str  # direct | indirect | mixed
    content: list[tuple[int, int]]
    cue: Token | None
    subject: Token | None  # the speaker phrase's head; None for a continuation
    position: int  # where the attribution stands in the text (speakers resolve in this order)
    speaker: Speaker | None = None
    inherits_from: Attribution | None = None  # a continuation takes this attribution's speaker
    subject_tokens: list[Token] = field(default_factory=list)


class QuoteFinder:
    """Finds attributions sentence by sentence and resolves each speaker in text order, so pronouns and
    continuation paragraphs see the speakers before them."""

    def __init__(
        self,
        cues: Mapping[str, Iterable[str]],
        sources: Iterable[str],
        given_names: Iterable[str] = (),
        actors: Any = None,
    ) -> None:
        self.actors = actors
        self.given_names = frozenset(name.casefold() for name in given_names)
        self.speech = frozenset(cues["speech"])
        self.report = frozenset(cues["report"])
        self.evidence = frozenset(cues["evidence"])
        self.advice = frozenset(cues["advice"])
        self.sources = frozenset(sources)

    def __call__(self, doc: Doc) -> Doc:
        context = _DocContext(doc)
        attributions = self._direct(doc, context)
        attributions += self._indirect(doc, context, attributions)
        attributions += self._according_to(doc, context, attributions)
        attributions += self._continuations(doc, context, attributions)
        transcript = _transcript_turns(doc, self.given_names)
        attributions = sorted(_without_repeats(attributions), key=lambda a: a.position)
        resolver = _SpeakerResolver(doc, context, self.sources, self.actors)
        records = []
        for attribution in attributions:
            if attribution.inherits_from is not None:
                previous = attribution.inherits_from.speaker
                attribution.speaker = (
                    Speaker(-1, -1, "", previous.name, previous.entity_id, previous.label) if previous else None
                )
            elif attribution.subject is not None:
                attribution.speaker = resolver.resolve(attribution)
            if attribution.speaker is None or (attribution.speaker.name is None and attribution.speaker.start_char < 0):
                continue
            resolver.remember(attribution)
            records.append(self._record(doc, context, attribution))
        records.extend(self._record(doc, context, turn) for turn in transcript)
        doc._.quotes = sorted(records, key=lambda q: (q["start_char"], q["kind"]))
        return doc

    # -- direct quotes -------------------------------------------------------------------------------
    def _direct(self, doc: Doc, context: _DocContext) -> list[Attribution]:
        found: list[Attribution] = []
        previous: Attribution | None = None
        for quotation in context.quotations:
            span = doc.char_span(quotation.start, quotation.end, alignment_mode="expand")
            if span is None or not any(t.is_alpha for t in span):
                continue
            cue = self._cue_after(doc, context, span) or self._cue_before(doc, context, span)
            if cue is not None and not _is_self_contained(span, cue):
                continue  # marks around a phrase of the sentence: the indirect finder reads it as mixed
            subject = (_subject_of(cue) or _adjacent_speaker(cue, span)) if cue is not None else None
            if cue is not None and subject is not None and not _inside(subject, span):
                if (
                    previous is not None
                    and previous.cue is not None
                    and previous.cue.i == cue.i
                    and context.sentence_index(previous.content[-1][0]) >= context.sentence_index(span.start_char) - 1
                ):
                    previous.content.append((quotation.start, quotation.end))  # "A," he said, "B."
                    continue
                previous = Attribution("direct", [(quotation.start, quotation.end)], cue, subject, cue.idx)
                found.append(previous)
                continue
            if (
                previous is not None
                and context.paragraph_of(quotation.start) == context.paragraph_of(previous.content[-1][0])
                and _follows_at_once(doc_text(doc), context, previous, quotation)
            ):
                previous.content.append((quotation.start, quotation.end))  # `"A," he said. "B."`
        return found

    def _cue_after(self, doc: Doc, context: _DocContext, span: Span) -> Token | None:
        """`"...," Vogel said` / `"...," said Vogel`: the cue clause follows the closing mark at once."""
        sentence = context.sentence_at(span.end - 1)
        index = span.end
        while index < sentence.end and (doc[index].is_punct or doc[index].is_space):
            index += 1
        for token in doc[index : min(sentence.end, index + 8)]:
            if self._is_cue(token, self.speech):
                between = doc[index : token.i]
                subject = _subject_of(token)
                allowed = {t.i for t in subject.subtree} if subject is not None else set()
                if all(t.i in allowed or t.dep_ in ("advmod", "aux", "punct", "neg") for t in between):
                    return token
                return None
            if token.text in MARKS:
                return None
        return None

    def _cue_before(self, doc: Doc, context: _DocContext, span: Span) -> Token | None:
        """`Kerry said: "..."` / `says Joon: "..."`: the cue clause ends right before the opening mark."""
        sentence = context.sentence_at(span.start)
        index = span.start - 1
        while index >= sentence.start and (doc[index].is_punct or doc[index].is_space):
            if doc[index].text in MARKS and index < span.start - 1:
                return None
            index -= 1
        if index < sentence.start:
            return None
        last = doc[index]
        for token in [last, *last.ancestors]:
            if token.i < sentence.start or token.i >= span.start:
                break
            if self._is_cue(token, self.speech):
                return token if all(t.i < span.start for t in token.children if t.dep_ in SUBJECT_DEPS) else None
        return None

    def _is_cue(self, token: Token, cues: frozenset[str]) -> bool:
        return token.pos_ in ("VERB", "AUX") and lemma(token).lower() in cues and not _is_hedged(token)

    # -- reported speech -----------------------------------------------------------------------------
    def _indirect(self, doc: Doc, context: _DocContext, direct: list[Attribution]) -> list[Attribution]:
        found: list[Attribution] = []
        for token in doc:
            if not self._is_cue(token, self.report) or context.in_quotation(token.idx):
                continue
            inverted = self._inverted_speaker(context, token)
            content = self._before_inverted_cue(context, token) if inverted else self._reported_content(token)
            if not content:
                continue
            spans = _token_spans(doc, content)
            words = sum(len(WORD_RE.findall(doc_text(doc)[s:e])) for s, e in spans)
            if words < MIN_INDIRECT_WORDS or _covered_by(spans, direct):
                continue
            subject = inverted or _subject_of(token)
            content_indexes = {t.i for t in content}
            if subject is None or any(t.i in content_indexes for t in subject.subtree):
                continue
            verb = lemma(token).lower()
            if verb in self.evidence and not _can_hold_a_view(subject):
                continue
            if verb in COGNITION_CUES and not _names_a_person(subject):
                continue  # "analysts expect", "companies think": a view nobody stated
            kind = (
                "mixed" if any(context.in_quotation(s) or context.has_quotation(s, e) for s, e in spans) else "indirect"
            )
            if kind == "mixed" and _is_one_quotation(context, spans):
                continue  # the clause is the direct quote itself
            found.append(Attribution(kind, spans, token, subject, token.idx))
        return found

    def _inverted_speaker(self, context: _DocContext, cue: Token) -> Token | None:
        """`..., states Slayton.` / `..., says Dr. Ruiz, a cardiologist.`: a speech verb after a comma, then a
        name that ends the sentence or is followed by a comma. The parser reads such a verb as a conjunct of
        the clause before it; the name is the speaker."""
        doc = cue.doc
        if cue.i == 0 or doc[cue.i - 1].text != "," or cue.tag_ not in ("VBZ", "VBD"):
            return None
        if lemma(cue).lower() not in self.speech or any(c.dep_ in SUBJECT_DEPS and c.i < cue.i for c in cue.children):
            return None
        sentence = context.sentence_at(cue.i)
        ent = entity_at(doc[cue.i + 1]) if cue.i + 1 < sentence.end else None
        if ent is None or ent.label_ not in ("PERSON", "ORG") or ent.start != cue.i + 1:
            return None
        after = doc[ent.end] if ent.end < sentence.end else None
        if after is not None and after.text not in (",", ".", ";"):
            return None
        return ent.root

    @staticmethod
    def _before_inverted_cue(context: _DocContext, cue: Token) -> list[Token]:
        sentence = context.sentence_at(cue.i)
        content = [t for t in cue.doc[sentence.start : cue.i - 1] if not t.is_space]
        return content if content and content[-1].text not in MARKS else []

    def _reported_content(self, cue: Token) -> list[Token]:
        """The reported clause of a cue: its clausal complement with what the cue adds after it ("Tipton said,
        despite ..."), or, for a parenthetical cue ("X, she said, Y"), the clause it interrupts; for advice
        verbs, what follows the cue ("recommends a sweet spot of 9:30 to 11:30 a.m.")."""
        clause = next((c for c in cue.children if c.dep_ == "ccomp"), None)
        if clause is not None:
            first = clause.left_edge.i
            content = [t for t in clause.subtree if not (t.i == first and t.dep_ == "mark")]
            if cue.dep_ == "ccomp" and cue.head.i > clause.right_edge.i:
                # "Hoge notes that A — B": the parser hangs the cue on B, which goes on with what she noted.
                content += [t for t in cue.head.subtree if t.i > clause.right_edge.i]
                return sorted(content, key=lambda t: t.i)
            return content + self._trailing(cue, clause)
        if cue.dep_ == "parataxis":
            # "That AUV has grown, Tipton said, despite ...": the clause it interrupts, and what the cue
            # carries after its subject.
            excluded = {t.i for t in cue.subtree}
            after = [
                t for child in cue.rights if child.dep_ not in ("punct", "cc", *SUBJECT_DEPS) for t in child.subtree
            ]
            return [t for t in cue.head.subtree if t.i not in excluded] + after
        if lemma(cue).lower() in self.advice:
            complement = next((c for c in cue.children if c.dep_ in ("xcomp", "dobj")), None)
            if complement is not None and complement.i > cue.i:
                return [t for t in complement.subtree] + self._trailing(cue, complement)
        return []

    def _trailing(self, cue: Token, clause: Token) -> list[Token]:
        """What stands after the clause and the speaker in the cue's sentence and still hangs on the cue
        (adverbial phrases, a second clause): part of what was reported. A coordinated cue is a quote of its
        own ("... and also advises coffee before workouts")."""
        subject = _subject_of(cue)
        after = max(
            clause.right_edge.i, subject.right_edge.i if subject is not None and subject.head.i == cue.i else -1
        )
        tail: list[Token] = []
        for child in cue.rights:
            if child.i <= after or child.dep_ in ("punct", "cc") or child.dep_ in SUBJECT_DEPS:
                continue
            if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and lemma(child).lower() in self.report:
                break
            tail.extend(child.subtree)
        return tail

    def _according_to(self, doc: Doc, context: _DocContext, earlier: list[Attribution]) -> list[Attribution]:
        """`According to X, CLAUSE` / `CLAUSE, according to X`: X is the source of the clause it modifies."""
        found: list[Attribution] = []
        for token in doc:
            if token.lower_ != "according" or context.in_quotation(token.idx):
                continue
            to = next((c for c in token.children if c.lower_ == "to"), None)
            source = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if source is None or source.lower_ in FIRST_SECOND_PERSON:
                continue
            excluded = {t.i for t in token.subtree}
            content = [t for t in token.head.subtree if t.i not in excluded]
            spans = _token_spans(doc, content)
            if sum(len(WORD_RE.findall(doc_text(doc)[s:e])) for s, e in spans) < MIN_INDIRECT_WORDS:
                continue
            if _covered_by(spans, earlier):
                continue
            kind = "mixed" if any(context.has_quotation(s, e) for s, e in spans) else "indirect"
            found.append(Attribution(kind, spans, token, source, token.idx))
        return found

    def _continuations(self, doc: Doc, context: _DocContext, attributions: list[Attribution]) -> list[Attribution]:
        """A paragraph that is all quotation, right after a paragraph with an attributed quote, goes on in that
        speaker's voice (a quote's speaker is not repeated for every paragraph)."""
        found: list[Attribution] = []
        taken = {span for a in attributions for span in a.content}
        by_paragraph: dict[int, Attribution] = {}
        for attribution in sorted(attributions, key=lambda a: a.position):
            by_paragraph[context.paragraph_of(attribution.content[-1][0])] = attribution
        for quotation in context.quotations:
            if (quotation.start, quotation.end) in taken:
                continue
            paragraph = context.paragraph_of(quotation.start)
            previous = by_paragraph.get(paragraph - 1)
            if previous is None or not _is_whole_paragraph(doc_text(doc), context, quotation):
                continue
            continuation = Attribution(
                "direct", [(quotation.start, quotation.end)], None, None, quotation.start, inherits_from=previous
            )
            found.append(continuation)
            by_paragraph[paragraph] = continuation
        return found

    # -- output --------------------------------------------------------------------------------------
    @staticmethod
    def _record(doc: Doc, context: _DocContext, attribution: Attribution) -> dict[str, Any]:
        content = sorted(_trimmed(doc_text(doc), s, e) for s, e in attribution.content)
        content = [(s, e) for s, e in content if e > s]
        speaker = attribution.speaker
        assert speaker is not None
        cue = attribution.cue
        has_mention = speaker.start_char >= 0
        return {
            "kind": attribution.kind,
            "text": " … ".join(doc_text(doc)[s:e] for s, e in content),
            "start_char": content[0][0],
            "end_char": content[-1][1],
            "content_spans": [list(span) for span in content],
            "cue": (lemma(cue).lower() if cue.lower_ != "according" else "according to") if cue is not None else None,
            "cue_char": cue.idx if cue is not None else None,
            "cue_end_char": cue.idx + len(cue) if cue is not None else None,
            "speaker": speaker.name,
            # A source named without an entity ("the Biden administration") still gets its stable id.
            "speaker_entity_id": speaker.entity_id or (entity_id(speaker.name) if speaker.name else None),
            "speaker_label": speaker.label,
            "speaker_text": speaker.text if has_mention else None,
            "speaker_start_char": speaker.start_char if has_mention else None,
            "speaker_end_char": speaker.end_char if has_mention else None,
            "sentence_start_char": context.sentence_at_char(content[0][0]).start_char,
        }


class _DocContext:
    """Per-doc indexes the finders share: sentences by token, paragraphs by char, quotation spans."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.sentences = list(doc.sents)
        self._sentence_of = [0] * len(doc)
        for number, sent in enumerate(self.sentences):
            self._sentence_of[sent.start : sent.end] = [number] * len(sent)
        self.paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n+", doc_text(doc))]
        self._token_starts = [t.idx for t in doc]
        self.quotations = find_quotations(doc_text(doc))
        self._quoted = sorted((q.start, q.end) for q in self.quotations)

    def sentence_at(self, token_index: int) -> Span:
        return self.sentences[self._sentence_of[min(max(token_index, 0), len(self.doc) - 1)]]

    def token_at_char(self, char: int) -> int:
        return max(0, bisect.bisect_right(self._token_starts, char) - 1)

    def sentence_at_char(self, char: int) -> Span:
        return self.sentence_at(self.token_at_char(char))

    def sentence_index(self, char: int) -> int:
        return self._sentence_of[self.token_at_char(char)] if len(self.doc) else 0

    def paragraph_of(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.paragraph_starts, char) - 1)

    def in_quotation(self, char: int) -> bool:
        return any(s <= char < e for s, e in self._quoted)

    def has_quotation(self, start: int, end: int) -> bool:
        return any(start < e and s < end for s, e in self._quoted)


class _SpeakerResolver:
    """Who a speaker mention is: a named entity, the organisation a spokesperson or report speaks for, the
    antecedent of a pronoun (agreeing in gender and number; nearest sentence first, its subject first), or
    no one."""

    def __init__(self, doc: Doc, context: _DocContext, sources: frozenset[str], actors: Any = None) -> None:
        self.doc = doc
        self.context = context
        self.sources = sources
        self.actors = actors
        self.speakers: list[tuple[int, Speaker]] = []
        self.documents: list[tuple[int, str, Speaker]] = []  # (position, document noun, speaker) of "X's report"
        self.genders = _person_genders(doc)

    def remember(self, attribution: Attribution) -> None:
        speaker = attribution.speaker
        if speaker is None or speaker.start_char < 0:
            return
        self.speakers.append((attribution.position, speaker))
        head = attribution.subject
        if head is not None and lemma(head).lower() in DOCUMENT_NOUNS and speaker.name is not None:
            self.documents.append((attribution.position, lemma(head).lower(), speaker))

    def resolve(self, attribution: Attribution) -> Speaker | None:
        head = attribution.subject
        assert head is not None
        appositive = _appositive_person(head)
        tokens = list(appositive) if appositive is not None else _mention_tokens(head)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        mention = Speaker(start, end, doc_text(self.doc)[start:end])
        if appositive is not None:
            return _named(mention, appositive)  # "Noble's owner, Joe Hannouch, said"
        word = head.lower_
        if head.pos_ == "PRON" or word in NOT_SOURCES:
            if word not in THIRD_PERSON:
                return None  # "I said", "we found", "this shows": the writer's voice, or no source
            return self._pronoun(head, mention, attribution)
        ent = entity_at(head) or _person_named_by(head)
        if ent is not None and ent.label_ in ("PERSON", "ORG", "GPE", "NORP", "FAC"):
            named = _named(mention, ent)
            return self._known_speaker(named) if len((named.name or "").split()) == 1 else named
        if head.pos_ == "PROPN" and ent is None:
            return self._unlisted_name(head, mention)
        noun = lemma(head).lower()
        if word in self.sources or noun in self.sources:
            # "a spokesperson for X", "X's report"; "American officials" name no organisation.
            inner = [e for e in _entities_in(tokens) if (e._.canonical_label or e.label_) in ("ORG", "PERSON", "GPE")]
            if inner:
                return _named(mention, *inner)
        definite = any(t.lower_ in ("the", "its", "this", "that") for t in head.lefts)
        if noun in ("administration", "government"):
            modifier = next((e for e in _entities_in(tokens) if e.label_ in ("PERSON", "GPE", "NORP")), None)
            if modifier is not None:
                mention.name = f"{modifier.text} {head.text}"  # "the Biden administration"
                mention.label = "ORG"
                return mention
        if definite and noun in DOCUMENT_NOUNS:
            earlier = next((d for d in reversed(self.documents) if d[1] == noun and d[0] < head.idx), None)
            if earlier is not None:
                mention.name, mention.entity_id, mention.label = earlier[2].name, earlier[2].entity_id, earlier[2].label
                return mention  # "the report" is the report named before ("The ClassPass trends report")
        if definite and noun in ORG_DESCRIPTIONS:
            org = self._recent_org(head, noun)
            if org is not None:
                return _named(mention, org)
        if not self._can_speak(head, noun):
            return None  # "the buffalo chicken", "folklore", "simple division": the page's own voice
        mention.is_plural = head.tag_ in ("NNS", "NNPS")
        return mention

    def _can_speak(self, head: Token, noun: str) -> bool:
        """A common noun that names people, an organisation or a document can be a source."""
        if head.lower_ in self.sources or noun in self.sources or noun in DOCUMENT_NOUNS or noun in ORG_DESCRIPTIONS:
            return True
        if noun in PEOPLE_NOUNS or noun.endswith(PERSON_SUFFIXES) or noun in WRITINGS:
            return True
        if head.pos_ == "NUM" or noun in QUANTITY_WORDS:
            return True  # "48% of participants", "more than half": a share of people the article counts
        if head.is_title and (
            head.i != head.sent.start or any(head.text in e.text.split() for e in doc_ents(self.doc))
        ):
            return True  # a name the model left untagged here ("Ruiz notes" after "Dr. Ana Ruiz")
        return self.actors is not None and self.actors.agent(head.text) is not None

    def _known_speaker(self, named: Speaker) -> Speaker:
        """A one-word name that is part of the full name of a person quoted before ("Houssaini" after "Ramy
        Houssaini said", whom the model did not tag): that person."""
        for _, speaker in reversed(self.speakers):
            if speaker.name and speaker.label == "PERSON" and named.name in speaker.name.split()[1:]:
                named.name, named.entity_id, named.label = speaker.name, speaker.entity_id, "PERSON"
                break
        return named

    def _unlisted_name(self, head: Token, mention: Speaker) -> Speaker:
        """A capitalised subject the model did not tag ("Ramy Houssaini said"): a person named like one the
        article quoted before, else the name as written."""
        words = [t for t in head.subtree if t.i <= head.i and (t.dep_ in ("compound", "flat") or t.i == head.i)]
        name = " ".join(t.text for t in sorted(words, key=lambda t: t.i))
        for _, speaker in reversed(self.speakers):
            if speaker.name and speaker.label == "PERSON" and head.text in speaker.name.split():
                mention.name, mention.entity_id, mention.label = speaker.name, speaker.entity_id, "PERSON"
                return mention
        mention.name, mention.label = name, "PERSON"
        return mention

    def _pronoun(self, pronoun: Token, mention: Speaker, attribution: Attribution) -> Speaker | None:
        word = pronoun.lower_
        window_start = pronoun.idx - ANTECEDENT_WINDOW_CHARS
        here = self.context.sentence_index(pronoun.idx)
        ranked: list[tuple[int, int, int, Speaker]] = []  # (sentences back, is not subject, -position, who)
        for position, speaker in self.speakers:
            if window_start <= position < pronoun.idx:
                ranked.append((here - self.context.sentence_index(position), 0, -position, speaker))
        for ent in doc_ents(self.doc):
            if ent.start_char < window_start or ent.end_char > pronoun.idx:
                continue
            if self.context.in_quotation(ent.start_char) or any(
                s <= ent.start_char < e for s, e in attribution.content
            ):
                continue  # named inside a quote (or the quote itself): spoken about, not speaking
            is_subject = ent.root.dep_ in SUBJECT_DEPS
            who = _named(Speaker(ent.start_char, ent.end_char, ent.text), ent)
            ranked.append(
                (here - self.context.sentence_index(ent.start_char), 0 if is_subject else 1, -ent.start_char, who)
            )
        ordered = sorted(ranked, key=lambda r: (r[0], r[1], r[2]))
        if word in ("he", "she"):
            # A person known to be "he" or "she" (a title, pronouns near the name) wins over one we know nothing
            # of, among the subjects and speakers of the last few sentences: "Anna Berg met Tom Hale. ... She said".
            known = [r for r in ordered if r[0] <= 3 and r[1] == 0 and self.genders.get(r[3].name or "") == word]
            ordered = known + [r for r in ordered if r not in known]
        for *_, candidate in ordered:
            if self._agrees(word, candidate):
                return Speaker(mention.start_char, mention.end_char, mention.text, candidate.name,
                               candidate.entity_id, candidate.label)  # fmt: skip
        return mention if word in ("they", "it") else None

    def _agrees(self, pronoun: str, candidate: Speaker) -> bool:
        if pronoun in ("he", "she"):
            if candidate.label != "PERSON" or candidate.name is None:
                return False
            gender = self.genders.get(candidate.name)
            return gender is None or gender == pronoun
        if pronoun == "it":
            return candidate.label in ("ORG", "GPE", "NORP") or (candidate.name is None and not candidate.is_plural)
        return candidate.is_plural or candidate.label in ("ORG", "NORP") or " and " in (candidate.name or "")

    def _recent_org(self, head: Token, noun: str) -> Span | None:
        window_start = head.idx - ANTECEDENT_WINDOW_CHARS * 2
        orgs = [e for e in doc_ents(self.doc) if e.label_ == "ORG" and window_start <= e.start_char < head.idx]
        named = [e for e in orgs if noun in (e._.canonical or e.text).lower()]
        return (named or orgs)[-1] if (named or orgs) else None


def _named(mention: Speaker, *ents: Span) -> Speaker:
    names = list(dict.fromkeys((e._.canonical or e._.normalized or e.text) for e in ents))
    first = ents[0]
    return Speaker(
        mention.start_char,
        mention.end_char,
        mention.text,
        " and ".join(names),
        first._.entity_id if len(names) == 1 else None,
        first._.canonical_label or first.label_,
        is_plural=len(names) > 1,
    )


TURN_RE = re.compile(r"^([A-Z][A-Z.'’ -]{1,40}?)(?:, ([A-Z][A-Z ]+))?: (?=\S)", re.MULTILINE)
# Labels of a transcript's narrators and of voices no one can name: their turns are not quotes.
NARRATOR_ROLES = frozenset({"HOST", "BYLINE", "ANCHOR", "CORRESPONDENT", "REPORTER", "ANNOUNCER", "NARRATOR"})
UNNAMED_VOICES = ("UNIDENTIFIED", "GROUP", "CROWD", "CHILDREN", "AUDIENCE", "CHORUS")
MIN_TRANSCRIPT_TURNS = 3
# Words of a heading, never of a person's name ("TIPS FOR BEGINNERS:", "PIECE OF ADVICE:").
LABEL_SMALL_WORDS = frozenset({"of", "for", "the", "and", "to", "in", "on", "with", "a", "an", "my", "our", "your"})


def _transcript_turns(doc: Doc, given_names: frozenset[str]) -> list[Attribution]:
    """`ROSIE CURTS: If vouchers pass, ...`: in a transcript (three labelled turns or more) a guest's turn is a
    direct quote of the person the label names; the host's and reporter's turns are narration. A label that
    names no person of the article must read as a name ("FAVORITE ITEMS:", "STEVE'S BIG PIECE OF ADVICE:" are
    headings)."""
    turns = list(TURN_RE.finditer(doc_text(doc)))
    if len(turns) < MIN_TRANSCRIPT_TURNS:
        return []
    narrators = {m.group(1).strip() for m in turns if m.group(2) and m.group(2).strip() in NARRATOR_ROLES}
    people = [e for e in doc_ents(doc) if e.label_ == "PERSON"]
    found: list[Attribution] = []
    named: dict[str, Speaker] = {}
    for match in turns:
        label = match.group(1).strip()
        if match.group(2) or any(word in label for word in UNNAMED_VOICES):
            continue
        if any(label == n or n.endswith(" " + label) or n.endswith(label) for n in narrators):
            continue
        end = doc_text(doc).find("\n", match.end())
        end = len(doc_text(doc)) if end == -1 else end
        start, stop = _trimmed(doc_text(doc), match.end(), end)
        if stop <= start:
            continue
        mention = Speaker(match.start(1), match.start(1) + len(label), label, label.title(), label="PERSON")
        words = label.casefold().split()
        person = next((e for e in people if set(words) <= set((e._.canonical or e.text).casefold().split())), None)
        earlier = next((sp for lb, sp in named.items() if lb.split()[-1:] == label.split()[-1:]), None)
        if person is not None:
            mention.name, mention.entity_id = person._.canonical or person.text, person._.entity_id
        elif earlier is not None:
            mention.name, mention.entity_id = earlier.name, earlier.entity_id
        elif not _reads_as_a_name(words, given_names):
            continue  # "PRICE:", "NOTE:", "FAVORITE ITEMS:": a field label, not a person the article names
        named.setdefault(label, mention)
        turn = Attribution("direct", [(start, stop)], None, None, match.start())
        turn.speaker = mention
        found.append(turn)
    return found


def _reads_as_a_name(words: list[str], given_names: frozenset[str]) -> bool:
    """Two to four words, the first a given name, no possessive and no small word: "rosie curts"."""
    return (
        2 <= len(words) <= 4
        and words[0] in given_names
        and not any(w in LABEL_SMALL_WORDS or w.endswith(("'s", "’s")) for w in words)
    )


def _without_repeats(attributions: list[Attribution]) -> list[Attribution]:
    """One quote where two cues interrupt the same clause ("X, says Bradford, can Y," she says): the one
    that reads more of it stays."""
    by_clause: dict[int, Attribution] = {}
    kept: list[Attribution] = []
    for attribution in sorted(attributions, key=lambda a: -sum(e - s for s, e in a.content)):
        cue = attribution.cue
        if cue is not None and cue.dep_ == "parataxis":
            if cue.head.i in by_clause:
                continue
            by_clause[cue.head.i] = attribution
        kept.append(attribution)
    return kept


def _appositive_person(head: Token) -> Span | None:
    """The named person in apposition to a common-noun subject ("the company's owner, Joe Hannouch")."""
    if head.pos_ != "NOUN":
        return None
    for child in head.rights:
        if child.dep_ == "appos":
            ent = entity_at(child)
            if ent is not None and ent.label_ == "PERSON":
                return ent
    return None


def _person_named_by(token: Token) -> Span | None:
    """A surname the model did not tag ("Earnest said"): the article's person whose name ends with it."""
    if token.pos_ != "PROPN":
        return None
    return next(
        (
            e
            for e in doc_ents(token.doc)
            if e.label_ == "PERSON" and len(e) > 1 and token.text in (e[0].text, e[-1].text)
        ),
        None,
    )


def _entities_in(tokens: Sequence[Token]) -> list[Span]:
    start, end = tokens[0].i, tokens[-1].i + 1
    return [e for e in doc_ents(tokens[0].doc) if start <= e.start and e.end <= end]


def _person_genders(doc: Doc) -> dict[str, str]:
    """he or she per person, from the doc's own evidence: a title (Mr., Ms.) before the name, the pronouns of
    a sentence that names the person alone, and (weaker) of the sentence after it if that names no one."""
    votes: dict[str, list[int]] = {}
    sentences = list(doc.sents)
    people_by_sentence = [
        {e._.canonical or e.text for e in doc_ents(doc) if e.label_ == "PERSON" and s.start <= e.start < s.end}
        for s in sentences
    ]
    for ent in doc_ents(doc):
        if ent.label_ == "PERSON" and ent.start > 0:
            title = doc[ent.start - 1].lower_
            name = ent._.canonical or ent.text
            if title in MASCULINE_TITLES:
                votes.setdefault(name, [0, 0])[0] += 4
            elif title in FEMININE_TITLES:
                votes.setdefault(name, [0, 0])[1] += 4
    for number, sentence in enumerate(sentences):
        people = people_by_sentence[number]
        if len(people) != 1:
            continue
        name = next(iter(people))
        following = (
            sentences[number + 1] if number + 1 < len(sentences) and not people_by_sentence[number + 1] else None
        )
        for part, weight in ((sentence, 2), (following, 1)):
            if part is None:
                continue
            for token in part:
                if token.lower_ in HE:
                    votes.setdefault(name, [0, 0])[0] += weight
                elif token.lower_ in SHE:
                    votes.setdefault(name, [0, 0])[1] += weight
    return {name: ("he" if m > f else "she") for name, (m, f) in votes.items() if m != f}


def _subject_of(cue: Token) -> Token | None:
    """The cue's subject; for a participle or a second verb ("..., telling us", "denied and added") the
    subject of the verb it hangs on."""
    token = cue
    for _ in range(3):
        subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject
        if token.dep_ in ("advcl", "conj", "xcomp") and token.head.i != token.i:
            token = token.head
        elif token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
            return token.head
        else:
            return None
    return None


def _adjacent_speaker(cue: Token, quote: Span) -> Token | None:
    """The name or pronoun right beside the cue when the parser lost the subject (`"...," said Tilbrook, CPO`)."""
    doc = cue.doc
    for index in (cue.i + 1, cue.i - 1):
        if 0 <= index < len(doc) and not (quote.start <= index < quote.end):
            token = doc[index]
            if token.pos_ == "PROPN" or token.lower_ in THIRD_PERSON:
                ent = entity_at(token)
                return ent.root if ent is not None else token
    return None


def _mention_tokens(head: Token) -> list[Token]:
    """The speaker phrase: the head with what comes before it (titles, determiners) and after it up to the
    first comma, parenthesis or apposition ("Monica Bhatt", not "Monica Bhatt, a researcher ...")."""
    tokens = sorted(head.subtree, key=lambda t: t.i)
    kept = []
    for token in tokens:
        if token.i > head.i and (token.text in (",", "(", "—", "–", ";") or token.dep_ == "appos"):
            break
        kept.append(token)
    while kept and (kept[-1].is_punct or kept[-1].is_space or kept[-1].dep_ == "cc"):
        kept.pop()
    while kept and (kept[0].is_space or kept[0].is_punct):
        kept.pop(0)  # a masked dateline's blanks before the name
    return kept or [head]


def _can_hold_a_view(subject: Token) -> bool:
    """Evidence verbs (show, find, suggest) quote people, organisations and documents, not "this guide"."""
    if subject.lower_ in NOT_SOURCES or subject.lower_ in FIRST_SECOND_PERSON:
        return False
    if subject.pos_ == "PRON":
        return subject.lower_ in THIRD_PERSON
    ent = entity_at(subject)
    if ent is not None:
        return ent.label_ in ("PERSON", "ORG", "GPE", "NORP")
    word = lemma(subject).lower()
    return word in DOCUMENT_NOUNS or (subject.tag_ in ("NNS",) and word.endswith(("er", "ist", "ian", "ant", "ent")))


def _names_a_person(subject: Token) -> bool:
    """A named person or a personal pronoun (resolved later against the people of the article)."""
    if subject.lower_ in ("he", "she"):
        return True
    ent = entity_at(subject)
    return (ent is not None and ent.label_ == "PERSON") or (ent is None and subject.pos_ == "PROPN")


def _is_hedged(cue: Token) -> bool:
    """'would say', 'did not say', 'if asked': no statement was made."""
    for child in cue.children:
        if child.dep_ == "neg":
            return True
        if child.dep_ == "aux" and child.lower_ in HEDGE_MODALS:
            return True
        if child.dep_ == "mark" and child.lower_ in ("if", "unless", "whether"):
            return True
    return False


def _is_self_contained(span: Span, cue: Token) -> bool:
    """A quotation is direct speech when its words hang on each other or on the cue, not on the sentence
    around it."""
    inside = set(range(span.start, span.end))
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words:
        return False
    outside = [t for t in words if t.head.i not in inside and t.head.i not in (t.i, cue.i)]
    return len(outside) <= MAX_OUTSIDE_HEADS * len(words) and not any(t.dep_ in SUBJECT_DEPS for t in outside)


def _inside(token: Token, span: Span) -> bool:
    return span.start <= token.i < span.end


def _token_spans(doc: Doc, tokens: Iterable[Token]) -> list[tuple[int, int]]:
    """Character spans of runs of consecutive tokens (a clause the cue interrupts gives two)."""
    indexes = sorted({t.i for t in tokens})
    spans: list[tuple[int, int]] = []
    run_start = previous = None
    for index in indexes:
        if previous is not None and index == previous + 1:
            previous = index
            continue
        if run_start is not None and previous is not None:
            spans.append((doc[run_start].idx, doc[previous].idx + len(doc[previous])))
        run_start = previous = index
    if run_start is not None and previous is not None:
        spans.append((doc[run_start].idx, doc[previous].idx + len(doc[previous])))
    trimmed = [s for s in (_trimmed(doc_text(doc), a, b) for a, b in spans) if s[1] > s[0]]
    trimmed = [(a, b) for a, b in trimmed if WORD_RE.search(doc_text(doc), a, b)]
    if trimmed and doc_text(doc)[trimmed[-1][1] - 1] == ".":
        trimmed[-1] = (trimmed[-1][0], trimmed[-1][1] - 1)  # the sentence's full stop is not what was said
    return trimmed


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return start, end


def _covered_by(spans: Sequence[tuple[int, int]], attributions: Sequence[Attribution]) -> bool:
    """Most of the content already belongs to another attribution (the direct quote a cue introduces)."""
    total = sum(e - s for s, e in spans)
    for attribution in attributions:
        shared = sum(max(0, min(e, ae) - max(s, as_)) for s, e in spans for as_, ae in attribution.content)
        if total and shared >= 0.5 * total:
            return True
    return False


def _is_one_quotation(context: _DocContext, spans: Sequence[tuple[int, int]]) -> bool:
    start, end = spans[0][0], spans[-1][1]
    return any(q.start - 1 <= start and end <= q.end + 1 for q in context.quotations)


def _is_whole_sentences(doc: Doc, context: _DocContext, quotation: Quotation) -> bool:
    """The quotation is a sentence of its own (or several), not a phrase inside one."""
    before = doc_text(doc)[context.sentence_at_char(quotation.start).start_char : quotation.start - 1]
    return not before.strip()


def _is_whole_paragraph(text: str, context: _DocContext, quotation: Quotation) -> bool:
    number = context.paragraph_of(quotation.start)
    start = context.paragraph_starts[number]
    end = text.find("\n", quotation.end)
    end = len(text) if end == -1 else end
    outside = text[start : quotation.start] + text[quotation.end : end]
    return not any(ch.isalnum() for ch in outside)


def _follows_at_once(text: str, context: _DocContext, previous: Attribution, quotation: Quotation) -> bool:
    """The quotation opens the sentence right after the previous quote's attribution: `"A," he said. "B."`."""
    start = max(previous.content[-1][1] + 1, previous.cue.idx if previous.cue is not None else 0)
    index = start
    while index < quotation.start - 1:
        if text[index] in ".!?" and not context.in_quotation(index):
            return not text[index + 1 : quotation.start - 1].strip()
        index += 1
    return False


@Language.factory(
    "newsflow_quotes",
    default_config={
        "cues": {"@misc": "newsflow.quote_cues.v2"},
        "sources": {"@misc": "newsflow.source_nouns.v1"},
        "given_names": {"@misc": "newsflow.given_names.v1"},
        "actors": {"@misc": "newsflow.known_actors.v1"},
    },
)
def make_quote_finder(
    nlp: Language, name: str, cues: dict[str, list[str]], sources: list[str], given_names: list[str], actors: Any
) -> QuoteFinder:
    return QuoteFinder(cues, sources, given_names, actors)
