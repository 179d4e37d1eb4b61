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
    failures = failures_by_reason(summary)
    if failures:
        lines += ["", "## Failures by reason", "", "| what | reason | count |", "|---|---|---:|"]
        lines += [f"| {what} | {reason} | {count} |" for (what, reason), count in sorted(failures.items())]
    lines += ["", "## Timings", ""] + [f"- {name}: {value} s" for name, value in summary["timings_s"].items()]
    if summary.get("stage_busy_s"):
        lines += ["", "Stage busy time, summed over batches (stages of different batches overlap):", ""]
        lines += [f"- {stage}: {value} s" for stage, value in summary["stage_busy_s"].items()]
    return "\n".join(lines) + "\n"


def failures_by_reason(summary: dict[str, Any]) -> dict[tuple[str, str], int]:
    """(feeds|articles, reason) -> count for everything that did not end ok in this run."""
    failures: dict[tuple[str, str], int] = {}
    for status, count in summary["feeds"].items():
        if status not in ("ok", "not_modified", "unchanged"):
            failures[("feeds", status)] = count
    for status, count in summary["articles"].items():
        if status != "ok":
            failures[("articles", status)] = count
    return failures


@task(name="publish-run-report")
def publish_run_report(summary: dict[str, Any]) -> None:
    """Show the run's summary as a markdown artifact in the Prefect UI."""
    create_markdown_artifact(
        key="ingest-report", markdown=render_markdown(summary), description="newsflow ingest summary"
    )


def render_reprocess_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# Reprocess run ({summary['stages']})",
        "",
        f"**Articles redone:** {summary['reprocessed']} (already current: {summary['already_current']}, "
        f"not eligible: {summary['not_eligible']}, raw page no longer archived: {summary['raw_page_missing']})",
        f"**Pipeline version:** {summary['pipeline_version']}; **extractor:** {summary['extractor_version']}",
        "",
        "| table | before | after | change |",
        "|---|---:|---:|---:|",
    ]
    for table, after in summary["rows_after"].items():
        before = summary["rows_before"].get(table, 0)
        lines.append(f"| {table} | {before} | {after} | {after - before:+d} |")
    lines += ["", "## Timings", ""] + [f"- {name}: {value} s" for name, value in summary["timings_s"].items()]
    lines += [f"- {stage} (busy): {value} s" for stage, value in summary.get("stage_busy_s", {}).items()]
    return "\n".join(lines) + "\n"


@task(name="publish-reprocess-report")
def publish_reprocess_report(summary: dict[str, Any]) -> None:
    create_markdown_artifact(
        key="reprocess-report", markdown=render_reprocess_markdown(summary), description="newsflow reprocess summary"
    )
