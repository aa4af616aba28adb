"""Whole-pipeline throughput on the shapes archives have: ``sohoa run`` (the embedded default) on the same pages cut
into dossiers of 1, 5 and 50 pages, against raw Tesseract on those pages, measured in the same script.

Not a test: it prints a table for the README. The pages are light scans generated with ``sohoa.synth``
(documents of 1 to 3 pages, 200 or 300 dpi JPEG, paper tint, speckle, skew up to ±1.5°), numbered in one
sequence and cut into dossiers of the shape's size (the last dossier takes what is left), so that every shape
reads exactly the same pages. For each page count:

- raw Tesseract: ``tesseract PAGE OUT -l vie``, one page per core at a time (``xargs -P cores``,
  ``OMP_THREAD_LIMIT=1``), no cleaning, no PDF: the wall time a bare OCR of these pages takes here, and its
  CPU time divided by the cores, the "pure-Tesseract floor";
- ``sohoa run BATCH --out OUT`` for each shape, after a first run that migrates Airflow's database (not
  measured): wall time, pages per minute, CPU seconds per page (every process of the run), its wall time over
  raw Tesseract's and over the floor, the peak RSS of its largest process, and the pages' final states;
- with ``--celery N …``, for each worker count N: ``scripts/scale-out.sh up --workers N`` (PostgreSQL, Redis, the
  api-server, scheduler, dag-processor, triggerer and N Celery workers; not measured), then the same batches
  triggered one at a time through the REST API: wall time from the trigger to the DAG run's end, pages per
  minute and their ratio to the embedded run's, CPU seconds per page of every process of the cluster (its
  services' sessions, with the children they waited for: PostgreSQL, Redis and the idle services included), and
  the pages' final states, which must be the embedded run's page for page (else a MISMATCH line). A first run
  of one page is not measured, as on the embedded side, and ``review_dossier`` is paused: the review runs the
  batches ask for wait, as they do under ``sohoa run``. A last line says how much of that CPU the services took
  (all but the workers), and what the cluster spends idle. ``down`` after each N, always.

- with ``--s3-work``, the embedded default again with its work area on S3 (``[sohoa] work_uri`` on a SeaweedFS
  server on this machine, started and stopped by the script): every task pulls what it works on and pushes what it
  changed (docs/scale-out.md); "vs emb." is then the cost of sharing no disk. The batch and the output stay local.

``--chunk-pages`` sets ``[sohoa] chunk_pages`` for both executors (one chunk is one task on one worker; the
cluster also cuts a batch into a chunk per CPU slot, ``[sohoa] chunk_spread``), ``--worker-concurrency`` the
Celery workers' task slots (scripts/scale-out.env's otherwise). The lines "CPU s per page" (one per executor) are the
cost model's input: CPU-hours per million pages at the measured CPU seconds per page. A shared machine's speed
drifts within minutes: compare the ratios, which are measured minutes apart.

Usage: ``.venv/bin/python benchmarks/throughput.py [--pages 60 400] [--shapes 1 5 50] [--celery 1 2]
[--chunk-pages 30] [--worker-concurrency 2] [--s3-work] [--seed 3] [--keep DIR]``; ``--quick`` (6 pages, every shape) checks that the benchmark runs,
in a few minutes (``--quick --celery 2``: about 5 more).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from ocr import measured  # noqa: E402  (wall s, CPU s and peak RSS MiB of a command and its descendants)

from sohoa.pipeline import CHUNK_PAGES  # noqa: E402
from sohoa.synth import degrade, random_document, render_with_text  # noqa: E402
from tests.cluster import clean_environ, finish, running, session_cpu, task_instances, trigger  # noqa: E402
from tests.seaweed import seaweedfs  # noqa: E402

IDLE = 30  # seconds the cluster is watched idle, before the measured runs
States = dict[str, str]  # each page's final state, by its source
Run = tuple[tuple[float, float, float | None], States]  # (wall s, CPU s, peak RSS MiB if known), the states


def make_pages(folder: Path, count: int, seed: int) -> list[Path]:
    """``count`` light scans (JPEG, their dpi recorded), the pages of documents of 1 to 3 pages in order."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    pages: list[Path] = []
    while len(pages) < count:
        dpi = rng.choice([200, 300])
        rendered = render_with_text(random_document(rng, pages=rng.randint(1, 3)), dpi, rng)
        for sheet in rendered.pages[: count - len(pages)]:
            path = folder / f"{len(pages) + 1:04d}.jpg"
            degrade(sheet, rng, skew_deg=rng.uniform(-1.5, 1.5)).save(path, quality=90, dpi=(dpi, dpi))
            pages.append(path)
    return pages


