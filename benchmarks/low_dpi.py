"""How much of a document's metadata can still be read from a coarse image: the floor under which a page is not
even read to be described for rescanning (``sohoa.ingest.MIN_READ_DPI``). Accuracy only, never speed.

Phone photos and web copies of paper reach archives at 45–130 dpi. Such a page is never delivered (TT 05/2025
wants 200 dpi), but from the floor on it is read and described so that the archive can find the paper and scan it
again. Where the floor lies is measured here: the real documents of the **tuning** part (``benchmarks/metadata.py``'s
split) scanned at 200 dpi or more, each page reduced to a coarser resolution the way a phone's or a web copy's
pixels are (Lanczos, then JPEG at quality 75, no resolution tag: the import takes it as an A4 page filling the
frame, as it does a photo), run through the pipeline's own stages with the floor lowered, and scored with the
metadata benchmark's definitions (a document matched by its first page; fields compared after normalisation).

Usage: ``.venv/bin/python benchmarks/low_dpi.py [--dpi 30 --dpi 40 ...] [--documents 10] [--reuse]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from metadata import (  # noqa: E402  (the benchmark's own definitions)
    DATA,
    REAL_FIELDS,
    Found,
    Score,
    Truth,
    _code,
    _files,
    _labels,
    found_documents,
    real_sets,
    run_stages,
    split_of,
)

TARGETS = (30, 40, 50, 60, 75, 100)


def sources(data: Path, documents: int, base: Path) -> list[tuple[dict, list[Path]]]:
    """(label, page images at 200 dpi or more) of the first ``documents`` tuning documents, imported once."""
    from PIL import Image

    from sohoa import pipeline

    chosen = [(folder, label) for folder in real_sets(data) for label in _labels(folder)
              if split_of(label["sha256"]) == "tuning"]
    batch = base / "source" / "batch"
    os.environ["SOHOA_WORK_DIR"] = str(base / "source" / "work")
    if not batch.is_dir():
        for folder, label in chosen:
            (batch / _code(label)).mkdir(parents=True)
            for name in _files(label):
                shutil.copyfile(folder / name, batch / _code(label) / Path(name).name)
        pipeline.run_import(str(batch), str(base / "source" / "out"))
    out = []
    for _, label in chosen:
        pages_json = base / "source" / "work" / "batch" / "dossiers" / _code(label) / "pages.json"
        if not pages_json.exists():
            continue
        pages = json.loads(pages_json.read_text(encoding="utf-8"))
        if pages and all(p.get("image") and (p.get("dpi") or 0) >= 200 for p in pages):
            out.append((label, [pages_json.parent / p["image"] for p in pages]))
        if len(out) == documents:
            break
    for _, images in out:
        for image in images:
            with Image.open(image) as img:
                assert img.info.get("dpi", (0,))[0] >= 199, image
    return out


def coarse(label: dict, images: list[Path], dpi: int, batch: Path) -> None:
    """The document's pages reduced to ``dpi``, as JPEG without a resolution tag, in a dossier of its own."""
    from PIL import Image

    folder = batch / _code(label)
    folder.mkdir(parents=True, exist_ok=True)
    for k, image in enumerate(images, start=1):
        with Image.open(image) as img:
            factor = dpi / img.info["dpi"][0]
            small = img.convert("RGB").resize((round(img.width * factor), round(img.height * factor)),
                                              Image.Resampling.LANCZOS)
        small.save(folder / f"p{k:02d}.jpg", "JPEG", quality=75)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dpi", type=int, action="append", help=f"resolutions to measure (default {TARGETS})")
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep the OCR of the last run; extract again")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "low_dpi")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if not args.reuse:
        shutil.rmtree(args.work, ignore_errors=True)
    from sohoa import ingest

    ingest.MIN_READ_DPI = 1  # every resolution is read here: that is what is measured
    docs = sources(args.data, args.documents, args.work)
    rows = []
    for dpi in args.dpi or TARGETS:
        base = args.work / f"{dpi}dpi"
        batch = base / "batch"
        if not (args.reuse and batch.is_dir()):
            shutil.rmtree(base, ignore_errors=True)
            for label, images in docs:
                coarse(label, images, dpi, batch)
        got = found_documents(run_stages(batch, base / "work", args.reuse))
        score = Score(REAL_FIELDS)
        for label, _ in docs:
            found = got.get(_code(label))
            start = found.pages[0] if found and found.pages else f"{_code(label)}/p01.jpg"
            score.dossier(_code(label), [Truth(start, label["pages"], label)], found or Found())
        rows.append((dpi, score))
    print(f"### {len(docs)} real tuning documents scanned at 200 dpi or more, read at a coarser resolution\n")
    print("| dpi | " + " | ".join(REAL_FIELDS) + " | all fields | unflagged wrong |")
    print("|---|" + "---|" * (len(REAL_FIELDS) + 2))
    for dpi, score in rows:
        s = score.summary()
        cells = [f"{score.right[f] / max(score.total, 1):.2f}" for f in REAL_FIELDS]
        print(f"| {dpi} | " + " | ".join(cells) + f" | {s['accuracy']:.3f} | {s['unflagged_wrong']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
