"""Verify quotes-dev-b / events-dev-b (the checks of quotes-dev/check.py and events-dev/check_articles.py) and count."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from .materialize import (
    DEFAULT_SHARED,
    GOLD_FILES,
    HERE,
    MaterializeError,
    Record,
    load_source,
    materialize_file,
    read_jsonl,
)

QUOTES_FILE = "quotes-dev-b.jsonl"
EVENTS_FILE = "events-dev-b.jsonl"
# the tuning sets: articles in them (and the ids listed as excluded) must not be in the independent set
DEV_FILES = (Path("quotes-dev") / "quotes-dev.jsonl", Path("events-dev") / "events-dev-articles.jsonl")
_EXCLUDED = "0031 0034 0064 0078 0153 0160 0161 0174 0208 0218 0221 0279 0333 0385 0395 0396 0420 0456 0457 0471 0475"
EXCLUDED_IDS = frozenset(f"{_EXCLUDED} 0480 4151 4515 4519 4557 4560".split())
MIN_QUOTES = 3
PRONOUNS = frozenset({"he", "she", "they", "it", "i", "we", "you", "him", "her", "them"})
KINDS = ("direct", "indirect", "mixed")
LABELS = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "DEMAND",
    "DISAPPROVE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
    "FIGHT",
    "INVESTIGATE",
)
MODES = ("asserted", "hypothetical", "negated")
EVENT_KEYS = (
    "event",
    "trigger",
    "trigger_text",
    "actor",
    "actor_text",
    "target",
    "target_text",
    "location_text",
    "date_text",
    "mode",
)


def is_span(span: Any, text: str) -> bool:
    """A [start, end] pair of ints with 0 <= start < end <= len(text)."""
    return (
        isinstance(span, list)
        and len(span) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        and 0 <= span[0] < span[1] <= len(text)
    )


def check_span(errors: list[str], tag: str, text: str, span: Any, expected: Any, label: str) -> bool:
    """Record an error unless span is valid and text[start:end] == expected; True when it is."""
    if not is_span(span, text):
        errors.append(f"{tag}: {label} span malformed or out of range: {span!r}")
        return False
    if text[span[0] : span[1]] != expected:
        errors.append(f"{tag}: {label} text mismatch: {text[span[0] : span[1]]!r} != {expected!r}")
        return False
    return True


def check_source_fields(errors: list[str], rec: Record, source: dict[str, Record], fields: tuple[str, ...]) -> None:
    """The record's metadata fields equal the source record's."""
    src = source[str(rec["id"])]
    for f in fields:
        if rec.get(f) != src.get(f):
            errors.append(f"{rec['id']}: {f} differs from source ({rec.get(f)!r} != {src.get(f)!r})")


def check_quotes(recs: list[Record], source: dict[str, Record], errors: list[str]) -> Counter[str]:
    """check.py's checks on joined quote records; returns counts."""
    n: Counter[str] = Counter()
    for r in recs:
        rid, text = str(r["id"]), r["text"]
        check_source_fields(errors, r, source, ("url", "domain"))
        n["articles"] += 1
        if len(r["quotes"]) < MIN_QUOTES:
            errors.append(f"{rid}: fewer than {MIN_QUOTES} quotes")
        seen: set[tuple[tuple[int, int], ...]] = set()
        for i, q in enumerate(r["quotes"]):
            tag = f"{rid} q{i}"
            n["quotes"] += 1
            if q.get("kind") not in KINDS:
                errors.append(f"{tag}: bad kind {q.get('kind')!r}")
            n[str(q.get("kind"))] += 1
            content, ctexts = q["content"], q["content_text"]
            if not content or len(content) != len(ctexts):
                errors.append(f"{tag}: content / content_text length mismatch")
            ok = all(check_span(errors, tag, text, sp, t, "content") for sp, t in zip(content, ctexts, strict=False))
            if len(content) > 1:
                n["multi"] += 1
            if ok and any(content[k][1] > content[k + 1][0] for k in range(len(content) - 1)):
                errors.append(f"{tag}: content spans overlap or out of order")
            key = tuple((a, b) for a, b in content)
            if key in seen:
                errors.append(f"{tag}: duplicate content span")
            seen.add(key)
            for lab in ("speaker", "cue"):
                span, stext = q[lab], q[lab + "_text"]
                if span is None:
                    if stext is not None:
                        errors.append(f"{tag}: {lab} null but {lab}_text set")
                    continue
                in_content = any(span[0] < b and span[1] > a for a, b in content) if ok else False
                if check_span(errors, tag, text, span, stext, lab) and in_content:
                    errors.append(f"{tag}: {lab} overlaps content")
            name = q.get("speaker_name")
            if name is not None and not (isinstance(name, str) and name.strip()):
                errors.append(f"{tag}: speaker_name must be a non-empty string or null")
            n["speaker_null"] += q["speaker"] is None
            n["cue_null"] += q["cue"] is None
            n["pronoun"] += bool(q["speaker_text"]) and str(q["speaker_text"]).lower() in PRONOUNS
            n["name_null"] += name is None
    return n


