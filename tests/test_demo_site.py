"""The demo newswire server: validators, editions, and sharing its port with an overlapping run."""

from __future__ import annotations

import threading

import httpx
import pytest

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


def test_the_run_that_started_the_server_keeps_serving_until_a_sharing_run_is_done() -> None:
    port = free_port()
    owner_done = threading.Event()
    sharer_entered = threading.Event()
    release_sharer = threading.Event()
    statuses: list[int] = []

    def sharing_run() -> None:
        with serve_newswire(DemoSettings().site_dirs, port=port) as base:
            sharer_entered.set()
            release_sharer.wait(10)
            # The owner has left its `with` block by now; the server must still answer this run.
            statuses.append(httpx.get(f"{base}/feeds/world.rss").status_code)

    owner = serve_newswire(DemoSettings().site_dirs, port=port)
    owner.__enter__()
    sharer = threading.Thread(target=sharing_run)
    sharer.start()
    assert sharer_entered.wait(10)

    def finish_owner() -> None:
        owner.__exit__(None, None, None)
        owner_done.set()

    threading.Thread(target=finish_owner).start()
    assert not owner_done.wait(1.0)  # still serving: the sharing run holds a lease
    release_sharer.set()
    sharer.join(10)
    assert statuses == [200]
    assert owner_done.wait(10)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/feeds/world.rss")
