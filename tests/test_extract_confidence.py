"""Calibrated confidence: raw scores mapped to the share of right values measured at them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sohoa.extract import confidence
from sohoa.extract.confidence import calibrated, fit, review_below, thresholds


def test_fit_is_monotone_and_never_sure_of_a_few_readings() -> None:
    # numbers read at 0.3 wrong twice in three; at 0.6 right; at 0.9 right but one wrong among many
    samples = [(0.3, False, 1.0), (0.3, False, 1.0), (0.3, True, 1.0), (0.6, True, 1.0), (0.55, False, 1.0)]
    samples += [(0.9, True, 1.0)] * 48 + [(0.92, False, 1.0)]
    steps = fit(samples)
    shares = [share for _, share in steps]
    assert shares == sorted(shares) and len(steps) >= 2
    # steps pulled towards the field's usual share (51 of 56 with one right and one wrong added); the wrong 0.92
    # pooled with the 0.6 to 0.9 that were right
    assert steps == [(0.3, 0.564), (0.55, 0.607), (0.6, 0.977)]
    assert fit([(0.99, True, 1.0)] * 3) == [(0.99, 0.92)]  # three right readings are no certainty
    # two right readings at 0.5 among many right ones are not made unsure for being few
    assert fit([(0.5, True, 1.0)] * 2 + [(0.9, True, 1.0)] * 40 + [(0.2, False, 1.0)] * 5) == [(0.2, 0.251),
                                                                                             (0.5, 0.994)]


def test_a_table_maps_each_field_and_evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = {"fields": {"number": [[0.0, 0.3], [0.5, 0.9], [0.9, 0.995]], "number:hand": [[0.0, 0.2], [0.8, 0.7]]},
             "review_below": {"number": 0.98}}
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    monkeypatch.setattr(confidence, "TABLE", path)
    confidence._table.cache_clear()
    try:
        assert (calibrated("number", 0.2), calibrated("number", 0.6), calibrated("number", 0.95)) == (0.3, 0.9, 0.995)
        assert calibrated("number", 0.95, "hand") == 0.7  # hand-written digits are calibrated apart
        assert calibrated("number", 0.95, "confirmed") == 0.995  # an evidence not measured apart: the field's
        assert calibrated("subject", 0.83) == 0.83  # a field the table does not know keeps its score
        assert review_below("number") == 0.98 and review_below("subject") == confidence.DEFAULT_REVIEW_BELOW
    finally:
        confidence._table.cache_clear()


def test_the_table_is_not_stretched_under_the_scores_it_measured(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    table = {"fields": {"signer": [[0.0, 0.01], [0.85, 0.65]], "signer:agree": [[0.66, 0.94], [0.7, 0.999]],
                        "place": [[0.5, 0.9]], "number:agree": [[0.5, 0.999]], "number:*": [[0.6, 0.35]]},
             "review_below": {}}
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    monkeypatch.setattr(confidence, "TABLE", path)
    confidence._table.cache_clear()
    try:
        assert calibrated("signer", 0.8, "agree") == 0.999  # within what agreed names were measured at
        # agreed, but under every agreed name measured: no surer than any name read so
        assert calibrated("signer", 0.4, "agree") == 0.01
        assert calibrated("place", 0.3) == 0.3  # under the field's own lowest score: its raw score at most
        # read without evidence, which the table never measured for the field: with its rare kinds
        assert calibrated("number", 0.95) == 0.35 and calibrated("number", 0.95, "agree") == 0.999
    finally:
        confidence._table.cache_clear()


def test_thresholds_hold_the_fewest_documents_that_keep_the_budget() -> None:
    # two fields of ten documents per group; "number" wrong twice at 0.6, "subject" once at 0.9 among 0.9s
    samples = [("real", f"d{i}", "number", 0.6 if i < 3 else 0.95, i not in (0, 1)) for i in range(10)]
    samples += [("real", f"d{i}", "subject", 0.9, i != 5) for i in range(10)]
    cuts = thresholds(samples, held=set(), budgets={"real": 0.02})
    assert cuts["number"] == 0.95  # the three numbers at 0.6 go to review: two wrong among them
    assert cuts["subject"] > 0.9  # the wrong subject cannot be told from the right ones: all of them go
    cuts = thresholds(samples, held=set(), budgets={"real": 0.1})  # a loose budget holds only the unsure numbers
    assert cuts == {"number": 0.95, "subject": 0.9}


def test_a_floor_keeps_unsure_values_for_review_whatever_the_budget() -> None:
    samples = [("real", f"d{i}", "subject", 0.667, True) for i in range(5)]
    samples += [("real", f"e{i}", "subject", 0.96, True) for i in range(20)]
    assert thresholds(samples, held=set(), budgets={"real": 0.02}) == {"subject": 0.667}  # all right: none held
    assert thresholds(samples, held=set(), budgets={"real": 0.02}, floor=0.9) == {"subject": 0.9}
