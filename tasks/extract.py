"""Article extraction: trafilatura body and metadata from archived page bytes."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import py3langid
import pyarrow as pa
import trafilatura
from lxml import html as lxml_html
from prefect import task
from prefect.logging import get_run_logger
from trafilatura.settings import Document

from newsflow.progress import report
from tasks.archive import load_page
from tasks.page_meta import DateCandidate, choose_dates, choose_title, date_candidates, parse_html
from tasks.staging import read_records, write_records

LOGGER = logging.getLogger(__name__)

EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}+newsflow-extract.1"
WORD_RE = re.compile(r"\w+", re.UNICODE)
SPACE_RE = re.compile(r"[ \t\u00a0]+")
# Shorter than this, language guesses are noise.
MIN_CHARS_FOR_LANGUAGE_ID = 40

ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("final_url", pa.string()),
        ("http_status", pa.int32()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("archive_path", pa.string()),
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("published_at_source", pa.string()),
        ("modified_at", pa.timestamp("us", tz="UTC")),
        (
            "date_candidates",
            pa.list_(
                pa.struct([("source", pa.string()), ("kind", pa.string()), ("value", pa.timestamp("us", tz="UTC"))])
            ),
        ),
        ("language", pa.string()),
        ("site_name", pa.string()),
        ("description", pa.string()),
        ("body_text", pa.string()),
        ("content_hash", pa.string()),
        ("word_count", pa.int32()),
        ("extraction_status", pa.string()),  # ok | no_body | http_error | fetch_error | extract_error
        ("error", pa.string()),
        ("extractor_version", pa.string()),
    ]
)


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


def extract_article(page: bytes, url: str | None = None, min_body_words: int = 40) -> dict[str, Any]:
    """Body text and metadata of one page; extraction_status says why there is no body when there is none."""
    document = trafilatura.bare_extraction(
        page, url=url, include_comments=False, with_metadata=True, include_tables=True
    )
    if not isinstance(document, Document):
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
    body = normalize_body(document.text or "")
    words = len(WORD_RE.findall(body))
    status, error = "ok", None
    if words < min_body_words:
        status, error = "no_body", f"only {words} words of main text (minimum {min_body_words})"
    root = parse_html(page)
    candidates = date_candidates(root, url, document.date)
    published, modified = choose_dates(candidates)
    return {
        "extraction_status": status,
        "error": error,
        "body_text": body or None,
        "title": choose_title(root, document.title, document.sitename),
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


def article_record(page: dict[str, Any], min_body_words: int) -> dict[str, Any]:
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
        }
    )
    if page["fetch_status"] != "ok":
        base.update(extraction_status=page["fetch_status"], error=page["error"])
        return base
    try:
        raw = load_page(page["archive_path"])
        extracted = extract_article(raw, page.get("final_url") or page["url"], min_body_words)
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
    )
    if base["language"] is None and page.get("content_language"):
        base["language"] = page["content_language"].split("-")[0].lower()
    return base


@task(name="extract-articles")
def extract_articles(manifest_path: Path, out_path: Path, min_body_words: int) -> Path:
    """Extract one batch of archived pages; returns the article batch path."""
    pages = read_records(manifest_path)
    records = [article_record(page, min_body_words) for page in pages]
    by_status: dict[str, int] = {}
    for record in records:
        by_status[record["extraction_status"]] = by_status.get(record["extraction_status"], 0) + 1
    report(get_run_logger(), "extracted %d pages: %s", len(records), by_status)
    return write_records(out_path, records, ARTICLE_SCHEMA)
