"""plugins/ and operators/celery_config.py: what a task process loads of the plugins, what the api-server mounts,
and what a Celery worker loads once for all its tasks.

Every task process loads the plugins folder to find its listeners (sohoa's audit trail among them), so the
FastAPI app of the review pages and the dashboard must not be imported there: it cost every task about 0.7 CPU s.
The pages themselves are driven through a real api-server and browser in tests/test_scheduler.py and
tests/test_campaign_scheduler.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cluster import REPO, clean_environ


def _run(script: str, tmp_path: Path) -> dict:
    """The JSON ``script`` prints last, run in a fresh interpreter with the project's plugins folder."""
    env = clean_environ(AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
                        AIRFLOW__CORE__LOAD_EXAMPLES="False", PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


AS_A_TASK = """
import json, sys
from airflow.sdk.listener import get_listener_manager
from airflow import plugins_manager

manager = get_listener_manager()  # what task_runner.startup does
apps, middlewares = plugins_manager.get_fastapi_plugins()  # what the api-server mounts
print(json.dumps({
    "listeners": sorted(getattr(p, "__name__", type(p).__name__) for p in manager.pm.get_plugins()),
    "apps": [[a["url_prefix"], type(a["app"]).__name__] for a in apps],
    "middlewares": [m["name"] for m in middlewares],
    "loaded": sorted(m for m in sys.modules if m.startswith(("webui", "airflow.api_fastapi.core_api.security"))),
}))
"""


def test_a_task_loads_the_audit_listener_and_not_the_pages(tmp_path: Path) -> None:
    got = _run(AS_A_TASK, tmp_path)
    assert "sohoa_audit" in got["listeners"], got
    assert got["apps"] == [["/sohoa", "SohoaPages"]]
    assert got["middlewares"] == ["sohoa: review answers kept"]
    assert got["loaded"] == [], "the pages' FastAPI app was imported where a task loads its listeners"


AS_A_CELERY_WORKER = """
import json, os, sys
from celery.signals import import_modules
import operators.celery_config
from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from airflow.sdk.listener import get_listener_manager

assert operators.celery_config.CELERY_CONFIG is DEFAULT_CELERY_CONFIG
before = [m for m in ("operators.batch", "operators.review", "great_expectations") if m in sys.modules]
listeners_before = get_listener_manager.cache_info().currsize
import_modules.send(sender=None)  # what a Celery worker's main process sends as it starts
read, write = os.pipe()
if os.fork() == 0:  # what a task process inherits
    os.write(write, json.dumps({
        "modules": [m for m in ("operators.batch", "operators.review", "airflow.sdk.execution_time.task_runner",
                                "great_expectations", "pyhanko.sign") if m in sys.modules],
        "listeners_loaded": get_listener_manager.cache_info().currsize,
        "gx_analytics": os.environ.get("GX_ANALYTICS_ENABLED"),
    }).encode())
    os._exit(0)
os.wait()
print(json.dumps({"before": [*before, listeners_before], "child": json.loads(os.read(read, 10000))}))
"""


def test_a_celery_worker_loads_the_task_runner_listeners_operators_and_libraries_once(tmp_path: Path) -> None:
    got = _run(AS_A_CELERY_WORKER, tmp_path)
    assert got["before"] == [0]  # neither operators nor listeners loaded before the signal
    # Great Expectations and pyHanko too (quality_checks and package wait for them), GX's usage statistics off
    assert got["child"] == {"modules": ["operators.batch", "operators.review", "airflow.sdk.execution_time.task_runner",
                                        "great_expectations", "pyhanko.sign"],
                            "listeners_loaded": 1, "gx_analytics": "False"}
