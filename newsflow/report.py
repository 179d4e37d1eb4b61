"""The static HTML report: inline SVG charts and tables, no scripts or external files (opens offline)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

# Colour per PLOVER category (others share grey): readable on white, distinct enough side by side.
CATEGORY_COLOURS = {
    "AGREE": "#2b8a3e",
    "ASSAULT": "#c92a2a",
    "COERCE": "#e8590c",
    "CONSULT": "#1971c2",
    "COOPERATE": "#0c8599",
    "DEMAND": "#f08c00",
    "DISAPPROVE": "#862e9c",
    "PROTEST": "#d6336c",
    "AID": "#5c940d",
    "MOBILIZE": "#a61e4d",
    "THREATEN": "#e03131",
    "SANCTION": "#5f3dc4",
    "ACCUSE": "#9c36b5",
    "REJECT": "#495057",
    "RETREAT": "#74b816",
    "SUPPORT": "#37b24d",
    "REQUEST": "#f59f00",
    "CONCEDE": "#15aabf",
    "FIGHT": "#7f1d1d",
    "INVESTIGATE": "#364fc7",
}
OTHER_COLOUR = "#adb5bd"
STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px;
       color: #212529; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; }
.meta { color: #6c757d; } .empty { color: #6c757d; font-style: italic; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px;
       border-bottom: 1px solid #dee2e6; } th { background: #f1f3f5; }
.ok { color: #2b8a3e; font-weight: 600; } .bad { color: #c92a2a; font-weight: 600; }
.legend span { display: inline-block; margin-right: 12px; } .swatch { display: inline-block; width: 10px;
       height: 10px; margin-right: 4px; }
svg text { font: 12px system-ui, sans-serif; fill: #212529; }
"""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return escape(str(value))


def bar_chart(items: list[tuple[str, float]], colour: str, unit: str = "") -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    if not items:
        return '<p class="empty">nothing in this window</p>'
    label_w, bar_w, row_h = 260, 560, 22
    top = max(value for _, value in items) or 1.0
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * row_h
        width = max(1.0, bar_w * max(value, 0) / top)
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label[:40])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" fill="{colour}"/>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 15}">{value:g}{unit}</text>'
        )
    height = len(items) * row_h
    return (
        f'<svg role="img" width="{label_w + bar_w + 80}" height="{height}" '
        f'viewBox="0 0 {label_w + bar_w + 80} {height}">{"".join(rows)}</svg>'
    )


