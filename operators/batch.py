"""The stages that run once per batch: quality_checks and deliver."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from operators.base import SohoaOperator, s3_client


def _require(work: str | None) -> None:
    if not work:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException("scan_import did not complete: there is no work area to read")


class QualityChecksOperator(SohoaOperator):
    """Great Expectations suites over the page and document tables of the batch."""

    template_fields: Sequence[str] = ("work",)

    def __init__(self, *, work: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work = work

    def execute(self, context: Any) -> dict[str, Any]:
        from sohoa.pipeline import run_quality

        _require(self.work)
        summary = run_quality(self.work)
        self.log.info("quality: %s", summary)
        return summary

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "dossiers")] if self.work else []

    def lineage_outputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "quality.json")] if self.work else []


class DeliverOperator(SohoaOperator):
    """Publishes packages, quarantine, manifest.json and report.json (last) to ``<output>/<batch_id>/`` and
    appends the delivered packages to ``<output>/ledger.jsonl``; s3:// through the S3Hook of ``aws_conn_id``."""

    template_fields: Sequence[str] = ("work", "output_uri", "aws_conn_id")

    def __init__(self, *, work: str, output_uri: str, aws_conn_id: str | None = "aws_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work = work
        self.output_uri = output_uri
        self.aws_conn_id = aws_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from sohoa.pipeline import run_deliver

        _require(self.work)
        result = run_deliver(self.work, self.output_uri, s3_client(self.output_uri, self.aws_conn_id))
        self.log.info("delivered to %s: %s", result["destination"], result)
        return result

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "dossiers")] if self.work else []

    def lineage_outputs(self) -> Sequence[str]:
        return [f"{self.output_uri.rstrip('/')}/{Path(self.work).name}"] if self.work else []
