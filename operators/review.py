"""The review of a held dossier (kiểm duyệt): the forms it asks through Airflow's human-in-the-loop tasks, and
the release of what the archivist answered. The rules are ``sohoa.review``'s; this module only carries them
between Airflow's Required Actions and the work area."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import BaseOperatorLink, Param

from operators.base import SohoaOperator, s3_client
from operators.dossier import SIGNING_CONN_ID, signing_identity

REVIEW_DAG = "review_dossier"
_RUN_ID = re.compile(r"[^A-Za-z0-9_.~:+-]+")


def base_url() -> str:
    """The api-server's address as Airflow is configured with it ("" for links relative to the UI)."""
    from airflow.configuration import conf

    return (conf.get("api", "base_url", fallback="") or "").rstrip("/")


def review_request(code: str, work: str, output_uri: str, batch_run: str) -> dict[str, Any]:
    """Run id and conf of the ``review_dossier`` run of one held dossier."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    return {"trigger_run_id": _RUN_ID.sub("_", f"review__{code}__{stamp}"),
            "conf": {"work": work, "output_uri": output_uri, "dossier_code": code, "batch_run": batch_run}}


class ReviewRunLink(BaseOperatorLink):
    """The review_dossier run a RequestReviewOperator started (none for a dossier that needed no review)."""

    name = "Review run"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        outcome = getattr(operator, "outcome", None)
        request = outcome.get("review") if isinstance(outcome, dict) else None
        return f"{base_url()}/dags/{REVIEW_DAG}/runs/{request['trigger_run_id']}" if request else ""


class RequestReviewOperator(TriggerDagRunOperator):
    """Starts the ``review_dossier`` run of one dossier of ``outcome`` ({dossier_code, status, review}: what
    deliver or a release returned) when it is held, without waiting for it; skipped for the others."""

    template_fields: Sequence[str] = (*TriggerDagRunOperator.template_fields, "outcome")
    operator_extra_links = [ReviewRunLink()]

    def __init__(self, *, outcome: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(trigger_dag_id=REVIEW_DAG, wait_for_completion=False, **kwargs)
        self.outcome = outcome

    def execute(self, context: Any) -> Any:
        from airflow.sdk.exceptions import AirflowSkipException

        request = self.outcome.get("review")
        if not request:
            raise AirflowSkipException(f"dossier {self.outcome['dossier_code']} is {self.outcome['status']}: "
                                       "no review to ask for")
        self.conf, self.trigger_run_id = request["conf"], request["trigger_run_id"]
        self.log.info("dossier %s held: review run %s", self.outcome["dossier_code"], self.trigger_run_id)
        return super().execute(context)


class ReviewFormsOperator(SohoaOperator):
    """What the held dossier's review asks: the forms {doc_id, subject, body, fields}, one per document that
    needs a look, then the dossier form (doc_id None) when there is one; the review's forms are mapped over it."""

    template_fields: Sequence[str] = ("work", "dossier_code")

    def __init__(self, *, work: str, dossier_code: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work = work
        self.dossier_code = dossier_code

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from sohoa.review import forms
        from sohoa.workspace import BatchWork

        asked = forms(BatchWork(Path(self.work)), self.dossier_code, base_url())
        self.log.info("dossier %s: %d document form(s), %d dossier form(s) to answer", self.dossier_code,
                      len(asked["documents"]), len(asked["dossier"]))
        return [*asked["documents"], *({**f, "doc_id": None} for f in asked["dossier"])]

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "dossiers" / self.dossier_code / "documents.json")]


class ReviewFormOperator(HITLOperator):
    """One form of a review, under Required Actions: options Approve and Reject, ``fields`` as its Params
    ({name: {value, title, description}}: the machine's values prefilled). Values are checked by the release,
    as the machine's are, so that a wrong one is refused with its reason and asked again, never a failed task."""

    template_fields: Sequence[str] = ("subject", "body")

    def __init__(self, *, fields: dict[str, dict[str, Any]], doc_id: str | None = None, **kwargs: Any) -> None:
        from sohoa.review import OPTIONS

        kwargs.pop("params", None)  # what unmapping passes along (the DAG's): the form's Params are its fields
        params = {name: Param(spec["value"], type=["null", "string"], title=spec["title"],
                              description=spec["description"], source="task") for name, spec in fields.items()}
        super().__init__(options=list(OPTIONS), params=params, **kwargs)
        self.fields = fields
        self.doc_id = doc_id  # None on the dossier form

    def execute(self, context: Any) -> Any:
        """Ask, unless this form was already answered: an answer given while the task was being parked can make
        the scheduler fail the parked try (its executor reports the old process after the answer re-queued
        it); the retry then takes the recorded answer instead of asking again and wiping it."""
        from airflow.sdk.execution_time.hitl import get_hitl_detail_content_detail

        ti_id = context["task_instance"].id
        if context["task_instance"].try_number > 1:
            answered = get_hitl_detail_content_detail(ti_id=ti_id)
            if answered.response_received and answered.chosen_options:
                self.log.info("form answered before this try: %s by %s", answered.chosen_options,
                              answered.responded_by_user)
                user = answered.responded_by_user
                return self.execute_complete(context, {
                    "chosen_options": list(answered.chosen_options), "params_input": answered.params_input or {},
                    "responded_at": answered.responded_at,
                    "responded_by_user": {"id": user.id, "name": user.name} if user else None})
        return super().execute(context)

    def validate_params_input(self, params_input: Any) -> None:
        """Any values are taken here; ``sohoa.review.check`` says what is wrong with them."""


