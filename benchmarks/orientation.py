"""Orientation benchmark: sohoa's own detector (text lines' geometry) on real pages turned four ways.

Not a test: it prints, for several agreement thresholds (``min_share`` of ``sohoa.images.text_orientation``),
how many turned pages the detector sets upright, how many it leaves to Tesseract's OSD (ten times slower) and
how many it turns wrong, plus the largest share a wrong majority of lines reached. The pages are the real scans of
``../shared/data/real_scans`` rendered at 90 dpi (the detector looks at a copy about that size), in a temporary
folder; they are never copied into the repository.

Usage: ``.venv/bin/python benchmarks/orientation.py [--scans DIR]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2

from sohoa import images

ROOT = Path(__file__).resolve().parents[1]
SHARES = (0.8, 0.75, 0.7, 0.65, 0.6)
MIN_LINES = 8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=Path, default=ROOT.parent / "shared" / "data" / "real_scans" / "scans")
    args = parser.parse_args()
    samples: list[tuple[int, tuple[int, int, int] | None]] = []  # (upright turn, votes)
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in sorted(args.scans.glob("*.pdf")):
            subprocess.run(["pdftoppm", "-r", "90", "-gray", "-png", str(pdf), str(Path(tmp) / pdf.stem)],
                           check=True, capture_output=True)
        for png in sorted(Path(tmp).glob("*.png")):
            grey = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
            for turn in (0, 90, 180, 270):
                samples.append(((360 - turn) % 360, images.orientation_votes(images.rotate_quadrant(grey, turn))))
    print(f"{len(samples) // 4} real pages, each turned 0/90/180/270")
    print(f"{'min_share':>9} {'upright':>8} {'to OSD':>7} {'wrong':>6}")
    for share in SHARES:
        found = [(want, images.turn_from_votes(votes, MIN_LINES, share)) for want, votes in samples]
        print(f"{share:>9} {sum(f == w for w, f in found):>8} {sum(f is None for _, f in found):>7} "
              f"{sum(f is not None and f != w for w, f in found):>6}")
    wrong = [max(v[1:]) / (v[1] + v[2]) for want, v in samples
             if v and images.turn_from_votes(v, MIN_LINES, 0.5) not in (None, want)]
    print(f"largest share of a wrong majority: {max(wrong, default=0):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
