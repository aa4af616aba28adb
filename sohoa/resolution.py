"""The resolution of a page image on paper: its file's tag, unless the height of its text refutes the tag.

A scanner writes the resolution it scanned at; a web copy or an image editor may keep a tag that no longer
holds ("300 dpi" on a 690 px wide page: an A4 page would then be 58 mm wide). The body text of an administrative
document is 13–14 pt (NĐ 30/2020): its small letters stand about ``X_HEIGHT_MM`` high, so the height of the
commonest letter on the page says roughly how many pixels an inch of the paper has. Measured on the real scans of
known resolution (300 and 100 dpi; ``benchmarks/low_dpi.py``): 27–28 px at 300 dpi and 9 px at 100 dpi. Under
100 dpi the letters blur into their marks and neighbours and the measure flattens (6–7 px from 40 to 60 dpi): it
can refute a tag, not give a resolution. A page whose tag is refuted is taken, like an untagged image, as an A4
page filling the frame.
"""

from __future__ import annotations

from typing import Any

X_HEIGHT_MM = 2.3  # small letters of 13–14 pt body text, measured on the real scans of known resolution
REFUTED = 0.6  # a text under this share of the height the tag implies refutes it (9 pt text still passes)
A4_SHORT_IN = 8.27  # the short side of an A4 page, in inches
FEWEST_LETTERS = 50  # a page with fewer letter-sized marks tells nothing of its resolution


def text_height(pixels: Any) -> int | None:
    """The commonest height in pixels of the letter-sized marks of a page (numpy, grey or RGB), or None when it
    has too few to tell: its dark marks (Otsu) as connected components, no taller than a thirtieth of the page,
    neither much wider than high nor thin, counted by height and smoothed over neighbouring heights."""
    import cv2
    import numpy as np

    grey = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    letters = h[(h >= 2) & (h <= grey.shape[0] / 30) & (w <= 2.5 * h) & (w >= 0.3 * h) & (area >= 0.15 * w * h)]
    if len(letters) < FEWEST_LETTERS:
        return None
    counts = np.convolve(np.bincount(letters), [1, 2, 1], mode="same")
    return int(np.argmax(counts))


def refutes(height: int | None, tag: float) -> bool:
    """Whether a page's text ``height`` (``text_height``) refutes its file's resolution ``tag``."""
    return height is not None and height < REFUTED * tag * X_HEIGHT_MM / 25.4


def frame_dpi(width: int, height: int) -> float:
    """The resolution of an image taken as one A4 page filling the frame."""
    return float(round(min(width, height) / A4_SHORT_IN))
