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
from operators.workarea import mirrored, pull_file, push_file

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


def kept_answer(conf: dict[str, Any], run_id: str, map_index: int) -> Path:
    """Where the answer of form ``map_index`` of review run ``run_id`` (``conf`` its conf) is kept in the
    dossier's work area once it was received: by the form's task, and by the api-server as it takes it
    (plugins/sohoa_answers.py)."""
    from sohoa.workspace import BatchWork

    dw = BatchWork(Path(conf["work"])).dossier(conf["dossier_code"])
    return dw.root / "answers" / f"{_RUN_ID.sub('_', run_id)}.{map_index}.json"


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
        from sohoa.storage.mirror import chunk_scope
        from sohoa.workspace import BatchWork

        with mirrored(self.work, chunk_scope([self.dossier_code]), writes=False):
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

    @staticmethod
    def _kept(context: Any) -> Path:
        ti = context["task_instance"]
        return kept_answer(context["dag_run"].conf or {}, ti.run_id, ti.map_index)

    def execute(self, context: Any) -> Any:
        """Ask, unless this form's answer was already received. Airflow 3.3.2 can lose an answer given within a
        second or so of the task parking: the answer resumes the task at once, the scheduler queues it, then
        reads the parked process's exit as the resumed one's and fails the try, whose retry would ask again in
        a new form. The api-server keeps every answer it takes (plugins/sohoa_answers.py), and so does
        ``execute_complete``: the retry takes the kept answer instead of asking again."""
        from sohoa.workspace import read_json

        kept = self._kept(context)
        if context["task_instance"].try_number > 1 and (pull_file(kept) or kept.exists()):
            answer = read_json(kept)
            self.log.info("form answered before this try: %s by %s", answer["chosen_options"],
                          (answer.get("responded_by_user") or {}).get("name"))
            return answer
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        from sohoa.workspace import write_json

        answer = super().execute_complete(context, event)
        at = answer["responded_at"]
        write_json(self._kept(context), {**answer, "responded_at": at.isoformat() if hasattr(at, "isoformat")
                                         else str(at)})
        push_file(self._kept(context))
        return answer

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
        from sohoa.storage.mirror import EVERYTHING

        with mirrored(self.work, EVERYTHING, locked=True):  # the whole batch: its report is delivered again
            return self._release(context)

    def _release(self, context: Any) -> list[dict[str, Any]]:
        from sohoa.pipeline import run_release
        from sohoa.review import apply, is_decided, is_released
        from sohoa.workspace import BatchWork

        ti = context["ti"]
        work = BatchWork(Path(self.work))
        dw = work.dossier(self.dossier_code)
        if is_released(dw):
            self.log.info("dossier %s was decided and released meanwhile (another run, or sohoa review --import): "
                          "these answers change nothing", self.dossier_code)
            return []
        if is_decided(dw):  # an earlier try (or the spreadsheet) applied the answers but its release broke off
            self.log.info("dossier %s was decided; its release did not finish: releasing it now", self.dossier_code)
        else:
            forms = ti.xcom_pull(task_ids=self.forms_task) or []
            answers = self._answers(ti, forms)
            documents = {f["doc_id"]: a for f, a in zip(forms, answers, strict=True) if f["doc_id"]}
            dossier_answer = next((a for f, a in zip(forms, answers, strict=True) if not f["doc_id"]), None)
            outcome = apply(work, self.dossier_code, documents, dossier_answer)
            self.log.info("dossier %s: review %s by %s", self.dossier_code, outcome,
                          ", ".join(sorted({a.by for a in answers})))
            if outcome == "refused":
                from sohoa.report import review_state

                self.log.warning("dossier %s: answers not applied: %s", self.dossier_code,
                                 review_state(dw).get("refused"))
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


class _SheetUser:
    """The person behind ``sohoa review --import``, as Airflow's HITL response records a user."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get_id(self) -> str:
        return f"sohoa review --import: {self.name}"

    def get_name(self) -> str:
        return self.name


def close_forms(work: str, code: str, by: str) -> list[str]:
    """Answer the forms of dossier ``code`` still open under Required Actions once it was decided elsewhere
    (``sohoa review --import``): each with the decision and values applied, as given by ``by``, through Airflow's
    own HITL response path, so the forms leave the queue and their runs end (their release finds the dossier
    decided and changes nothing). Returns what was answered, "run_id/map_index" each."""
    from airflow.api_fastapi.core_api.datamodels.hitl import UpdateHITLDetailPayload
    from airflow.api_fastapi.core_api.routes.public.hitl import update_hitl_detail
    from airflow.models.dagrun import DagRun
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from sohoa.review import APPROVE, REJECT
    from sohoa.workspace import BatchWork, read_json

    dw = BatchWork(Path(work)).dossier(code)
    documents = {d["doc_id"]: d for d in read_json(dw.documents_json)}
    state = read_json(dw.root / "review.json") if (dw.root / "review.json").exists() else {}
    note = f"decided from the spreadsheet (sohoa review --import) by {by}"
    closed = []
    with create_session() as session:
        runs = session.scalars(select(DagRun).where(DagRun.dag_id == REVIEW_DAG,
                                                    DagRun.state.in_(("queued", "running")))).all()
        for run in runs:
            conf = run.conf or {}
            if conf.get("dossier_code") != code or Path(str(conf.get("work"))) != Path(work):
                continue
            open_forms = session.execute(
                select(TaskInstance.map_index, HITLDetail.params)
                .join(HITLDetail, HITLDetail.ti_id == TaskInstance.id)
                .where(TaskInstance.dag_id == REVIEW_DAG, TaskInstance.run_id == run.run_id,
                       TaskInstance.task_id == "review", HITLDetail.responded_at.is_(None))).all()
            for map_index, params in open_forms:
                values = {name: (spec or {}).get("value") for name, spec in (params or {}).items()}
                doc = documents.get(str(values.get("doc_id") or ""))
                decided = (doc.get("review") or {}).get("decision") if doc else state.get("decision")
                if doc and decided == "approved":
                    values.update({f: doc["metadata"].get(f) for f in values if f in doc["metadata"]})
                reason = (doc.get("review") or {}).get("reason") if doc else state.get("reason")
                values["reason"] = f"{note}: {reason}" if reason else note
                update_hitl_detail(dag_id=REVIEW_DAG, dag_run_id=run.run_id, task_id="review",
                                   update_hitl_detail_payload=UpdateHITLDetailPayload(
                                       chosen_options=[APPROVE if decided == "approved" else REJECT],
                                       params_input=values),
                                   user=_SheetUser(by), session=session, map_index=map_index)  # type: ignore[arg-type]
                closed.append(f"{run.run_id}/{map_index}")
    return closed


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
