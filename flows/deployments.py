"""The deployments `newsflow serve` runs (prefect.yaml declares the same ones for work pools)."""

from __future__ import annotations

from datetime import timedelta

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval

from flows.ingest import ingest
from flows.maintenance import maintenance
from flows.reprocess import reprocess
from newsflow.settings import Settings


def _built(deployment: object) -> RunnerDeployment:
    # to_deployment is sync-or-async dispatched; called from sync code it returns the deployment itself.
    if not isinstance(deployment, RunnerDeployment):
        raise TypeError(f"expected a RunnerDeployment, got {type(deployment).__name__}")
    return deployment


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    schedule = settings.schedule
    built = [
        ingest.to_deployment(
            name="scheduled-ingest",
            description=f"poll due feeds every {schedule.ingest_interval_s} s and store new articles",
            schedules=[Interval(timedelta(seconds=schedule.ingest_interval_s), timezone=schedule.timezone)],
            parameters={"only_due": True},
            tags=["newsflow"],
        ),
        reprocess.to_deployment(
            name="reprocess",
            description="re-run extraction/NLP from the raw archive (start it from the UI with parameters)",
            tags=["newsflow"],
        ),
        maintenance.to_deployment(
            name="maintenance",
            description=f"checkpoint, refresh, retention on cron {schedule.maintenance_cron!r}",
            schedules=[Cron(schedule.maintenance_cron, timezone=schedule.timezone)],
            tags=["newsflow"],
        ),
    ]
    return [_built(d) for d in built]
