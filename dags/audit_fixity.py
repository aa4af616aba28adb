"""audit_fixity: every day, re-read what digitize_batch delivered and prove it was not altered. Wiring only."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from operators.audit import AuditFixityOperator
from operators.base import RETRY_DEFAULTS, param

with DAG(
    dag_id="audit_fixity",
    description="Re-verify the SHA-256 of every delivered object and the ledger's hash chain",
    schedule="@daily",
    start_date=datetime(2025, 7, 1),
    catchup=False,
    max_active_runs=1,
    tags=["sohoa", "fixity", "audit"],
    default_args=dict(RETRY_DEFAULTS),
    doc_md=__doc__,
    params={
        "output_uri": param(
            "", type="string", title="Output",
            description="Folder or s3://bucket/prefix that digitize_batch delivers to (holding ledger.jsonl). "
                        "Empty: the Airflow Variable sohoa_output_uri (what the daily run uses).",
        ),
    },
) as dag:
    AuditFixityOperator(
        task_id="audit_fixity",
        output_uri="{{ params.output_uri or var.value.get('sohoa_output_uri', '') }}",
    )
