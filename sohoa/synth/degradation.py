"""Scan effects: paper tint, noise, skew, quarter turns, scanner borders, stains, blur, holes, toner."""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw


def degrade(page: Image.Image, rng: random.Random, *, skew_deg: float = 0.0, rotate: int = 0,
            border: bool = False) -> Image.Image:
    """Mild scan effects: paper tint, light speckle noise, optional skew, quarter turn and scanner-bed border.

    skew_deg turns the content counter-clockwise (same size, white fill); rotate (0/90/180/270) turns the
    whole page counter-clockwise; border pads 2-5 % dark grey on some sides after the rotation (the image
    grows, as when the scanner bed is larger than the sheet).
    """
    if rotate % 360 not in (0, 90, 180, 270):
        raise ValueError("rotate must be a multiple of 90")
    img = page.convert("RGB")
    if skew_deg:
        src = np.asarray(img)
        h, w = src.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0)  # positive = counter-clockwise
        img = Image.fromarray(cv2.warpAffine(src, matrix, (w, h), flags=cv2.INTER_CUBIC,
                                             borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255)), "RGB")
    tint = (rng.uniform(249, 254), rng.uniform(245, 251), rng.uniform(230, 242))
    img = img.point([min(255, round(i * t / 255)) for t in tint for i in range(256)])
    nrng = np.random.default_rng(rng.getrandbits(64))
    arr = np.array(img)
    h, w = arr.shape[:2]
    flat = arr.reshape(-1, 3)
    count = int(h * w * rng.uniform(0.03, 0.06))
    idx = nrng.integers(0, h * w, size=count)
    noise = nrng.normal(0.0, rng.uniform(5.0, 9.0), size=(count, 1))
    flat[idx] = np.clip(flat[idx].astype(np.float32) + noise + 0.5, 0, 255).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    turn = rotate % 360
    if turn:
        img = img.transpose({90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
                             270: Image.Transpose.ROTATE_270}[turn])
    if border:
        img = _add_border(img, rng, nrng)
    return img


def damage(img: Image.Image, rng: random.Random) -> Image.Image:
    """Harder scan effects for the OCR benchmark: uneven light and yellowing, coffee or water stains, focus
    blur, then JPEG artefacts (the image comes back through a low-quality JPEG)."""
    arr = np.asarray(img.convert("RGB")).astype(np.float32)
    h, w = arr.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - rng.uniform(0.05, 0.2) * ((xs / w - rng.random()) ** 2 + (ys / h - rng.random()) ** 2)
    arr *= light[:, :, None] * np.array([1.0, rng.uniform(0.95, 0.99), rng.uniform(0.82, 0.93)], np.float32)
    for _ in range(rng.randint(1, 3)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.04, 0.12) * w
        ring = np.exp(-(((np.hypot(xs - cx, ys - cy) - r) / (0.15 * r)) ** 2))
        fill = (np.hypot(xs - cx, ys - cy) < r) * 0.35 + ring
        arr *= 1.0 - rng.uniform(0.1, 0.25) * np.clip(fill, 0, 1)[:, :, None] * np.array([0.3, 0.6, 1.0], np.float32)
    blurred = cv2.GaussianBlur(np.clip(arr, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.4, 1.1))
    ok, jpeg = cv2.imencode(".jpg", blurred, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(35, 70)])
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else None
    assert decoded is not None
    return Image.fromarray(decoded, "RGB")


def punch(page: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """The sheet with two filing holes (ISO 838: 6 mm across, centres 12 mm in and 80 mm apart, along the left
    edge) showing the scanner's dark lid; apply before ``degrade`` so that they turn with the sheet."""
    img = page.convert("RGB")
    mm = dpi / 25.4
    r, x, mid, lid = 3 * mm, 12 * mm, img.height / 2 + rng.uniform(-5, 5) * mm, rng.randint(20, 70)
    draw = ImageDraw.Draw(img)
    for y in (mid - 40 * mm, mid + 40 * mm):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(lid, lid, lid))
    return img


def speckle(img: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """Photocopier toner specks: a few hundred dark dots 0.1 to 0.3 mm across, anywhere on the page."""
    out = img.convert("RGB")
    draw = ImageDraw.Draw(out)
    mm = dpi / 25.4
    for _ in range(rng.randint(150, 400)):
        x, y, r = rng.uniform(0, out.width), rng.uniform(0, out.height), max(0.5, rng.uniform(0.05, 0.15) * mm)
        tone = rng.randint(0, 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(tone, tone, tone))
    return out


def _add_border(img: Image.Image, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    w, h = img.size
    sides = [s for s in ("left", "top", "right", "bottom") if rng.random() < 0.6] or [rng.choice(("left", "top"))]
    pad = {s: 0 for s in ("left", "top", "right", "bottom")}
    for side in sides:
        frac = rng.uniform(0.02, 0.05)
        pad[side] = max(2, round(frac * (w if side in ("left", "right") else h)))
    new_w, new_h = w + pad["left"] + pad["right"], h + pad["top"] + pad["bottom"]
    grey = rng.randint(40, 75)
    base = np.full((new_h, new_w, 3), grey, dtype=np.uint8)
    flat = base.reshape(-1, 3)
    count = new_w * new_h // 8
    idx = nrng.integers(0, new_w * new_h, size=count)
    flat[idx] = np.uint8(grey) + nrng.integers(0, 12, size=(count, 1), dtype=np.uint8)
    canvas = Image.fromarray(base, "RGB")
    canvas.paste(img, (pad["left"], pad["top"]))
    return canvas


