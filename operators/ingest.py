"""scan_import: take stock of the batch, give every input a state, hand chunks of dossiers to the mapped stages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from operators.base import SohoaOperator, s3_client
from operators.workarea import push_import


class ScanImportOperator(SohoaOperator):
    """Imports a batch into the work area: its catalogue, every input's checksum and state, one record for each
    page to read; the pages themselves are read by ``digitize``, in parallel, as the chunks are processed.

    ``package_type`` (SIP_hoso, the default, or AIP_hoso) and ``archive_code`` (mã cơ quan lưu trữ, needed by
    AIP_hoso) choose the package every dossier of the batch is delivered in. ``chunk_pages``: about how many pages
    each chunk holds (default: Airflow's ``[sohoa] chunk_pages``, else ``sohoa.pipeline.CHUNK_PAGES``); Airflow's
    ``[sohoa] chunk_spread`` (a cluster's CPU slots, set by scripts/scale-out.sh; 1 by default) cuts a smaller
    batch into that many chunks, so that every worker has one.

    Returns the chunks: lists of dossier work paths, whole dossiers in batch order (the mapped stages expand
    over them), and pushes ``work`` (the batch work path), ``batch_id`` and ``dossiers`` as XComs: references
    only, never page data.
    """

    template_fields: Sequence[str] = ("batch_uri", "output_uri", "batch_id", "campaign", "package_type",
                                      "archive_code", "aws_conn_id")

    def __init__(self, *, batch_uri: str, output_uri: str, batch_id: str = "", campaign: str = "",
                 package_type: str = "SIP_hoso", archive_code: str = "", aws_conn_id: str | None = "aws_default",
                 chunk_pages: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batch_uri, self.output_uri, self.batch_id, self.campaign = batch_uri, output_uri, batch_id, campaign
        self.package_type, self.archive_code = package_type, archive_code
        self.aws_conn_id = aws_conn_id
        self.chunk_pages = chunk_pages
        self._dossiers: list[str] = []

    def execute(self, context: Any) -> list[list[str]]:
        from airflow.configuration import conf
        from airflow.sdk.exceptions import AirflowFailException

        from sohoa.disk import DiskFullError
        from sohoa.ingest import BatchError
        from sohoa.pipeline import CHUNK_PAGES, run_import

        chunk_pages = self.chunk_pages or conf.getint("sohoa", "chunk_pages", fallback=CHUNK_PAGES)
        spread = conf.getint("sohoa", "chunk_spread", fallback=1)
        try:
            result = run_import(self.batch_uri, self.output_uri, self.batch_id, self.campaign,
                                s3_client=s3_client(self.batch_uri, self.aws_conn_id),
                                package_type=self.package_type, archive_code=self.archive_code, decode=False,
                                chunk_pages=chunk_pages, chunk_spread=spread)
        except (BatchError, DiskFullError) as exc:  # the batch cannot be used, or no space: retrying will not help
            raise AirflowFailException(str(exc)) from exc
        push_import(result["work"])  # an S3 work area ([sohoa] work_uri) now holds the import
        ti = context["ti"]
        ti.xcom_push(key="work", value=result["work"])
        ti.xcom_push(key="batch_id", value=result["batch_id"])
        ti.xcom_push(key="dossiers", value=result["dossiers"])
        self._dossiers = result["dossiers"]
        self.log.info("batch %s: %d dossier(s) to process in %d chunk(s) of about %d pages, work area %s",
                      result["batch_id"], len(self._dossiers), len(result["chunks"]), chunk_pages, result["work"])
        return list(result["chunks"])

    def lineage_inputs(self) -> Sequence[str]:
        return [self.batch_uri]

    def lineage_outputs(self) -> Sequence[str]:
        return [str(Path(d) / "planned.json") for d in self._dossiers]
