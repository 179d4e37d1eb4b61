"""URL canonicalization: one spelling per article."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsflow.urls import canonicalize_url, url_id


def test_tracking_parameters_fragment_and_host_case_are_removed() -> None:
    url = "HTTPS://News.Example.COM:443/world/story.html?utm_source=rss&id=7&fbclid=abc#comments"
    assert canonicalize_url(url) == "https://news.example.com/world/story.html?id=7"


def test_meaningful_query_parameters_are_kept_in_sorted_order() -> None:
    assert canonicalize_url("http://a.example/p?b=2&a=1") == "http://a.example/p?a=1&b=2"


def test_non_default_port_is_kept_and_empty_path_becomes_slash() -> None:
    assert canonicalize_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765/"


def test_same_article_with_and_without_tracking_gets_one_id() -> None:
    assert url_id("https://x.example/a?utm_medium=email") == url_id("https://X.example/a#top")


hosts = st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,10}(\.[a-zA-Z]{2,5}){1,2}", fullmatch=True)
paths = st.lists(st.from_regex(r"[a-zA-Z0-9_.~-]{1,8}", fullmatch=True), max_size=4).map(lambda p: "/" + "/".join(p))
params = st.lists(
    st.tuples(
        st.sampled_from(["id", "page", "utm_source", "utm_campaign", "fbclid", "q", "gclid"]),
        st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True),
    ),
    max_size=5,
)


@given(st.sampled_from(["http", "https", "HTTP"]), hosts, paths, params, st.sampled_from(["", "#frag", "#"]))
def test_canonicalization_is_idempotent_and_drops_only_tracking(
    scheme: str, host: str, path: str, query: list[tuple[str, str]], fragment: str
) -> None:
    url = f"{scheme}://{host}{path}" + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "") + fragment
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert "#" not in once
    assert "utm_" not in once and "fbclid" not in once and "gclid" not in once
    assert once.split("://", 1)[1].split("/", 1)[0] == host.lower()
    for key, value in query:
        if key in ("id", "page", "q"):
            assert f"{key}={value}" in once
