"""Render the demo newswire (seeds/newswire and its edition overlays) from seeds/newswire-src/*.toml."""

from __future__ import annotations

import html
import json
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "newswire-src"
SITE_DIR = HERE / "newswire"
EDITION2_DIR = HERE / "newswire-edition2"
BASE = "{demo}"

SITES = {
    "wire": {"name": "Wire World Service", "prefix": "wire", "feed": "world"},
    "globe": {"name": "Globe Dispatch", "prefix": "globe", "feed": "dispatch"},
    "roundup": {"name": "Regional Roundup", "prefix": "roundup", "feed": "roundup"},
}


@dataclass
class Story:
    slug: str
    site: str
    feeds: list[str]
    section: str
    title: str
    byline: str
    published: datetime
    dateline: str
    body: str
    language: str = "en"
    modified: datetime | None = None
    edited: bool = False
    body_v2: str | None = None
    paywalled: bool = False
    feed_date: bool = True
    syndicated_from: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def path(self) -> str:
        d = self.published
        return f"/{SITES[self.site]['prefix']}/{d:%Y/%m/%d}/{self.slug}.html"

    @property
    def url(self) -> str:
        return BASE + self.path

    def paragraphs(self, edition: int = 1) -> list[str]:
        text = self.body_v2 if edition >= 2 and self.body_v2 else self.body
        return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]

    @property
    def plain_title(self) -> str:
        return html.unescape(self.title.replace("<em>", "").replace("</em>", ""))


def load_stories() -> list[Story]:
    stories = []
    for path in sorted(SOURCE_DIR.glob("stories-*.toml")):
        for raw in tomllib.loads(path.read_text())["story"]:
            raw["published"] = datetime.fromisoformat(raw["published"])
            if "modified" in raw:
                raw["modified"] = datetime.fromisoformat(raw["modified"])
            stories.append(Story(**raw))
    return sorted(stories, key=lambda s: s.published)


def nav(site: str) -> str:
    sections = ["World", "Europe", "Africa", "Asia", "Americas", "Middle East", "Business", "Sport"]
    links = "".join(
        f'<li><a href="/{SITES[site]["prefix"]}/{s.lower().replace(" ", "-")}/">{s}</a></li>' for s in sections
    )
    return f'<nav class="main-nav" aria-label="Sections"><ul>{links}</ul></nav>'


COOKIE_BANNER = (
    '<div id="cookie-consent" class="cookie-banner" role="dialog"><p>We use cookies to personalise content and '
    "ads, to provide social media features and to analyse our traffic. By continuing to browse you agree to our "
    'use of cookies.</p><button type="button">Accept all</button><button type="button">Manage preferences</button>'
    "</div>"
)


def related_rail(story: Story, stories: list[Story]) -> str:
    others = [s for s in stories if s.site == story.site and s.slug != story.slug][:4]
    items = "".join(f'<li><a href="{s.path}">{html.escape(s.plain_title)}</a></li>' for s in others)
    return (
        f'<aside class="related"><h3>Related stories</h3><ul>{items}</ul>'
        '<h3>Most read</h3><ol><li><a href="/most-read/1">Markets slide as oil jumps</a></li>'
        '<li><a href="/most-read/2">Ten photos of the week</a></li></ol></aside>'
    )


def footer(site: str) -> str:
    name = SITES[site]["name"]
    return (
        f'<footer class="site-footer"><p>Latest News from {name} Desk</p><ul><li><a href="/about">About us</a>'
        '</li><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li>'
        f'<li><a href="/contact">Contact</a></li></ul><p>&copy; 2026 {name}. All rights reserved.</p></footer>'
    )


def body_html(story: Story, edition: int) -> str:
    if story.paywalled:
        teaser = html.escape(story.paragraphs()[0])
        return (
            f'<p class="standfirst">{teaser}</p><div class="paywall"><h2>Subscribe to continue reading</h2>'
            '<p>This article is for subscribers only.</p><a class="button" href="/subscribe">Subscribe now</a>'
            '<a href="/login">Log in</a></div>'
        )
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs(edition))


