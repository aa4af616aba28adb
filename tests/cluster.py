"""A ``scripts/scale-out.sh`` cluster driven from Python, shared by tests/test_scale_out.py and
benchmarks/throughput.py: start it and read the two lines ``up`` prints, list the sessions of its processes
(and their CPU time), trigger ``digitize_batch`` through the REST API and wait for the run to end, stop it and
check that nothing is left running.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "scale-out.sh"


def clean_environ(**extra: str) -> dict[str, str]:
    """The environment without the Airflow settings other tests of this process may have left in it."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SOHOA_"))}, **extra}


def sessions(state: Path) -> dict[str, int]:
    """The session id of each of the cluster's services (postgres, redis, scheduler, worker-1, …): its leader, as
    its pid file records it."""
    return {f.stem: int(f.read_text().split()[0]) for f in (state / "pids").glob("*.pid")}


def _stat(pid: str) -> list[str]:
    """The fields of /proc/PID/stat after the command name (which may hold spaces): field 3 (state) first."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def session_members(sid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    members.append(int(entry))
            except OSError:
                continue
    return members


def session_cpu(sids: Iterable[int]) -> float:
    """CPU seconds (user and system) of every process now in these sessions or descended from one (PostgreSQL's
    backends start sessions of their own), with those of the children each has waited for (cutime, cstime): the
    difference of two readings is what they spent in between, as long as every process that ends is waited for
    by one that is still counted."""
    wanted, procs = set(sids), {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = _stat(entry)
            except OSError:
                continue
            # fields 4 and 6: the parent and the session; 14 to 17: utime, stime, cutime, cstime
            procs[int(entry)] = (int(fields[1]), int(fields[3]), sum(int(f) for f in fields[11:15]))
    counted = {pid for pid, (_, sid, _) in procs.items() if sid in wanted}
    while more := {pid for pid, (parent, _, _) in procs.items() if parent in counted} - counted:
        counted |= more
    return sum(procs[pid][2] for pid in counted) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running(workers: int, state: Path, env: dict[str, str], timeout: float = 900) -> Iterator[dict[str, Any]]:
    """``scale-out.sh up --workers N`` with its state in ``state``; yields {"api", "sessions": {service: session
    id}}; ``down`` on the way out, whatever happened, then raises if ``down`` failed or left a process of the
    cluster running."""
    from tests.test_scheduler import Api

    found: dict[str, int] = {}
    env = {**env, "SOHOA_SCALE_OUT_DIR": str(state)}
    try:
        up = subprocess.run(["bash", str(SCRIPT), "up", "--workers", str(workers)], env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
        if up.returncode != 0:
            raise RuntimeError(f"scale-out.sh up failed:\n{up.stderr[-4000:]}")
        lines = up.stdout.splitlines()
        if not (len(lines) == 2 and lines[0].startswith("api: http://127.0.0.1:")
                and lines[1].startswith("passwords: ")):
            raise RuntimeError(f"scale-out.sh up printed {lines}, not the lines api: and passwords:")
        base, passwords = lines[0].split(" ", 1)[1], Path(lines[1].split(" ", 1)[1])
        if not passwords.exists():
            raise RuntimeError(f"no password file {passwords}")
        found = sessions(state)
        yield {"api": Api(base, passwords.parent), "sessions": found}
    finally:
        down = subprocess.run(["bash", str(SCRIPT), "down"], env=env, capture_output=True, text=True, timeout=600,
                              check=False)
        left = {name: members for name, sid in found.items() if (members := session_members(sid))}
        if down.returncode != 0:
            raise RuntimeError(f"scale-out.sh down failed:\n{down.stderr[-3000:]}")
        if left:
            raise RuntimeError(f"still running after down: {left}")


def trigger(api: Any, batch: Path, out: Path, batch_id: str, campaign: str = "") -> str:
    """A digitize_batch run of ``batch`` into ``out``: its run id."""
    conf = {"batch_uri": str(batch), "output_uri": str(out), "batch_id": batch_id, "campaign": campaign}
    run = api.send("POST", "/dags/digitize_batch/dagRuns", {"logical_date": None, "conf": conf})
    return str(run["dag_run_id"])


def finish(api: Any, run_id: str, timeout: float = 900, every: float = 3) -> dict[str, Any]:
    """Until the run ends, asking every ``every`` seconds; it must succeed (else: which tasks failed). The run
    as the API shows it at its end."""
    deadline = time.monotonic() + timeout
    while (run := api.get(f"/dags/digitize_batch/dagRuns/{run_id}"))["state"] not in ("success", "failed"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"run {run_id} still {run['state']} after {timeout} s")
        time.sleep(every)
    if run["state"] != "success":
        failed = [(t["task_id"], t["map_index"]) for t in task_instances(api, run_id)
                  if t["state"] not in ("success", "skipped")]
        raise RuntimeError(f"run {run_id} {run['state']}: {failed}")
    return dict(run)


def task_instances(api: Any, run_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/dags/digitize_batch/dagRuns/{run_id}/taskInstances", limit=100)["task_instances"])
