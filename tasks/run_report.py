"""The run report a flow publishes to the Prefect UI: what was polled, stored, failed, and how long it took."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact


def render_markdown(summary: dict[str, Any]) -> str:
    """A short markdown report of one ingest summary (the dict the ingest flow returns)."""
    lines = ["# Ingest run", "", "| table | before | after | added |", "|---|---:|---:|---:|"]
    for table, after in summary["rows_after"].items():
        before = summary["rows_before"].get(table, 0)
        lines.append(f"| {table} | {before} | {after} | {after - before:+d} |")
    feeds = ", ".join(f"{count} {status}" for status, count in sorted(summary["feeds"].items())) or "none"
    articles = ", ".join(f"{count} {status}" for status, count in sorted(summary["articles"].items())) or "none"
    lines += [
        "",
        f"**Feeds polled:** {feeds}",
        f"**New feed entries:** {summary['new_entries']}",
        f"**Pages fetched:** {summary['pages_fetched']} ({articles})",
    ]
    if summary.get("feeds_skipped"):
        lines.append(f"**Feeds skipped (gone or not due):** {', '.join(summary['feeds_skipped'])}")
    if summary["feed_errors"]:
        lines += ["", "## Feed failures", "", "| feed | error |", "|---|---|"]
        lines += [f"| {feed} | {error} |" for feed, error in sorted(summary["feed_errors"].items())]
    lines += ["", "## Timings", ""] + [f"- {name}: {value} s" for name, value in summary["timings_s"].items()]
    return "\n".join(lines) + "\n"


@task(name="publish-run-report")
def publish_run_report(summary: dict[str, Any]) -> None:
    """Show the run's summary as a markdown artifact in the Prefect UI."""
    create_markdown_artifact(
        key="ingest-report", markdown=render_markdown(summary), description="newsflow ingest summary"
    )
