"""DAG integrity: the DAG imports, is wired as designed, retries everywhere, parses without heavy imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import ParamValidationError


def load() -> DAG:
    from dags.digitize_batch import dag

    return dag


def test_tasks_and_order() -> None:
    dag = load()
    assert dag.dag_id == "digitize_batch"
    assert set(dag.task_ids) == {"scan_import", "digitize", "quality_checks", "package", "deliver", "dossier_status",
                                 "request_review", "record_campaign"}
    down = {t.task_id: set(t.downstream_task_ids) for t in dag.tasks}
    assert down["scan_import"] == {"digitize", "package"}  # both mapped over its chunks
    assert down["digitize"] == {"quality_checks"} and down["quality_checks"] == {"package"}
    assert down["package"] == {"deliver"}
    assert down["deliver"] == {"dossier_status", "request_review", "record_campaign"}  # one of each per dossier
    assert {"sohoa", "tt05-2025"} <= set(dag.tags)


def test_mapped_tasks_are_labelled_with_the_dossier_codes() -> None:
    dag = load()
    for task_id in ("digitize", "package"):
        assert dag.get_task(task_id).map_index_template == "{{ task.codes_label }}", task_id
    for task_id in ("dossier_status", "request_review"):
        assert "dossier_code" in (dag.get_task(task_id).map_index_template or ""), task_id
    links = {link.name for link in dag.get_task("deliver").operator_extra_links}
    assert links == {"Report", "Data Docs", "Review queue"}


def test_a_chunk_is_labelled_with_its_codes_within_airflows_250_characters() -> None:
    from operators.dossier import DigitizeOperator, codes_label

    task = DigitizeOperator(task_id="t", dossiers=["/w/b/dossiers/H30.01", "/w/b/dossiers/H30.02"])
    assert task.codes_label == "H30.01, H30.02"
    many = [f"H49.64.2020.{i:03d}.VX" for i in range(40)]
    label = codes_label(many)
    assert len(label) <= 250 and label.startswith("H49.64.2020.000.VX, H49.64.2020.001.VX")
    shown = label.split(" … ")[0].split(", ")
    assert label.endswith(f" … (+{40 - len(shown)} more)") and shown == many[:len(shown)]


def test_review_dossier_asks_people_then_releases() -> None:
    from dags.review_dossier import dag

    assert dag.dag_id == "review_dossier" and dag.schedule is None
    down = {t.task_id: set(t.downstream_task_ids) for t in dag.tasks}
    assert down == {"forms": {"review"}, "review": {"release"}, "release": {"ask_again", "record_campaign"},
                    "ask_again": set(), "record_campaign": set()}
    review = dag.get_task("review")
    assert type(review).__name__ == "MappedOperator" and review.operator_class.__name__ == "ReviewFormOperator"
    assert {"work", "output_uri", "dossier_code"} <= set(dag.params.keys())
    assert dag.get_task("release").trigger_rule == "none_failed"  # runs when there was no form to answer


def test_every_task_retries_with_exponential_backoff() -> None:
    for task in load().tasks:
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.max_retry_delay and task.max_retry_delay <= timedelta(hours=1)


def test_params_are_described_for_the_trigger_form() -> None:
    params = load().params
    for name in ("batch_uri", "output_uri", "batch_id", "campaign"):
        assert params.get_param(name).description, name


def test_params_are_checked_against_their_draft_7_schemas() -> None:
    from dags.digitize_campaign import dag as campaign
    from dags.review_dossier import dag as review

    for dag in (load(), review, campaign):
        for name, param in dag.params.items():
            assert param.schema["$schema"] == "http://json-schema.org/draft-07/schema#", (dag.dag_id, name)
    params = load().params
    assert params.get_param("package_type").resolve("AIP_hoso") == "AIP_hoso"
    for name, wrong in (("package_type", "AIP"), ("max_failed_pages", 1.5), ("batch_uri", "")):
        with pytest.raises(ParamValidationError):
            params.get_param(name).resolve(wrong)
    with pytest.raises(ParamValidationError):  # a format draft 7 knows: the target date
        campaign.params.get_param("target_date").resolve("7 Dec 2026")


def test_chunk_stages_are_mapped_over_scan_imports_chunks() -> None:
    dag = load()
    for task_id in ("digitize", "package"):
        task = dag.get_task(task_id)
        assert type(task).__name__ == "MappedOperator", task_id
        [(name, arg)] = task.expand_input.value.items()
        assert name == "dossiers" and arg.operator.task_id == "scan_import", task_id
    assert dag.get_task("package").trigger_rule == "all_done"  # the chunks whose digitize failed still go on


def test_dag_file_parses_without_heavy_imports() -> None:
    code = ("import sys; import dags.digitize_batch, dags.review_dossier; "
            "print(sorted(m for m in ('cv2', 'pikepdf', 'great_expectations', 'pandas', 'lxml.etree') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_sohoa_never_imports_airflow() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "sohoa"
    offenders = [str(p) for p in root.rglob("*.py")
                 if any(line.lstrip().startswith(("import airflow", "from airflow")) for line in p.read_text().splitlines())]
    assert offenders == []


def test_audit_fixity_runs_daily_and_fails_without_an_output() -> None:
    from dags.audit_fixity import dag

    assert dag.dag_id == "audit_fixity" and dag.task_ids == ["audit_fixity"]
    assert dag.schedule == "@daily" and dag.max_active_runs == 1
    task = dag.get_task("audit_fixity")
    assert task.retries >= 2 and "output_uri" in task.template_fields and "aws_conn_id" in task.template_fields
    assert dag.params.get_param("output_uri").description