def page_wire(story: Story, stories: list[Story], edition: int) -> str:
    modified = story.modified if edition >= 2 and story.modified else story.published
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.plain_title,
        "datePublished": story.published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": [{"@type": "Person", "name": story.byline}],
        "publisher": {"@type": "Organization", "name": "Wire World Service"},
        "mainEntityOfPage": story.url,
    }
    return f"""<!DOCTYPE html>
<html lang="{story.language}">
<head>
<meta charset="utf-8">
<title>{html.escape(story.plain_title)} | Wire World Service</title>
<link rel="canonical" href="{story.url}">
<meta name="description" content="{html.escape(story.paragraphs()[0][:150])}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body>
{COOKIE_BANNER}
<header class="masthead"><a class="logo" href="/">Wire World Service</a>{nav(story.site)}
<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>
<main>
<article class="story">
<p class="kicker">{story.section}</p>
<h1>{html.escape(story.plain_title)}</h1>
<div class="byline">By <span class="author">{html.escape(story.byline)}</span> &middot;
<time datetime="{story.published.isoformat()}">{story.published:%B %d, %Y %H:%M} UTC</time></div>
<div class="story-body">
{body_html(story, edition)}
</div>
<div class="share"><span>Share this article</span> <a href="/share/x">X</a> <a href="/share/fb">Facebook</a></div>
</article>
{related_rail(story, stories)}
</main>
{footer(story.site)}
</body>
</html>
"""


def page_globe(story: Story, stories: list[Story], edition: int) -> str:
    modified = story.modified if edition >= 2 and story.modified else None
    modified_meta = f'<meta property="article:modified_time" content="{modified.isoformat()}">' if modified else ""
    updated_note = f'<p class="updated">Updated {modified:%d %B %Y, %H:%M} GMT</p>' if modified else ""
    return f"""<!DOCTYPE html>
<html lang="{story.language}">
<head>
<meta charset="utf-8">
<title>{html.escape(story.plain_title)} - Globe Dispatch</title>
<meta property="og:title" content="{html.escape(story.plain_title)}">
<meta property="og:site_name" content="Globe Dispatch">
<meta property="og:url" content="{story.url}">
<meta property="article:published_time" content="{story.published.isoformat()}">
{modified_meta}
<meta name="author" content="{html.escape(story.byline)}">
</head>
<body>
<div class="top-bar"><a href="/subscribe">Subscribe</a> <a href="/newsletters">Newsletters</a> <a href="/login">Sign in</a></div>
{nav(story.site)}
{COOKIE_BANNER}
<div class="layout">
<div class="content">
<h1 class="headline">{html.escape(story.plain_title)}</h1>
<p class="author-line">By {html.escape(story.byline)}</p>
<p class="dateline-date">{story.published:%d %B %Y}</p>
{updated_note}
<section class="article-text">
{body_html(story, edition)}
</section>
<div class="newsletter-box"><h4>Sign up for the Morning Dispatch</h4><p>Our best stories in your inbox every morning.</p></div>
</div>
{related_rail(story, stories)}
</div>
{footer(story.site)}
</body>
</html>
"""


def page_roundup(story: Story, stories: list[Story], edition: int) -> str:
    # No JSON-LD and no meta dates: only a human-readable date line, as on many small sites.
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Regional Roundup :: {html.escape(story.plain_title)}</title>
</head>
<body>
<div id="wrapper">
<div id="header"><h2>Regional Roundup</h2>{nav(story.site)}</div>
{COOKIE_BANNER}
<div id="main">
<div class="post">
<h1 class="post-title">{html.escape(story.plain_title)}</h1>
<div class="post-meta">Posted by {html.escape(story.byline)} in {story.section} &mdash; {story.published:%b. %d, %Y}</div>
<div class="entry">
{body_html(story, edition)}
</div>
<div class="tags">Tags: {story.section.lower()}, news, roundup</div>
<div class="comments"><h3>2 Comments</h3><div class="comment"><p>Great reporting, thanks.</p></div>
<div class="comment"><p>Where can I read more about this?</p></div></div>
</div>
{related_rail(story, stories)}
</div>
{footer(story.site)}
</div>
</body>
</html>
"""


RENDERERS = {"wire": page_wire, "globe": page_globe, "roundup": page_roundup}


def rss_world(stories: list[Story]) -> str:
    items = []
    for s in stories:
        if "world" not in s.feeds:
            continue
        items.append(f"""<item>
<title>{html.escape(s.plain_title)}</title>
<link>{s.url}</link>
<guid isPermaLink="true">{s.url}</guid>
<pubDate>{format_datetime(s.published)}</pubDate>
<dc:creator>{html.escape(s.byline)}</dc:creator>
<description>{html.escape(s.paragraphs()[0])}</description>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Wire World Service - World</title>
<link>{BASE}/wire/</link>
<description>World news from the Wire World Service</description>
<language>en</language>
{chr(10).join(items)}
</channel>
</rss>
"""


def atom_dispatch(stories: list[Story], edition: int) -> str:
    entries = []
    for s in stories:
        if "dispatch" not in s.feeds:
            continue
        updated = s.modified if edition >= 2 and s.modified else s.published
        entries.append(f"""<entry>
