"""The newsflow command line: run an ingest, query the database."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast

import typer
from rich.console import Console
from rich.table import Table

from newsflow.memory import bound_malloc_growth
from newsflow.prefect_env import apply_prefect_defaults

if TYPE_CHECKING:
    from newsflow.settings import Settings

app = typer.Typer(
    help=(
        "newsflow turns RSS/Atom feeds into a queryable news database: Prefect flows fetch feeds and "
        "article pages, trafilatura extracts the text, spaCy tags entities, DuckDB stores it all.\n\n"
        "With the shipped config, `newsflow run` ingests the offline demo newswire in seeds/ into "
        "./newsflow.duckdb. Settings: config/newsflow.toml, NEWSFLOW_CONFIG, NEWSFLOW_<SECTION>__<KEY> env vars."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML config file (default: $NEWSFLOW_CONFIG or config/newsflow.toml).",
        exists=True,
        dir_okay=False,
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file (default: [database] path in config, ./newsflow.duckdb)."),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")]
MaxRowsOption = Annotated[
    int,
    typer.Option(
        "--max-rows",
        help="Table format: show at most this many rows and say if there are more (0: all). csv/json print all.",
    ),
]
TABLE_MAX_ROWS = 1000


def _apply_config(config: Path | None, db: Path | None) -> None:
    if config is not None:
        os.environ["NEWSFLOW_CONFIG"] = str(config.resolve())
    if db is not None:
        os.environ["NEWSFLOW_DATABASE__PATH"] = str(db)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


class _ProgressHandler(logging.Handler):
    """Shows the flow's progress lines on the console while Prefect's own INFO chatter stays in the UI."""

    def emit(self, record: logging.LogRecord) -> None:
        from newsflow.progress import is_progress

        if is_progress(record):
            stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
            console.print(f"[dim]{stamp}[/] {record.getMessage()}", highlight=False)


@app.command()
def run(
    config: ConfigOption = None,
    db: DbOption = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="Poll only this feed (by name); repeatable.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Article pages per fetch/extract/tag/store batch.")] = None,
    due: Annotated[
        bool, typer.Option("--due", help="Poll only feeds whose next poll time has come (as schedules do).")
    ] = False,
    poll_only: Annotated[
        bool, typer.Option("--poll-only", help="Store new feed entries but fetch no article pages.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines too.")] = False,
) -> None:
    """Run one ingest: poll the configured feeds, fetch new articles, extract, tag and store them.

    With the shipped config this serves the demo newswire (seeds/newswire) on 127.0.0.1:8765 for the length
    of the run. A second run over unchanged feeds adds nothing. Prints progress and a summary.
    """
    _apply_config(config, db)
    apply_prefect_defaults(quiet_console=not verbose)
    settings = _load_settings()
    console.print(
        f"newsflow: ingesting {len(settings.feeds)} feed(s) into [bold]{settings.database.path}[/] (starting Prefect…)"
    )
    started = time.monotonic()

    def run_ingest() -> dict[str, Any]:
        from flows.ingest import ingest

        return ingest(feeds=feed or None, page_batch_size=batch_size, only_due=due, poll_only=poll_only)

    summary = _run_flow(settings, run_ingest)
    _print_summary(summary, settings.database.path, time.monotonic() - started)


@app.command()
def reprocess(
    config: ConfigOption = None,
    db: DbOption = None,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First publication day (inclusive).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last publication day (inclusive).")
    ] = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="Only articles of this feed; repeatable.")] = None,
    article: Annotated[list[str] | None, typer.Option("--article", help="Only this article id; repeatable.")] = None,
    stages: Annotated[str, typer.Option(help="extract (NLP again only where the body changed), nlp, or all.")] = "all",
    force: Annotated[bool, typer.Option("--force", help="Redo articles already at the current versions.")] = False,
    batch_size: Annotated[int | None, typer.Option(help="Articles per batch.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines too.")] = False,
) -> None:
    """Re-run extraction and/or NLP on stored articles from the raw page archive (nothing is refetched).

    Articles already made by the current extractor / spaCy pipeline version are skipped unless --force.
    Each batch replaces its old entities, quotes and events in one transaction, stamped with the new version.
    """
    if stages not in ("extract", "nlp", "all"):
        raise _fail(f"--stages must be extract, nlp or all (got {stages!r})")
    _apply_config(config, db)
    apply_prefect_defaults(quiet_console=not verbose)
    settings = _load_settings()
    console.print(f"newsflow: reprocessing ({stages}) in [bold]{settings.database.path}[/] (starting Prefect…)")

    def run_reprocess() -> dict[str, Any]:
        from flows.reprocess import reprocess as reprocess_flow

        return reprocess_flow(
            since=since.date() if since else None,
            until=until.date() if until else None,
            feeds=feed or None,
            article_ids=article or None,
            stages=cast(Literal["extract", "nlp", "all"], stages),  # checked above
            force=force,
            batch_size=batch_size,
        )

    summary = _run_flow(settings, run_reprocess)
    console.print(
        f"[bold green]{summary['reprocessed']} articles reprocessed[/] at {summary['pipeline_version']} "
        f"({summary['already_current']} already current, {summary['not_eligible']} not eligible, "
        f"{summary['raw_page_missing']} without a raw page)"
    )
    for table, after in summary["rows_after"].items():
        before = summary["rows_before"].get(table, 0)
        if after != before:
            console.print(f"  {table}: {before} -> {after}")


@app.command()
def maintenance(
    config: ConfigOption = None,
    db: DbOption = None,
    keep_raw: Annotated[bool, typer.Option("--keep-raw", help="Do not apply raw page retention this time.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines too.")] = False,
) -> None:
    """Checkpoint the database, rebuild views and the search index, apply retention to raw and staging files."""
    _apply_config(config, db)
    apply_prefect_defaults(quiet_console=not verbose)
    settings = _load_settings()

    def run_maintenance() -> dict[str, Any]:
        from flows.maintenance import maintenance as maintenance_flow

        return maintenance_flow(prune_raw=not keep_raw)

    summary = _run_flow(settings, run_maintenance)
    console.print("maintenance done: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


@app.command()
def serve(
    config: ConfigOption = None,
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines too.")] = False,
) -> None:
    """Serve the deployments until stopped: scheduled ingest, reprocess and maintenance.

    Uses the Prefect server at PREFECT_API_URL (e.g. after `prefect server start`); without it, starts a
    local one for as long as this runs. Ingest runs every [schedule] ingest_interval_s and polls only feeds
    that are due; maintenance runs on [schedule] maintenance_cron; reprocess runs when you start it from the
    UI. Stopping (Ctrl-C) leaves the schedules active for the next `newsflow serve`.
    """
    _apply_config(config, db)
    # A served schedule needs the server's scheduler and friends (the quick one-run defaults switch them off).
    for service in ("SCHEDULER", "LATE_RUNS", "CANCELLATION_CLEANUP", "FOREMAN"):
        os.environ.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "true")
    apply_prefect_defaults(quiet_console=not verbose)
    settings = _load_settings()
    # Flow runs execute in subprocesses of the runner: they must read the same config and database.
    os.environ.setdefault("NEWSFLOW_CONFIG", str(_config_file().resolve()))
    os.environ["NEWSFLOW_DATABASE__PATH"] = str(settings.database.path.resolve())
    os.environ["NEWSFLOW_STORAGE__DATA_DIR"] = str(settings.storage.data_dir.resolve())
    console.print("newsflow: starting deployments (starting Prefect…)")

    def run_serve() -> None:
        from prefect import serve as prefect_serve
        from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

        from flows.deployments import build_deployments

        deployments = build_deployments(settings)
        console.print(f"Prefect API: {PREFECT_API_URL.value()}; UI: {PREFECT_UI_URL.value() or 'n/a'}")
        for deployment in deployments:
            console.print(f"  serving {deployment.flow_name}/{deployment.name}: {deployment.description}")
        console.print("stop with Ctrl-C; schedules stay active")
        prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)

    _run_flow(settings, run_serve, long_lived=True)


def _config_file() -> Path:
    from newsflow.settings import config_path

    return config_path()


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="Directory to write into (one subdirectory per table).")],
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet or csv.")] = "parquet",
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only days from this one (default: all).")
    ] = None,
) -> None:
    """Export articles, entity mentions, quotes and events as files partitioned by day.

    Writes OUT_DIR/<table>/day=YYYY-MM-DD/part_0.parquet (Hive partitioning), readable by DuckDB, pandas,
    Spark, etc.: e.g. select * from read_parquet('OUT_DIR/events/*/*.parquet', hive_partitioning=true).
    A full export replaces what an earlier one wrote; with --since only those days are rewritten.
    """
    if fmt not in ("parquet", "csv"):
        raise _fail(f"--format must be parquet or csv, not {fmt!r}")
    settings = _open_settings(config, db, "table")
    from tasks import storage

    try:
        written = storage.export_tables(
            settings.database.path, out_dir, fmt, since.date() if since else None, settings.database.lock_timeout_s
        )
    except (ValueError, storage.DatabaseBusyError) as exc:
        raise _fail(str(exc)) from exc
    for table, rows in written.items():
        console.print(f"{table}: {rows} rows -> {out_dir / table}/day=*/")


@app.command()
def report(
    config: ConfigOption = None,
    db: DbOption = None,
    days: Annotated[int, typer.Option(min=1, help="Days in the window, ending at the last day stored.")] = 14,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Write a static HTML report (opens offline): trending entities, events by PLOVER category per day,
    the most quoted speakers, feed health."""
    settings = _open_settings(config, db, "table")
    from newsflow.report import render_report
    from tasks import storage

    try:
        data = storage.report_data(settings.database.path, days, settings.database.lock_timeout_s)
    except storage.DatabaseBusyError as exc:
        raise _fail(str(exc)) from exc
    except storage.SchemaOutdatedError as exc:
        raise _fail(f"{exc}; run `newsflow maintenance` (or any ingest) to bring the database up to date") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data, str(settings.database.path), datetime.now(UTC)), encoding="utf-8")
    console.print(
        f"report of {data['since']} to {data['until']} written to [bold]{out}[/] "
        f"({len(data['trending'])} trending entities, {len(data['quoted'])} speakers, "
        f"{len(data['feed_health'])} feeds)"
    )


