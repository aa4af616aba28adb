"""Two-layer PDF/A-2b documents: the colour page image with Tesseract's invisible text laid over it.

Built with pikepdf: each page shows the archival master (JPEG, embedded as is, 24-bit colour, 100 %
scale: page size = pixels / dpi) and carries the text-only page Tesseract wrote (glyphless embedded
font, text render mode 3) as a form XObject. The file gets an sRGB OutputIntent and XMP metadata
declaring PDF/A-2B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import pikepdf
from PIL import ImageCms


@dataclass(frozen=True)
class PdfPage:
    jpeg: Path  # the archival master
    width: int  # pixels
    height: int
    dpi: float
    text_pdf: Path | None  # Tesseract's text-only PDF of the same page, if OCR succeeded


@cache
def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _output_intent(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    icc = pikepdf.Stream(pdf, srgb_profile())
    icc.N = 3
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier="sRGB IEC61966-2.1",
        Info="sRGB IEC61966-2.1",
        DestOutputProfile=icc,
    ))


def build_pdfa(pages: list[PdfPage], out: Path, *, title: str, author: str, subject: str = "",
               created: datetime, creator_tool: str, lang: str = "vi-VN") -> Path:
    """Write a PDF/A-2b file of ``pages`` to ``out`` (through a temporary name)."""
    pdf = pikepdf.new()
    for page in pages:
        w_pt, h_pt = page.width * 72.0 / page.dpi, page.height * 72.0 / page.dpi
        image = pikepdf.Stream(pdf, page.jpeg.read_bytes())
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = page.width, page.height
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        image.Filter = pikepdf.Name.DCTDecode
        content = f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q\n".encode()
        pdf_page = pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, w_pt, h_pt],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=pikepdf.Stream(pdf, content),
        ))
        pdf.pages.append(pdf_page)
        if page.text_pdf is not None:
            with pikepdf.open(page.text_pdf) as text:
                pdf.pages[-1].add_overlay(text.pages[0], pikepdf.Rectangle(0, 0, w_pt, h_pt))
    pdf.Root.OutputIntents = pikepdf.Array([_output_intent(pdf)])
    pdf.Root.Lang = pikepdf.String(lang)
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=False)
    stamp = pikepdf.String("D:" + created.strftime("%Y%m%d%H%M%S") + _tz(created))
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String(title), Author=pikepdf.String(author), Subject=pikepdf.String(subject),
        Creator=pikepdf.String(creator_tool), Producer=pikepdf.String(f"pikepdf {pikepdf.__version__}"),
        CreationDate=stamp, ModDate=stamp,
    ))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(pdf.docinfo)
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["xmp:CreateDate"] = created.isoformat(timespec="seconds")
        meta["xmp:ModifyDate"] = created.isoformat(timespec="seconds")
        meta["xmp:MetadataDate"] = created.isoformat(timespec="seconds")
    tmp = out.with_name(f".{out.name}.tmp")
    pdf.save(tmp, deterministic_id=True, min_version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate)
    tmp.replace(out)
    return out


def _tz(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"

