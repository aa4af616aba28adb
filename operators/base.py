"""What every sohoa operator shares: retries with exponential backoff, lineage of its inputs and outputs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypedDict, cast
from urllib.parse import urlparse

from airflow.sdk import BaseOperator, Param

RETRY_DEFAULTS: dict[str, Any] = {
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
}


# Airflow validates every param of a run about twenty times in each task it runs (building the task's context), and
# jsonschema first checks the param's schema against its draft's meta-schema each time: a validation costs 0.45 ms
# under draft 2020-12 (the default), 0.15 ms under draft 7, which has every keyword the forms use. A 15-dossier
# `sohoa run` (35 tasks, eight params) validated 5,500 times: 2.2 s, now about 0.8 s.
SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"


def param(default: Any, **schema: Any) -> Param:
    """A DAG's Param (the trigger form's field), its schema declared in JSON Schema draft 7."""
    schema["$schema"] = SCHEMA_DRAFT
    return Param(default, **schema)


class QueueAndPool(TypedDict, total=False):
    queue: str
    pool: str


def cpu_heavy() -> QueueAndPool:
    """``queue`` and ``pool`` of the CPU-heavy tasks (import, clean, OCR, extraction, checks, packaging, delivery),
    from Airflow's configuration: ``[sohoa] cpu_queue`` and ``cpu_pool`` (``AIRFLOW__SOHOA__CPU_QUEUE``,
    ``AIRFLOW__SOHOA__CPU_POOL``). Unset, as on the embedded default, nothing: Airflow's default queue and pool.
    On Celery, workers that serve the queue run them, and the pool's slots (the workers' concurrency) keep the
    scheduler from queueing more of them than the workers can run."""
    from airflow.configuration import conf

    chosen = {"queue": conf.get("sohoa", "cpu_queue", fallback=""), "pool": conf.get("sohoa", "cpu_pool", fallback="")}
    return cast(QueueAndPool, {key: value.strip() for key, value in chosen.items() if value and value.strip()})


def allow_page_workers() -> None:
    """Let the stages start their page worker processes under Celery's prefork pool too. The task process is
    forked (by Airflow's supervisor) from a pool worker and inherits that worker's daemon flag, with which
    multiprocessing refuses children ("daemonic processes are not allowed to have children"); yet it is no
    pool worker: its own process group, which the supervisor ends with it, holds its page workers."""
    import multiprocessing

    process = multiprocessing.current_process()
    if process.daemon:
        process.daemon = False


def lineage_dataset(uri: str) -> tuple[str, str]:
    """OpenLineage (namespace, name) of a local path or an s3:// URI."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return f"s3://{parsed.netloc}", parsed.path.lstrip("/")
    return "file", parsed.path if parsed.scheme == "file" else uri


class SohoaOperator(BaseOperator):
    """Base of the stage operators. Subclasses name their inputs and outputs for lineage."""

    ui_color = "#e8f1e4"

    def __init__(self, **kwargs: Any) -> None:
        for key, value in RETRY_DEFAULTS.items():
            kwargs.setdefault(key, value)
        super().__init__(**kwargs)

    def pre_execute(self, context: Any) -> None:
        allow_page_workers()
        super().pre_execute(context)

    def lineage_inputs(self) -> Sequence[str]:
        return ()

    def lineage_outputs(self) -> Sequence[str]:
        return ()

    def _lineage(self) -> Any:
        from airflow.providers.openlineage.extractors import OperatorLineage
        from openlineage.client.event_v2 import Dataset

        def datasets(uris: Sequence[str]) -> list[Any]:
            return [Dataset(namespace=ns, name=name) for ns, name in map(lineage_dataset, uris) if name]

        return OperatorLineage(inputs=datasets(self.lineage_inputs()), outputs=datasets(self.lineage_outputs()))

    def get_openlineage_facets_on_start(self) -> Any:
        return self._lineage()

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        return self._lineage()


def s3_client(uri: str, aws_conn_id: str | None) -> Any:
    """The boto3 client of the Amazon provider's S3Hook for an s3:// URI (None for local paths): credentials,
    region and endpoint come from the Airflow connection ``aws_conn_id``."""
    if not uri.startswith("s3://"):
        return None
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=aws_conn_id).get_conn()
