"""What scripts/scale-out.sh does better in Python: free ports, generated secrets, Airflow's pool and signing
connection, and waiting until the cluster answers. Run with the project's venv::

    python scripts/scale_out.py ports N          N free TCP ports on 127.0.0.1, one a line
    python scripts/scale_out.py secrets          KEY=value lines of freshly generated secrets
    python scripts/scale_out.py database URL      create the PostgreSQL database of URL unless it exists
    python scripts/scale_out.py init SLOTS       the CPU pool sized to SLOTS, the local signing connection
    python scripts/scale_out.py wait API PASSWORDS WORKERS TIMEOUT PIDS
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# the names of every secret the processes share; docker-compose.yaml takes the same names from its .env
SECRETS = ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY",
           "POSTGRES_PASSWORD", "REDIS_PASSWORD")
DAGS = ("digitize_batch", "review_dossier")


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (all bound at once, so they differ)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def new_secrets() -> dict[str, str]:
    from cryptography.fernet import Fernet

    values = {name: secrets.token_urlsafe(32) for name in SECRETS}  # URL-safe: they go into connection URLs
    values["AIRFLOW__CORE__FERNET_KEY"] = Fernet.generate_key().decode()
    return values


def create_database(url: str) -> None:
    """The database a ``postgresql+psycopg2://`` URL names, created (owned by the URL's user) unless it exists:
    Airflow's metadata database and the campaign store, on the same server."""
    import psycopg2
    from psycopg2 import sql
    from sqlalchemy.engine import make_url

    target = make_url(url)
    connection = psycopg2.connect(host=target.host, port=target.port, user=target.username,
                                  password=target.password, dbname="postgres")
    connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(target.database))))
                print(f"created database {target.database}", file=sys.stderr)
    finally:
        connection.close()


def init(slots: int) -> None:
    """The pool of the CPU-heavy tasks with one slot per worker process, and the embedded default's
    self-signed signer as the ``sohoa_signing`` connection when none is configured (dags/runner.py)."""
    from airflow.configuration import conf
    from airflow.models.pool import Pool

    sys.path.insert(0, str(REPO))
    from dags.runner import ensure_local_signing

    name = conf.get("sohoa", "cpu_pool", fallback="")
    if not name:
        raise SystemExit("AIRFLOW__SOHOA__CPU_POOL is not set")
    Pool.create_or_update_pool(name, slots, f"CPU-heavy sohoa tasks: {slots} worker slot(s)", include_deferred=False)
    ensure_local_signing(Path(os.environ["AIRFLOW_HOME"]))


def _get(url: str, token: str | None = None) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _token(api: str, passwords: Path) -> str:
    user, password = next(iter(json.loads(passwords.read_text()).items()))
    body = json.dumps({"username": user, "password": password}).encode()
    request = urllib.request.Request(f"{api}/auth/token", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["access_token"])


def _workers_online() -> set[str]:
    from airflow.providers.celery.executors.celery_executor_utils import app

    return set((app.control.inspect(timeout=3).ping() or {}).keys())


def _dead(pids: Path) -> list[str]:
    """The components (pid files ``NAME.pid``: pid and start time) whose process has ended."""
    dead = []
    for file in sorted(pids.glob("*.pid")):
        try:
            os.kill(int(file.read_text().split()[0]), 0)
        except ProcessLookupError:
            dead.append(file.stem)
    return dead


def wait(api: str, passwords: Path, workers: int, timeout: float, pids: Path) -> None:
    """Until the api-server reports every component healthy, the DAGs are parsed and every Celery worker
    answers a ping; says what is still missing when the time is up, or which component ended."""
    deadline = time.monotonic() + timeout
    missing = "the api-server"
    while time.monotonic() < deadline:
        if dead := _dead(pids):
            raise SystemExit(f"scale-out: {', '.join(dead)} ended while starting (see its log)")
        try:
            health = _get(f"{api}/api/v2/monitor/health")
            unhealthy = [name for name, part in health.items() if (part or {}).get("status") != "healthy"]
            if unhealthy:
                missing = f"healthy {', '.join(unhealthy)}"
            elif not passwords.exists():
                missing = f"the password file {passwords}"
            else:
                token = _token(api, passwords)
                absent = [dag for dag in DAGS if not _dag_parsed(api, dag, token)]
                online = _workers_online() if not absent else set()
                if absent:
                    missing = f"the DAGs {', '.join(absent)} parsed"
                elif len(online) < workers:
                    missing = f"{workers} Celery workers (online: {', '.join(sorted(online)) or 'none'})"
                else:
                    return
        except (OSError, ValueError, urllib.error.URLError) as exc:
            missing = f"the api-server ({exc})"
        time.sleep(2)
    raise SystemExit(f"scale-out: still waiting for {missing} after {timeout:.0f} s")


def _dag_parsed(api: str, dag: str, token: str) -> bool:
    try:
        _get(f"{api}/api/v2/dags/{dag}", token)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise
    return True


def main(argv: list[str]) -> None:
    command, args = argv[0], argv[1:]
    if command == "ports":
        print(*free_ports(int(args[0])), sep="\n")
    elif command == "secrets":
        print(*(f"{k}={v}" for k, v in new_secrets().items()), sep="\n")
    elif command == "database":
        create_database(args[0])
    elif command == "init":
        init(int(args[0]))
    elif command == "wait":
        wait(args[0].rstrip("/"), Path(args[1]), int(args[2]), float(args[3]), Path(args[4]))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