def stacked_days(rows: list[dict[str, Any]], since: date, until: date) -> str:
    """Events per day as stacked columns, one colour per PLOVER category, with a legend."""
    if not rows:
        return '<p class="empty">no events in this window</p>'
    days = [date.fromordinal(d) for d in range(since.toordinal(), until.toordinal() + 1)]
    categories = sorted({r["event_type"] for r in rows})
    counts = {(r["day"], r["event_type"]): r["count_events"] for r in rows}
    totals = [sum(counts.get((d, c), 0) for c in categories) for d in days]
    chart_h, left, bottom = 220, 40, 40
    column_w = max(8, min(60, 900 // max(1, len(days))))
    top = max(totals) or 1
    parts = [
        f'<line x1="{left}" y1="{chart_h}" x2="{left + column_w * len(days)}" y2="{chart_h}" stroke="#868e96"/>',
        f'<text x="{left - 6}" y="12" text-anchor="end">{top}</text>',
        f'<text x="{left - 6}" y="{chart_h}" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        y = float(chart_h)
        x = left + i * column_w
        for category in categories:
            value = counts.get((day, category), 0)
            if value:
                h = chart_h * value / top
                y -= h
                colour = CATEGORY_COLOURS.get(category, OTHER_COLOUR)
                parts.append(
                    f'<rect x="{x + 2}" y="{y:.1f}" width="{column_w - 4}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{day} {category}: {value}</title></rect>"
                )
        if len(days) <= 31 or i % (len(days) // 15 + 1) == 0:
            parts.append(f'<text x="{x + column_w / 2:.1f}" y="{chart_h + 16}" text-anchor="middle">{day:%m-%d}</text>')
    width = left + column_w * len(days) + 10
    legend = "".join(
        f'<span><i class="swatch" style="background:{CATEGORY_COLOURS.get(c, OTHER_COLOUR)}"></i>{escape(c)}</span>'
        for c in categories
    )
    return (
        f'<svg role="img" width="{width}" height="{chart_h + bottom}" viewBox="0 0 {width} {chart_h + bottom}">'
        f'{"".join(parts)}</svg><div class="legend">{legend}</div>'
    )


def conflict_table(rows: list[dict[str, Any]]) -> str:
    """Per day: events per QuadClass and their mean Goldstein score, coloured from conflict to cooperation."""
    if not rows:
        return '<p class="empty">no events in this window</p>'
    head = "<tr><th>day</th><th>events</th><th>verbal cooperation</th><th>material cooperation</th>"
    head += "<th>verbal conflict</th><th>material conflict</th><th>mean Goldstein</th></tr>"
    body = []
    for r in rows:
        score = r["mean_goldstein"]
        tone = "" if score is None else ("ok" if score > 0 else "bad" if score < 0 else "")
        shown = "" if score is None else f"{score:+.1f}"
        body.append(
            f"<tr><td>{_text(r['day'])}</td><td>{r['count_events']}</td><td>{r['verbal_cooperation']}</td>"
            f"<td>{r['material_cooperation']}</td><td>{r['verbal_conflict']}</td><td>{r['material_conflict']}</td>"
            f'<td class="{tone}">{shown}</td></tr>'
        )
    return f"<table>{head}{''.join(body)}</table>"


def feed_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="empty">no feeds yet</p>'
    head = "<tr><th>feed</th><th>last status</th><th>success rate</th><th>requests</th><th>failures in a row</th>"
    head += "<th>last success</th><th>median latency</th></tr>"
    body = []
    for r in rows:
        healthy = r["last_status"] in ("ok", "not_modified", "unchanged") and r["is_active"]
        status = f'<span class="{"ok" if healthy else "bad"}">{_text(r["last_status"]) or "never polled"}</span>'
        if r["is_parked"]:
            status += " (parked)"
        rate = f"{100 * r['success_rate']:.0f} %" if r["success_rate"] is not None else ""
        latency = f"{r['median_latency_ms']:.0f} ms" if r["median_latency_ms"] is not None else ""
        body.append(
            f"<tr><td>{_text(r['feed_id'])}</td><td>{status}</td><td>{rate}</td><td>{r['count_requests']}</td>"
            f"<td>{r['consecutive_failures']}</td><td>{_text(r['last_success_at'])}</td><td>{latency}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def render_report(data: dict[str, Any], database: str, generated_at: datetime) -> str:
    """The whole report page from storage.report_data's sections."""
    since, until = data["since"], data["until"]
    trending = [(f"{r['canonical_name']} ({r['label']})", float(r["score"])) for r in data["trending"]]
    quoted = [(r["speaker"], float(r["count_quotes"])) for r in data["quoted"]]
    quote_rows = "".join(
        f"<tr><td>{_text(r['speaker'])}</td><td>{r['count_quotes']}</td><td>“{_text(r['longest_quote'])}”</td></tr>"
        for r in data["quoted"][:5]
    )
    events_total = sum(r["count_events"] for r in data["event_timeline"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>newsflow report {since} to {until}</title>
<style>{STYLE}</style></head>
<body>
<h1>newsflow report</h1>
<p class="meta">{since} to {until} ({(until - since).days + 1} days) &middot; {data["articles"]} articles stored
&middot; {escape(database)} &middot; generated {generated_at:%Y-%m-%d %H:%M} UTC</p>

<h2 id="trending">Trending entities on {until}</h2>
<p class="meta">Score: mentions that day against the 28 days before (a smoothed z-score; 0 = usual).</p>
{bar_chart(trending, "#1971c2")}

<h2 id="events">Events by PLOVER category ({events_total} asserted events)</h2>
{stacked_days(data["event_timeline"], since, until)}

<h2 id="conflict">Conflict and cooperation</h2>
<p class="meta">GDELT's QuadClass of each asserted event (from its CAMEO code) and the mean Goldstein score
(-10 most conflictual .. +10 most cooperative).</p>
{conflict_table(data["conflict_cooperation"])}

<h2 id="quoted">Most quoted speakers</h2>
{bar_chart(quoted, "#862e9c", " quotes")}
{f"<table><tr><th>speaker</th><th>quotes</th><th>longest quote</th></tr>{quote_rows}</table>" if quote_rows else ""}

<h2 id="feeds">Feed health</h2>
{feed_table(data["feed_health"])}
</body></html>
"""
