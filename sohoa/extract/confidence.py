"""Calibrated confidence: a field's confidence is the share of fields read like it that were right.

Each field reader gives a raw score (the OCR's word confidences, lowered by what the reader had to guess or put
right). Raw scores are not probabilities: a number read at 0.9 may be wrong one time in five, a place at 0.7
almost never. ``sohoa/data/calibration.json`` maps each field's raw score to the share of right values measured
at that score on labelled documents (``fit``: monotone steps fitted by pool-adjacent-violators, each step's
share counted with one right and one wrong reading added, so that a few documents never make a step sure), and
gives per field the confidence under which a value is sent to review (``review_below``). Both are made by
``benchmarks/metadata.py --calibrate`` from the synthetic sets and the tuning part of the real documents only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parents[1] / "data" / "calibration.json"
DEFAULT_REVIEW_BELOW = 0.9  # for a field the table does not know


@cache
def _table() -> dict[str, Any]:
    return json.loads(TABLE.read_text(encoding="utf-8")) if TABLE.exists() else {"fields": {}, "review_below": {}}


def key(field: str, evidence: str | None = None) -> str:
    """The calibration table's key of a field's values resting on ``evidence`` ("number:hand")."""
    return f"{field}:{evidence}" if evidence else field


def calibrated(field: str, raw: float, evidence: str | None = None) -> float:
    """The confidence of a value of ``field`` read with raw score ``raw`` (resting on ``evidence``): the share
    right measured at that score (for that evidence if measured apart; the raw score itself for a field the
    table does not know)."""
    fields = _table()["fields"]
    steps = fields.get(key(field, evidence)) or fields.get(field)
    return round(_lookup(steps, raw), 3) if steps else round(raw, 2)


def review_below(field: str) -> float:
    """The confidence under which a value of ``field`` is marked unsure and its document held for review."""
    return float(_table()["review_below"].get(field, DEFAULT_REVIEW_BELOW))


def fit(samples: Iterable[tuple[float, bool, float]], prior: float = 1.0) -> list[tuple[float, float]]:
    """Monotone steps [(lowest raw score of the step, share right)] from samples (raw score, right, weight):
    pool-adjacent-violators over the samples sorted by score, each step's share counted with ``prior`` right and
    ``prior`` wrong readings added."""
    blocks: list[list[float]] = []  # [lowest score, weight right, weight]
    for raw, right, weight in sorted(samples, key=lambda s: s[0]):
        if blocks and blocks[-1][0] == raw:
            blocks[-1][1] += weight * right
            blocks[-1][2] += weight
        else:
            blocks.append([raw, weight * right, weight])
        while len(blocks) > 1 and _share(blocks[-2], prior) >= _share(blocks[-1], prior):
            low, ok, total = blocks.pop()
            blocks[-1][1] += ok
            blocks[-1][2] += total
    return [(round(block[0], 3), round(_share(block, prior), 3)) for block in blocks]


def _share(block: list[float], prior: float) -> float:
    return (block[1] + prior) / (block[2] + 2 * prior)


def threshold(samples: Iterable[tuple[float, bool, float]], wrong_at_most: float) -> float:
    """The lowest confidence such that, of the samples (calibrated confidence, right, weight) that reach it, at
    most the share ``wrong_at_most`` (by weight) is wrong; above every sample when none is that sure."""
    points = list(samples)
    for cut in sorted({conf for conf, _, _ in points}):
        kept = [(right, weight) for conf, right, weight in points if conf >= cut]
        total = sum(weight for _, weight in kept)
        if sum(weight for right, weight in kept if not right) <= wrong_at_most * total:
            return cut
    return 1.01


def _lookup(steps: list[tuple[float, float]] | list[list[float]], raw: float) -> float:
    share = steps[0][1]
    for low, value in steps:
        if raw >= low:
            share = value
    return share