def shaped_batch(pages: list[Path], per_dossier: int, folder: Path) -> Path:
    """The pages cut into dossiers of ``per_dossier`` pages (hard links), named like an archive's: HS.0001, …"""
    for k in range(0, len(pages), per_dossier):
        dossier = folder / f"HS.{k // per_dossier + 1:04d}"
        dossier.mkdir(parents=True)
        for j, page in enumerate(pages[k:k + per_dossier], start=1):
            os.link(page, dossier / f"trang_{j:03d}.jpg")
    return folder


def run_raw(pages: list[Path], out: Path, cores: int) -> tuple[float, float, float]:
    """Raw Tesseract on the pages, ``cores`` at a time: (wall s, CPU s, peak RSS MiB)."""
    out.mkdir(parents=True)
    listing = out / "pages.txt"
    listing.write_text("".join(f"{p}\n" for p in pages), encoding="utf-8")
    script = (f"xargs -P {cores} -I PAGE sh -c 'tesseract PAGE \"{out}/$(basename PAGE)\" -l vie 2>/dev/null'"
              f" < '{listing}'")
    times = measured(["sh", "-c", script], {**os.environ, "OMP_THREAD_LIMIT": "1"})
    missing = [p.name for p in pages if not (out / f"{p.name}.txt").exists()]
    if missing:
        raise SystemExit(f"raw Tesseract read no text from {len(missing)} page(s): {missing[:5]}")
    return times


def page_states(out: Path, batch_id: str) -> States:
    report: dict[str, Any] = json.loads((out / batch_id / "report.json").read_text(encoding="utf-8"))
    return {p["source"]: p["status"] for p in report["pages"]}


def run_sohoa(batch: Path, out: Path, env: dict[str, str]) -> tuple[tuple[float, float, float], Counter[str]]:
    """``sohoa run`` on the batch: (wall s, CPU s, peak RSS MiB) and how many pages end in each state."""
    sohoa = str(Path(sys.executable).parent / "sohoa")
    times = measured([sohoa, "run", str(batch), "--out", str(out)], env)
    return times, Counter(page_states(out, batch.name).values())


def prepared(root: Path, count: int, seed: int, settings: dict[str, str] | None = None
             ) -> tuple[list[Path], dict[str, str]]:
    """``count`` light pages in ``root`` and the environment of runs that keep their Airflow and work area there
    (``settings`` added, nothing of Airflow's or sohoa's from this one), after a first run of one page in
    ``root/warm`` that migrates Airflow's database and fills the caches (not measured)."""
    pages = make_pages(root / "pages", count, seed)
    env = clean_environ(AIRFLOW_HOME=str(root / "airflow"), SOHOA_WORK_DIR=str(root / "work"),
                        **(settings or {"OMP_THREAD_LIMIT": "1"}))
    run_sohoa(shaped_batch(pages[:1], 1, root / "warm"), root / "out", env)
    return pages, env


