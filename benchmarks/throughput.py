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
  raw Tesseract's and over the floor, the peak RSS of its largest process, and the pages' final states.

The last line is the cost model's input: CPU-hours per million pages at the measured CPU seconds per page.
A shared machine's speed drifts within minutes: compare the ratios, which are measured a minute apart.

Usage: ``.venv/bin/python benchmarks/throughput.py [--pages 60 400] [--shapes 1 5 50] [--seed 3] [--keep DIR]``;
``--quick`` (6 pages, every shape) checks that the benchmark runs, in a few minutes.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from ocr import measured  # noqa: E402  (wall s, CPU s and peak RSS MiB of a command and its descendants)

from sohoa.synth import degrade, random_document, render_with_text  # noqa: E402


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


def run_sohoa(batch: Path, out: Path, env: dict[str, str]) -> tuple[tuple[float, float, float], Counter[str]]:
    """``sohoa run`` on the batch: (wall s, CPU s, peak RSS MiB) and the pages' final states."""
    sohoa = str(Path(sys.executable).parent / "sohoa")
    times = measured([sohoa, "run", str(batch), "--out", str(out)], env)
    report: dict[str, Any] = json.loads((out / batch.name / "report.json").read_text(encoding="utf-8"))
    return times, Counter(p["status"] for p in report["pages"])


def prepared(root: Path, count: int, seed: int) -> tuple[list[Path], dict[str, str]]:
    """``count`` light pages in ``root`` and the environment of runs that keep their Airflow and work area there,
    after a first run of one page that migrates Airflow's database and fills the caches (not measured)."""
    pages = make_pages(root / "pages", count, seed)
    env = {**os.environ, "AIRFLOW_HOME": str(root / "airflow"), "SOHOA_WORK_DIR": str(root / "work"),
           "OMP_THREAD_LIMIT": "1"}
    run_sohoa(shaped_batch(pages[:1], 1, root / "warm"), root / "out", env)
    return pages, env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[60], help="page counts (60 to 400: peak RSS)")
    parser.add_argument("--shapes", type=int, nargs="+", default=[1, 5, 50], help="pages per dossier")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="6 pages, to check that the benchmark runs")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it, to look at the runs")
    args = parser.parse_args()
    counts = [6] if args.quick else sorted(set(args.pages))
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        pages, env = prepared(root, max(counts), args.seed)
        for n in counts:
            raw = run_raw(pages[:n], root / f"raw{n}", cores)
            for shape in args.shapes:
                batch = shaped_batch(pages[:n], shape, root / f"b{n}x{shape}" / f"lo_{n}x{shape}")
                times, states = run_sohoa(batch, root / "out", env)
                shutil.rmtree(root / "work" / batch.name, ignore_errors=True)  # the work area of a run: a copy
                rows.append((n, shape, -(-n // shape), times, raw, states))
    print(f"{started}, {cores} cores, load average {load:.1f} at the start; light pages (seed {args.seed}), "
          f"{len(pages)} generated")
    print(f"{'pages':>5} {'pages/dossier':>13} {'dossiers':>8} {'wall s':>7} {'pages/min':>9} {'CPU s/page':>10} "
          f"{'raw Tess. s':>11} {'wall/raw':>8} {'wall/floor':>10} {'peak MB':>7}  states")
    for n, shape, dossiers, (wall, cpu, rss), (raw_wall, raw_cpu, _), states in rows:
        floor = raw_cpu / cores
        print(f"{n:>5} {shape:>13} {dossiers:>8} {wall:>7.1f} {60 * n / wall:>9.1f} {cpu / n:>10.2f} "
              f"{raw_wall:>11.1f} {wall / raw_wall:>8.2f} {wall / floor:>10.2f} {rss:>7.0f}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    per_page = sum(row[3][1] for row in rows) / sum(row[0] for row in rows)  # each run's CPU s over its pages
    print(f"CPU s per page over all runs {per_page:.2f}: {per_page * 1e6 / 3600:,.0f} CPU-hours per million pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
