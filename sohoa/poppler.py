"""Wrapper around poppler's ``pdftoppm``: render one PDF page to a PNG at a given resolution."""

from __future__ import annotations

import subprocess
from pathlib import Path


class RenderError(RuntimeError):
    pass


def render_page(pdf: Path, page: int, dpi: float, out_png: Path, timeout: float = 300) -> Path:
    """Render 1-based ``page`` of ``pdf`` at ``dpi`` to ``out_png`` (RGB PNG)."""
    out_png.parent.mkdir(parents=True, exist_ok=True)
    stem = out_png.with_suffix("")
    cmd = [
        "pdftoppm", "-png", "-r", f"{dpi:.2f}", "-f", str(page), "-l", str(page), "-singlefile",
        str(pdf), str(stem),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pdftoppm timed out after {timeout:.0f} s") from exc
    produced = stem.with_suffix(".png")
    if proc.returncode != 0 or not produced.exists():
        raise RenderError(proc.stderr.decode("utf-8", "replace").strip() or f"pdftoppm exit {proc.returncode}")
    if produced != out_png:
        produced.replace(out_png)
    return out_png


def pdf_text(pdf: Path, timeout: float = 120) -> str:
    """The text a reader extracts from a PDF's text layer (pdftotext), NFC is left to the caller."""
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise RenderError(proc.stderr.decode("utf-8", "replace").strip() or f"pdftotext exit {proc.returncode}")
    return proc.stdout.decode("utf-8")