def run_celery(workers: int, warm: Path, batches: list[Path], root: Path, settings: dict[str, str]
               ) -> tuple[list[Run], str]:
    """The batches on a fresh cluster of ``workers`` Celery workers, one run at a time after one of ``warm`` (not
    measured): for each, (wall s from the trigger to the run's end, CPU s of the cluster's processes meanwhile,
    no peak RSS) and the pages' states; and a line on the services' share of that CPU (all but the workers) and
    on what the cluster spends idle."""
    state, out = root / f"scale-out-{workers}", root / f"out-celery{workers}"
    state.mkdir(mode=0o755)  # PostgreSQL runs as its own user, who must reach its data folder in there
    results: list[Run] = []
    with running(workers, state, clean_environ(**settings)) as cluster:
        def spent(since: dict[str, float]) -> Counter[str]:  # CPU s of each process of the cluster since a reading
            return Counter({name: session_cpu([sid]) - since.get(name, 0.0)
                            for name, sid in cluster["sessions"].items()})

        def services(cpu: Counter[str]) -> Counter[str]:
            return Counter({name: v for name, v in cpu.items() if not name.startswith("worker-")})

        # the review runs the batches ask for wait, as under `sohoa run`: only the batches' own work is measured
        cluster["api"].send("PATCH", "/dags/review_dossier", {"is_paused": True})
        finish(cluster["api"], trigger(cluster["api"], warm, out, warm.name), timeout=3600, every=1)
        before = spent({})
        time.sleep(IDLE)
        idle = spent(before)
        by_process: Counter[str] = Counter()
        for batch in batches:
            before, started = spent({}), time.time()
            run = finish(cluster["api"], trigger(cluster["api"], batch, out, batch.name), timeout=3600, every=1)
            cpu = spent(before)
            by_process.update(cpu)
            wall = _when(run["end_date"]) - started
            results.append(((wall, cpu.total(), None), page_states(out, batch.name)))
            print(timeline(batch.name, started, task_instances(cluster["api"], run["dag_run_id"])), file=sys.stderr)
    pages = sum(len(states) for _, states in results)
    by_service = services(by_process)
    return results, (f"celery×{workers}: the services (PostgreSQL, Redis, api-server, scheduler, dag-processor, "
                     f"triggerer) took {by_service.total() / pages:.2f} CPU s per page of the runs ("
                     + ", ".join(f"{name} {v / pages:.3f}" for name, v in by_service.most_common())
                     + f"); idle, the cluster takes {60 * idle.total() / IDLE:.1f} CPU s per minute, its services "
                     f"{60 * services(idle).total() / IDLE:.1f}")


