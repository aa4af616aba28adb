"""The stages that run once per batch: quality_checks and deliver."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator

from operators.base import SohoaOperator, s3_client
from operators.review import DataDocsLink, ReportLink, ReviewQueueLink, review_request
from operators.workarea import mirrored


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
        from airflow.sdk.exceptions import AirflowFailException

        from sohoa.disk import DiskFullError
        from sohoa.pipeline import run_quality
        from sohoa.storage.mirror import Scope

        _require(self.work)
        try:
            with mirrored(self.work, Scope(whole_dossiers=False)):  # the tables: the dossiers' JSON files
                summary = run_quality(self.work)
        except DiskFullError as exc:  # retrying will not help until space is freed
            raise AirflowFailException(str(exc)) from exc
        self.log.info("quality: %s", summary)
        return summary

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "dossiers")] if self.work else []

    def lineage_outputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "quality.json")] if self.work else []


class DeliverOperator(SohoaOperator):
    """Publishes packages, quarantine, manifest.json and report.json (last) to ``<output>/<batch_id>/`` and
    appends the delivered packages to ``<output>/ledger.jsonl``; s3:// through the S3Hook of ``aws_conn_id``.

    Returns each dossier's outcome {dossier_code, status, reason, review (the ``review_dossier`` run to start
    when it is held)}, which the per-dossier tasks after it are mapped over. Links to the batch's report, Data
    Docs and review queue (the sohoa plugin of the api-server)."""

    template_fields: Sequence[str] = ("work", "output_uri", "aws_conn_id")
    operator_extra_links = (ReportLink(), DataDocsLink(), ReviewQueueLink())

    def __init__(self, *, work: str, output_uri: str, aws_conn_id: str | None = "aws_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work = work
        self.output_uri = output_uri
        self.aws_conn_id = aws_conn_id

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk.exceptions import AirflowFailException

        from sohoa.disk import DiskFullError
        from sohoa.pipeline import run_deliver
        from sohoa.storage.mirror import EVERYTHING

        _require(self.work)
        try:
            with mirrored(self.work, EVERYTHING, locked=True):
                result = run_deliver(self.work, self.output_uri, s3_client(self.output_uri, self.aws_conn_id))
        except DiskFullError as exc:  # retrying will not help until space is freed
            raise AirflowFailException(str(exc)) from exc
        self.log.info("delivered to %s: %s", result["destination"], result)
        if result["held"]:
            self.log.info("%d dossier(s) held, %d document(s) await review: %s (Required Actions of the "
                          "review_dossier runs, or sohoa review --export)", len(result["held"]),
                          result["awaiting_review"], ", ".join(result["held"]))
        return [{**o, "review": review_request(o["dossier_code"], self.work, self.output_uri, context["run_id"])
                 if o["status"] == "review" and not o["secret"] else None} for o in result["outcomes"]]

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "dossiers")] if self.work else []

    def lineage_outputs(self) -> Sequence[str]:
        return [f"{self.output_uri.rstrip('/')}/{Path(self.work).name}"] if self.work else []


class DossierStatusOperator(BaseOperator):
    """How one dossier of the batch ended, as a square of its own in the grid: success when delivered, skipped
    when held for review or rejected, failed when it failed; the reason is in the log. Mapped over the
    report's dossiers, labelled with the dossier code."""

    template_fields: Sequence[str] = ("outcome",)
    ui_color = "#f6f1e1"

    def __init__(self, *, outcome: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcome = outcome

    def execute(self, context: Any) -> str:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        code, status, reason = self.outcome["dossier_code"], self.outcome["status"], self.outcome.get("reason")
        if status == "failed":
            raise AirflowFailException(f"dossier {code} failed: {reason}")
        if status in ("review", "rejected"):
            raise AirflowSkipException(f"dossier {code} {'held for review' if status == 'review' else status}: "
                                       f"{reason}")
        self.log.info("dossier %s delivered", code)
        return str(status)
