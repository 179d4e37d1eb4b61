"""The demo newswire server: validators, editions, and sharing its port with an overlapping run."""

from __future__ import annotations

import httpx

from newsflow.demo import serve_newswire
from newsflow.settings import DemoSettings

from .conftest import free_port


def test_feeds_carry_the_served_base_url_and_honour_etags() -> None:
    with serve_newswire(DemoSettings().site_dirs, port=0) as base:
        first = httpx.get(f"{base}/feeds/world.rss")
        again = httpx.get(f"{base}/feeds/world.rss", headers={"If-None-Match": first.headers["etag"]})
    assert first.status_code == 200 and f"{base}/wire/" in first.text and "{demo}" not in first.text
    assert again.status_code == 304


def test_edition_two_overlays_only_the_edited_article() -> None:
    settings = DemoSettings(edition=2)
    with serve_newswire(settings.site_dirs, port=0) as base:
        edited = httpx.get(f"{base}/globe/2026/11/23/ukraine-grain-corridor-agreement.html")
        other = httpx.get(f"{base}/globe/2026/11/17/serbia-kosovo-border-clash.html")
    assert "Kremlin spokesman" in edited.text and other.status_code == 200


def test_an_overlapping_run_shares_the_demo_port_instead_of_failing() -> None:
    port = free_port()
    with (
        serve_newswire(DemoSettings().site_dirs, port=port) as first,
        serve_newswire(DemoSettings().site_dirs, port=port) as second,
    ):
        assert first == second
        assert httpx.get(f"{second}/feeds/roundup.xml").status_code == 200
