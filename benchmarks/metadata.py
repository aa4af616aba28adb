"""Metadata benchmark: document boundaries and field accuracy on synthetic dossiers and on real scans.

Not a test: it prints one table per set for the README. Both sets go through the pipeline's own stages
(import, clean, OCR, extract: ``sohoa.pipeline``), so what is measured is what a run delivers.

- ``synthetic``: a batch from ``sohoa.synth`` (every document type, multi-page documents, attachments,
  urgency and secrecy marks, stamps and scan damage), its truth written beside it.
- ``real``: the 35 real scanned documents of ``../shared/data/real_scans`` (labels in ``labels.jsonl``, read
  its README), each PDF put in a dossier of its own; one file is one document with its attachments. The scans
  are read from ``../shared``, never copied into the repository.

Strings are compared after NFC, case folding, whitespace, quote/dash and tone-mark normalisation (the
conventions of the real set's README); dates as ISO strings. Boundary F1 counts, over pages 2.. of every
dossier, the pages where a document starts. The work areas stay in ``.bench/metadata/<set>``; ``--reuse``
keeps their OCR and only runs extraction again.

Usage: ``.venv/bin/python benchmarks/metadata.py [--set synthetic|real|both] [--dossiers 8] [--reuse]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real_scans"
FIELDS = ("document_type", "number", "symbol", "issued_date", "place", "issuing_agency", "parent_agency",
          "subject", "signer", "signer_title", "authority", "urgency", "secrecy", "page_count")
REAL_FIELDS = tuple(f for f in FIELDS if f not in ("urgency", "secrecy"))  # not labelled in the real set


def norm(value: Any) -> str:
    from sohoa.vocab import modern_tones

    if value is None:
        return ""
    text = modern_tones(str(value)).casefold()
    text = text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"}))
    return re.sub(r"\s+", "", text)


def run_stages(batch: Path, work: Path, reuse: bool) -> list[Path]:
    """Run import, clean, OCR (unless reused) and extract; returns the dossier work folders."""
    os.environ["SOHOA_WORK_DIR"] = str(work)
    from sohoa import pipeline

    root = work / batch.name / "dossiers"
    if reuse and root.is_dir():
        dossiers = sorted(p for p in root.iterdir() if (p / "pages.json").exists())
    else:
        result = pipeline.run_import(str(batch), str(work / "out"))
        dossiers = [Path(d) for d in result["dossiers"]]
        for d in dossiers:
            started = time.perf_counter()
            pipeline.run_clean(str(d))
            pipeline.run_ocr(str(d))
            print(f"  {d.name}: OCR in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for d in dossiers:
        pipeline.run_extract(str(d))
    return dossiers


def found_documents(dossiers: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """The documents described in each dossier, in page order: those to deliver and those read from pages too
    coarse to deliver (rescan.json: described, not delivered)."""
    out = {}
    for d in dossiers:
        found = [doc for name in ("documents.json", "rescan.json") if (d / name).exists()
                 for doc in json.loads((d / name).read_text(encoding="utf-8"))]
        pages = json.loads((d / "pages.json").read_text(encoding="utf-8"))
        order = {page["source"]: i for i, page in enumerate(pages)}
        out[d.name] = sorted(found, key=lambda doc: order.get(doc["pages"][0], 0))
    return out


class Score:
    def __init__(self, fields: tuple[str, ...]) -> None:
        self.fields = fields
        self.right = dict.fromkeys(fields, 0)
        self.total = 0
        self.tp = self.fp = self.fn = 0
        self.misses: list[str] = []

    def documents(self, name: str, truth: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
        """Score one dossier: truth documents are {"pages": [...], "metadata": {...}}."""
        true_starts = {doc["pages"][0] for doc in truth[1:]}
        got_starts = {doc["pages"][0] for doc in got[1:]}
        self.tp += len(true_starts & got_starts)
        self.fp += len(got_starts - true_starts)
        self.fn += len(true_starts - got_starts)
        by_start = {doc["pages"][0]: doc for doc in got}
        for doc in truth:
            found = by_start.get(doc["pages"][0], {})
            meta = found.get("metadata", {})
            self.total += 1
            for f in self.fields:
                want = len(doc["pages"]) if f == "page_count" else doc["metadata"].get(f)
                have = meta.get(f)
                if norm(want) == norm(have):
                    self.right[f] += 1
                else:
                    self.misses.append(f"{name} {doc['pages'][0]} {f}: got {have!r}, want {want!r}")

    def table(self, title: str) -> str:
        rows = [f"### {title}: {self.total} documents", "", "| field | accuracy |", "|---|---|"]
        rows += [f"| {f} | {self.right[f] / max(self.total, 1):.3f} |" for f in self.fields]
        overall = sum(self.right.values()) / max(self.total * len(self.fields), 1)
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows += [f"| **all fields** | **{overall:.3f}** |",
                 f"| boundary F1 (TP {self.tp}, FP {self.fp}, FN {self.fn}) | {f1:.3f} |"]
        return "\n".join(rows)


def synthetic(base: Path, dossiers: int, seed: int, reuse: bool) -> Score:
    from sohoa.synth import make_batch, truth_path

    batch = base / "batch"
    if not (reuse and batch.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        make_batch(batch, dossiers=dossiers, docs_per_dossier=(3, 5), seed=seed, hard=True, variety=True)
    truth = json.loads(truth_path(batch).read_text(encoding="utf-8"))
    got = found_documents(run_stages(batch, base / "work", reuse))
    score = Score(FIELDS)
    for dossier in truth["dossiers"]:
        score.documents(dossier["dossier_code"], dossier["documents"], got.get(dossier["dossier_code"], []))
    return score


def real(base: Path, reuse: bool) -> Score:
    labels = [json.loads(line) for line in (REAL / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    batch = base / "batch"
    if not (reuse and batch.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        for label in labels:
            src = REAL / label["file"]
            (batch / src.stem).mkdir(parents=True)
            shutil.copyfile(src, batch / src.stem / src.name)
    got = found_documents(run_stages(batch, base / "work", reuse))
    score = Score(REAL_FIELDS)
    for label in labels:
        stem = Path(label["file"]).stem
        pages = [f"{stem}/{stem}.pdf#{n}" for n in range(1, label["pages"] + 1)] if label["pages"] > 1 else [
            f"{stem}/{stem}.pdf"]  # the import names the page of a one-page PDF without "#1"
        score.documents(stem, [{"pages": pages, "metadata": label}], got.get(stem, []))
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("synthetic", "real", "both"), default="both")
    parser.add_argument("--dossiers", type=int, default=8, help="synthetic dossiers (3 to 5 documents each)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="keep the OCR of the last run; extract again")
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "metadata")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    results = []
    if args.set in ("synthetic", "both"):
        results.append(("synthetic dossiers", synthetic(args.work / "synthetic", args.dossiers, args.seed, args.reuse)))
    if args.set in ("real", "both"):
        if not (REAL / "labels.jsonl").exists():
            raise SystemExit(f"the real scans are not at {REAL}")
        results.append(("real scans", real(args.work / "real", args.reuse)))
    for title, score in results:
        if args.misses:
            print("\n".join(score.misses), file=sys.stderr)
        print(score.table(title) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
