"""The campaign store: every batch's figures in SQL tables, over any SQLAlchemy URL.

The operator and CLI layers give the URL (``[sohoa] campaign_db``: SQLite beside Airflow's own database on the
embedded default, the metadata PostgreSQL server when scaled out); the tables are sohoa's own
(``sohoa_campaign*``), created when first used. Recording a batch replaces every row it had before, in one
transaction, so a re-run or a review's release leaves exactly one copy of its figures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    insert,
    select,
)

from sohoa.campaign.figures import DOSSIER_STATES, PAGE_STATES, BatchFigures

metadata = MetaData()
KEY = (Column("output_uri", String(1000), primary_key=True), Column("batch_id", String(255), primary_key=True))


def _key() -> list[Column[Any]]:
    return [c.copy() for c in KEY]


campaigns = Table(
    "sohoa_campaigns", metadata,
    Column("name", String(255), primary_key=True),
    Column("inbox_uri", Text), Column("output_uri", Text),
    Column("target_pages", Integer), Column("target_date", String(10)),
    Column("method", String(20)),  # self (tự thực hiện) or service (thuê dịch vụ); None: not said
    Column("updated", String(32)),
)
batches = Table(
    "sohoa_campaign_batches", metadata, *_key(),
    Column("campaign", String(255), index=True, nullable=False),
    Column("batch_uri", Text), Column("started", String(32)), Column("finished", String(32)),
    Column("first_finished", String(32)), Column("recorded", String(32)),
    Column("code_version", String(100)), Column("package_types", String(50)),
    Column("pages", Integer), *(Column(f"pages_{s}", Integer) for s in PAGE_STATES),
    Column("documents", Integer), Column("documents_delivered", Integer),
    *(Column(f"dossiers_{s}", Integer) for s in DOSSIER_STATES),
    Column("expectations", Integer), Column("expectations_failed", Integer),
    Column("bytes_stored", Integer), Column("wall_seconds", Float), Column("software", JSON),
)
dossiers = Table(
    "sohoa_campaign_dossiers", metadata, *_key(),
    Column("dossier_code", String(255), primary_key=True),
    Column("campaign", String(255), index=True, nullable=False),
    Column("fond", String(255)), Column("level", String(20)), Column("level_source", Text),
    Column("status", String(20)), Column("reason", Text),
    *(Column(f"pages_{s}", Integer) for s in PAGE_STATES),
    Column("documents", Integer), Column("documents_delivered", Integer),
    Column("documents_needing_review", Integer), Column("documents_changed", Integer),
    Column("ocr_confidence_sum", Float), Column("ocr_pages", Integer), Column("bytes_stored", Integer),
    Column("package_valid", Boolean), Column("package_invalid", Boolean), Column("package_type", String(20)),
    Column("reviewed_by", String(255)), Column("reviewed_at", String(32)),
    Column("held_since", String(32)),  # when it was first held for review (kept across releases)
    Column("done_at", String(32)),  # when it reached its status: the batch's end, or its review
)
reasons = Table(
    "sohoa_campaign_reasons", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("output_uri", String(1000), index=True), Column("batch_id", String(255), index=True),
    Column("campaign", String(255), index=True), Column("dossier_code", String(255)),
    Column("fond", String(255)), Column("level", String(20)),
    Column("kind", String(20)), Column("reason", Text), Column("count", Integer),
)
stages = Table(
    "sohoa_campaign_stages", metadata, *_key(),
    Column("stage", String(50), primary_key=True),
    Column("campaign", String(255), index=True), Column("seconds", Float), Column("pages", Integer),
)


@cache
def engine(url: str) -> Engine:
    """The engine of ``url`` with the store's tables created; SQLite waits for Airflow's own writers."""
    made = create_engine(url, connect_args={"timeout": 60} if url.startswith("sqlite") else {},
                         pool_pre_ping=True)
    if url.startswith("sqlite"):
        event.listen(made, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout = 60000"))
    metadata.create_all(made)
    return made


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def _tx(url: str) -> Iterator[Any]:
    with engine(url).begin() as conn:
        yield conn


def save_campaign(url: str, name: str, **values: Any) -> None:
    """Create or update a campaign's row (its inbox, output, target, method); None values leave a field as it was."""
    given = {k: v for k, v in values.items() if v not in (None, "")}
    with _tx(url) as conn:
        found = conn.execute(select(campaigns).where(campaigns.c.name == name)).mappings().first()
        if found is None:
            conn.execute(insert(campaigns).values(name=name, updated=_now(), **given))
        elif given:
            conn.execute(campaigns.update().where(campaigns.c.name == name).values(updated=_now(), **given))


def record(url: str, figures: BatchFigures) -> None:
    """Replace every row of the batch by ``figures``, in one transaction. What only the first recording knew is
    kept: when the run first finished, when each dossier was first held."""
    key = figures.batch["output_uri"], figures.batch["batch_id"]
    with _tx(url) as conn:
        where = {t.name: and_(t.c.output_uri == key[0], t.c.batch_id == key[1])
                 for t in (batches, dossiers, reasons, stages)}
        earlier = conn.execute(select(batches).where(where[batches.name])).mappings().first()
        same_run = earlier is not None and earlier["started"] == figures.batch["started"]
        first_finished = earlier["first_finished"] if same_run else figures.batch["finished"]
        held = dict(conn.execute(select(dossiers.c.dossier_code, dossiers.c.held_since)
                                 .where(where[dossiers.name], dossiers.c.held_since.is_not(None))).all()) if same_run else {}
        for table in (batches, dossiers, reasons, stages):
            conn.execute(delete(table).where(where[table.name]))
        conn.execute(insert(batches).values(**figures.batch, first_finished=first_finished, recorded=_now()))
        if figures.dossiers:
            rows = []
            for d in figures.dossiers:
                was_held = held.get(d["dossier_code"])
                held_since = was_held or (first_finished if d["status"] == "review" or d["reviewed_at"] else None)
                rows.append({**d, "held_since": held_since, "done_at": d["reviewed_at"] or first_finished})
            conn.execute(insert(dossiers), rows)
        if figures.reasons:
            conn.execute(insert(reasons), figures.reasons)
        if figures.stages:
            conn.execute(insert(stages), figures.stages)


def forget(url: str, output_uri: str, batch_id: str) -> None:
    """Remove a batch's rows (its output was withdrawn)."""
    with _tx(url) as conn:
        for table in (batches, dossiers, reasons, stages):
            conn.execute(delete(table).where(and_(table.c.output_uri == output_uri, table.c.batch_id == batch_id)))


def rows(url: str, table: Table, campaign: str | None = None, **equal: Any) -> list[dict[str, Any]]:
    """Rows of one of the store's tables, of one campaign (all when None) and with the ``equal`` values."""
    query = select(table)
    if campaign is not None:
        query = query.where(table.c.campaign == campaign if "campaign" in table.c else table.c.name == campaign)
    for name, value in equal.items():
        if value is not None:
            query = query.where(table.c[name] == value)
    with engine(url).connect() as conn:
        found = [dict(r) for r in conn.execute(query).mappings()]
    for r in found:
        if isinstance(r.get("software"), str):  # some drivers hand JSON back as text
            r["software"] = json.loads(r["software"])
    return found


def campaign_names(url: str) -> list[str]:
    with engine(url).connect() as conn:
        named = {r[0] for r in conn.execute(select(campaigns.c.name))}
        named |= {r[0] for r in conn.execute(select(batches.c.campaign).distinct())}
    return sorted(n for n in named if n)  # a batch run without a campaign counts under "all" only
