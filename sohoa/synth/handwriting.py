"""What a pen adds to a printed page: digits written into blanks, and the signature."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import numpy as np
from PIL import ImageDraw

from sohoa.synth.layout import BLUE_INK, INK

if TYPE_CHECKING:
    from sohoa.synth.layout import _Sheet


# The number and the day of a document are often written (or stamped) by hand after printing, into blanks the
# printed line leaves. One pen stroke per digit in a box 0..1 wide and high (y down), shaped as they are written
# in Vietnam: a 1 with a long flag, a 7 with a bar. Not the shapes sohoa.digits learnt from (MNIST and fonts).
BLANK = " " * 9
HAND_DIGITS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.55, 0.0), (0.15, 0.2), (0.05, 0.6), (0.35, 1.0), (0.8, 0.85), (0.95, 0.35), (0.7, 0.02), (0.45, 0.05)]],
    "1": [[(0.1, 0.45), (0.7, 0.0), (0.65, 1.0)]],
    "2": [[(0.1, 0.25), (0.4, 0.0), (0.8, 0.1), (0.8, 0.4), (0.4, 0.75), (0.05, 1.0), (0.95, 0.95)]],
    "3": [[(0.1, 0.12), (0.5, 0.0), (0.85, 0.2), (0.45, 0.45), (0.9, 0.7), (0.55, 1.0), (0.05, 0.88)]],
    "4": [[(0.7, 1.0), (0.7, 0.0), (0.05, 0.68), (0.98, 0.68)]],
    "5": [[(0.9, 0.0), (0.25, 0.02), (0.15, 0.45), (0.65, 0.38), (0.92, 0.7), (0.55, 1.0), (0.08, 0.9)]],
    "6": [[(0.8, 0.02), (0.35, 0.2), (0.08, 0.65), (0.35, 1.0), (0.8, 0.9), (0.85, 0.6), (0.45, 0.48),
           (0.1, 0.68)]],
    "7": [[(0.05, 0.08), (0.95, 0.02), (0.4, 1.0)], [(0.3, 0.5), (0.85, 0.48)]],
    "8": [[(0.55, 0.48), (0.15, 0.25), (0.5, 0.0), (0.85, 0.22), (0.5, 0.5), (0.1, 0.75), (0.5, 1.0), (0.9, 0.78),
           (0.55, 0.48)]],
    "9": [[(0.88, 0.3), (0.5, 0.02), (0.12, 0.25), (0.45, 0.55), (0.88, 0.3), (0.75, 1.0)]],
}


def draw_hand_digits(draw: ImageDraw.ImageDraw, digits: str, cx: float, baseline: float, height: float,
                     rng: random.Random) -> None:
    """Digits written with a pen around cx, standing on a baseline: uneven, slanted, blue or black."""
    h = height * rng.uniform(0.75, 1.0)
    w, gap = 0.55 * h, 0.15 * h
    x = cx - (len(digits) * (w + gap) - gap) / 2 + rng.uniform(-0.1, 0.1) * h
    top = baseline - h + rng.uniform(-0.15, 0.1) * h
    slant = rng.uniform(0.0, 0.3)
    colour = tuple(max(0, min(255, c + rng.randint(-15, 15))) for c in rng.choice((BLUE_INK, INK)))
    width = max(2, round(h * rng.uniform(0.08, 0.14)))
    for digit in digits:
        for stroke in HAND_DIGITS[digit]:
            points = [(x + (px + rng.uniform(-0.05, 0.05)) * w + slant * (1 - py) * h,
                       top + (py + rng.uniform(-0.03, 0.03)) * h) for px, py in stroke]
            draw.line(_catmull_rom(points), fill=colour, width=width, joint="curve")
        x += w + gap


def _catmull_rom(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    pts = [points[0], *points, points[-1]]
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            xy = [0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                         + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3) for k in range(2)]
            out.append((xy[0], xy[1]))
    out.append(points[-1])
    return out


def _draw_signature(sheet: _Sheet, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
    """A blue hand-drawn-looking squiggle inside the box (x, y, w, h)."""
    st = sheet.st
    n = rng.randint(7, 11)
    points = []
    for i in range(n):
        px = x + w * (i / (n - 1)) + rng.uniform(-0.04, 0.04) * w
        py = y + h * (0.5 + 0.45 * math.sin(i * rng.uniform(1.6, 2.6)) * rng.uniform(0.6, 1.0))
        points.append((px, py))
    # a loop near the start, like the capital of a name
    lx, ly = points[1]
    loop = [(lx + w * 0.06 * math.cos(a), ly - h * 0.25 * math.sin(a) - h * 0.1)
            for a in np.linspace(0.0, 2 * math.pi, 9)]
    stroke = _catmull_rom([points[0], *loop, *points[1:]])
    colour = tuple(max(0, min(255, c + rng.randint(-15, 15))) for c in BLUE_INK)
    width = max(2, round(st.mm(rng.uniform(0.35, 0.55))))
    sheet.draw.line(stroke, fill=colour, width=width, joint="curve")
    # underline flourish
    ux0, ux1 = x + w * rng.uniform(0.1, 0.3), x + w * rng.uniform(0.8, 1.05)
    uy = y + h * rng.uniform(0.95, 1.15)
    flourish = _catmull_rom([(ux0, uy), ((ux0 + ux1) / 2, uy + h * 0.08), (ux1, uy - h * 0.15)])
    sheet.draw.line(flourish, fill=colour, width=max(1, width - 1), joint="curve")