def check_events(recs: list[Record], source: dict[str, Record], errors: list[str]) -> dict[str, Any]:
    """check_articles.py's checks on joined event records; returns counts."""
    by_ev: Counter[str] = Counter()
    by_pair: Counter[tuple[str, str]] = Counter()
    zero: list[str] = []
    per_art: list[tuple[str, str, int, int]] = []
    for a in recs:
        rid, text = str(a["id"]), a["text"]
        check_source_fields(errors, a, source, ("url", "domain", "publish_date"))
        seen: set[tuple[Any, ...]] = set()
        for i, e in enumerate(a["events"]):
            tag = f"{rid}#{i}"
            if sorted(e) != sorted(EVENT_KEYS):
                errors.append(f"{tag}: keys {sorted(e)}")
                continue
            if e["event"] not in LABELS:
                errors.append(f"{tag}: bad label {e['event']!r}")
            if e["mode"] not in MODES:
                errors.append(f"{tag}: bad mode {e['mode']!r}")
            for f in ("trigger", "actor", "target"):
                span, stext = e[f], e[f + "_text"]
                if span is None or stext is None:
                    if f == "trigger":
                        errors.append(f"{tag}: trigger must not be null")
                    if (span is None) != (stext is None):
                        errors.append(f"{tag}: {f} span/text null mismatch")
                    continue
                check_span(errors, tag, text, span, stext, f)
            for f in ("location_text", "date_text"):
                v = e[f]
                if v is not None and (not isinstance(v, str) or v not in text):
                    errors.append(f"{tag}: {f} {v!r} not found in text")
            key = (e["event"], tuple(e["trigger"] or ()), tuple(e["actor"] or ()), tuple(e["target"] or ()))
            if key in seen:
                errors.append(f"{tag}: duplicate event")
            seen.add(key)
            by_ev[e["event"]] += 1
            by_pair[(e["event"], e["mode"])] += 1
        if not a["events"]:
            zero.append(rid)
        per_art.append((rid, str(a["domain"]), len(text.split()), len(a["events"])))
    return {"by_ev": by_ev, "by_pair": by_pair, "zero": zero, "per_art": per_art}


def check_independence(ids: list[str], shared: Path, errors: list[str], label: str) -> None:
    """No duplicate ids, none excluded, none in the tuning sets."""
    if len(set(ids)) != len(ids):
        errors.append(f"{label}: duplicate article ids")
    dev: set[str] = set()
    for rel in DEV_FILES:
        path = shared / rel
        if path.is_file():
            dev |= {str(r["id"]) for r in read_jsonl(path)}
        else:
            errors.append(f"{label}: cannot check independence, {path} missing")
    for rid in ids:
        if rid in EXCLUDED_IDS or rid in dev:
            errors.append(f"{label}: {rid} is a tuning-set (excluded) article")


def check_built(name: str, joined: list[Record], built_dir: Path, errors: list[str]) -> bool:
    """The materialized file, if present, holds exactly the joined records; False when it is absent."""
    path = built_dir / name
    if not path.is_file():
        return False
    if read_jsonl(path) != joined:
        errors.append(f"{path}: differs from the gold records joined with their text (re-run materialize)")
    return True


