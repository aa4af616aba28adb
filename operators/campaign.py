"""A campaign in Airflow: the inbox read, one ``digitize_batch`` run started per ready batch, each batch's figures
kept in the campaign store. The rules are ``sohoa.campaign``'s; this module carries them into Airflow.

The store is the database ``[sohoa] campaign_db`` names (a SQLAlchemy URL), by default SQLite beside Airflow's
metadata database on one machine: Airflow 3 keeps its metadata database out of task code's reach.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

from operators.base import SohoaOperator, s3_client
from operators.workarea import mirrored

BATCH_DAG = "digitize_batch"
POOL = "sohoa_campaign"  # its slots: how many of a campaign's batches run at once
POOL_SLOTS = 2
VARIABLE = "sohoa_campaign"  # JSON {inbox_uri, output_uri, campaign, …}: what scheduled runs read
_UNSAFE = re.compile(r"[^A-Za-z0-9_.~:+-]+")


def ensure_pool() -> None:
    """Create the campaign's pool (POOL_SLOTS slots, deferred waits counted) unless it exists: its size, once
    set by people (``airflow pools set``), is theirs."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    with create_session() as session:
        if session.query(Pool).filter(Pool.pool == POOL).first() is None:
            session.add(Pool(pool=POOL, slots=POOL_SLOTS, include_deferred=True,
                             description="sohoa: batches of a campaign running at once (digitize_campaign)"))


def store_url() -> str:
    """The campaign store's SQLAlchemy URL: ``[sohoa] campaign_db`` (``AIRFLOW__SOHOA__CAMPAIGN_DB``), which every
    component must be given when they run on several machines (tasks may not reach Airflow's own metadata
    database in Airflow 3); with a local executor, ``sohoa_campaign.db`` (SQLite) beside ``airflow.db``."""
    from airflow.configuration import AIRFLOW_HOME, conf

    if url := conf.get("sohoa", "campaign_db", fallback=""):
        return str(url)
    executors = [e.strip() for e in str(conf.get("core", "executor", fallback="LocalExecutor")).split(",")]
    if not all(e.split(".")[-1] in ("LocalExecutor", "SequentialExecutor") for e in executors if e):
        raise RuntimeError(f"the campaign store needs [sohoa] campaign_db (AIRFLOW__SOHOA__CAMPAIGN_DB): a database "
                           f"URL every machine of {', '.join(executors)} reaches, e.g. on the metadata PostgreSQL server")
    return f"sqlite:///{Path(AIRFLOW_HOME) / 'sohoa_campaign.db'}"


def software() -> dict[str, str]:
    """The versions of what processed the batch (the survey's software section)."""
    from importlib.metadata import PackageNotFoundError, version

    import airflow

    from sohoa import tesseract

    found = {"Apache Airflow": airflow.__version__, "Tesseract OCR": tesseract.version().split()[-1]}
    for name, dist in (("OpenCV", "opencv-python-headless"), ("pikepdf", "pikepdf"), ("pyHanko", "pyHanko"),
                       ("Great Expectations", "great_expectations")):
        try:
            found[name] = version(dist)
        except PackageNotFoundError:
            continue
    return found


def batch_run_id(campaign: str, batch: str) -> str:
    """The run id of a campaign's batch: the same every time, so that Airflow itself refuses a second run."""
    from sohoa.vocab import fold

    digest = hashlib.sha256(f"{campaign}\x00{batch}".encode()).hexdigest()[:10]
    readable = _UNSAFE.sub("_", f"{fold(campaign).lower()}__{fold(batch)}")[:200]
    return f"campaign__{readable}__{digest}"


def record_batch(work: str, output_uri: str, aws_conn_id: str | None = "aws_default",
                 log: Any = None) -> dict[str, Any] | None:
    """Add the batch of ``work`` (its delivered report.json at ``output_uri``) to the campaign store; None when
    the batch has no delivered report."""
    from sohoa.campaign import store
    from sohoa.campaign.figures import batch_figures
    from sohoa.campaign.progress import stage_times
    from sohoa.storage import storage_for

    log = log or logging.getLogger(__name__)
    storage = storage_for(output_uri, s3_client(output_uri, aws_conn_id))
    batch_id = Path(work).name
    raw = storage.read_bytes(f"{batch_id}/report.json")
    if raw is None:
        log.warning("batch %s has no report.json at %s: nothing to add to its campaign", batch_id, output_uri)
        return None
    report = json.loads(raw)
    manifest = json.loads(storage.read_bytes(f"{batch_id}/manifest.json") or b"{}")
    figures = batch_figures(report, storage.uri, manifest=manifest, stages=stage_times(Path(work)),
                            software=software())
    store.record(store_url(), figures)
    log.info("campaign %r: batch %s recorded: %d page(s) delivered, %d document(s), dossiers %s",
             figures.batch["campaign"], batch_id, figures.batch["pages_delivered"],
             figures.batch["documents_delivered"], {s: n for s in ("delivered", "review", "failed", "rejected")
                                                    if (n := figures.batch[f"dossiers_{s}"])})
    return figures.batch


