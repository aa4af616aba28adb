"""The ``sohoa`` command line.

Domain commands live here and need no Airflow: ``sohoa ocr IMAGE`` prints one page's text,
``sohoa synth DIR`` writes a synthetic batch. Layers above ``sohoa/`` add commands through the
``sohoa.commands`` entry point group (``sohoa run`` comes from ``dags/runner.py``).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

from sohoa import __version__


def _ocr(args: argparse.Namespace) -> int:
    """Import, clean and OCR one file exactly as the pipeline does, and print its text."""
    from sohoa import hocr
    from sohoa.clean import clean_dossier
    from sohoa.ingest import Dossier, import_dossier
    from sohoa.ocr import ocr_dossier
    from sohoa.workspace import DossierError, DossierWork

    source = Path(args.image)
    if not source.is_file():
        print(f"sohoa: {source} is not a file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "batch" / "page").mkdir(parents=True)
        shutil.copyfile(source, root / "batch" / "page" / source.name)
        dw = DossierWork(root / "work" / "page", "page")
        dw.save(import_dossier(root / "batch", Dossier("page", "page"), dw.root, {}))
        clean_dossier(dw)
        try:
            ocr_dossier(dw, max_failed_ratio=1.0)
        except DossierError:
            pass  # every page's reason is printed below
        pages, status = dw.pages(), 0
        for page in pages:
            if page.status != "ok" or page.hocr is None:
                print(f"sohoa: {page.source}: {page.status}: {page.reason}", file=sys.stderr)
                status = 1
                continue
            parsed = hocr.parse(dw.path(page.hocr))
            if len(pages) > 1:
                print(f"--- {page.source} ---")
            print(parsed.text)
            if args.confidence:
                print(f"[mean word confidence {parsed.confidence}, rotated {page.rotation}°, "
                      f"deskewed {page.skew}°]", file=sys.stderr)
    return status


def _synth(args: argparse.Namespace) -> int:
    from sohoa.synth import add_bad_inputs, make_batch

    batch = Path(args.dir)
    truth = make_batch(batch, dossiers=args.dossiers, seed=args.seed, hard=args.hard,
                       variety="wide" if args.wide else False)
    if args.bad:
        add_bad_inputs(batch, seed=args.seed)
    pages = sum(len(doc["pages"]) for d in truth["dossiers"] for doc in d["documents"])
    print(f"wrote {batch}: {len(truth['dossiers'])} dossier(s), {pages} page(s); truth in "
          f"{batch.parent / (batch.name + '.truth.json')}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sohoa", description="Digitize scanned Vietnamese archival dossiers.")
    p.add_argument("--version", action="version", version=f"sohoa {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = p.add_subparsers(dest="command", required=True)
    ocr = sub.add_parser("ocr", help="print the OCR text of one page image or PDF (for debugging)")
    ocr.add_argument("image")
    ocr.add_argument("--confidence", action="store_true", help="also print the mean word confidence")
    ocr.set_defaults(func=_ocr)
    synth = sub.add_parser("synth", help="write a synthetic batch of scanned dossiers with ground truth")
    synth.add_argument("dir", help="batch folder to create (truth goes beside it)")
    synth.add_argument("--dossiers", type=int, default=3)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--hard", action="store_true", help="stronger skew, rotated pages, scanner borders")
    synth.add_argument("--bad", action="store_true", help="add bad inputs that must be quarantined")
    synth.add_argument("--wide", action="store_true",
                       help="the wide variety: every layout of NĐ 30/2020 and older rules, 1975-2025 paper, "
                            "many small dossiers (docs/synth.md)")
    synth.set_defaults(func=_synth)
    for ep in entry_points(group="sohoa.commands"):
        ep.load()(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
