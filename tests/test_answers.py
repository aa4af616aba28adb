"""plugins/sohoa_answers.py: the api-server keeps every answer it accepts for a review form before the client
hears back, and passes everything else untouched (the races it covers are driven in tests/test_scheduler.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.testclient import TestClient

from plugins import sohoa_answers

RUN = "review__H30.2020.18.TH__20261206T173029.292451"
FORM = f"/api/v2/dags/review_dossier/dagRuns/{RUN}/taskInstances/review/2/hitlDetails"
ANSWER = {"chosen_options": ["Approve"], "params_input": {"issued_date": "2020-08-30", "subject": "về việc số hóa"},
          "responded_at": "2026-12-06T17:31:34.192384Z", "responded_by": {"id": "admin", "name": "Nguyễn Thị Lan"},
          "response_received": True}


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, list[Any]]:
    """Airflow's PATCH route stood in for by one that answers with ANSWER (or a 409 once answered)."""
    seen: list[Any] = []
    api = FastAPI()
    answered: set[str] = set()

    @api.patch("/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/hitlDetails")
    def patch(dag_id: str, run_id: str, task_id: str, map_index: int) -> JSONResponse:
        seen.append(("responded", run_id, map_index))
        if (key := f"{dag_id}/{run_id}/{task_id}/{map_index}") in answered:
            return JSONResponse({"detail": "already answered"}, status_code=409)
        answered.add(key)
        return JSONResponse(ANSWER)

    @api.get("/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/hitlDetails")
    def get(dag_id: str, run_id: str, task_id: str, map_index: int) -> JSONResponse:
        return JSONResponse(ANSWER)

    api.add_middleware(sohoa_answers.KeepReviewAnswers)
    monkeypatch.setattr(sohoa_answers, "keep", lambda *args: seen.append(("kept", *args)))

    async def look_again(run_id: str, map_index: int) -> None:
        seen.append(("look again", run_id, map_index))

    monkeypatch.setattr(sohoa_answers, "_look_again", look_again)
    return TestClient(api), seen


def test_an_accepted_answer_is_kept_before_the_client_hears_back(served: tuple[TestClient, list[Any]]) -> None:
    client, seen = served
    got = client.patch(FORM, json={"chosen_options": ["Approve"], "params_input": {}})
    assert got.status_code == 200 and got.json() == ANSWER  # the client's answer is Airflow's, byte for byte
    assert seen == [("responded", RUN, 2), ("kept", RUN, 2, ANSWER), ("look again", RUN, 2)]
    seen.clear()
    again = client.patch(FORM, json={"chosen_options": ["Reject"], "params_input": {}})
    assert again.status_code == 409 and seen == [("responded", RUN, 2)]  # refused by Airflow: nothing kept


def test_other_requests_pass_untouched(served: tuple[TestClient, list[Any]]) -> None:
    client, seen = served
    assert client.get(FORM).json() == ANSWER
    other_dag = FORM.replace("/review_dossier/", "/digitize_batch/")
    other_task = FORM.replace("/review/2/", "/release/2/")
    for path in (other_dag, other_task):
        assert client.patch(path, json={}).status_code == 200
    assert [s[0] for s in seen] == ["responded", "responded"]


def test_an_answer_that_cannot_be_kept_still_reaches_the_client(served: tuple[TestClient, list[Any]],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client, seen = served

    def broken(*args: Any) -> None:
        raise OSError("work area unreachable from the api-server")

    monkeypatch.setattr(sohoa_answers, "keep", broken)
    got = client.patch(FORM, json={})
    assert got.status_code == 200 and got.json() == ANSWER
    assert seen == [("responded", RUN, 2), ("look again", RUN, 2)]  # a stranded task is still looked for
