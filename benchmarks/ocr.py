"""OCR benchmark: sohoa's whole pipeline, raw Tesseract and OCRmyPDF on the same degraded pages.

Not a test: it prints a table for the README. The pages are generated with their ground truth (fonts and
layouts of ``sohoa.synth``, filing holes, toner specks, skew up to ±4°, quarter turns, scanner borders,
yellowing, stains, blur, seals, JPEG artefacts, 200 and 300 dpi). For each system: CER and word F1 of the text layer against the truth (NFC,
micro-averaged over the pages), wall and CPU time, pages per minute, and the peak RSS of its largest process.

- sohoa: ``sohoa run`` on a batch of one dossier (Airflow, cleaning, OCR, metadata, quality checks, PDF/A and
  packages included); text read back from the delivered PDFs.
- raw Tesseract: ``tesseract PAGE - -l vie``, two pages at a time, no cleaning; its CPU time divided by the
  cores is the "pure-Tesseract floor".
- OCRmyPDF: ``ocrmypdf -l vie --rotate-pages --deskew --clean --output-type pdfa --jobs N`` on the pages as one
  PDF. It is installed for the benchmark only, in its own venv (``--ocrmypdf-venv``, created on first use; it
  needs ``ghostscript`` and ``unpaper`` from Debian).

``--rounds N`` runs raw Tesseract and sohoa N times in turn and reports medians, with sohoa's wall time over the
floor of each round: on a shared machine the speed drifts between two runs a minute apart.

Usage: ``.venv/bin/python benchmarks/ocr.py [--pages 10] [--seed 7] [--rounds 1] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path
from statistics import median

from rapidfuzz.distance import Levenshtein

from sohoa.synth import damage, degrade, punch, random_document, render_with_text, speckle

ROOT = Path(__file__).resolve().parents[1]
OCRMYPDF = "ocrmypdf==17.13.0"
# runs a command and reports its wall time, CPU time and largest process's peak RSS (KiB) on stderr's last line
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "rc = subprocess.run(sys.argv[1:]).returncode; "
           "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print('MEASURED', time.perf_counter() - t, r.ru_utime + r.ru_stime, r.ru_maxrss, file=sys.stderr); "
           "sys.exit(rc)")


def make_pages(folder: Path, count: int, seed: int) -> list[tuple[Path, str]]:
    """Degraded page images (JPEG, dpi recorded) with their true text."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    pages = []
    for i in range(count):
        dpi = rng.choice([200, 300])
        rendered = render_with_text(random_document(rng, pages=1), dpi, rng)
        sheet = rendered.pages[0]
        paper = random.Random(seed * 1000 + i)  # its own stream: the other effects stay those of earlier runs
        if paper.random() < 0.5:
            sheet = punch(sheet, paper, dpi)
        if paper.random() < 0.5:
            sheet = speckle(sheet, paper, dpi)  # a photocopy
        img = degrade(sheet, rng, skew_deg=rng.uniform(-4, 4), border=rng.random() < 0.5,
                      rotate=rng.choice([0, 0, 0, 0, 0, 90, 180, 270]))
        path = folder / f"trang_{i + 1:03d}.jpg"
        damage(img, rng).save(path, quality=92, dpi=(dpi, dpi))
        pages.append((path, rendered.texts[0]))
    return pages


def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of a command and all its descendants."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True,
                          check=False)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    if proc.returncode != 0 or not last.startswith("MEASURED"):
        raise SystemExit(f"{cmd[0]} failed:\n{proc.stderr[-3000:]}")
    wall, cpu, rss = map(float, last.split()[1:])
    return wall, cpu, rss / 1024


def pdf_page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def run_sohoa(pages: list[tuple[Path, str]], work: Path) -> tuple[list[str], tuple[float, float, float]]:
    batch = work / "batch"
    (batch / "BENCH.01").mkdir(parents=True)
    for path, _ in pages:
        shutil.copyfile(path, batch / "BENCH.01" / path.name)
    env = {**os.environ, "AIRFLOW_HOME": str(work / "airflow"), "SOHOA_WORK_DIR": str(work / "work")}
    sohoa = str(Path(sys.executable).parent / "sohoa")
    warm = work / "warm"  # a first run migrates Airflow's database: not part of the measurement
    (warm / "W.01").mkdir(parents=True)
    shutil.copyfile(pages[0][0], warm / "W.01" / "p.jpg")
    subprocess.run([sohoa, "run", str(warm), "--out", str(work / "o")], env=env, check=True, capture_output=True)
    times = measured([sohoa, "run", str(batch), "--out", str(work / "out")], env)
    report = json.loads((work / "out" / "batch" / "report.json").read_text(encoding="utf-8"))
    text = {}
    for dossier in report["dossiers"]:
        if dossier["status"] != "delivered":  # held for review: its PDFs wait in its draft package
            print(f"dossier {dossier['dossier_code']} {dossier['status']}: {dossier.get('reason')}; its text is read "
                  "from its draft package's PDFs", file=sys.stderr)
        for doc in dossier["documents"]:
            pdf = work / "out" / "batch" / doc["pdf"] if doc.get("pdf") else \
                next(Path(dossier["draft"]).rglob(f"*.{doc['ordinal']:07d}.pdf"))  # a held dossier's draft
            for k, source in enumerate(doc["pages"], start=1):
                text[source.split("/", 1)[1]] = pdf_page_text(pdf, k)
    return [text.get(path.name, "") for path, _ in pages], times


