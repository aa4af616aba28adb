"""Writing page images, multi-page TIFFs and PDFs as a scanning station does."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pikepdf
from PIL import Image


def _save_image(img: Image.Image, path: Path, fmt: str, dpi: int) -> None:
    if fmt == "png":
        img.save(path, "PNG", dpi=(dpi, dpi))
    elif fmt == "jpg":
        img.save(path, "JPEG", quality=90, dpi=(dpi, dpi))
    elif fmt == "tif":
        img.save(path, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    elif fmt == "tiff":
        img.save(path, "TIFF", compression="jpeg", quality=90, dpi=(dpi, dpi))
    else:
        raise ValueError(fmt)


def _pdf_bytes(images: Sequence[Image.Image], dpi: int, encryption: pikepdf.Encryption | None = None) -> bytes:
    """A PDF with one embedded JPEG per page; page size = pixels / dpi * 72 pt."""
    pdf = pikepdf.new()
    for img in images:
        buf = io.BytesIO()
        img.convert("RGB").save(buf, "JPEG", quality=90, dpi=(dpi, dpi))
        w, h = img.size
        xobj = pikepdf.Stream(pdf, buf.getvalue())
        xobj["/Type"] = pikepdf.Name.XObject
        xobj["/Subtype"] = pikepdf.Name.Image
        xobj["/Width"] = w
        xobj["/Height"] = h
        xobj["/ColorSpace"] = pikepdf.Name.DeviceRGB
        xobj["/BitsPerComponent"] = 8
        xobj["/Filter"] = pikepdf.Name.DCTDecode
        pw, ph = f"{w * 72 / dpi:.4f}", f"{h * 72 / dpi:.4f}"
        content = pikepdf.Stream(pdf, f"q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([0, 0, Decimal(pw), Decimal(ph)]),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    if encryption is None:
        pdf.save(out, deterministic_id=True)
    else:
        pdf.save(out, encryption=encryption)
    return out.getvalue()


def _write_multipage_tiff(images: Sequence[Image.Image], path: Path, dpi: int) -> None:
    first, *rest = [im.convert("RGB") for im in images]
    first.save(path, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw", dpi=(dpi, dpi))