def _when(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def timeline(name: str, started: float, tasks: list[dict[str, Any]]) -> str:
    """Where a Celery run's wall time went, per task: how many, from the trigger to the first one queued, started
    and to the last one ended (s), their run time added up, and their mean wait from queued to started."""
    lines = [f"{name}: task, n, first queued, first started, last ended, run s, mean wait s"]
    by_task: dict[str, list[dict[str, Any]]] = {}
    for ti in tasks:
        if ti.get("start_date") and ti.get("end_date"):
            by_task.setdefault(ti["task_id"], []).append(ti)
    for task, tis in sorted(by_task.items(), key=lambda kv: min(_when(t["start_date"]) for t in kv[1])):
        queued = [_when(t["queued_when"]) for t in tis if t.get("queued_when")]
        waits = [_when(t["start_date"]) - _when(t["queued_when"]) for t in tis if t.get("queued_when")]
        lines.append(f"  {task:<16} {len(tis):>3} {min(queued, default=started) - started:>7.1f} "
                     f"{min(_when(t['start_date']) for t in tis) - started:>7.1f} "
                     f"{max(_when(t['end_date']) for t in tis) - started:>7.1f} "
                     f"{sum(t['duration'] or 0 for t in tis):>7.1f} {sum(waits) / max(len(waits), 1):>6.2f}")
    return "\n".join(lines)


def run_s3_work(embedded: list[tuple[Any, ...]], batches: list[Path], root: Path, env: dict[str, str]
                ) -> list[tuple[Any, ...]]:
    """The embedded runs again with the work area on a SeaweedFS server on this machine: their rows."""
    (root / "seaweedfs").mkdir(exist_ok=True)
    rows = []
    with seaweedfs(root / "seaweedfs") as server:
        server["client"].create_bucket(Bucket="work")
        s3_env = {**env, "AIRFLOW_CONN_AWS_DEFAULT": server["env"]["AIRFLOW_CONN_AWS_DEFAULT"],
                  "AIRFLOW__SOHOA__WORK_URI": "s3://work/bench"}
        for row, batch in zip(embedded, batches, strict=True):
            times, _ = run_sohoa(batch, root / "out-s3", s3_env)
            shutil.rmtree(root / "work" / batch.name, ignore_errors=True)  # this machine's scratch copy
            rows.append(("S3 work", *row[1:3], times, row[4], page_states(root / "out-s3", batch.name)))
    return rows


def print_rows(rows: list[tuple[Any, ...]], cores: int) -> None:
    """The table, a note for every run whose pages end otherwise than the embedded run's, the cost lines."""
    print(f"{'executor':<9} {'pages':>5} {'pages/dossier':>13} {'dossiers':>8} {'wall s':>7} {'pages/min':>9} "
          f"{'vs emb.':>7} {'CPU s/page':>10} {'raw Tess. s':>11} {'wall/raw':>8} {'wall/floor':>10} {'peak MB':>7}"
          "  states")
    embedded = {(n, shape): (wall, states) for executor, n, shape, (wall, _, _), _, states in rows
                if executor == "embedded"}
    notes = []
    for executor, n, shape, (wall, cpu, rss), (raw_wall, raw_cpu, _), states in rows:
        reference_wall, reference = embedded[n, shape]
        print(f"{executor:<9} {n:>5} {shape:>13} {-(-n // shape):>8} {wall:>7.1f} {60 * n / wall:>9.1f} "
              f"{reference_wall / wall:>7.2f} {cpu / n:>10.2f} {raw_wall:>11.1f} {wall / raw_wall:>8.2f} "
              f"{wall / (raw_cpu / cores):>10.2f} {'n/a' if rss is None else f'{rss:.0f}':>7}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(Counter(states.values()).items())))
        if differ := sorted(p for p in reference.keys() | states.keys() if reference.get(p) != states.get(p)):
            notes.append(f"MISMATCH: {executor} on {n} pages in dossiers of {shape} ends {len(differ)} page(s) in "
                         "another state than the embedded run: " + ", ".join(
                             f"{p} {reference.get(p)} → {states.get(p)}" for p in differ[:10]))
    for note in notes:
        print(note)
    for executor in dict.fromkeys(row[0] for row in rows):
        mine = [row for row in rows if row[0] == executor]
        per_page = sum(row[3][1] for row in mine) / sum(row[1] for row in mine)  # each run's CPU s over its pages
        print(f"{executor}: CPU s per page over all runs {per_page:.2f}: {per_page * 1e6 / 3600:,.0f} CPU-hours per "
              "million pages")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[60], help="page counts (60 to 400: peak RSS)")
    parser.add_argument("--shapes", type=int, nargs="+", default=[1, 5, 50], help="pages per dossier")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--celery", type=int, nargs="*", default=[], metavar="N",
                        help="also on CeleryExecutor with these numbers of workers (scripts/scale-out.sh)")
    parser.add_argument("--chunk-pages", type=int, help="[sohoa] chunk_pages of both executors (default: the DAG's)")
    parser.add_argument("--worker-concurrency", type=int, help="task slots of each Celery worker (the CPU pool has "
                        "workers x this many); default: scripts/scale-out.env's")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of both executors' runs (repeat for more), e.g. SOHOA_WORKERS=2")
    parser.add_argument("--s3-work", action="store_true", help="also the embedded default with its work area on S3 "
                        "(SeaweedFS on this machine)")
    parser.add_argument("--quick", action="store_true", help="6 pages, to check that the benchmark runs")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it, to look at the runs")
    args = parser.parse_args()
    counts = [6] if args.quick else sorted(set(args.pages))
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows: list[tuple[Any, ...]] = []
    batches: list[Path] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # the Celery runs' PostgreSQL, under its own user, reaches its data folder in here
        settings = {"OMP_THREAD_LIMIT": "1"}
        if args.chunk_pages:
            settings["AIRFLOW__SOHOA__CHUNK_PAGES"] = str(args.chunk_pages)
        if args.worker_concurrency:
            settings["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = str(args.worker_concurrency)
        settings |= dict(item.split("=", 1) for item in args.env)
        pages, env = prepared(root, max(counts), args.seed, settings)
        for n in counts:
            raw = run_raw(pages[:n], root / f"raw{n}", cores)
            for shape in args.shapes:
                batch = shaped_batch(pages[:n], shape, root / f"b{n}x{shape}" / f"lo_{n}x{shape}")
                times, _ = run_sohoa(batch, root / "out", env)
                shutil.rmtree(root / "work" / batch.name, ignore_errors=True)  # the work area of a run: a copy
                rows.append(("embedded", n, shape, times, raw, page_states(root / "out", batch.name)))
                batches.append(batch)
        if args.s3_work:
            rows += run_s3_work(rows[:len(batches)], batches, root, env)
        for workers in args.celery:
            runs, note = run_celery(workers, root / "warm", batches, root, settings)
            notes.append(note)
            for row, (measured_times, states) in zip(rows[:len(batches)], runs, strict=True):
                rows.append((f"celery×{workers}", *row[1:3], measured_times, row[4], states))
    print(f"{started}, {cores} cores, load average {load:.1f} at the start; light pages (seed {args.seed}), "
          f"{len(pages)} generated; chunk_pages {args.chunk_pages or CHUNK_PAGES}"
          + (f"; Celery task slots per worker {args.worker_concurrency or 'of scripts/scale-out.env'}"
             if args.celery else "") + "".join(f"; {item}" for item in args.env))
    print_rows(rows, cores)
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
