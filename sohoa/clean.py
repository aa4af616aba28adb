"""The clean stage over one dossier: orientation, border crop, deskew, blank detection, master and working copy."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import cv2
import numpy as np

from sohoa import disk, images, tesseract
from sohoa.workspace import DossierWork, Page

log = logging.getLogger(__name__)

OSD_MIN_CONFIDENCE = 2.0
JPEG_QUALITY = 90
TIFF_PACKBITS = 32773
# the resolution of the OCR working copy of scans finer than MAX_OCR_DPI: Tesseract scales each text line to a
# fixed height anyway and spends more on more pixels for nothing. Not lower: at 240 dpi real 300 dpi scans lost
# circumflexes and tones ("Màm" for "Mầm", "đắt" for "đất")
OCR_DPI, MAX_OCR_DPI = 300, 400


_local = threading.local()


def _orientation(grey: np.ndarray, small: np.ndarray, dpi: float, name: str) -> int:
    """Clockwise turn that makes the page upright (0 when unsure).

    The text lines' own geometry decides first, on the ``small`` copy (a few hundredths of a second); when it
    cannot tell (pictures, tables, hand-writing, little text) Tesseract's OSD, ten times slower, is asked on the
    grey copy. Each cleaning thread keeps its own engine (Tesseract releases the GIL while it works)."""
    found = images.text_orientation(small)
    if found is not None:
        return found
    if getattr(_local, "engine", None) is None:
        _local.engine = tesseract.Engine()
    try:
        osd = _local.engine.orientation(grey, int(round(dpi)))
    except tesseract.TesseractError as exc:
        log.info("orientation unknown for %s: %s", name, exc)
        return 0
    turn = osd.rotate if osd.confidence >= OSD_MIN_CONFIDENCE else 0
    log.info("orientation of %s from Tesseract OSD: %d° (said %d°, confidence %.1f)", name, turn, osd.rotate,
             osd.confidence)
    return turn


def clean_page(dw: DossierWork, page: Page) -> Page:
    assert page.image is not None and page.dpi is not None
    # as import read it: an EXIF orientation tag is not applied (text_orientation finds the upright turn)
    img = cv2.imread(str(dw.path(page.image)), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if img is None:
        page.quarantine("cleaning failed: the imported page image cannot be read back")
        return page
    dpi = page.dpi
    if page.extra.get("rescan"):  # too coarse to deliver, read to be described: enlarged for the checks and OCR
        img = cv2.resize(img, None, fx=OCR_DPI / dpi, fy=OCR_DPI / dpi, interpolation=cv2.INTER_CUBIC)
        dpi = OCR_DPI
    grey, box = images.crop_border(images.ink_free_grey(img))
    img = img[box[1]:box[3], box[0]:box[2]]
    if images.is_blank(grey):
        page.status, page.reason = "blank", f"blank page: ink covers {images.ink_coverage(grey) * 100:.2f} % of it"
        return page
    stem = f"clean/{page.index:04d}"
    dw.path("clean").mkdir(exist_ok=True)
    small = images.reduced(grey)  # what orientation and skew look at, reduced once
    rotation = _orientation(grey, small, dpi, page.source)
    skew = images.estimate_skew(images.rotate_quadrant(small, rotation))
    img = images.rotate_small(images.rotate_quadrant(img, rotation), skew)
    work = images.working_copy(img, dpi)
    if dpi > MAX_OCR_DPI:
        work = cv2.resize(work, None, fx=OCR_DPI / dpi, fy=OCR_DPI / dpi, interpolation=cv2.INTER_AREA)
    stamps = []
    for k, stamp in enumerate(images.stamp_boxes(img)):
        rel = f"{stem}.stamp{k}.png"
        _write(dw.path(rel), images.stamp_image(img, stamp))
        stamps.append(rel)
    page.extra["stamp_images"] = stamps
    _write(dw.path(f"{stem}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    # PackBits: five times faster to write and read than PNG, a third larger on a flattened page
    _write(dw.path(f"{stem}.work.tif"), work, [cv2.IMWRITE_TIFF_COMPRESSION, TIFF_PACKBITS])
    page.master, page.work_copy = f"{stem}.jpg", f"{stem}.work.tif"
    page.rotation, page.skew = rotation, skew
    page.height, page.width = img.shape[:2]
    page.extra["crop"] = list(box)
    page.extra["work_dpi"] = round(dpi * work.shape[1] / img.shape[1], 2)
    return page


def _write(path: Path, img: np.ndarray, params: list[int] | None = None) -> None:
    """cv2.imwrite, which says False instead of raising when the file cannot be written (a full disk)."""
    if not cv2.imwrite(str(path), img, params or []):
        raise OSError(f"{path} could not be written")


_threads_set = False


def safe_clean(dw: DossierWork, page: Page) -> Page:
    """``clean_page``, a failure of which quarantines the page with its reason (a full disk stops everything)."""
    global _threads_set
    if not _threads_set:  # one page to a core: OpenCV's own threads would only compete with the other workers
        cv2.setNumThreads(1)
        _threads_set = True
    try:
        return clean_page(dw, page)
    except Exception as exc:  # one bad page must not stop the dossier; a full disk must
        disk.raise_if_full(exc, ("the work area", dw.root))
        log.exception("cleaning %s failed", page.source)
        page.quarantine(f"cleaning failed: {type(exc).__name__}: {exc}")
        return page


def clean_dossier(dw: DossierWork) -> dict[str, int]:
    """Clean every page of the dossier still "ok", one page to a worker process (``sohoa.pages``)."""
    from sohoa.pages import read_pages

    found: dict[str, int] = {}
    read_pages([dw], ("clean",), on_dossier=lambda _dw, _pages, counts: found.update(counts))
    counts = {"pages": found["pages"], "blank": found.get("blank", 0), "rotated": found.get("rotated", 0)}
    log.info("dossier %s cleaned: %s", dw.code, counts)
    return counts
