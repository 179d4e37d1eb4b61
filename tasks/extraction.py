"""Article extraction: trafilatura body and metadata from archived page bytes (pure; no Prefect here)."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from typing import Any

import py3langid
import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from newsflow.memory import release_freed_memory
from tasks.archive import load_page
from tasks.dedup import band_hashes
from tasks.page_meta import DateCandidate, choose_dates, choose_title, date_candidates, parse_html

LOGGER = logging.getLogger(__name__)

EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}+newsflow-extract.1"
WORD_RE = re.compile(r"\w+", re.UNICODE)
SPACE_RE = re.compile(r"[ \t\u00a0]+")
# Shorter than this, language guesses are noise.
MIN_CHARS_FOR_LANGUAGE_ID = 40


def normalize_body(text: str) -> str:
    """Unicode NFC, spaces folded within lines, blank lines collapsed: paragraphs kept one per line."""
    text = unicodedata.normalize("NFC", text)
    lines = [SPACE_RE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def content_hash(body: str) -> str:
    """Hash of the body's words only, so whitespace or punctuation noise does not count as an edit."""
    words = WORD_RE.findall(body.lower())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def split_authors(author: str | None) -> list[str]:
    if not author:
        return []
    parts = re.split(r";|\band\b|,|&", author)
    return [p.strip() for p in parts if p.strip()]


def _html_lang(page: bytes) -> str | None:
    try:
        root = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    lang = root.get("lang") or root.get("xml:lang")
    return lang.split("-")[0].lower() if lang else None


def detect_language(body: str, page: bytes, header_language: str | None) -> str | None:
    """The text's own language wins over declarations (templates often say lang="en" on every page)."""
    if len(body) >= MIN_CHARS_FOR_LANGUAGE_ID:
        lang, _score = py3langid.classify(body[:5_000])
        return str(lang)
    declared = _html_lang(page) or (
        header_language.split(",")[0].split("-")[0].strip().lower() if header_language else None
    )
    return declared


def strip_title_echo(body: str, title: str | None) -> str:
    """Drop the headline (and a short kicker above it) when the extractor kept it as the body's first lines."""
    if not title or not body:
        return body
    lines = body.split("\n")
    wanted = " ".join(title.split()).casefold()
    for index, line in enumerate(lines[:3]):
        if " ".join(line.split()).casefold() == wanted:
            if all(len(earlier.split()) <= 4 for earlier in lines[:index]):
                return "\n".join(lines[index + 1 :])
            break
    return body


EXTRACTION_MODES = ("default", "recall", "longest")


def _extract(page: bytes, url: str | None, mode: str) -> Document | None:
    """trafilatura without comments; 'longest' also runs favor_recall and keeps the longer body.

    Chosen by measurement on extraction-dev (benchmarks/extraction_eval.py): default 0.931 body F1,
    favor_recall 0.933, longest of the two 0.938 (at twice the CPU).
    """
    options: dict[str, Any] = {"url": url, "include_comments": False, "with_metadata": True, "include_tables": True}
    document = trafilatura.bare_extraction(page, favor_recall=mode == "recall", **options)
    document = document if isinstance(document, Document) else None
    if mode == "longest":
        recall = trafilatura.bare_extraction(page, favor_recall=True, **options)
        if isinstance(recall, Document) and (
            document is None or len(WORD_RE.findall(recall.text or "")) > len(WORD_RE.findall(document.text or ""))
        ):
            if document is not None:  # keep the default run's metadata, take the longer text
                document.text = recall.text
            else:
                document = recall
    return document


def extract_article(
    page: bytes, url: str | None = None, min_body_words: int = 40, mode: str = "longest"
) -> dict[str, Any]:
    """Body text and metadata of one page; extraction_status says why there is no body when there is none."""
    document = _extract(page, url, mode)
    if document is None:
        return {
            "extraction_status": "no_body",
            "error": "extractor found no main text",
            "body_text": None,
            "title": None,
            "authors": [],
            "page_date": None,
            "date_candidates": [],
            "published": None,
            "modified": None,
            "site_name": None,
            "description": None,
            "language": _html_lang(page),
            "word_count": 0,
            "content_hash": None,
        }
    root = parse_html(page)
    title = choose_title(root, document.title, document.sitename)
    body = strip_title_echo(normalize_body(document.text or ""), title)
    words = len(WORD_RE.findall(body))
    status, error = "ok", None
    if words < min_body_words:
        status, error = "no_body", f"only {words} words of main text (minimum {min_body_words})"
    candidates = date_candidates(root, url, document.date)
    published, modified = choose_dates(candidates)
    return {
        "extraction_status": status,
        "error": error,
        "body_text": body or None,
        "title": title,
        "authors": split_authors(document.author),
        "page_date": published.value.date().isoformat() if published else None,
        "date_candidates": candidates,
        "published": published,
        "modified": modified,
        "site_name": document.sitename,
        "description": document.description,
        "language": detect_language(body, page, None),
        "word_count": words,
        "content_hash": content_hash(body) if body else None,
    }


def article_records(pages: list[dict[str, Any]], min_body_words: int, mode: str = "longest") -> list[dict[str, Any]]:
    """article_record for each page, in order; then the freed parse trees' memory goes back to the OS, so a
    long-lived extraction worker does not keep its largest batch's heap."""
    records = [article_record(page, min_body_words, mode) for page in pages]
    release_freed_memory()
    return records


def article_record(page: dict[str, Any], min_body_words: int, mode: str = "longest") -> dict[str, Any]:
    """Join one page-manifest row with what extraction made of its archived bytes."""
    base = {
        key: page.get(key)
        for key in ("article_id", "url", "canonical_url", "final_url", "http_status", "fetched_at", "archive_path")
    }
    base.update(
        {
            "title": page.get("feed_title"),
            "authors": [],
            "published_at": page.get("feed_published_at"),
            "published_at_source": "feed" if page.get("feed_published_at") else None,
            "language": None,
            "site_name": None,
            "description": None,
            "body_text": None,
            "content_hash": None,
            "word_count": 0,
            "extractor_version": EXTRACTOR_VERSION,
            "modified_at": None,
            "date_candidates": [],
            "band_hashes": [],
        }
    )
    if page["fetch_status"] != "ok":
        base.update(extraction_status=page["fetch_status"], error=page["error"])
        return base
    try:
        raw = load_page(page["archive_path"])
        extracted = extract_article(raw, page.get("final_url") or page["url"], min_body_words, mode)
    except Exception as exc:  # a hostile page must not sink its batch
        LOGGER.warning("extraction failed for %s: %s", page["url"], exc)
        base.update(extraction_status="extract_error", error=f"{type(exc).__name__}: {exc}"[:500])
        return base
    candidates: list[DateCandidate] = extracted.pop("date_candidates")
    if page.get("feed_published_at"):
        candidates.append(DateCandidate("feed", "published", page["feed_published_at"]))
    published, modified = choose_dates(candidates, now=page.get("fetched_at"))
    for key in ("page_date", "published", "modified"):
        extracted.pop(key)
    if extracted["title"] is None:
        extracted.pop("title")
    base.update(
        extracted,
        published_at=published.value if published else None,
        published_at_source=published.source if published else None,
        modified_at=modified.value if modified else None,
        date_candidates=[{"source": c.source, "kind": c.kind, "value": c.value} for c in candidates],
        band_hashes=band_hashes(extracted["body_text"]) if extracted["extraction_status"] == "ok" else [],
    )
    if base["language"] is None and page.get("content_language"):
        base["language"] = page["content_language"].split("-")[0].lower()
    return base
