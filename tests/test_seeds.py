"""The demo newswire in seeds/: rendered from its sources, and as rich as the demo promises."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from newsflow.settings import SEEDS_DIR


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_newswire", SEEDS_DIR / "build_newswire.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_newswire"] = module
    spec.loader.exec_module(module)
    return module


def test_rendered_site_matches_its_sources() -> None:
    assert load_builder().build(check=True) == []


def test_demo_site_has_the_promised_variety() -> None:
    stories = load_builder().load_stories()
    pages = list((SEEDS_DIR / "newswire").glob("*/2026/*/*/*.html"))
    assert len(pages) >= 30
    assert {s.site for s in stories} == {"wire", "globe", "roundup"}
    assert any(s.paywalled for s in stories)
    assert any(s.edited and s.body_v2 for s in stories)
    assert any(s.language != "en" for s in stories)
    assert any(s.syndicated_from for s in stories)
    feeds = SEEDS_DIR / "newswire" / "feeds"
    assert (feeds / "world.rss").read_text().startswith('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"')
    assert '<feed xmlns="http://www.w3.org/2005/Atom">' in (feeds / "dispatch.atom").read_text()
