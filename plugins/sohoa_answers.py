"""Every answer to a review form is kept in the dossier's work area the moment the api-server takes it, and
no answered form is left waiting.

Airflow 3.3.2 has two races between an answer and its form's task parking in awaiting_input, and clients of the
REST API answer fast enough to meet both:
- an answer within a second or so after the park resumes the task at once; the scheduler queues it, then takes
  the parked process's exit for the resumed one's and fails the try, whose retry would ask again. The retry of
  ``review_dossier``'s form task takes the kept answer instead (operators/review.py);
- on SQLite (``sohoa airflow``; no row locks) an answer during the park can miss it: the task parks with its
  answer given and nothing resumes it. A moment after each answer, a task found so is given its deadline now,
  and the scheduler's own sweep of awaiting_input tasks resumes it with the answer.
An ASGI middleware of Airflow's api-server: it sees ``PATCH …/dags/review_dossier/dagRuns/{run_id}/taskInstances/
review/{map_index}/hitlDetails`` and, when Airflow accepted the answer (200), writes it where the task looks
before the client hears back, then looks at the task again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from airflow.plugins_manager import AirflowPlugin
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
FORM_ANSWER = re.compile(r"^/api/v2/dags/review_dossier/dagRuns/(?P<run_id>[^/]+)/taskInstances/review/"
                         r"(?P<map_index>-?\d+)/hitlDetails/?$")


def keep(run_id: str, map_index: int, answer: dict[str, Any]) -> None:
    """Write ``answer`` (Airflow's HITLDetailResponse) where form ``map_index`` of review run ``run_id`` keeps it,
    as the form task's ``execute_complete`` writes it."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from operators.review import REVIEW_DAG, kept_answer
    from operators.workarea import push_file
    from sohoa.workspace import write_json

    with create_session() as session:
        conf = session.scalar(select(DagRun.conf).where(DagRun.dag_id == REVIEW_DAG, DagRun.run_id == run_id))
    if not conf or not conf.get("work") or not conf.get("dossier_code"):
        log.warning("review run %s has no work area in its conf: its answer %s is not kept", run_id, map_index)
        return
    path = kept_answer(conf, run_id, map_index)
    write_json(path, {"chosen_options": answer.get("chosen_options"), "params_input": answer.get("params_input"),
                      "responded_at": answer.get("responded_at"), "responded_by_user": answer.get("responded_by")})
    push_file(path)  # to an S3 work area, where the form's task on a worker finds it
    log.info("answer to form %s of %s kept in %s", map_index, run_id, path)


def unstrand(run_id: str, map_index: int) -> bool:
    """When the form's task waits in awaiting_input with its answer given, set its deadline to now: the
    scheduler's sweep (every ``[scheduler] trigger_timeout_check_interval``) resumes it with the answer."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from operators.review import REVIEW_DAG

    with create_session() as session:
        ti = session.scalar(select(TaskInstance).where(
            TaskInstance.dag_id == REVIEW_DAG, TaskInstance.run_id == run_id, TaskInstance.task_id == "review",
            TaskInstance.map_index == map_index).options(joinedload(TaskInstance.hitl_detail)))
        if ti is None or ti.state != TaskInstanceState.AWAITING_INPUT or ti.hitl_detail is None \
                or ti.hitl_detail.responded_at is None:
            return False
        ti.trigger_timeout = datetime.now(UTC)
    log.warning("form %s of %s was answered while its task parked and waits still: resumed by the scheduler's "
                "sweep", map_index, run_id)
    return True


_LOOKS: set[asyncio.Task[None]] = set()  # the pending second looks, kept from the garbage collector


async def _look_again(run_id: str, map_index: int) -> None:
    for delay in (2, 8):
        await asyncio.sleep(delay)
        try:
            if await run_in_threadpool(unstrand, run_id, map_index):
                return
        except Exception:
            log.exception("form %s of %s: could not look at its task again", map_index, run_id)


class KeepReviewAnswers:
    """ASGI middleware: the answers Airflow accepts for ``review_dossier``'s forms are kept (``keep``) before
    the response goes out; every other request passes untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = FORM_ANSWER.match(scope.get("path", "")) if scope["type"] == "http" else None
        if not found or scope["method"] != "PATCH":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                assert start is not None
                if start["status"] == 200:
                    run_id, map_index = found["run_id"], int(found["map_index"])
                    try:
                        await run_in_threadpool(keep, run_id, map_index, json.loads(body))
                    except Exception:  # the answer stands in Airflow; only the retry's shortcut is missing
                        log.exception("the answer to form %s of %s could not be kept", map_index, run_id)
                    look = asyncio.create_task(_look_again(run_id, map_index))
                    _LOOKS.add(look)
                    look.add_done_callback(_LOOKS.discard)
                await send(start)
                await send({**message, "body": bytes(body)})
                return
            await send(message)

        await self.app(scope, receive, hold)


class SohoaAnswersPlugin(AirflowPlugin):
    name = "sohoa_answers"
    fastapi_root_middlewares = [{"middleware": KeepReviewAnswers, "args": [], "kwargs": {},
                                 "name": "sohoa: review answers kept"}]
