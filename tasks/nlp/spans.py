"""Entity lookups shared by the components: doc.ents builds every span anew on each call, which made
per-token lookups quadratic on long articles, so the components read one cached tuple per doc."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

ENTS_KEY = "newsflow_ents"
TEXT_KEY = "newsflow_text"
# doc.user_data key of the article's publication day (a date or None), set before the pipeline runs.
PUBLISHED_KEY = "newsflow_published"


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """doc.ents, computed once per doc (components after the entity cleaner do not change the entities)."""
    cached: tuple[Span, ...] | None = doc.user_data.get(ENTS_KEY)
    if cached is None:
        cached = tuple(doc.ents)
        doc.user_data[ENTS_KEY] = cached
    return cached


def doc_text(doc: Doc) -> str:
    """doc.text, computed once per doc: Doc.text joins every token anew on each call, and the components read
    it per quotation and per entity (it was 60 % of the tagger's time on long articles)."""
    cached: str | None = doc.user_data.get(TEXT_KEY)
    if cached is None:
        cached = doc.text
        doc.user_data[TEXT_KEY] = cached
    return cached


def forget_ents(doc: Doc) -> None:
    """Drop the cached tuple (a component that sets doc.ents calls this)."""
    doc.user_data.pop(ENTS_KEY, None)


def entity_at(token: Token) -> Span | None:
    """The entity span a token belongs to, if any."""
    if token.ent_iob_ in ("O", ""):
        return None
    for ent in doc_ents(token.doc):
        if ent.start <= token.i < ent.end:
            return ent
    return None


def sentence_ents(sentence: Span) -> list[Span]:
    """The entities inside a sentence (Span.ents would rebuild every entity of the doc on each call)."""
    return [e for e in doc_ents(sentence.doc) if sentence.start <= e.start and e.end <= sentence.end]


LEMMATIZER_KEY = "newsflow_lemmatizer"


def lemma(token: Token) -> str:
    """The token's lemma, the model's lemmatizer's own answer: computed here, on demand, when the pipeline
    runs the lemmatizer lazily (newsflow_lemmas_on_demand), else read from the token."""
    lemmatizer = token.doc.user_data.get(LEMMATIZER_KEY)
    if lemmatizer is None or token.lemma != 0:  # lemmas set before (the attribute ruler's exceptions) stand
        return token.lemma_
    return str(lemmatizer.lemmatize(token)[0])