class RecordCampaignOperator(SohoaOperator):
    """Adds the batch's figures (read from its delivered report.json) to the campaign store, replacing what an
    earlier run or review of the batch had put there."""

    template_fields: Sequence[str] = ("work", "output_uri")
    ui_color = "#e4ecf6"

    def __init__(self, *, work: str, output_uri: str, aws_conn_id: str | None = "aws_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work, self.output_uri, self.aws_conn_id = work, output_uri, aws_conn_id

    def execute(self, context: Any) -> dict[str, Any] | None:
        if not self.work:
            from airflow.sdk.exceptions import AirflowSkipException

            raise AirflowSkipException("the batch has no work area: it was never imported")
        from sohoa.storage.mirror import Scope

        with mirrored(self.work, Scope(whole_dossiers=False), writes=False):  # the stages' times
            return record_batch(self.work, self.output_uri, self.aws_conn_id, self.log)

    def lineage_inputs(self) -> Sequence[str]:
        return [f"{self.output_uri.rstrip('/')}/{Path(self.work).name}/report.json"] if self.work else []


class FindReadyBatchesOperator(SohoaOperator):
    """Reads the inbox: returns, in priority order, a ``digitize_batch`` run (run id and conf) for every batch
    folder holding ``READY`` that no run was started for; folders without the marker are named and left."""

    template_fields: Sequence[str] = ("inbox_uri", "output_uri", "campaign", "batch_conf", "topics", "campaign_info")
    ui_color = "#e4ecf6"

    def __init__(self, *, inbox_uri: str, output_uri: str, campaign: str, batch_conf: dict[str, Any] | None = None,
                 topics: Any = None, campaign_info: dict[str, Any] | None = None,
                 aws_conn_id: str | None = "aws_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inbox_uri, self.output_uri, self.campaign = inbox_uri, output_uri, campaign
        self.batch_conf, self.topics, self.campaign_info = batch_conf or {}, topics, campaign_info or {}
        self.aws_conn_id = aws_conn_id

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from sohoa.campaign import store
        from sohoa.campaign.inbox import DEFAULT_TOPICS, ready_batches
        from sohoa.storage import StorageError, storage_for
        from sohoa.vocab import nfc

        if not (self.inbox_uri and self.output_uri and self.campaign):
            raise AirflowSkipException(f"no campaign to run: give inbox_uri, output_uri and campaign (the Params, or "
                                       f"the JSON Variable {VARIABLE!r} that scheduled runs read)")
        topics = json.loads(self.topics) if isinstance(self.topics, str) and self.topics.strip() else self.topics
        topics = [str(t) for t in topics] if isinstance(topics, list) and topics else list(DEFAULT_TOPICS)
        try:
            ready, waiting = ready_batches(storage_for(self.inbox_uri, s3_client(self.inbox_uri, self.aws_conn_id)),
                                           topics)
        except StorageError as exc:
            raise AirflowFailException(f"the inbox {self.inbox_uri} cannot be read: {exc}") from exc
        campaign = nfc(self.campaign.strip())
        info = {k: v for k, v in self.campaign_info.items() if v not in (None, "")}
        if "target_pages" in info:
            info["target_pages"] = int(info["target_pages"])
        store.save_campaign(store_url(), campaign, inbox_uri=self.inbox_uri, output_uri=self.output_uri, **info)
        for name in waiting:
            self.log.info("batch folder %s has no READY yet (still being copied?): left alone", name)
        runs = []
        for batch in ready:
            run_id = batch_run_id(campaign, batch.name)
            if context["ti"].get_dr_count(dag_id=BATCH_DAG, run_ids=[run_id]):
                self.log.info("batch %s: started before (run %s)", batch.name, run_id)
                continue
            self.log.info("batch %s: to start, priority %g (%s)", batch.name, batch.priority, batch.why)
            runs.append({"batch": {"name": batch.name, "priority": batch.priority, "why": batch.why,
                                   "run_id": run_id,
                                   "conf": {**self.batch_conf, "batch_uri": batch.uri, "output_uri": self.output_uri,
                                            "batch_id": batch.name, "campaign": campaign}}})
        self.log.info("campaign %r: %d batch(es) to start, %d ready before, %d waiting for READY", campaign,
                      len(runs), len(ready) - len(runs), len(waiting))
        return runs

    def lineage_inputs(self) -> Sequence[str]:
        return [self.inbox_uri] if self.inbox_uri else []


class StartBatchOperator(TriggerDagRunOperator):
    """Starts one ready batch's ``digitize_batch`` run under its fixed run id (one that exists already is
    skipped: a batch is never run twice) and waits for it, deferred, in the campaign's pool: the pool's slots
    cap how many batches run at once, and the highest priority gets the next free slot (lowest map index)."""

    template_fields: Sequence[str] = (*TriggerDagRunOperator.template_fields, "batch")

    def __init__(self, *, batch: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(trigger_dag_id=BATCH_DAG, logical_date=None, skip_when_already_exists=True,
                         wait_for_completion=True, deferrable=True, poke_interval=15, **kwargs)
        self.batch = batch

    def execute(self, context: Any) -> Any:
        self.trigger_run_id, self.conf = self.batch["run_id"], self.batch["conf"]
        self.log.info("batch %s (priority %g: %s): run %s", self.batch["name"], self.batch["priority"],
                      self.batch["why"], self.trigger_run_id)
        return super().execute(context)