<title type="text">{html.escape(s.plain_title)}</title>
<link rel="alternate" type="text/html" href="{s.url}"/>
<id>tag:globedispatch.example,2026:{s.slug}</id>
<published>{s.published.isoformat()}</published>
<updated>{updated.isoformat()}</updated>
<author><name>{html.escape(s.byline)}</name></author>
<summary type="text">{html.escape(s.paragraphs()[0][:300])}</summary>
</entry>""")
    latest = max((s.modified if edition >= 2 and s.modified else s.published) for s in stories if "dispatch" in s.feeds)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Globe Dispatch</title>
<link rel="alternate" href="{BASE}/globe/"/>
<link rel="self" href="{BASE}/feeds/dispatch.atom"/>
<id>tag:globedispatch.example,2026:feed</id>
<updated>{latest.isoformat()}</updated>
{chr(10).join(entries)}
</feed>
"""


def rss_roundup(stories: list[Story]) -> str:
    """Real-world quirks on purpose: relative links, missing dates, a duplicate GUID, HTML in titles,
    a tracking-decorated link to another site's story, and a link that 404s."""
    items = []
    mine = [s for s in stories if "roundup" in s.feeds]
    for i, s in enumerate(mine):
        date = f"<pubDate>{format_datetime(s.published)}</pubDate>" if s.feed_date else ""
        guid = f'<guid isPermaLink="false">roundup-{s.published:%Y%m%d}-{i:03d}</guid>'
        items.append(f"""<item>
<title>{html.escape(s.title)}</title>
<link>{s.path}</link>
{guid}
{date}
<description>{html.escape(s.paragraphs()[0])}</description>
</item>""")
    # The same item published twice under one GUID (a CMS re-push).
    items.append(items[1])
    kharkiv = next(s for s in stories if s.slug == "drone-strike-kharkiv-power-station")
    items.append(f"""<item>
<title>From the wires: {html.escape(kharkiv.plain_title)}</title>
<link>{kharkiv.url}?utm_source=roundup&amp;utm_medium=rss&amp;utm_campaign=wires#top</link>
<guid isPermaLink="false">roundup-wires-kharkiv</guid>
<pubDate>{format_datetime(kharkiv.published)}</pubDate>
</item>""")
    items.append("""<item>
<title>&lt;b&gt;Correction:&lt;/b&gt; story withdrawn</title>
<link>/roundup/2026/11/22/withdrawn-story.html</link>
<guid isPermaLink="false">roundup-withdrawn</guid>
<pubDate>Sun, 22 Nov 2026 18:00:00 +0000</pubDate>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Regional Roundup</title>
<link>{BASE}/roundup/</link>
<description>Stories from the regions</description>
{chr(10).join(items)}
</channel>
</rss>
"""


def index_page(stories: list[Story]) -> str:
    links = "".join(f'<li><a href="{s.path}">{html.escape(s.plain_title)}</a></li>' for s in stories)
    return (
        f"<!DOCTYPE html><html><head><title>Demo newswire</title></head><body><h1>Demo newswire</h1>"
        f'<p>Feeds: <a href="/feeds/world.rss">world.rss</a> <a href="/feeds/dispatch.atom">dispatch.atom</a> '
        f'<a href="/feeds/roundup.xml">roundup.xml</a></p><ul>{links}</ul></body></html>\n'
    )


def render(out_dir: Path, stories: list[Story], edition: int) -> dict[str, str]:
    files: dict[str, str] = {}
    if edition == 1:
        for s in stories:
            files[s.path.lstrip("/")] = RENDERERS[s.site](s, stories, 1)
        files["feeds/world.rss"] = rss_world(stories)
        files["feeds/dispatch.atom"] = atom_dispatch(stories, 1)
        files["feeds/roundup.xml"] = rss_roundup(stories)
        files["index.html"] = index_page(stories)
    else:
        for s in stories:
            if s.edited:
                files[s.path.lstrip("/")] = RENDERERS[s.site](s, stories, edition)
        files["feeds/dispatch.atom"] = atom_dispatch(stories, edition)
    return files


def build(check: bool = False) -> list[str]:
    """Write both editions; with check=True write nothing and return the files that differ."""
    stories = load_stories()
    stale = []
    for out_dir, edition in ((SITE_DIR, 1), (EDITION2_DIR, 2)):
        files = render(out_dir, stories, edition)
        if check:
            for rel, text in files.items():
                target = out_dir / rel
                if not target.is_file() or target.read_text() != text:
                    stale.append(str(target))
            continue
        if out_dir.exists():
            shutil.rmtree(out_dir)
        for rel, text in files.items():
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    return stale


if __name__ == "__main__":
    stale = build(check="--check" in sys.argv)
    if stale:
        print("stale demo files (run python seeds/build_newswire.py):", *stale, sep="\n  ")
        sys.exit(1)
    print(f"demo newswire written to {SITE_DIR} and {EDITION2_DIR}")
