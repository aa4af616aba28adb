"""Import a batch: read the catalogue, walk the dossier folders, give every input file one state.

Each readable page is decoded once and written to the work area as an RGB PNG (its archival master
comes from it); each input file gets its SHA-256 at first touch. Bad inputs are quarantined with a
specific reason, never dropped.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from sohoa import disk, poppler, resolution
from sohoa.catalogue import read_catalogue  # noqa: F401  # sohoa.ingest.read_catalogue, as before
from sohoa.inventory import (  # noqa: F401  # BatchError, Dossier, Inventory, scan_batch: sohoa.ingest's, as before
    BatchError,
    Dossier,
    Inventory,
    file_digests,
    inside,
    is_hidden,
    refused_files,
    scan_batch,
    walk,
)
from sohoa.parallel import process_map
from sohoa.workspace import BatchWork, Page, read_json, save_pages, sha256_file, write_json

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".tif", ".tiff", ".jpg", ".jpeg", ".png"}
SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
MIN_DPI = 200
# A scan coarser than MIN_DPI is never delivered (TT 05/2025), but from this resolution on it is still cleaned,
# read and described, so that the report names the document whose paper must be scanned again: a phone's photo or
# a web copy of a page (45–130 dpi) still gives its type, agency, number and date (benchmarks/low_dpi.py)
MIN_READ_DPI = 40
MIN_SIDE_MM = 70  # smaller than an A7 card: a thumbnail or a fragment, not a scanned page
A5_SHORT_MM = 148  # a single image whose resolution tag makes it narrower than an A5 sheet: its text checks the tag
MAX_PIXELS = 180_000_000  # A0 at 300 dpi is 139 Mpx; anything larger is treated as a decompression bomb
PDF_DEFAULT_DPI = 300  # for PDF pages without raster images (born digital)
# pages sohoa takes from one file; a bound register of 500 double-sided sheets is 1,000 pages. Past it the file
# is refused whole, before any page is decoded, so memory and time never grow with what one file claims to hold
MAX_PAGES_PER_FILE = 5000
# where a planned page's record keeps its input until it is read: [file, "image" | "pdf", page, pages[, restricted]]
INPUT = "input"
# the page records of a dossier as import planned them, kept beside pages.json: every try of the stage that reads
# the pages starts from these (``sohoa.pages.start_pages``), so that a retry does the same work again
PLANNED = "planned.json"


def too_many_pages(count: int) -> str:
    return (f"{count:,} pages in one file, more than the {MAX_PAGES_PER_FILE:,} sohoa takes from one file: split it "
            "(one file per document, or per dossier)")

def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if dpi:
        try:
            value = float(min(dpi[0], dpi[1]))
        except (TypeError, IndexError):
            value = float(dpi)
        if value <= 1:
            return None
        return float(round(value)) if abs(value - round(value)) < 0.05 else round(value, 2)
    return None


def _to_rgb(frame: Image.Image) -> Image.Image:
    if frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(frame, dtype=np.float64)
        top = arr.max() or 1.0
        frame = Image.fromarray((arr * (255.0 / top)).astype(np.uint8), "L")
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return frame.convert("RGB")


class _Reject(Exception):
    """An input (or one of its pages) that cannot be used; the message is the reason, ``extra`` what its page
    record keeps besides."""

    def __init__(self, reason: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.extra = extra or {}


def _check_size(width: int, height: int, dpi: float | None, size_known: bool = True) -> float:
    """The page's resolution (``dpi``, or for an image without one an A4 page filling the frame); refused when it
    is a decompression bomb, too coarse to read, or (``size_known``: the resolution is believed) smaller than a
    page."""
    if width * height > MAX_PIXELS:
        raise _Reject(f"decompression bomb: {width}×{height} px exceeds the limit of {MAX_PIXELS:,} pixels")
    if dpi is None:
        dpi = resolution.frame_dpi(width, height)  # no resolution recorded: assume an A4 page
    if dpi < MIN_READ_DPI - 0.5:
        raise _Reject(f"{below_min_dpi(dpi)}, too coarse to read (pages from {MIN_READ_DPI} dpi on are read to be "
                      "described for scanning again)")
    short_mm = min(width, height) / dpi * 25.4
    if size_known and short_mm < MIN_SIDE_MM:
        raise _Reject(f"too small: {width / dpi * 25.4:.0f}×{height / dpi * 25.4:.0f} mm at {dpi:g} dpi "
                      f"(a page needs at least {MIN_SIDE_MM} mm on each side)")
    return float(dpi)


def below_min_dpi(dpi: float) -> str:
    return f"below {MIN_DPI} dpi: {dpi:g} dpi"


def _verified(img: Image.Image, tag: float) -> tuple[float, str | None]:
    """(the resolution to believe, why the tag is not) of an image whose tag makes it narrower than a sheet: the
    tag, unless the height of its text refutes it (``sohoa.resolution``); then an A4 page filling the frame."""
    height = resolution.text_height(np.asarray(img.convert("L")))
    if not resolution.refutes(height, tag):
        return tag, None
    dpi = resolution.frame_dpi(img.width, img.height)
    return dpi, (f"the file says {tag:g} dpi, but its text is {height} px high: {img.width}×{img.height} px taken "
                 "as one A4 page filling the frame")


class PageWriter:
    """Gives the pages of one dossier their places in its work folder, in the order they are found."""

    def __init__(self, dossier_root: Path, code: str) -> None:
        self.root = dossier_root
        self.code = code
        self.pages: list[Page] = []
        (self.root / "pages").mkdir(parents=True, exist_ok=True)

    def add(self, page: Page) -> Page:
        page.dossier = self.code
        page.index = len(self.pages)
        self.pages.append(page)
        return page


def _save_image(root: Path, page: Page, img: Image.Image, dpi: float, mode: str) -> None:
    rel = f"pages/{page.index:04d}.png"
    img.save(root / rel, format="PNG", compress_level=1, dpi=(dpi, dpi))
    page.image, page.dpi, page.width, page.height, page.colour_mode = rel, dpi, img.width, img.height, mode
    _mark_rescan(page)


def _keep_file(root: Path, page: Page, path: Path, size: tuple[int, int], mode: str, dpi: float) -> None:
    """The input file itself as the page image (a copy: the batch may change after import)."""
    rel = f"pages/{page.index:04d}{path.suffix.casefold()}"
    shutil.copyfile(path, root / rel)
    page.image, page.dpi, (page.width, page.height), page.colour_mode = rel, dpi, size, mode
    _mark_rescan(page)


def _mark_rescan(page: Page) -> None:
    """A page too coarse to deliver goes on to be read; the report quarantines it with this reason."""
    if page.dpi is not None and page.dpi < MIN_DPI - 0.5:
        why = page.extra.get("resolution")
        page.extra["rescan"] = below_min_dpi(page.dpi) + (f" ({why})" if why else "")


def _as_is(img: Image.Image) -> bool:
    """An 8-bit grey or RGB JPEG or PNG without transparency: the cleaning stage decodes it to the same
    pixels as the RGB conversion would give, so (one page to a file) it is kept as it is, not re-encoded."""
    return img.format in ("JPEG", "PNG") and img.mode in ("RGB", "L") and "transparency" not in img.info


# Exif tags only a camera writes (exposure time, f-number, ISO, focal length): a scanner writes none of them
CAMERA_TAGS = (0x829A, 0x829D, 0x8827, 0x920A)


def _camera_photo(img: Image.Image) -> bool:
    """A camera's (phone's) photo: its dpi tag is the camera's default (72), not a resolution on paper, and
    how much of the frame the page fills is not known, so it is never delivered; from MIN_READ_DPI on (taken
    as one A4 page filling the frame) it is read and described for the page to be scanned, like a coarse scan."""
    try:
        exif = img.getexif().get_ifd(0x8769)
    except Exception:  # a malformed Exif block: not a photo as far as sohoa can tell
        return False
    return any(tag in exif for tag in CAMERA_TAGS)


def _photo(size: tuple[int, int]) -> str:
    return f"camera photo, not a scan: {size[0]}×{size[1]} px taken as one A4 page filling the frame"


def _open_image(path: Path) -> Image.Image:
    """The image file opened (its header read), or _Reject with why it cannot be."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _Reject(f"decompression bomb: {exc}") from exc
        except UnidentifiedImageError as exc:
            raise _Reject("not an image: the content is not a TIFF, JPEG or PNG picture") from exc
        except OSError as exc:
            raise _Reject(f"not an image: {exc}") from exc


