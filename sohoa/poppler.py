"""Wrapper around poppler's ``pdftoppm``: render one PDF page to a PNG at a given resolution."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image


class RenderError(RuntimeError):
    pass


def render_page(pdf: Path, page: int, dpi: float, scratch: Path, timeout: float = 300, *,
                annotations: bool = True) -> Image.Image:
    """Render 1-based ``page`` of ``pdf`` at ``dpi`` as an RGB image (``annotations=False``: without the
    annotations' appearances, e.g. a signature block).

    pdftoppm writes an uncompressed PPM (its PNG writer is about 20 times slower) into ``scratch``,
    which is removed once the image is loaded.
    """
    scratch.parent.mkdir(parents=True, exist_ok=True)
    stem = scratch.with_suffix("")
    cmd = ["pdftoppm", "-r", f"{dpi:.2f}", "-f", str(page), "-l", str(page), "-singlefile",
           *([] if annotations else ["-hide-annotations"]), str(pdf), str(stem)]
    produced = stem.with_name(f"{stem.name}.ppm")  # what pdftoppm writes, even when the stem has dots
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not produced.exists():
            raise RenderError(proc.stderr.decode("utf-8", "replace").strip() or f"pdftoppm exit {proc.returncode}")
        with Image.open(produced) as img:
            return img.convert("RGB")
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pdftoppm timed out after {timeout:.0f} s") from exc
    finally:
        produced.unlink(missing_ok=True)


def pdf_text(pdf: Path, timeout: float = 120) -> str:
    """The text a reader extracts from a PDF's text layer (pdftotext), NFC is left to the caller."""
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise RenderError(proc.stderr.decode("utf-8", "replace").strip() or f"pdftotext exit {proc.returncode}")
    return proc.stdout.decode("utf-8")
