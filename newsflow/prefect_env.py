"""Prefect defaults for a fast, quiet temporary API server (applied only where the user set nothing)."""

from __future__ import annotations

import os

# The temporary server starts these background services by default; one ingest run needs none of them,
# and each costs start-up time on a 2-core box. The task-run recorder and event persister stay on so
# task runs and artifacts show in the UI. A real `prefect server start` (PREFECT_API_URL set) is untouched.
EPHEMERAL_SERVER_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_LOGGER_ENABLED": "false",
    # Start has been seen to take 45 s on a busy 2-core box; the default 20 s timeout then fails the run.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
}


def apply_prefect_defaults(quiet_console: bool = False) -> None:
    """Set newsflow's Prefect defaults in os.environ; must run before prefect is imported."""
    for key, value in EPHEMERAL_SERVER_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if quiet_console:
        # The CLI prints its own progress lines; Prefect's per-task state lines still reach the API/UI.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
