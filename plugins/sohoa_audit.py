"""Audit trail for auditors: one JSON line per finished task of a sohoa DAG.

Each line says which task instance (DAG, run, task, map index, try) handled which dossier(s) or batch,
on which host, with which version of sohoa's code, and how it ended. Lines go to
``$AIRFLOW_HOME/audit/tasks.jsonl`` (or ``SOHOA_AUDIT_LOG``), appended one write per line; together with
the OpenLineage events (inputs and outputs of every task) they prove where each delivered byte came from.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

SOHOA_DAGS = ("digitize_batch", "review_dossier")


def audit_log() -> Path:
    default = Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow") / "audit" / "tasks.jsonl"
    return Path(os.environ.get("SOHOA_AUDIT_LOG") or default)


def _record(task_instance: Any, state: str, error: Any = None) -> None:
    if getattr(task_instance, "dag_id", None) not in SOHOA_DAGS:
        return
    from sohoa import code_version

    task = getattr(task_instance, "task", None)
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "dag_id": task_instance.dag_id,
        "run_id": task_instance.run_id,
        "task_id": task_instance.task_id,
        "map_index": getattr(task_instance, "map_index", -1),
        "try_number": getattr(task_instance, "try_number", None),
        "state": state,
        "dossier": getattr(task, "dossier", None),
        "dossiers": getattr(task, "dossiers", None),  # a task on a chunk of dossiers
        "work": getattr(task, "work", None),
        "host": socket.gethostname(),
        "code_version": code_version(),
        "error": str(error) if error else None,
    }
    path = audit_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


@hookimpl
def on_task_instance_running(previous_state: Any, task_instance: Any) -> None:
    _record(task_instance, "running")


@hookimpl
def on_task_instance_success(previous_state: Any, task_instance: Any) -> None:
    _record(task_instance, "success")


@hookimpl
def on_task_instance_failed(previous_state: Any, task_instance: Any, error: Any) -> None:
    _record(task_instance, "failed", error)


@hookimpl
def on_task_instance_skipped(previous_state: Any, task_instance: Any) -> None:
    _record(task_instance, "skipped")


class SohoaAuditPlugin(AirflowPlugin):
    name = "sohoa_audit"
    listeners = [sys.modules[__name__]]
