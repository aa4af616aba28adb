"""Whole-pipeline throughput: ``sohoa run`` on generated batches, pages per minute on this machine.

Not a test: it prints a table (and the per-stage wall time read from the audit trail) for the README.
Usage: ``.venv/bin/python benchmarks/throughput.py [--dossiers 3 6] [--hard]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sohoa.synth import make_batch


def stage_times(audit: Path, since: str) -> dict[str, float]:
    """Wall time per stage (summed over its mapped instances) from the audit trail's running/success lines."""
    lines = [json.loads(x) for x in audit.read_text().splitlines()] if audit.exists() else []
    started: dict[tuple[str, int], datetime] = {}
    out: dict[str, float] = {}
    for entry in lines:
        if entry["time"] < since:
            continue
        key, moment = (entry["task_id"], entry["map_index"]), datetime.fromisoformat(entry["time"])
        if entry["state"] == "running":
            started[key] = moment
        elif entry["state"] == "success" and key in started:
            out[key[0]] = out.get(key[0], 0.0) + (moment - started.pop(key)).total_seconds()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, nargs="+", default=[3])
    parser.add_argument("--hard", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = root / "airflow"
        env = {**os.environ, "AIRFLOW_HOME": str(home), "SOHOA_WORK_DIR": str(root / "work")}
        warm = root / "warm"
        make_batch(warm, dossiers=1, docs_per_dossier=(1, 1), seed=1)  # migrates the DB, warms caches
        subprocess.run([sys.executable, "-m", "sohoa.cli", "run", str(warm), "--out", str(root / "o")], env=env,
                       check=True, capture_output=True)
        for n in args.dossiers:
            batch = root / f"b{n}"
            truth = make_batch(batch, dossiers=n, seed=n, hard=args.hard)
            pages = sum(len(doc["pages"]) for d in truth["dossiers"] for doc in d["documents"])
            since = datetime.now(UTC).isoformat(timespec="milliseconds")
            start, cpu0 = time.perf_counter(), os.times()
            subprocess.run([sys.executable, "-m", "sohoa.cli", "run", str(batch), "--out", str(root / "o")],
                           env=env, check=True, capture_output=True)
            wall, cpu1 = time.perf_counter() - start, os.times()
            cpu = (cpu1.children_user + cpu1.children_system) - (cpu0.children_user + cpu0.children_system)
            stages = stage_times(home / "audit" / "tasks.jsonl", since)
            rows.append((n, pages, wall, cpu, pages / wall * 60, stages))
    print(f"{'dossiers':>8} {'pages':>6} {'wall s':>8} {'cpu s':>8} {'pages/min':>10}  per-stage wall s")
    for n, pages, wall, cpu, ppm, stages in rows:
        per = ", ".join(f"{k} {v:.0f}" for k, v in stages.items())
        print(f"{n:>8} {pages:>6} {wall:>8.1f} {cpu:>8.1f} {ppm:>10.1f}  {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