def _load_settings() -> Settings:
    from newsflow.settings import load_settings

    try:
        return load_settings()
    except Exception as exc:  # pydantic's message names the bad key and value
        raise _fail(f"invalid configuration: {exc}") from exc


def _run_flow(settings: Settings, call: Callable[[], T], long_lived: bool = False) -> T:
    """Call a flow with a temporary Prefect API (unless PREFECT_API_URL is set) and progress lines shown."""
    from newsflow.prefect_server import temporary_api_server, wait_until_healthy

    log_path = settings.storage.data_dir / "prefect-server.log"
    with temporary_api_server(log_path=log_path, long_lived=long_lived) as api_url:
        import prefect.main  # noqa: F401  (configures logging: our handler goes on after)

        handler = _ProgressHandler()
        for name in ("prefect.flow_runs", "prefect.task_runs"):
            logging.getLogger(name).addHandler(handler)
        try:
            waited_s = wait_until_healthy(api_url)
            if api_url:
                LOGGER.debug("temporary Prefect server ready after %.1f s more", waited_s)
            return call()
        except Exception as exc:
            raise _fail(f"{type(exc).__name__}: {exc}") from exc
        finally:
            for name in ("prefect.flow_runs", "prefect.task_runs"):
                logging.getLogger(name).removeHandler(handler)


