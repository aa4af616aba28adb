"""Wrapper around the Tesseract command line: orientation detection and OCR to hOCR + text-only PDF.

Tesseract runs with ``OMP_THREAD_LIMIT=1``: parallelism comes from running one Tesseract process per
core (see ``sohoa.ocr``), which is faster on many pages than Tesseract's own threads.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

LANG = "vie"


class TesseractError(RuntimeError):
    pass


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(["tesseract", *args], capture_output=True, timeout=timeout, env=_env(), check=False)
    except FileNotFoundError as exc:
        raise TesseractError("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)") from exc
    except subprocess.TimeoutExpired as exc:
        raise TesseractError(f"tesseract timed out after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TesseractError(message[-1] if message else f"tesseract exit code {proc.returncode}")
    return proc


def version() -> str:
    out = _run(["--version"], 30).stdout.decode() or ""
    first = out.splitlines()[0] if out else "tesseract"
    return first.strip()


@dataclass(frozen=True)
class Orientation:
    rotate: int  # degrees to turn the image clockwise to make it upright
    confidence: float


def detect_orientation(image: Path, dpi: int, timeout: float = 120) -> Orientation:
    """Tesseract OSD: how far the page must be turned clockwise to be upright."""
    proc = _run([str(image), "-", "--psm", "0", "--dpi", str(dpi)], timeout)
    text = proc.stdout.decode("utf-8", "replace")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if not rotate:
        raise TesseractError(f"no orientation in OSD output: {text.strip()[:200]}")
    return Orientation(int(rotate.group(1)) % 360, float(conf.group(1)) if conf else 0.0)


def ocr_page(image: Path, out_base: Path, dpi: int, *, lang: str = LANG, psm: int = 3,
             timeout: float = 600) -> tuple[Path, Path]:
    """OCR one page image: writes ``out_base.hocr`` and ``out_base.pdf`` (text only, invisible text)."""
    out_base.parent.mkdir(parents=True, exist_ok=True)
    _run([str(image), str(out_base), "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
          "-c", "textonly_pdf=1", "-c", "hocr_font_info=0", "hocr", "pdf"], timeout)
    hocr, pdf = out_base.with_suffix(".hocr"), out_base.with_suffix(".pdf")
    if not hocr.exists() or not pdf.exists():
        raise TesseractError("tesseract produced no hOCR or PDF output")
    return hocr, pdf


def ocr_text(image: Path, dpi: int, *, lang: str = LANG, psm: int = 7, timeout: float = 60) -> str:
    """Plain text of a small image (a stamp, one line), NFC."""
    proc = _run([str(image), "-", "-l", lang, "--psm", str(psm), "--dpi", str(dpi)], timeout)
    return unicodedata.normalize("NFC", proc.stdout.decode("utf-8", "replace")).strip()