def print_quote_counts(n: Counter[str], domains: int) -> None:
    """Summary lines in check.py's format."""
    nq = n["quotes"] or 1
    print(f"articles: {n['articles']}  domains: {domains}")
    print(f"quotes: {n['quotes']}  " + "  ".join(f"{k}: {n[k]}" for k in sorted(KINDS)))
    print(f"quotes with >1 content span (split/continued): {n['multi']}")
    print(f"pronoun speaker_text: {n['pronoun']}/{n['quotes']} = {n['pronoun'] / nq:.1%}")
    print(f"unresolved speaker_name (null): {n['name_null']}/{n['quotes']} = {n['name_null'] / nq:.1%}")
    print(f"no speaker mention in text (speaker null): {n['speaker_null']}   no cue (cue null): {n['cue_null']}")


def print_event_counts(c: dict[str, Any]) -> None:
    """Summary lines in check_articles.py's format."""
    by_ev: Counter[str] = c["by_ev"]
    by_pair: Counter[tuple[str, str]] = c["by_pair"]
    per_art: list[tuple[str, str, int, int]] = c["per_art"]
    words = sum(p[2] for p in per_art) or 1
    n_ev = sum(by_ev.values())
    print(f"articles: {len(per_art)}   events: {n_ev}   words: {words}")
    print(f"events per 1,000 words (pooled): {1000 * n_ev / words:.2f}")
    print("events by category:")
    for lab in LABELS:
        if by_ev[lab]:
            modes = ", ".join(f"{m} {by_pair[(lab, m)]}" for m in MODES if by_pair[(lab, m)])
            print(f"  {lab:12s} {by_ev[lab]:3d}   ({modes})")
    print("  categories with 0 events: " + ", ".join(lab for lab in LABELS if not by_ev[lab]))
    mode_totals = Counter({m: sum(by_pair[(lab, m)] for lab in LABELS) for m in MODES})
    print("events by mode: " + ", ".join(f"{m} {mode_totals[m]}" for m in MODES))
    print(f"articles with zero events: {len(c['zero'])} ({', '.join(c['zero'])})")
    print("per article (id, domain, words, events, events/1k words):")
    for rid, dom, nw, ne in per_art:
        print(f"  {rid} {dom:32s} {nw:5d} {ne:3d} {1000 * ne / nw:6.2f}")


def main(argv: list[str] | None = None) -> int:
    """Command line: check both gold files; exit 1 on any problem."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data dir (default: %(default)s)")
    ap.add_argument("--gold", type=Path, default=HERE, help="dir of the text-less gold files (default: %(default)s)")
    ap.add_argument(
        "--built",
        type=Path,
        default=HERE.parent.parent / "build" / "gold",
        help="dir of materialized files to compare, if present (default: %(default)s)",
    )
    args = ap.parse_args(argv)
    errors: list[str] = []
    try:
        source = load_source(args.shared)
        joined = {name: materialize_file(name, source, args.gold) for name in GOLD_FILES}
    except MaterializeError as exc:
        print(f"FAIL: {exc}")
        return 1
    quotes, events = joined[QUOTES_FILE], joined[EVENTS_FILE]
    check_independence([str(r["id"]) for r in quotes], args.shared, errors, QUOTES_FILE)
    check_independence([str(r["id"]) for r in events], args.shared, errors, EVENTS_FILE)
    qn = check_quotes(quotes, source, errors)
    ec = check_events(events, source, errors)
    built = [name for name in GOLD_FILES if check_built(name, joined[name], args.built, errors)]
    print(f"== {QUOTES_FILE}")
    print_quote_counts(qn, len({r["domain"] for r in quotes}))
    print(f"== {EVENTS_FILE}")
    print_event_counts(ec)
    overlap = sorted({str(r["id"]) for r in quotes} & {str(r["id"]) for r in events})
    print(f"articles in both sets: {len(overlap)} ({', '.join(overlap)})")
    print(f"materialized files compared: {', '.join(built) or 'none (run python -m seeds.gold.materialize)'}")
    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for msg in errors[:50]:
            print("  " + msg)
        return 1
    print(
        "\nOK: all spans verified (text sha256, spans = texts, null spans with null texts, no speaker/cue inside"
        " content, content parts in order; labels, modes, schema; no tuning-set article)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
