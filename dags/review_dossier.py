"""review_dossier: an archivist reviews one held dossier (kiểm duyệt) in Airflow's Required Actions. Wiring only.

Triggered by ``digitize_batch`` for every dossier it leaves in review (DESIGN.md, review contract): one form per
document whose metadata needs a look, one dossier form when it is held for reasons that are no one document's,
then the release: the answers validated and applied, the package built, signed, checked and delivered, the
batch's report.json rewritten. Answers that cannot be applied are asked again in a new run that says why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, TriggerRule

from operators.base import cpu_heavy, param
from operators.campaign import RecordCampaignOperator
from operators.review import (
    REVIEW_DAG,
    ReleaseReviewOperator,
    RequestReviewOperator,
    ReviewFormOperator,
    ReviewFormsOperator,
)

with DAG(
    dag_id=REVIEW_DAG,
    description="Kiểm duyệt: an archivist corrects and approves (or rejects) a held dossier",
    schedule=None,
    start_date=datetime(2025, 7, 1),
    catchup=False,
    is_paused_upon_creation=False,  # runs only when digitize_batch (or a person) triggers it
    tags=["sohoa", "review", "kiểm duyệt"],
    doc_md=__doc__,
    params={
        "work": param("", type="string", minLength=1, title="Work area",
                      description="The batch's work area (SOHOA_WORK_DIR/<batch_id>), where the draft waits."),
        "output_uri": param("", type="string", minLength=1, title="Output",
                            description="Where the batch was delivered; the released package goes there too."),
        "dossier_code": param("", type="string", minLength=1, title="Dossier", description="Mã hồ sơ to review."),
        "batch_run": param("", type="string", title="Batch run",
                           description="The digitize_batch (or review) run that asked for this review."),
    },
) as dag:
    forms = ReviewFormsOperator(task_id="forms", work="{{ params.work }}", dossier_code="{{ params.dossier_code }}")
    # one form per document that needs a look, labelled with its doc_id; the dossier form last, with its code
    review = ReviewFormOperator.partial(
        task_id="review", map_index_template="{{ task.doc_id or params.dossier_code }}",
        retries=2, retry_delay=timedelta(seconds=5),  # a try failed by a quick answer's race takes its answer
    ).expand_kwargs(forms.output)
    release = ReleaseReviewOperator(
        task_id="release", work="{{ params.work }}", dossier_code="{{ params.dossier_code }}",
        output_uri="{{ params.output_uri }}", forms_task="forms", form_task="review",
        trigger_rule=TriggerRule.NONE_FAILED, **cpu_heavy(),
    )
    RequestReviewOperator.partial(task_id="ask_again", map_index_template="{{ task.outcome.dossier_code }}",
                                  ).expand(outcome=release.output)
    review >> release
    release >> RecordCampaignOperator(task_id="record_campaign", work="{{ params.work }}",
                                      output_uri="{{ params.output_uri }}")  # the campaign sees the review
