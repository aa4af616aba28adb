"""Celery settings of the scale-out (``[celery] celery_config_options``): Airflow's own, and a worker that loads once
what every task would load again.

A Celery worker runs each task in a process forked (through its pool and Airflow's supervisor) from the worker's
main process, and that process imports Airflow's task runner, loads the plugins to find the listeners (the audit
trail, OpenLineage) and imports the operators of the DAG file: about 0.35 CPU s, paid again by each of a batch's
thirty-odd tasks. Great Expectations (2 to 4 CPU s to import) and pyHanko (0.7 s) are loaded there too: the one
``quality_checks`` task and the ``package`` tasks wait for their import on the batch's critical path. Done once
in the main process when the worker starts, it is inherited by every fork. Plugins and
operators then are those of the worker's start, as any code a Celery worker has imported: restart the workers to
deploy new code.

Airflow's Celery provider does the same for its own operators (``on_celery_import_modules``, on the same signal,
which then freezes the garbage collector's view of all of it).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import import_modules

CELERY_CONFIG = DEFAULT_CELERY_CONFIG


@import_modules.connect
def load_what_every_task_loads(**_: Any) -> None:
    """In the worker's main process, before its pool forks, as Airflow's own ``on_celery_import_modules`` does for
    its operators: Airflow's task runner, the listeners, sohoa's operators, and the libraries the batch's
    quality checks and packages import."""
    import airflow.sdk.execution_time.task_runner  # noqa: F401
    import pyhanko.sign  # noqa: F401
    from airflow.sdk.listener import get_listener_manager

    import operators.audit
    import operators.batch
    import operators.campaign
    import operators.ingest
    import operators.review  # noqa: F401
    from sohoa.quality import import_gx

    get_listener_manager()
    import_gx()
