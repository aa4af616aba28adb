"""Digits filled in by hand after printing: the number after ``Số:`` and the day (or month) of the date line.

Tesseract is trained on print; it reads a hand-written "09" as "0J" or "⁄⁄⁄2". The blank of such a field
(see ``extract.slots``) is cut into glyphs (connected strokes, a glyph wider than tall split where it has
least ink) and each glyph goes through a small neural network (one hidden layer) trained on MNIST
digits, printed serif digits and the flagged 1 and barred 7 written in Vietnam. Its weights ship in
``sohoa/data/digits.npz``; ``tools/train_digits.py`` makes them again from the registry packages it names.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).parent / "data" / "digits.npz"
SIDE = 28  # the network's input, MNIST's layout: the glyph fitted in 20 x 20, centred on its centre of mass
FIT = 20
MIN_CONTRAST = 60  # grey levels between paper and ink below which a blank holds no writing


def normalize(mask: np.ndarray) -> np.ndarray | None:
    """A glyph's ink mask (non-zero = ink) as the network's 28 x 28 input in 0..1, or None without ink."""
    import cv2

    ys, xs = np.nonzero(mask)
    if not len(xs):
        return None
    ink = (mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1] > 0).astype(np.float32)
    h, w = ink.shape
    scale = FIT / max(h, w)
    glyph = cv2.resize(ink, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    h, w = glyph.shape
    m = cv2.moments(glyph)
    cx, cy = (m["m10"] / m["m00"], m["m01"] / m["m00"]) if m["m00"] else (w / 2, h / 2)
    x0 = min(max(round(SIDE / 2 - cx), 0), SIDE - w)
    y0 = min(max(round(SIDE / 2 - cy), 0), SIDE - h)
    out = np.zeros((SIDE, SIDE), np.float32)
    out[y0:y0 + h, x0:x0 + w] = glyph
    return out


def _split(mask: np.ndarray, height: int) -> list[np.ndarray]:
    """Digits written touching: a glyph wider than tall is cut at its column of least ink, in its middle."""
    xs = np.nonzero(mask.any(axis=0))[0]
    if not len(xs):
        return []
    x0, x1 = int(xs[0]), int(xs[-1]) + 1
    if x1 - x0 <= 1.05 * height:
        return [mask]
    lo, hi = int((x1 - x0) * 0.3), int((x1 - x0) * 0.7)
    cut = x0 + lo + int(np.argmin((mask[:, x0:x1] > 0).sum(axis=0)[lo:hi]))
    left, right = mask.copy(), mask.copy()
    left[:, cut:] = 0
    right[:, :cut] = 0
    return _split(left, height) + _split(right, height)


def glyphs(grey: np.ndarray, word: int = 0, touching: bool = False) -> list[np.ndarray]:
    """Ink masks of the glyphs in a grey crop of a blank (dark ink on light paper), left to right.

    Strokes centred in the first ``word`` pixels are the printed word before the blank ("ngày"; with
    ``touching``, of a stroke joining a digit to it, the part right of its end is kept); specks, the
    dots of a colon and rules are dropped; strokes of one glyph (the bar of a 5, of a 7) are joined when they
    overlap in x.
    """
    import cv2

    if grey.size == 0 or int(grey.max()) - int(grey.min()) < MIN_CONTRAST:
        return []
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    line = grey.shape[0]
    # a digit written touching the printed word (the "y" of "ngày"): what is right of the word's end, when it is
    # wider than a sliver of the word's last letter
    joined = [i for i, (x, _, w, _, _) in enumerate(stats)
              if i and x < word < x + w and x + w / 2 < word and x + w - word >= 0.2 * line] if touching else []
    if joined:
        ink[:, :word][np.isin(labels[:, :word], joined)] = 0
        n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = sorted((int(x), int(x + w), int(y), int(y + h), i) for i, (x, y, w, h, area) in enumerate(stats)
                   if i and h >= 0.22 * line and area >= 0.004 * line * line and w <= 3 * h and x + w / 2 >= word)
    groups: list[list[int]] = []  # x0, x1, y0, y1, labels...
    for x0, x1, y0, y1, i in parts:
        if groups and x0 < groups[-1][1] - 0.3 * min(x1 - x0, groups[-1][1] - groups[-1][0]):
            g = groups[-1]
            g[:4] = [g[0], max(g[1], x1), min(g[2], y0), max(g[3], y1)]
            g.append(i)
        else:
            groups.append([x0, x1, y0, y1, i])
    tallest = max((g[3] - g[2] for g in groups), default=0)
    out: list[np.ndarray] = []
    for g in groups:
        if g[3] - g[2] >= 0.55 * tallest:  # a speck or a stroke beside the digits, not a digit
            out += _split(np.isin(labels, g[4:]).astype(np.uint8), g[3] - g[2])
    return out


@cache
def _model() -> tuple[np.ndarray, ...]:
    with np.load(MODEL) as data:
        return tuple(data[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2"))


def probabilities(inputs: np.ndarray, model: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """Class probabilities (n x 10) of n network inputs (n x 28 x 28)."""
    w1, b1, w2, b2 = model or _model()
    hidden = np.maximum(inputs.reshape(len(inputs), -1) @ w1 + b1, 0)
    z = hidden @ w2 + b2
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _joined(masks: list[np.ndarray], most: int) -> list[np.ndarray]:
    """At most ``most`` glyphs: the one with least ink joined to its nearer neighbour (a 5's bar written apart)."""
    masks = list(masks)
    while len(masks) > max(most, 1):
        i = min(range(len(masks)), key=lambda k: int(masks[k].sum()))
        cols = [np.nonzero(m.any(axis=0))[0] for m in masks]
        j = min((k for k in (i - 1, i + 1) if 0 <= k < len(masks)),
                key=lambda k: int(cols[i][0] - cols[k][-1]) if k < i else int(cols[k][0] - cols[i][-1]))
        masks[min(i, j)] = np.maximum(masks[i], masks[j])
        del masks[max(i, j)]
    return masks


def read(grey: np.ndarray, word: int = 0, most: int = 0) -> tuple[str, float]:
    """The digits written in a grey crop of a blank and the probability of the least sure one ("", 0 if none);
    the crop may open with a printed word ``word`` pixels wide (see ``glyphs``); a blank that holds at most
    ``most`` digits (a day, a month) has strokes written apart joined to their neighbours."""
    found = glyphs(grey, word, touching=most > 0)  # the descender of "ngày" reaches the day's digits
    inputs = [x for x in map(normalize, _joined(found, most) if most else found) if x is not None]
    if not inputs:
        return "", 0.0
    p = probabilities(np.stack(inputs))
    return "".join(str(int(d)) for d in p.argmax(axis=1)), float(p.max(axis=1).min())