def _plan_image(path: Path, source: str, sha: str, writer: PageWriter) -> None:
    """One page record for each frame of an image file, to be decoded later (``decode_page``)."""
    with _open_image(path) as img:
        try:
            frames = getattr(img, "n_frames", 1)
        except (OSError, EOFError, SyntaxError, ValueError) as exc:
            raise _Reject(f"truncated image: {exc}") from exc
    if frames > MAX_PAGES_PER_FILE:
        raise _Reject(too_many_pages(frames))
    for i in range(frames):
        writer.add(Page(source=f"{source}#{i + 1}" if frames > 1 else source, sha256=sha,
                        extra={INPUT: [str(path), "image", i, frames]}))


class _Opened:
    """The input file a process decodes pages of, kept open from one page to the next: the frames of a
    multi-page TIFF are found by walking its chain of frames, which an open file walks once."""

    path: str | None = None
    handle: Any = None

    @classmethod
    def get(cls, path: str, opener: Any) -> Any:
        if cls.path != path:
            cls.close()
            cls.handle, cls.path = opener(Path(path)), path
        return cls.handle

    @classmethod
    def close(cls) -> None:
        if cls.handle is not None:
            cls.handle.close()
        cls.path = cls.handle = None


def _decode_image(root: Path, page: Page, path: Path, i: int, frames: int) -> None:
    img = _Opened.get(str(path), _open_image)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img.seek(i)
        except (OSError, EOFError, SyntaxError, ValueError) as exc:
            raise _Reject(f"truncated image: page {i + 1} cannot be read ({exc})") from exc
        photo = frames == 1 and _camera_photo(img)
        tag = None if photo else _dpi_of(img)
        # one image whose tag makes it narrower than a sheet (a web copy keeps its original's): its text says
        # whether the tag holds
        doubt = frames == 1 and tag is not None and min(img.size) / tag * 25.4 < A5_SHORT_MM
        try:
            dpi = _check_size(img.width, img.height, tag, size_known=not doubt)
        except _Reject as exc:
            raise _Reject(f"{exc} ({_photo(img.size)})" if photo else str(exc)) from None
        mode, size = img.mode, img.size
        kept = frames == 1 and _as_is(img)
        if kept and img.format == "JPEG" and not doubt:
            # kept as it is: its data is only checked, at an eighth of its size (all of it is still read, five
            # times faster); the clean stage decodes it once, in full
            img.draft(mode, (size[0] // 8, size[1] // 8))
        try:
            img.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise _Reject(f"truncated image: {exc}") from exc
        if doubt and tag is not None:
            dpi, refuted = _verified(img, tag)
            dpi = _check_size(img.width, img.height, dpi)
            if refuted:
                page.extra["resolution"] = refuted
    if kept:
        _keep_file(root, page, path, size, mode, dpi)
    else:
        _save_image(root, page, _to_rgb(img), dpi, mode)
    if photo:
        page.extra["rescan"] = f"{_photo(size)}: about {dpi:g} dpi at most, never delivered"


def _pdf_page_dpi(page: Any) -> tuple[float, float, float]:
    """(width in inches, height in inches, native dpi) of a PDF page: the resolution of its largest image."""
    box = [float(v) for v in page.mediabox]
    w_in, h_in = abs(box[2] - box[0]) / 72.0, abs(box[3] - box[1]) / 72.0
    if int(page.obj.get("/Rotate", 0)) % 180 == 90:
        w_in, h_in = h_in, w_in
    best = 0.0
    try:
        images = list(page.images.values())
    except Exception:  # a malformed resource dictionary: render at the default resolution
        images = []
    for image in images:
        try:
            px_w, px_h = int(image.Width), int(image.Height)
        except (AttributeError, TypeError, ValueError):
            continue
        best = max(best, min(max(px_w, px_h) / max(w_in, h_in, 1e-6), min(px_w, px_h) / max(min(w_in, h_in), 1e-6)))
    return w_in, h_in, round(best) if best else float(PDF_DEFAULT_DPI)


def _open_pdf(path: Path) -> Any:
    import pikepdf

    try:
        return pikepdf.open(path)
    except pikepdf.PasswordError as exc:  # only a PDF that needs a password to open is unreadable
        raise _Reject("encrypted PDF: a password is needed to open it; give sohoa a copy without one") from exc
    except pikepdf.PdfError as exc:
        raise _Reject(f"not a readable PDF: {exc}") from exc


def _plan_pdf(path: Path, source: str, sha: str, writer: PageWriter) -> None:
    """One page record for each page of a PDF, to be rendered later (``decode_page``)."""
    from sohoa.pdf_safety import active_content

    with _open_pdf(path) as pdf:
        # an owner password only restricts printing or copying (e-office copies): the PDF opens and renders,
        # and what sohoa delivers is its own PDF/A made from the rendered pages, never this file
        restricted = pdf.is_encrypted
        carried = active_content(pdf)  # never delivered: only the rendered pages are; said in the report
        extra = {"active_content": carried} if carried else {}
        count = len(pdf.pages)
    if count == 0:
        raise _Reject("not a readable PDF: it has no pages", extra)
    if count > MAX_PAGES_PER_FILE:
        raise _Reject(too_many_pages(count), extra)
    for i in range(count):
        writer.add(Page(source=f"{source}#{i + 1}" if count > 1 else source, sha256=sha,
                        extra={**extra, INPUT: [str(path), "pdf", i, count, restricted]}))


def _decode_pdf(root: Path, page: Page, path: Path, i: int, restricted: bool) -> None:
    pdf = _Opened.get(str(path), _open_pdf)
    w_in, h_in, dpi = _pdf_page_dpi(pdf.pages[i])
    _check_size(round(w_in * dpi), round(h_in * dpi), dpi)
    try:
        rgb = poppler.render_page(path, i + 1, dpi, root / "pages" / f"{page.index:04d}.ppm")
    except poppler.RenderError as exc:
        disk.raise_if_full(exc, ("the work area", root))  # pdftoppm could not write its page
        raise _Reject(f"page could not be rendered: {exc}") from exc
    _save_image(root, page, rgb, dpi, "PDF")
    if restricted:
        page.extra["pdf_restrictions"] = "owner password (opens without one): restrictions not kept"


def planned_inputs(root: Path) -> list[str]:
    """The input files the planned pages of the dossier whose work folder is ``root`` are still to be read from."""
    planned = root / PLANNED
    pages = read_json(planned) if planned.exists() else []
    return sorted({str(p["extra"][INPUT][0]) for p in pages if INPUT in (p.get("extra") or {})})


def decode_page(root: Path, page: Page) -> Page:
    """Read one planned page (``import_dossier(..., decode=False)``) from its input file into the dossier's work
    folder ``root``: its image, resolution and size, or quarantined with the reason it cannot be used. A page
    already decoded, or not to be, is returned as it is."""
    spec = page.extra.pop(INPUT, None)
    if spec is None or page.status != "ok":
        return page
    path, kind, i = Path(spec[0]), spec[1], spec[2]
    (root / "pages").mkdir(parents=True, exist_ok=True)  # not there when the dossier came from an S3 work area
    try:
        if kind == "pdf":
            _decode_pdf(root, page, path, i, spec[4])
        else:
            _decode_image(root, page, path, i, spec[3])
    except _Reject as exc:
        page.quarantine(str(exc))
    except Exception as exc:  # an unforeseen decoder failure must not stop the batch; a full disk must
        disk.raise_if_full(exc, ("the work area", root))
        log.exception("could not read %s", page.source)
        page.quarantine(f"unreadable: {type(exc).__name__}: {exc}")
    if page.status == "quarantined":
        log.warning("quarantined %s: %s", page.source, page.reason)
    return page


def close_inputs() -> None:
    """Close the input file this process kept open (``decode_page``)."""
    _Opened.close()


def _carries(carried: list[str]) -> str:
    return (f"the file carries {'; '.join(carried)}: none of it is delivered (its pages are delivered as images "
            "with a text layer of sohoa's own), and the file is not copied to quarantine")


def import_dossier(batch: Path, dossier: Dossier, dossier_root: Path, seen: dict[str, str], *, decode: bool = True,
                   digests: Mapping[Path, str] | None = None) -> list[Page]:
    """Every file of one dossier folder as page records; readable pages are written as PNG (with ``decode``;
    without, each page of a readable file is left for ``decode_page``, its state still "ok").

    ``seen`` maps SHA-256 to the first source that had it, across the whole batch (duplicates); ``digests`` the
    SHA-256 of files already read (``file_digests``).
    """
    assert dossier.folder is not None
    folder = batch / dossier.folder
    root = Path(os.path.realpath(batch))
    writer = PageWriter(dossier_root, dossier.code)
    for rel, path, note in walk(folder):
        source = f"{dossier.code}/{rel}"
        name = path.name
        if note == "hidden" or is_hidden(name):
            writer.add(Page(source=source, sha256=None, status="ignored", reason="hidden or system file"))
            continue
        if path.is_symlink() and (not inside(path, root) or note == "link"):
            reason = "link leaving the batch: not followed" if not inside(path, root) else (
                "link to a folder: not followed; put the pages in the dossier folder itself")
            writer.add(Page(source=source, sha256=None, status="quarantined", reason=reason))
            continue
        if not path.is_file():
            writer.add(Page(source=source, sha256=None, status="quarantined", reason="not a regular file"))
            continue
        if path.stat().st_size == 0:
            writer.add(Page(source=source, sha256=None, status="quarantined", reason="empty file: 0 bytes"))
            continue
        sha = (digests or {}).get(path) or sha256_file(path)
        if sha in seen:
            writer.add(Page(source=source, sha256=sha, status="duplicate", reason=f"same content as {seen[sha]}"))
            continue
        seen[sha] = source
        suffix = path.suffix.casefold()
        if suffix not in SUFFIXES:
            writer.add(Page(source=source, sha256=sha, status="quarantined", reason=(
                f"unsupported file type {suffix or '(no extension)'}: pages must be TIFF, JPEG, PNG or PDF")))
            continue
        try:
            (_plan_pdf if suffix == ".pdf" else _plan_image)(path, source, sha, writer)
        except _Reject as exc:
            writer.add(Page(source=source, sha256=sha, status="quarantined", reason=str(exc), extra=exc.extra))
        except Exception as exc:  # an unforeseen decoder failure must not stop the batch; a full disk must
            disk.raise_if_full(exc, ("the work area", dossier_root))
            log.exception("could not read %s", source)
            writer.add(Page(source=source, sha256=sha, status="quarantined",
                            reason=f"unreadable: {type(exc).__name__}: {exc}"))
    for page in writer.pages:
        if page.status == "quarantined":
            log.warning("quarantined %s: %s", page.source, page.reason)
    if decode:
        try:
            writer.pages = [decode_page(dossier_root, page) for page in writer.pages]
        finally:
            close_inputs()
    return writer.pages


def to_decode(page: Page) -> bool:
    """The page was planned and not yet read from its input file (``decode_page``)."""
    return INPUT in page.extra


def _decode_planned(item: tuple[Path, Page]) -> Page:
    try:
        return decode_page(*item)
    finally:
        close_inputs()


def import_batch(batch: Path, work: BatchWork, batch_id: str, *, batch_uri: str | None = None,
                 params: dict[str, Any] | None = None, decode: bool = True) -> list[str]:
    """Import a whole batch into the work area; returns the codes of dossiers that have pages to process.

    With ``decode`` every page is read from its file (in parallel, the whole batch's pages at once); without,
    the pages are only planned (an inventory: states, checksums, one record per page to read) and the dossiers
    with a page to read are returned: the stage that reads them (``sohoa.pages``) says which are readable."""
    inventory, loose = scan_batch(batch, batch_id, batch_uri)
    seen: dict[str, str] = {}
    digests = file_digests(batch, inventory.dossiers)
    found: dict[str, list[Page]] = {}
    for dossier in inventory.dossiers:
        if dossier.problem:
            log.warning("dossier %s: %s", dossier.code, dossier.problem)
            if dossier.folder is not None:  # its files are accounted for, each quarantined with the reason
                work.dossier(dossier.code).save(refused_files(batch, dossier.folder, dossier.code,
                                                              f"dossier not processed: {dossier.problem}"))
            continue
        pages = found[dossier.code] = import_dossier(batch, dossier, work.dossier(dossier.code).root, seen,
                                                     decode=False, digests=digests)
        carriers = {p.source.split("#", 1)[0]: p.extra["active_content"] for p in pages
                    if p.extra.get("active_content")}
        inventory.problems += [f"{source}: {_carries(carried)}" for source, carried in carriers.items()]
    if decode:
        planned = [(work.dossier(code).root, page) for code, pages in found.items() for page in pages]
        read = iter(process_map(_decode_planned, [item for item in planned if to_decode(item[1])]))
        for code, pages in found.items():
            found[code] = [next(read) if to_decode(page) else page for page in pages]
    ready: list[str] = []
    for dossier in inventory.dossiers:
        if dossier.code not in found:
            continue
        pages = found[dossier.code]
        work.dossier(dossier.code).save(pages)
        if not decode:  # what the stage that reads the pages starts from, on each of its tries
            save_pages(work.dossier(dossier.code).root / PLANNED, pages)
        good = sum(p.status == "ok" for p in pages)
        log.info("dossier %s: %d files/pages, %d %s", dossier.code, len(pages), good,
                 "readable" if decode else "to read")
        if good:
            ready.append(dossier.code)
        elif not pages:
            dossier.problem = "the dossier folder is empty"
        else:
            dossier.problem = "no readable page in the dossier"
    write_json(work.batch_json, {**inventory.to_json(), "params": params or {}, "local_batch": str(batch),
                                 "loose": [asdict(p) for p in loose]})
    return ready
