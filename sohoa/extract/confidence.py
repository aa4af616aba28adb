"""Calibrated confidence: a field's confidence is the share of fields read like it that were right.

Each field reader gives a raw score (the OCR's word confidences, lowered by what the reader had to guess or put
right). Raw scores are not probabilities: a number read at 0.9 may be wrong one time in five, a place at 0.7
almost never. ``sohoa/data/calibration.json`` maps each field's raw score to the share of right values measured
at that score on labelled documents (``fit``: monotone steps fitted by pool-adjacent-violators, each step's
share counted with two readings added at the field's usual share right, so that a few documents never make a
step sure nor a sparse step unsure), and gives per field the confidence under which a value is sent to review
(``review_below``). Both are made by
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
    right measured at that score (for that evidence if measured apart, else with the other rare kinds of
    evidence, as are values of a field read without evidence where the table measured none; the raw score itself
    for a field the table does not know). Under the lowest score measured for that evidence, no surer than the
    field's values read at that score whatever they rest on (or than the raw score, under the field's lowest
    too): the table is not stretched beyond what it saw."""
    fields = _table()["fields"]
    # values read with no evidence where the labelled documents had none (every number had a second reading
    # there) also take the field's rare kinds, not their raw score
    steps = (fields.get(key(field, evidence)) or evidence and fields.get(key(field, "*")) or fields.get(field)
             or fields.get(key(field, "*")))
    if not steps:
        return round(raw, 2)
    share = _lookup(steps, raw)
    if raw < steps[0][0]:  # under every score measured for such values: no sample says they are as sure
        general = fields.get(field)
        share = min(share, _lookup(general, raw) if general and general is not steps else raw)
    return round(share, 3)


def review_below(field: str) -> float:
    """The confidence under which a value of ``field`` is marked unsure and its document held for review."""
    return float(_table()["review_below"].get(field, DEFAULT_REVIEW_BELOW))


def fit(samples: Iterable[tuple[float, bool, float]], prior: float = 2.0) -> list[tuple[float, float]]:
    """Monotone steps [(lowest raw score of the step, share right)] from samples (raw score, right, weight):
    pool-adjacent-violators over the samples sorted by score, each step's share counted with ``prior`` readings
    added at the field's own share right (itself counted with one right and one wrong reading added): a step of
    a few readings is pulled towards what the field usually is, never made certain."""
    points = list(samples)
    total = sum(weight for _, _, weight in points)
    usual = (sum(weight for _, right, weight in points if right) + 1) / (total + 2)
    blocks: list[list[float]] = []  # [lowest score, weight right, weight]
    for raw, right, weight in sorted(points, key=lambda s: s[0]):
        if blocks and blocks[-1][0] == raw:
            blocks[-1][1] += weight * right
            blocks[-1][2] += weight
        else:
            blocks.append([raw, weight * right, weight])
        while len(blocks) > 1 and _share(blocks[-2], prior, usual) >= _share(blocks[-1], prior, usual):
            _, ok, weight = blocks.pop()
            blocks[-1][1] += ok
            blocks[-1][2] += weight
    return [(round(block[0], 3), min(round(_share(block, prior, usual), 3), SUREST)) for block in blocks]


SUREST = 0.999  # no reading is certain, however many were right


def _share(block: list[float], prior: float, usual: float) -> float:
    return (block[1] + prior * usual) / (block[2] + prior)


def _lookup(steps: list[tuple[float, float]] | list[list[float]], raw: float) -> float:
    share = steps[0][1]
    for low, value in steps:
        if raw >= low:
            share = value
    return share


def thresholds(samples: Iterable[tuple[str, str, str, float, bool]], held: set[str], budgets: dict[str, float],
               floor: float = 0.0) -> dict[str, float]:
    """Review thresholds per field, chosen together: the fewest documents held for review such that, in each
    group of samples (group, document, field, calibrated confidence, right), at most its budget's share of the
    fields going out unflagged is wrong, and no value under ``floor`` goes out unflagged. ``held``: documents
    held whatever their fields say. Greedy: while a group is over its budget, raise the one field's threshold that
    takes out most wrong values per document it sends to review."""
    points = list(samples)
    fields = sorted({p[2] for p in points})
    lowest = {floor} if floor else set()
    candidates = {f: sorted({p[3] for p in points if p[2] == f and p[3] >= floor} | lowest) + [1.01] for f in fields}
    cut = {f: candidates[f][0] for f in fields}
    size = {g: sum(1 for p in points if p[0] == g) for g in budgets}

    def over() -> bool:
        for group, budget in budgets.items():
            kept = [p for p in points if p[0] == group and p[3] >= cut[p[2]]]
            if sum(not p[4] for p in kept) > budget * len(kept):
                return True
        return False

    while over():
        flagged_docs = held | {p[1] for p in points if p[3] < cut[p[2]]}
        best: tuple[float, str, float] | None = None
        for f in fields:
            for new in candidates[f]:
                if new <= cut[f]:
                    continue
                taken = [p for p in points if p[2] == f and cut[f] <= p[3] < new]
                gain = sum(1 / max(size[p[0]], 1) for p in taken if not p[4])
                cost = len({p[1] for p in taken} - flagged_docs) + 0.01
                if gain > 0 and (best is None or gain / cost > best[0]):
                    best = (gain / cost, f, new)
        if best is None:
            break
        cut[best[1]] = best[2]
    return {f: round(cut[f], 3) for f in fields}
