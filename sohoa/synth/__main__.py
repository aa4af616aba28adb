"""Command line: python -m sohoa.synth OUT_DIR [--dossiers N] [--seed S] [--hard] [--bad]."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from sohoa.synth.bad_inputs import add_bad_inputs
from sohoa.synth.batch import make_batch, truth_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sohoa.synth",
                                     description="Write a synthetic batch of scanned Vietnamese dossiers.")
    parser.add_argument("batch_dir", type=Path)
    parser.add_argument("--dossiers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hard", action="store_true", help="stronger skew, rotated pages, scanner borders")
    parser.add_argument("--bad", action="store_true", help="also add the BAD.01 dossier and broken inputs")
    parser.add_argument("--dpi", type=int, action="append", help="dpi to choose from (repeatable)")
    parser.add_argument("--variety", action="store_true", help="secrecy stamps and attachments on some documents")
    parser.add_argument("--wide", action="store_true", help="the wide variety (docs/synth.md)")
    args = parser.parse_args(argv)
    truth = make_batch(args.batch_dir, dossiers=args.dossiers, seed=args.seed, hard=args.hard,
                       dpi_choices=tuple(args.dpi or (200, 300)), variety="wide" if args.wide else args.variety)
    if args.bad:
        add_bad_inputs(args.batch_dir, seed=args.seed)
    print(f"{args.batch_dir}: {len(truth['dossiers'])} dossiers, truth in {truth_path(args.batch_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