def run_raw(pages: list[tuple[Path, str]], work: Path) -> tuple[list[str], tuple[float, float, float]]:
    work.mkdir(parents=True)
    listing = "\n".join(str(path) for path, _ in pages)
    script = f"echo '{listing}' | xargs -P 2 -I PAGE sh -c 'tesseract PAGE {work}/$(basename PAGE) -l vie 2>/dev/null'"
    times = measured(["sh", "-c", script], {**os.environ, "OMP_THREAD_LIMIT": "1"})
    return [(work / f"{path.name}.txt").read_text(encoding="utf-8") for path, _ in pages], times


def ocrmypdf_venv(venv: Path) -> Path:
    if not (venv / "bin" / "ocrmypdf").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", OCRMYPDF], check=True)
    for tool in ("gs", "unpaper"):
        if not shutil.which(tool):
            raise SystemExit(f"OCRmyPDF needs {tool}: apt-get install ghostscript unpaper")
    return venv / "bin"


def run_ocrmypdf(pages: list[tuple[Path, str]], work: Path, venv: Path, jobs: int
                 ) -> tuple[list[str], tuple[float, float, float]]:
    bin_dir = ocrmypdf_venv(venv)
    work.mkdir(parents=True)
    subprocess.run([str(bin_dir / "img2pdf"), *(str(p) for p, _ in pages), "-o", str(work / "in.pdf")], check=True)
    times = measured([str(bin_dir / "ocrmypdf"), "-l", "vie", "--rotate-pages", "--deskew", "--clean",
                      "--output-type", "pdfa", "--jobs", str(jobs), str(work / "in.pdf"), str(work / "out.pdf")],
                     {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    return [pdf_page_text(work / "out.pdf", k) for k in range(1, len(pages) + 1)], times


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def scores(truths: list[str], texts: list[str]) -> tuple[float, float]:
    """(CER, word F1), micro-averaged: edits over all true characters; words matched as multisets."""
    edits = chars = hit = want = got = 0
    for truth, text in zip(truths, texts, strict=True):
        ref, hyp = _norm(truth), _norm(text)
        edits += Levenshtein.distance(ref, hyp)
        chars += len(ref)
        ref_words, hyp_words = Counter(re.findall(r"\w+", ref)), Counter(re.findall(r"\w+", hyp))
        hit += sum((ref_words & hyp_words).values())
        want += sum(ref_words.values())
        got += sum(hyp_words.values())
    precision, recall = hit / max(got, 1), hit / max(want, 1)
    return edits / max(chars, 1), 2 * precision * recall / max(precision + recall, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ocrmypdf-venv", type=Path, default=ROOT / ".bench" / "ocrmypdf")
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it, to look at the runs")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run raw Tesseract and sohoa this many times in turn; medians reported (a shared "
                             "machine's speed drifts by more than 5 %% within minutes)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        pages = make_pages(root / "pages", args.pages, args.seed)
        truths = [t for _, t in pages]
        runs: dict[str, list[tuple[list[str], tuple[float, float, float]]]] = {"sohoa run": [], "raw tesseract": []}
        for r in range(args.rounds):
            runs["raw tesseract"].append(run_raw(pages, root / f"raw{r}"))
            runs["sohoa run"].append(run_sohoa(pages, root / f"sohoa{r}"))
        if not args.skip_ocrmypdf:
            runs["OCRmyPDF"] = [run_ocrmypdf(pages, root / "ocrmypdf", args.ocrmypdf_venv, cores)]
    # each system's text of its last run, and the median of its wall time, CPU time and peak RSS
    results = {name: (done[-1][0], tuple(median(m[k] for _, m in done) for k in range(3)))
               for name, done in runs.items()}
    floor = results["raw tesseract"][1][1] / cores
    print(f"{args.pages} pages (seed {args.seed}), {cores} cores; pure-Tesseract floor "
          f"(raw Tesseract CPU / cores) {floor:.1f} s" + (f", medians of {args.rounds} rounds" if args.rounds > 1 else ""))
    if args.rounds > 1:
        ratios = [s[1][0] / (r[1][1] / cores) for s, r in zip(runs["sohoa run"], runs["raw tesseract"], strict=True)]
        print("sohoa run wall / floor in each round: " + ", ".join(f"{x:.2f}" for x in ratios))
    print(f"{'system':<14} {'CER':>6} {'word F1':>8} {'wall s':>8} {'CPU s':>8} {'pages/min':>9} {'peak MB':>8}"
          f" {'wall/floor':>10}")
    for name, (texts, (wall, cpu, rss)) in results.items():
        cer, f1 = scores(truths, texts)
        print(f"{name:<14} {cer:6.3f} {f1:8.3f} {wall:8.1f} {cpu:8.1f} {60 * args.pages / wall:9.1f} {rss:8.0f}"
              f" {wall / floor:10.2f}")
    if "OCRmyPDF" in results:
        print(f"sohoa run wall time / OCRmyPDF's: {results['sohoa run'][1][0] / results['OCRmyPDF'][1][0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