class ReleaseReviewOperator(SohoaOperator):
    """Takes the answers of every form of the run: applies them (``sohoa.review.apply``), then builds, signs,
    checks and delivers the dossier's package and rewrites the batch's report. Answers that cannot be applied
    (a date that is none, a changed doc_id, a Reject without a reason) ask again: returns the arguments of a
    new ``review_dossier`` run showing why, which the next task triggers."""

    template_fields: Sequence[str] = ("work", "dossier_code", "output_uri")

    def __init__(self, *, work: str, dossier_code: str, output_uri: str, forms_task: str, form_task: str,
                 signing_conn_id: str = SIGNING_CONN_ID, aws_conn_id: str | None = "aws_default",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work, self.dossier_code, self.output_uri = work, dossier_code, output_uri
        self.forms_task, self.form_task = forms_task, form_task
        self.signing_conn_id, self.aws_conn_id = signing_conn_id, aws_conn_id

    def _answers(self, ti: Any, forms: list[dict[str, Any]]) -> list[Any]:
        from sohoa.review import Answer

        if not forms:
            return []
        got = ti.xcom_pull(task_ids=self.form_task, map_indexes=list(range(len(forms))))
        got = got if isinstance(got, list) else [got]
        answers = []
        for form, answer in zip(forms, got, strict=True):
            if not answer:
                raise ValueError(f"form {form['subject']!r} has no answer")
            user = answer.get("responded_by_user") or {}
            at = answer.get("responded_at")
            answers.append(Answer(decision=(answer.get("chosen_options") or [""])[0],
                                  values=dict(answer.get("params_input") or {}),
                                  by=str(user.get("name") or user.get("id") or "unknown"),
                                  at=at.isoformat() if hasattr(at, "isoformat") else str(at)))
        return answers

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from sohoa.pipeline import run_release
        from sohoa.review import apply, is_decided
        from sohoa.workspace import BatchWork

        ti = context["ti"]
        if is_decided(BatchWork(Path(self.work)).dossier(self.dossier_code)):
            self.log.info("dossier %s was decided meanwhile (another run, or sohoa review --import): these answers "
                          "change nothing", self.dossier_code)
            return []
        forms = ti.xcom_pull(task_ids=self.forms_task) or []
        answers = self._answers(ti, forms)
        documents = {f["doc_id"]: a for f, a in zip(forms, answers, strict=True) if f["doc_id"]}
        dossier_answer = next((a for f, a in zip(forms, answers, strict=True) if not f["doc_id"]), None)
        work = BatchWork(Path(self.work))
        outcome = apply(work, self.dossier_code, documents, dossier_answer)
        self.log.info("dossier %s: review %s by %s", self.dossier_code, outcome,
                      ", ".join(sorted({a.by for a in answers})))
        if outcome == "refused":
            from sohoa.report import review_state

            self.log.warning("dossier %s: answers not applied: %s", self.dossier_code,
                             review_state(work.dossier(self.dossier_code)).get("refused"))
            return [{"dossier_code": self.dossier_code, "status": "review",
                     "review": review_request(self.dossier_code, self.work, self.output_uri, context["run_id"])}]
        result = run_release(self.work, self.dossier_code, self.output_uri,
                             signing_identity(self.signing_conn_id, self.log),
                             s3_client(self.output_uri, self.aws_conn_id))
        self.log.info("dossier %s released: %s", self.dossier_code, result)
        if self.dossier_code in result["held"]:  # still held for what no person can answer (the signing key…)
            self.log.warning("dossier %s is still held after its review; see its reasons in report.json",
                             self.dossier_code)
        return []

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.work) / "dossiers" / self.dossier_code)]

    def lineage_outputs(self) -> Sequence[str]:
        return [f"{self.output_uri.rstrip('/')}/{Path(self.work).name}"]


class SohoaPageLink(BaseOperatorLink):
    """A page of the sohoa plugin about the batch a task worked on (its ``work`` area names the batch)."""

    name = "sohoa"
    page = ""

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        work = getattr(operator, "work", "") or ""
        if not work or "{{" in work:
            return ""
        return f"{base_url()}/sohoa/batches/{Path(work).name}/{self.page}"


class ReportLink(SohoaPageLink):
    name, page = "Report", "report"


class DataDocsLink(SohoaPageLink):
    name, page = "Data Docs", "data_docs/index.html"


class ReviewQueueLink(SohoaPageLink):
    name, page = "Review queue", "review"
