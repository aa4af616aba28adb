"""How 1975–2010 paper reaches the scanner: photocopies, carbon copies, faded print, ink showing through.

Each effect works on an upright RGB page before the scan effects of ``sohoa.synth.degradation`` and keeps
the text readable (it is measured: see tests/test_synth.py):
- ``photocopy``: grey toner, toner specks, uneven exposure with a dark band where the glass ended, a faint
  drum streak, strokes broken where toner did not take;
- ``carbon``: the typed text of a carbon copy, violet and fuzzy, unevenly pressed (signature and seal stay
  as they were, they were put on the copy itself);
- ``fade``: print faded unevenly over the page, strokes broken;
- ``bleed_through``: the mirrored text of the other side, faint and blurred.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image

PAPERS = ("print", "photocopy", "carbon", "faded")
CARBON_INK = np.array([72, 52, 140], np.float32)  # violet of carbon paper


def _field(shape: tuple[int, int], rng: np.random.Generator, lo: float, hi: float, cells: int = 6) -> np.ndarray:
    """A smooth random field in [lo, hi] over the page (coarse noise, bilinearly enlarged)."""
    h, w = shape
    coarse = rng.uniform(lo, hi, size=(cells, max(2, round(cells * w / h)))).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC).clip(lo, hi)


def _breaks(shape: tuple[int, int], rng: np.random.Generator, dpi: int, per_mm2: float) -> np.ndarray:
    """1.0 where a stroke survives, 0.0 in small holes 0.1–0.25 mm across scattered over the page, per_mm2 of
    them a square millimetre (a letter covers about 10: 0.02 breaks one letter in five)."""
    h, w = shape
    seeds = (rng.random((h, w)) < per_mm2 / (dpi / 25.4) ** 2).astype(np.uint8)
    radius = max(1, round(rng.uniform(0.05, 0.12) * dpi / 25.4))
    holes = cv2.dilate(seeds, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    return 1.0 - holes.astype(np.float32)


def _black_ink(arr: np.ndarray) -> np.ndarray:
    """How much of each pixel is black (typed or printed) ink, 0..1; coloured ink (seal, pen) is not."""
    grey = arr.mean(axis=2)
    saturation = arr.max(axis=2) - arr.min(axis=2)
    return np.clip((255.0 - grey) / 255.0, 0, 1) * np.clip(1.0 - (saturation - 40.0) / 40.0, 0, 1)


def fade(img: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    nrng = np.random.default_rng(rng.getrandbits(64))
    arr = np.asarray(img.convert("RGB"), np.float32)
    ink = _black_ink(arr)
    strength = _field(ink.shape, nrng, rng.uniform(0.35, 0.5), rng.uniform(0.75, 0.95))
    kept = ink * strength * _breaks(ink.shape, nrng, dpi, rng.uniform(0.01, 0.03))
    out = arr + (ink - kept)[:, :, None] * (255.0 - arr)  # the lost part of the ink turns to paper
    out *= np.array([1.0, rng.uniform(0.96, 0.99), rng.uniform(0.86, 0.93)], np.float32)  # yellowed paper
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")


def carbon(img: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    nrng = np.random.default_rng(rng.getrandbits(64))
    arr = np.asarray(img.convert("RGB"), np.float32)
    ink = _black_ink(arr)
    paper = arr + ink[:, :, None] * (255.0 - arr)  # the page without its typed text
    sigma = rng.uniform(0.06, 0.1) * dpi / 25.4
    fuzzy = cv2.GaussianBlur(ink, (0, 0), sigma)
    fuzzy = np.clip(fuzzy * rng.uniform(1.2, 1.5), 0, 1)  # spread: the carbon smudges around each letter
    fuzzy *= _field(ink.shape, nrng, rng.uniform(0.55, 0.7), 1.0) * _breaks(ink.shape, nrng, dpi, 0.01)
    out = paper * (1.0 - fuzzy[:, :, None] * (1.0 - CARBON_INK / 255.0))
    out *= np.array([rng.uniform(0.94, 0.97), rng.uniform(0.94, 0.97), rng.uniform(0.9, 0.95)], np.float32)
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")


def photocopy(img: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    nrng = np.random.default_rng(rng.getrandbits(64))
    grey = np.asarray(img.convert("L"), np.float32)
    h, w = grey.shape
    darkness = (255.0 - grey) / 255.0
    darkness *= _breaks(grey.shape, nrng, dpi, rng.uniform(0.01, 0.03))
    darkness = np.clip(darkness * rng.uniform(1.1, 1.35), 0, 1) ** rng.uniform(0.8, 1.0)  # toner is contrasty
    out = 255.0 * (1.0 - darkness)
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    out *= 1.0 - rng.uniform(0.04, 0.14) * (xs if rng.random() < 0.5 else 1.0 - xs) \
        - rng.uniform(0.0, 0.08) * (ys if rng.random() < 0.5 else 1.0 - ys)  # uneven exposure
    band = max(2, round(rng.uniform(0.01, 0.03) * w))  # where the glass ended: a dark, fading band
    ramp = np.linspace(rng.uniform(0.25, 0.5), 1.0, band, dtype=np.float32)
    if rng.random() < 0.5:
        out[:, :band] *= ramp[None, :]
    else:
        out[:, w - band:] *= ramp[::-1][None, :]
    x = rng.randrange(w)
    out[:, x:x + max(1, dpi // 150)] *= rng.uniform(0.8, 0.92)  # a streak from the drum
    specks = nrng.random((h, w)) < rng.uniform(0.00008, 0.0003)
    specks = cv2.dilate(specks.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    out[specks] = nrng.uniform(20, 90, size=int(specks.sum()))
    rgb = np.repeat(np.clip(out + 0.5, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    return Image.fromarray(rgb, "RGB")


def bleed_through(img: Image.Image, back: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """img with the mirrored, blurred ink of back (the other side of the sheet) showing through it."""
    arr = np.asarray(img.convert("RGB"), np.float32)
    other = np.asarray(back.convert("L").resize(img.size).transpose(Image.Transpose.FLIP_LEFT_RIGHT), np.float32)
    ghost = cv2.GaussianBlur((255.0 - other) / 255.0, (0, 0), rng.uniform(0.15, 0.3) * dpi / 25.4)
    out = arr * (1.0 - rng.uniform(0.08, 0.16) * ghost[:, :, None])
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")


def age(img: Image.Image, paper: str, rng: random.Random, dpi: int, back: Image.Image | None = None) -> Image.Image:
    """The page as paper of that kind (PAPERS) hands it to the scanner, with back showing through if given."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}: one of {', '.join(PAPERS)}")
    if back is not None:
        img = bleed_through(img, back, rng, dpi)
    if paper == "photocopy":
        return photocopy(img, rng, dpi)
    if paper == "carbon":
        return carbon(img, rng, dpi)
    if paper == "faded":
        return fade(img, rng, dpi)
    return img
