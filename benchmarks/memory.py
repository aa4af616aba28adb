"""Peak memory of ``sohoa run`` as a batch grows and as its files get big: whether it stays flat.

Not a test: it prints a table for the README. Measured in one script, on the light pages of
``benchmarks/throughput.py``:

- batches of ``--pages`` pages (default 40 and 120) cut into dossiers of 5 pages;
- one dossier holding a single multi-page TIFF of about ``--tiff-mb`` MB (default 1400): the same pages
  enlarged to A4 at 300 dpi, 24-bit colour, uncompressed (26 MB a page), as a scanner's batch export writes
  them.

For each: the peak RSS of the largest process of the run (the task process of ``dag.test()`` or a page worker;
``getrusage`` of the children), wall time and CPU seconds per page, and the pages' final states. Flat means
the largest process does not grow with the pages or with the size of a file: every worker decodes one page
(one frame of a TIFF) at a time, and the work area, not memory, carries pages from one stage to the next.

Usage: ``.venv/bin/python benchmarks/memory.py [--pages 40 120] [--tiff-mb 1400] [--seed 3] [--keep DIR]``;
``--quick`` (6 pages, a TIFF of 100 MB) checks that the benchmark runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import prepared, run_sohoa, shaped_batch  # noqa: E402

A4_300 = (2480, 3508)  # pixels of an A4 sheet at 300 dpi


def big_tiff(pages: list[Path], megabytes: int, folder: Path) -> tuple[Path, int]:
    """A batch of one dossier holding one uncompressed multi-page TIFF of about ``megabytes`` MB (the pages
    enlarged to A4 at 300 dpi, RGB, taken in turn): the batch folder and the TIFF's page count."""
    per_page = A4_300[0] * A4_300[1] * 3
    count = max(2, round(megabytes * 1e6 / per_page))
    frames = []
    for k in range(count):
        with Image.open(pages[k % len(pages)]) as page:
            frames.append(page.convert("RGB").resize(A4_300, Image.Resampling.BILINEAR))
    dossier = folder / "TIFF.01"
    dossier.mkdir(parents=True)
    frames[0].save(dossier / "scan.tif", save_all=True, append_images=frames[1:], compression="raw",
                   dpi=(300, 300))
    return folder, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[40, 120], help="page counts of the batches")
    parser.add_argument("--tiff-mb", type=int, default=1400, help="size of the multi-page TIFF (0: none)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="6 pages and a TIFF of 100 MB")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it, to look at the runs")
    args = parser.parse_args()
    counts, tiff_mb = ([6], 100) if args.quick else (sorted(set(args.pages)), args.tiff_mb)
    load = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        pages, env = prepared(root, max(counts), args.seed)
        for n in counts:
            batch = shaped_batch(pages[:n], 5, root / f"b{n}" / f"mem_{n}")
            rows.append((f"{n} pages in dossiers of 5", n, *run_sohoa(batch, root / "out", env)))
        if tiff_mb:
            batch, n = big_tiff(pages, tiff_mb, root / "tiff" / "mem_tiff")
            size = (batch / "TIFF.01" / "scan.tif").stat().st_size / 1e6
            rows.append((f"one TIFF of {size:,.0f} MB, {n} pages", n, *run_sohoa(batch, root / "out", env)))
    print(f"{started}, {len(os.sched_getaffinity(0))} cores, load average {load:.1f} at the start; light pages "
          f"(seed {args.seed})")
    print(f"{'batch':<34} {'pages':>5} {'wall s':>7} {'CPU s/page':>10} {'peak MB':>7}  states")
    for name, n, (wall, cpu, rss), states in rows:
        print(f"{name:<34} {n:>5} {wall:>7.1f} {cpu / n:>10.2f} {rss:>7.0f}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
