"""The Celery cluster of ``scripts/scale-out.sh up --workers 2`` with its work area on S3 ([sohoa] work_uri on a
SeaweedFS server): every task pulls its part of the batch and pushes what it changed, from several worker
processes at once, and the batch ends as under the embedded default with a folder work area."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from sohoa.synth import make_batch
from tests.cluster import clean_environ, finish, running, trigger
from tests.test_s3 import listed
from tests.test_scale_out import comparable, delivered, signing_connection

pytestmark = pytest.mark.slow


def test_celery_with_the_work_area_on_s3_gives_the_embedded_default_s_results(
        s3: dict[str, Any], signing_ca: dict[str, Any], tmp_path: Path) -> None:
    batch = tmp_path / "lô_celery"
    make_batch(batch, dossiers=2, docs_per_dossier=(1, 1), seed=5, natural_sort=False)
    s3["client"].create_bucket(Bucket="work")
    signing = signing_connection(signing_ca)
    state = Path(tempfile.mkdtemp(prefix="sohoa-scale-out-"))  # PostgreSQL's user reaches it: not pytest's tmp
    state.chmod(0o755)
    env = clean_environ(AIRFLOW_CONN_SOHOA_SIGNING=signing, AIRFLOW__SOHOA__WORK_URI="s3://work/celery",
                        AIRFLOW_CONN_AWS_DEFAULT=s3["env"]["AIRFLOW_CONN_AWS_DEFAULT"])
    try:
        with running(2, state, env) as started:
            run_id = trigger(started["api"], batch, tmp_path / "celery", "lô_celery", "scale-out")
            home = tmp_path / "embedded"
            embedded = subprocess.run(
                [sys.executable, "-m", "sohoa.cli", "run", str(batch), "--out", str(tmp_path / "emb"), "--batch-id",
                 "lô_celery", "--campaign", "scale-out"], capture_output=True, text=True, timeout=1800, check=False,
                env=clean_environ(AIRFLOW_HOME=str(home), SOHOA_WORK_DIR=str(home / "work"),
                                  AIRFLOW_CONN_SOHOA_SIGNING=signing, OMP_THREAD_LIMIT="1"))
            assert embedded.returncode == 0, embedded.stderr[-3000:]
            finish(started["api"], run_id)
    finally:
        shutil.rmtree(state, ignore_errors=True)

    celery_out, embedded_out = tmp_path / "celery" / "lô_celery", tmp_path / "emb" / "lô_celery"
    celery, reference = (json.loads((o / "report.json").read_text(encoding="utf-8")) for o in (celery_out, embedded_out))
    assert "delivered" in [d["status"] for d in reference["dossiers"]]
    assert comparable(celery) == comparable(reference)
    assert delivered(celery_out) == delivered(embedded_out)
    keys = listed(s3["client"], "celery/lô_celery/", bucket="work")
    for dossier in celery["dossiers"]:
        assert f"celery/lô_celery/dossiers/{dossier['dossier_code']}/documents.json" in keys
    assert "celery/lô_celery/quality.json" in keys