def _print_summary(summary: dict[str, Any], db_path: Path, wall_s: float) -> None:
    table = Table(title="ingest summary", show_header=True)
    table.add_column("table")
    table.add_column("rows before", justify="right")
    table.add_column("rows after", justify="right")
    table.add_column("added", justify="right")
    for name, after in summary["rows_after"].items():
        before = summary["rows_before"].get(name, 0)
        table.add_row(name, str(before), str(after), f"{after - before:+d}")
    console.print(table)
    feeds = ", ".join(f"{v} {k}" for k, v in sorted(summary["feeds"].items()))
    articles = ", ".join(f"{v} {k}" for k, v in sorted(summary["articles"].items())) or "none"
    console.print(f"feeds polled: {feeds or 'none'}")
    if summary.get("feeds_skipped"):
        console.print(f"feeds skipped (gone or not due): {', '.join(summary['feeds_skipped'])}")
    for feed_id, error in summary["feed_errors"].items():
        console.print(f"  [yellow]{feed_id}[/]: {error}")
    console.print(f"new feed entries: {summary['new_entries']}; pages fetched: {summary['pages_fetched']} ({articles})")
    console.print(
        f"[bold green]{summary['new_articles']} new articles[/], "
        f"{summary['mentions_written']} entity mentions written to {db_path} in {wall_s:.1f} s"
    )
    console.print(
        'try: newsflow sql "select label, normalized, count(*) as n from entity_mentions '
        'group by all order by n desc limit 10"'
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def render_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str | Table:
    if fmt == "json":
        return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=_json_default, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    table = Table(show_header=True, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    return table


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help='One SQL statement, e.g. "select count(*) from articles".')],
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
    write: Annotated[bool, typer.Option("--write", help="Open read-write (default is read-only).")] = False,
    max_rows: MaxRowsOption = TABLE_MAX_ROWS,
) -> None:
    """Run SQL against the database and print the result (read-only unless --write)."""
    _run_and_print(query, None, config, db, fmt, write, max_rows)


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="Named query (file in sql/queries/).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value for the query's $key; repeatable.")
    ] = None,
    list_queries: Annotated[bool, typer.Option("--list", help="List the named queries with one line each.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
    max_rows: MaxRowsOption = TABLE_MAX_ROWS,
) -> None:
    """Run a named query from sql/queries/ (`newsflow query --list` shows them and their parameters)."""
    from tasks import storage

    if list_queries or name is None:
        table = Table(show_header=True, header_style="bold")
        for column in ("name", "parameters", "description"):
            table.add_column(column)
        for query_name, description, params in storage.list_named_queries():
            table.add_row(query_name, " ".join(params), description)
        console.print(table)
        return
    values: dict[str, Any] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise _fail(f"--param takes key=value, not {item!r}")
        values[key.strip()] = value
    try:
        sql_text = storage.named_query(name)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc
    wanted = next((q[2] for q in storage.list_named_queries() if q[0] == name), [])
    for key in wanted:
        values.setdefault(key, "")  # optional parameters default to empty
    unknown = sorted(set(values) - set(wanted))
    if unknown:
        raise _fail(f"query {name} takes {', '.join(wanted) or 'no parameters'}, not {', '.join(unknown)}")
    _run_and_print(sql_text, values or None, config, db, fmt, max_rows=max_rows)


def _open_settings(config: Path | None, db: Path | None, fmt: str) -> Settings:
    """Validate --format, apply --config/--db, and make sure the database exists (for read commands)."""
    if fmt not in ("table", "csv", "json"):
        raise _fail(f"--format must be table, csv or json, not {fmt!r}")
    _apply_config(config, db)
    from newsflow.settings import load_settings

    settings = load_settings()
    if not Path(settings.database.path).exists():
        raise _fail(f"database {settings.database.path} does not exist yet; run `newsflow run` first")
    return settings


def _print_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    rendered = render_rows(columns, rows, fmt)
    if isinstance(rendered, Table):
        console.print(rendered)
    else:
        sys.stdout.write(rendered + "\n")


def _run_and_print(
    sql_text: str,
    params: dict[str, Any] | None,
    config: Path | None,
    db: Path | None,
    fmt: str,
    write: bool = False,
    max_rows: int = TABLE_MAX_ROWS,
) -> None:
    from tasks import storage

    settings = _open_settings(config, db, fmt)
    # A terminal table of millions of rows helps nobody (and would take minutes): show the first ones.
    limit = max_rows if fmt == "table" and max_rows > 0 else None
    try:
        columns, rows = storage.run_sql(
            settings.database.path,
            sql_text,
            params,
            read_only=not write,
            lock_timeout_s=settings.database.lock_timeout_s,
            max_rows=limit,
        )
    except storage.DatabaseBusyError as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:  # duckdb errors carry a precise message; no traceback for users
        raise _fail(f"{type(exc).__name__}: {exc}") from exc
    if limit is not None and len(rows) > limit:
        _print_rows(columns, rows[:limit], fmt)
        err_console.print(
            f"first {limit:,} rows shown, there are more: add a filter or limit, --max-rows N (0: all), "
            "or --format csv to get them all"
        )
        return
    _print_rows(columns, rows, fmt)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to look for in article titles and bodies.")],
    since: Annotated[str | None, typer.Option(help="Only articles published on or after YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="How many articles to show.")] = 10,
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Rank articles by BM25 over title and body (DuckDB full-text search; the index is rebuilt after each ingest)."""
    from tasks import storage

    settings = _open_settings(config, db, fmt)
    try:
        columns, rows = storage.search_articles(
            settings.database.path, text, since, limit, settings.database.lock_timeout_s
        )
    except (RuntimeError, storage.DatabaseBusyError) as exc:
        raise _fail(str(exc)) from exc
    _print_rows(columns, rows, fmt)


@app.command()
def extract(
    sources: Annotated[list[str], typer.Argument(help="Pages to extract: .html or .html.gz files, or http(s) URLs.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's URL, for files (helps dates and links).")] = None,
    fmt: FormatOption = "text",
    mode: Annotated[str | None, typer.Option(help="default, recall or longest (default: from config).")] = None,
    config: ConfigOption = None,
) -> None:
    """Show what extraction yields for pages: body, title, authors, dates (with their sources), language.

    For debugging a site (`newsflow extract https://example.com/story`) and for measuring extraction on
    any page set (`newsflow extract pages/*.html.gz --format jsonl > out.jsonl`). --format: text, json, jsonl.
    """
    if fmt not in ("text", "json", "jsonl"):
        raise _fail(f"--format must be text, json or jsonl, not {fmt!r}")
    _apply_config(config, None)
    import gzip

    from newsflow.settings import load_settings
    from tasks.extraction import EXTRACTION_MODES, extract_article
    from tasks.http import HttpClient

    settings = load_settings()
    chosen_mode = mode or settings.ingest.extraction_mode
    if chosen_mode not in EXTRACTION_MODES:
        raise _fail(f"--mode must be one of {', '.join(EXTRACTION_MODES)}")
    failures = 0
    with HttpClient(settings.fetch) as client:
        for source in sources:
            page_url: str | None = url
            try:
                if source.startswith(("http://", "https://")):
                    result = client.fetch(source, check_robots=True)
                    if not result.ok:
                        raise ValueError(result.error or f"HTTP {result.status}")
                    page, page_url = result.body, result.final_url
                else:
                    raw = Path(source).read_bytes()
                    page = gzip.decompress(raw) if source.endswith(".gz") else raw
                extracted = extract_article(page, page_url, settings.ingest.min_body_words, chosen_mode)
            except (OSError, ValueError) as exc:
                failures += 1
                err_console.print(f"[bold red]error:[/] {source}: {exc}")
                continue
            record = {
                "source": source,
                "url": page_url,
                **{k: v for k, v in extracted.items() if k not in ("date_candidates", "published", "modified")},
                "published_at": extracted["published"].value.isoformat() if extracted["published"] else None,
                "published_at_source": extracted["published"].source if extracted["published"] else None,
                "modified_at": extracted["modified"].value.isoformat() if extracted["modified"] else None,
                "date_candidates": [
                    {"source": c.source, "kind": c.kind, "value": c.value.isoformat()}
                    for c in extracted["date_candidates"]
                ],
            }
            if fmt == "jsonl":
                sys.stdout.write(json.dumps(record, default=_json_default, ensure_ascii=False) + "\n")
            elif fmt == "json":
                sys.stdout.write(json.dumps(record, default=_json_default, ensure_ascii=False, indent=2) + "\n")
            else:
                _print_extracted(record)
    if failures:
        raise typer.Exit(code=1)


def _print_extracted(record: dict[str, Any]) -> None:
    console.rule(record["source"])
    for key in (
        "title",
        "authors",
        "published_at",
        "published_at_source",
        "modified_at",
        "language",
        "site_name",
        "word_count",
        "extraction_status",
        "error",
    ):
        if record.get(key) not in (None, [], ""):
            console.print(f"[bold]{key}:[/] {record[key]}", highlight=False)
    candidates = ", ".join(f"{c['source']}:{c['kind']}={c['value'][:10]}" for c in record["date_candidates"])
    if candidates:
        console.print(f"[bold]date candidates:[/] {candidates}", highlight=False)
    console.print()
    console.print(record.get("body_text") or "[dim](no body)[/]", highlight=False)


@app.command()
def tag(
    source: Annotated[str, typer.Argument(help="JSON lines file, or - for standard input.")] = "-",
    fmt: FormatOption = "jsonl",
    config: ConfigOption = None,
) -> None:
    """Tag your own texts: entities (canonical names, ids, roles, CAMEO actor codes), PLOVER events and
    speaker-attributed quotes, each with the character spans of its words.

    Reads JSON lines {"id": ..., "text": ..., "published_at"?: "YYYY-MM-DD...", "language"?: "en"} and writes
    one line per input: {"id", "language", "nlp_status", "pipeline_version", "entities", "events",
    "event_candidates", "quotes"}, offsets into "text" (a quote's speaker mention: speaker_start_char,
    speaker_end_char). A text in a language nlp.models has no model for is not tagged (nlp_status
    unsupported_language). Actor codes and dates such as "yesterday" are resolved against published_at.
    --format: jsonl (default) or json.
    """
    if fmt not in ("jsonl", "json"):
        raise _fail(f"--format must be jsonl or json, not {fmt!r}")
    _apply_config(config, None)
    from newsflow.settings import load_settings
    from tasks.nlp.tagger import configured_version, tag_in_languages

    settings = load_settings()
    handle = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115
    records: list[dict[str, Any]] = []
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or not isinstance(record.get("text", ""), str):
                    raise ValueError('each line must be an object with a string "text"')
            except ValueError as exc:
                raise _fail(f"{source}:{number}: {exc}") from exc
            records.append(record)
    published = [_published_day(r.get("published_at")) for r in records]
    try:
        tagged = tag_in_languages(
            settings.nlp, [r.get("text") for r in records], published, [r.get("language") for r in records]
        )
    except RuntimeError as exc:
        raise _fail(str(exc)) from exc
    version = configured_version(settings.nlp)
    for record, result in zip(records, tagged, strict=True):
        out = {
            "id": record.get("id"),
            "language": result.language,
            "nlp_status": result.nlp_status,
            "pipeline_version": version,
            "entities": result.tagged.mentions,
            "events": result.tagged.events,
            "event_candidates": result.tagged.event_candidates,
            "quotes": result.tagged.quotes,
        }
        indent = 2 if fmt == "json" else None
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=indent, default=_json_default) + "\n")


@app.command(name="eval")
def evaluate(
    gold: Annotated[
        list[Path] | None,
        typer.Option(
            "--gold",
            help="Whole-article gold file(s) to score on, in the format of ../shared/data/quotes-dev (quotes) "
            "or ../shared/data/events-dev/events-dev-articles.jsonl (events); the format is recognised.",
        ),
    ] = None,
    events_dev: Annotated[
        Path | None,
        typer.Option(
            "--events-dev",
            help="PLOVER gold sentences to score events on (e.g. ../shared/data/events-dev/plover-gsr-half-a.json).",
        ),
    ] = None,
    show_errors: Annotated[bool, typer.Option("--show-errors", help="List every quote the tagger got wrong.")] = False,
    config: ConfigOption = None,
) -> None:
    """Score the NLP tagger: on the hand-annotated demo newswire (seeds/gold) and on gold files you give.

    Quotes: precision, recall and F1 by content overlap (the words a predicted and a gold quote share are at
    least half of each), the same with the right speaker, and speaker accuracy on pronoun and non-person
    sources. Events: precision and recall (same PLOVER category, trigger in the same sentence), per category,
    and actor/target accuracy of the right events.
    """
    _apply_config(config, None)
    from newsflow.settings import load_settings
    from tasks.nlp.evaluate import load_gold_file, score_events_dev, score_gold_file, score_newswire_gold
    from tasks.nlp.tagger import configured_version, load_configured_pipeline

    settings = load_settings()
    try:
        nlp = load_configured_pipeline(settings.nlp)
    except RuntimeError as exc:
        raise _fail(str(exc)) from exc
    table = Table(title=f"tagger quality ({configured_version(settings.nlp)})")
    table.add_column("set")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for metric, value in score_newswire_gold(nlp).items():
        table.add_row("seeds/gold newswire", metric, str(value))
    errors: list[str] = []
    for path in gold or []:
        try:
            records = load_gold_file(path)
        except (OSError, ValueError) as exc:
            raise _fail(f"{path}: {exc}") from exc
        scores = score_gold_file(nlp, records)
        errors.extend(f"{path.name} {e}" for e in scores.pop("errors", []))
        for metric, value in scores.items():
            table.add_row(path.name, metric, str(value))
    if events_dev is not None:
        if not events_dev.is_file():
            raise _fail(f"{events_dev} not found")
        for metric, value in score_events_dev(nlp, events_dev).items():
            table.add_row(events_dev.name, metric, str(value))
    console.print(table)
    if show_errors:
        for line in errors:
            console.print(line, highlight=False, markup=False)


def _published_day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def main() -> None:
    bound_malloc_growth()
    app()


if __name__ == "__main__":
    main()
