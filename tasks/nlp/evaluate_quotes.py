"""Score quote attribution on whole-article gold files in the format of ../shared/data/quotes-dev."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language

from tasks.nlp.tagger import Tagged, tag_documents

WORD_RE = re.compile(r"\w+")
# A predicted and a gold quote are the same quote when the words they share are at least this share of
# each of them: a scare-quoted fragment of a longer attribution does not count, nor does a sentence that
# only brushes against one.
MIN_SHARED = 0.5
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "him", "her", "them", "you"})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "the"})


@dataclass(frozen=True)
class Attribution:
    """One quote, gold or predicted: its content words and who said it."""

    kind: str
    words: frozenset[int]  # start offsets of the content's \\w+ tokens
    speaker_name: str | None
    speaker_span: tuple[int, int] | None
    speaker_text: str | None


def _content_words(text: str, spans: Sequence[Sequence[int]]) -> frozenset[int]:
    words: set[int] = set()
    for start, end in spans:
        words.update(start + m.start() for m in WORD_RE.finditer(text[start:end]))
    return frozenset(words)


def gold_attributions(record: dict[str, Any]) -> list[Attribution]:
    text = record["text"]
    return [
        Attribution(
            kind=q["kind"],
            words=_content_words(text, q["content"]),
            speaker_name=q.get("speaker_name"),
            speaker_span=(q["speaker"][0], q["speaker"][1]) if q.get("speaker") else None,
            speaker_text=q.get("speaker_text"),
        )
        for q in record["quotes"]
    ]


def predicted_attributions(text: str, tagged: Tagged) -> list[Attribution]:
    found = []
    for q in tagged.quotes:
        spans = q.get("content_spans") or [(q["start_char"], q["end_char"])]
        speaker_span = (
            (q["speaker_start_char"], q["speaker_end_char"]) if q.get("speaker_start_char") is not None else None
        )
        found.append(
            Attribution(
                kind=q["kind"],
                words=_content_words(text, spans),
                speaker_name=q.get("speaker"),
                speaker_span=speaker_span,
                speaker_text=text[speaker_span[0] : speaker_span[1]] if speaker_span else None,
            )
        )
    return found


def _name_tokens(name: str | None) -> list[str]:
    tokens = [t for t in WORD_RE.findall((name or "").casefold()) if t not in TITLES]
    # Middle initials and possessive remnants do not decide who a person is.
    return [t for i, t in enumerate(tokens) if len(t) > 1 or i in (0, len(tokens) - 1)] if len(tokens) > 2 else tokens


def same_name(ours: str | None, gold: str | None) -> bool:
    """Names agree after case, punctuation, titles and middle initials are set aside."""
    mine, theirs = _name_tokens(ours), _name_tokens(gold)
    return bool(mine) and mine == theirs


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def speaker_is_right(ours: Attribution, gold: Attribution) -> bool:
    """The resolved speaker names the gold speaker; where the gold mention names no one ("researchers",
    "the source"), our mention must be that mention and must not name someone."""
    if gold.speaker_name is not None:
        return same_name(ours.speaker_name, gold.speaker_name)
    if gold.speaker_span is None:
        return ours.speaker_span is None and ours.speaker_name is None
    return _overlaps(ours.speaker_span, gold.speaker_span)


def match_quotes(predicted: list[Attribution], gold: list[Attribution]) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs, greedily by shared words."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            shared = len(p.words & g.words)
            if shared and shared >= MIN_SHARED * len(p.words) and shared >= MIN_SHARED * len(g.words):
                candidates.append((shared, i, j))
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _prf(hits: int, predicted: int, gold: int) -> dict[str, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def _is_non_person_source(gold: Attribution) -> bool:
    """'the agency', 'researchers', 'a federal survey', 'ClassPass': not a named person (no pronoun)."""
    text = (gold.speaker_text or "").strip()
    if not text or text.casefold() in PRONOUNS:
        return False
    words = text.split()
    return gold.speaker_name is None or words[0].casefold() in ("the", "a", "an") or not words[0][:1].isupper()


def score_quote_articles(nlp: Language, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Quote P/R/F1 (content overlap), quote + speaker P/R/F1, speaker accuracy on pronoun and non-person
    sources, and recall per kind, over whole articles."""
    tagged = tag_documents(nlp, [r["text"] for r in records], 16, 100_000)
    totals = {"predicted": 0, "gold": 0, "matched": 0, "matched_speaker": 0}
    by_kind: dict[str, list[int]] = {}
    pronoun = [0, 0]
    non_person = [0, 0]
    errors: list[dict[str, Any]] = []
    for record, result in zip(records, tagged, strict=True):
        gold = gold_attributions(record)
        ours = predicted_attributions(record["text"], result)
        pairs = match_quotes(ours, gold)
        totals["predicted"] += len(ours)
        totals["gold"] += len(gold)
        totals["matched"] += len(pairs)
        matched_gold = {j: i for i, j in pairs}
        for j, g in enumerate(gold):
            found = by_kind.setdefault(g.kind, [0, 0])
            found[1] += 1
            found[0] += j in matched_gold
            right = j in matched_gold and speaker_is_right(ours[matched_gold[j]], g)
            totals["matched_speaker"] += right
            if (g.speaker_text or "").strip().casefold() in PRONOUNS:
                pronoun[1] += j in matched_gold
                pronoun[0] += right
            elif _is_non_person_source(g):
                non_person[1] += j in matched_gold
                non_person[0] += right
            if j in matched_gold and not right:
                p = ours[matched_gold[j]]
                errors.append(
                    {
                        "id": record["id"],
                        "gold": g.speaker_name or g.speaker_text,
                        "ours": p.speaker_name,
                        "kind": g.kind,
                    }
                )
        matched_pred = {i for i, _ in pairs}
        for i, p in enumerate(ours):
            if i not in matched_pred:
                errors.append({"id": record["id"], "spurious": True, "kind": p.kind, "ours": p.speaker_name})
    quote = _prf(totals["matched"], totals["predicted"], totals["gold"])
    with_speaker = _prf(totals["matched_speaker"], totals["predicted"], totals["gold"])
    return {
        "articles": len(records),
        "gold_quotes": totals["gold"],
        "predicted_quotes": totals["predicted"],
        "quote_precision": quote["precision"],
        "quote_recall": quote["recall"],
        "quote_f1": quote["f1"],
        "quote_speaker_precision": with_speaker["precision"],
        "quote_speaker_recall": with_speaker["recall"],
        "quote_speaker_f1": with_speaker["f1"],
        "speaker_accuracy_on_found": round(totals["matched_speaker"] / totals["matched"], 3)
        if totals["matched"]
        else 0.0,
        "speaker_accuracy_pronoun": round(pronoun[0] / pronoun[1], 3) if pronoun[1] else 0.0,
        "speaker_accuracy_non_person": round(non_person[0] / non_person[1], 3) if non_person[1] else 0.0,
        **{f"recall_{kind}": round(v[0] / v[1], 3) for kind, v in sorted(by_kind.items()) if v[1]},
        "errors": errors,
    }
