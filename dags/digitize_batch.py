"""digitize_batch: one batch of scanned dossiers in, validated TT 05/2025 packages out. Wiring only."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, TriggerRule

from operators.base import RETRY_DEFAULTS, cpu_heavy, param
from operators.batch import DeliverOperator, DossierStatusOperator, QualityChecksOperator
from operators.campaign import RecordCampaignOperator
from operators.dossier import DigitizeOperator, PackageOperator
from operators.ingest import ScanImportOperator
from operators.review import RequestReviewOperator

with DAG(
    dag_id="digitize_batch",
    description="Scanned dossiers → cleaned, OCR'd, described, checked, packaged (TT 05/2025) and delivered",
    schedule=None,
    start_date=datetime(2025, 7, 1),
    catchup=False,
    max_active_runs=4,
    is_paused_upon_creation=False,  # runs only when triggered
    tags=["sohoa", "digitization", "tt05-2025"],
    default_args=dict(RETRY_DEFAULTS),
    doc_md=__doc__,
    params={
        "batch_uri": param(
            "", type="string", minLength=1, title="Batch",
            description="Folder or s3://bucket/prefix holding dossiers.csv (optional) and one folder per dossier.",
        ),
        "output_uri": param(
            "", type="string", minLength=1, title="Output",
            description="Folder or s3://bucket/prefix; results go to <output>/<batch_id>/ with report.json last.",
        ),
        "batch_id": param(
            "", type="string", title="Batch id",
            description="Name of this batch's output folder. Empty: the batch folder's name (re-runs replace it).",
        ),
        "campaign": param(
            "", type="string", title="Campaign",
            description="Digitization campaign (đợt số hóa) this batch belongs to; recorded in the report and EAD.",
        ),
        "package_type": param(
            "SIP_hoso", type="string", enum=["SIP_hoso", "AIP_hoso"], title="Package type",
            description="SIP_hoso: for delivery to another system. AIP_hoso: for the archive's own system, with "
                        "PREMIS preservation metadata (needs the archive's code).",
        ),
        "archive_code": param(
            "", type="string", title="Archive code",
            description="Mã cơ quan lưu trữ: starts every arcFileCode of an AIP_hoso (TT 05/2025).",
        ),
        "max_failed_pages": param(
            0.2, type="number", minimum=0, maximum=1, title="Failed pages allowed",
            description="Share of a dossier's pages whose OCR may fail (each quarantined with its reason) "
                        "before the whole dossier is stopped as failed.",
        ),
    },
) as dag:
    cpu = cpu_heavy()  # queue and pool of the CPU-heavy tasks ([sohoa] cpu_queue, cpu_pool); none by default
    scan_import = ScanImportOperator(
        task_id="scan_import",
        batch_uri="{{ params.batch_uri }}",
        output_uri="{{ params.output_uri }}",
        batch_id="{{ params.batch_id }}",
        campaign="{{ params.campaign }}",
        package_type="{{ params.package_type }}",
        archive_code="{{ params.archive_code }}",
        **cpu,
    )

    # chunks of whole dossiers (scan_import's result), each labelled with its dossiers' codes: a task reads,
    # cleans, OCRs and describes all its pages in one pool, one page to a core, its dossiers failing apart
    chunks = scan_import.output
    described = DigitizeOperator.partial(task_id="digitize", max_failed_ratio="{{ params.max_failed_pages }}", **cpu,
                                         map_index_template=DigitizeOperator.CODES).expand(dossiers=chunks)
    # the batch's work area; empty when scan_import failed, so the batch-level tasks fail at once
    work = "{{ ti.xcom_pull(task_ids='scan_import', key='work') or '' }}"

    quality_checks = QualityChecksOperator(
        task_id="quality_checks", work=work, trigger_rule=TriggerRule.ALL_DONE, **cpu
    )
    package = PackageOperator.partial(task_id="package", trigger_rule=TriggerRule.ALL_DONE, **cpu,
                                      map_index_template=PackageOperator.CODES).expand(dossiers=chunks)
    deliver = DeliverOperator(
        task_id="deliver",
        work=work,
        output_uri="{{ params.output_uri }}",
        trigger_rule=TriggerRule.ALL_DONE,
        **cpu,
    )
    described >> quality_checks >> package >> deliver
    # the batch's figures join its campaign's (the dashboard, the survey)
    deliver >> RecordCampaignOperator(task_id="record_campaign", work=work, output_uri="{{ params.output_uri }}")
    # one square per dossier of the report: green delivered, pink held or rejected, red failed
    outcome = "{{ task.outcome.dossier_code }}"
    DossierStatusOperator.partial(task_id="dossier_status", map_index_template=outcome).expand(outcome=deliver.output)
    # the batch never waits for people: each held dossier gets a review_dossier run of its own
    RequestReviewOperator.partial(task_id="request_review", map_index_template=outcome).expand(outcome=deliver.output)
