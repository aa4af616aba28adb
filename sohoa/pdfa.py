"""Two-layer PDF/A-2b documents: the colour page image with Tesseract's invisible text laid over it.

Built with pikepdf: each page shows the archival master (JPEG, embedded as is, 24-bit colour, 100 %
scale: page size = pixels / dpi) and carries the text-only page Tesseract wrote (glyphless embedded
font, text render mode 3) as a form XObject. The file gets an sRGB OutputIntent and XMP metadata
declaring PDF/A-2B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
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
               created: datetime, creator_tool: str, lang: str = "vi-VN", producer: str = "") -> Path:
    """Write a PDF/A-2b file of ``pages`` to ``out`` (through a temporary name).

    ``producer``: the tool that will write the file's last revision (the signer, which keeps the document
    information and XMP producer equal only when they already name it); default: pikepdf."""
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
                _named(pdf.pages[-1], pdf.pages[-1].add_overlay(text.pages[0], pikepdf.Rectangle(0, 0, w_pt, h_pt)),
                       pikepdf.Name.Text)
    pdf.Root.OutputIntents = pikepdf.Array([_output_intent(pdf)])
    pdf.Root.Lang = pikepdf.String(lang)
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=False)
    stamp = pikepdf.String("D:" + created.strftime("%Y%m%d%H%M%S") + _tz(created))
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String(title), Author=pikepdf.String(author), Subject=pikepdf.String(subject),
        Creator=pikepdf.String(creator_tool), Producer=pikepdf.String(producer or f"pikepdf {pikepdf.__version__}"),
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


def _named(page: pikepdf.Page, given: pikepdf.Name, name: pikepdf.Name) -> None:
    """Give the form XObject pikepdf added under a random name (``given``) a fixed one: the same pages make the
    same bytes (and, with ``deterministic_id``, the same /ID), so that a rebuilt file is the same file."""
    xobjects = page.obj.Resources.XObject
    xobjects[name] = xobjects[given]
    del xobjects[given]
    page.contents_coalesce()
    content = page.obj.Contents.read_bytes()
    page.obj.Contents.write(content.replace(f"{given} Do".encode(), f"{name} Do".encode()))


def _tz(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"



# --- PDF/A-2b structural check -------------------------------------------------------------------------
# Not a full validator (veraPDF is one): the rules a two-layer archival file most often breaks, each
# problem named by the ISO 19005-2 clause it breaks.

_XMP_OF_INFO = {"/Title": "dc:title", "/Author": "dc:creator", "/Producer": "pdf:Producer",
                "/Creator": "xmp:CreatorTool", "/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"}
_ANNOT_HIDDEN = 1 | 2 | 32  # Invisible, Hidden, NoView
_EMPTY, _NONE = pikepdf.Dictionary(), pikepdf.Array()  # read-only defaults of .get


def check_pdfa(path: Path) -> list[str]:
    """Problems that keep ``path`` from being PDF/A-2b; [] when none of the checked rules fails."""
    head = path.read_bytes()[:32] if path.is_file() else b""
    if not head.startswith(b"%PDF-"):
        return ["6.1.2: not a PDF file (no %PDF- header)"]
    problems = []
    second = head.split(b"\n", 2)[1] if head.count(b"\n") >= 2 else b""
    if not (second.startswith(b"%") and len(second) >= 5 and all(c > 127 for c in second[1:5])):
        problems.append("6.1.2: the header is not followed by a comment of four bytes above 127")
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return ["6.1.3: the file is encrypted"]
    except pikepdf.PdfError as exc:
        return [f"the file cannot be read: {exc}"]
    with pdf:
        if pdf.is_encrypted:
            problems.append("6.1.3: the file is encrypted")
        if "/ID" not in pdf.trailer:
            problems.append("6.1.3: the trailer has no /ID")
        problems += _check_output_intent(pdf) + _check_xmp(pdf) + _check_actions(pdf)
        if "/Names" in pdf.Root and "/EmbeddedFiles" in pdf.Root.Names:
            problems.append("6.8: the file embeds other files")
        for number, page in enumerate(pdf.pages, 1):
            problems += [f"page {number}: {p}" for p in _check_page(page)]
    return problems


def _check_output_intent(pdf: pikepdf.Pdf) -> list[str]:
    for intent in pdf.Root.get("/OutputIntents", _NONE):
        if intent.get("/S") == pikepdf.Name.GTS_PDFA1:
            profile = intent.get("/DestOutputProfile")
            if not isinstance(profile, pikepdf.Stream) or int(profile.get("/N", 0)) not in (1, 3, 4):
                return ["6.2.3: the PDF/A OutputIntent has no usable ICC profile (DestOutputProfile)"]
            return []
    return ["6.2.3: no OutputIntent with /S /GTS_PDFA1"]


def _check_xmp(pdf: pikepdf.Pdf) -> list[str]:
    if "/Metadata" not in pdf.Root:
        return ["6.6.2.1: no XMP metadata stream in the catalogue"]
    meta = pdf.open_metadata()
    problems = []
    if meta.get("pdfaid:part") != "2" or str(meta.get("pdfaid:conformance", "")).upper() not in ("B", "U"):
        problems.append(f"6.6.4: XMP pdfaid says part {meta.get('pdfaid:part')!r}, conformance "
                        f"{meta.get('pdfaid:conformance')!r}; PDF/A-2b needs 2 and B")
    info = pdf.trailer.get("/Info", _EMPTY)
    for key, xmp_key in _XMP_OF_INFO.items():
        if key not in info:
            continue
        value, xmp = str(info[key]), meta.get(xmp_key)
        if key.endswith("Date"):
            same = xmp is not None and _instant(value) == _instant(str(xmp))
        elif isinstance(xmp, list | tuple):  # dc:creator is a sequence
            same = [value] == list(xmp)
        else:
            same = value == xmp
        if not same:
            problems.append(f"6.6.2.3.1: document information {key} {value!r} differs from XMP {xmp_key} {xmp!r}")
    return problems


def _instant(text: str) -> datetime | None:
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm') or an XMP date as an aware datetime."""
    raw = text.removeprefix("D:").replace("'", "")
    try:
        if raw[:4].isdigit() and len(raw) >= 14 and raw[4].isdigit():
            moment = datetime.strptime(raw[:14], "%Y%m%d%H%M%S")
            zone = raw[14:]
            if zone in ("", "Z"):
                return moment.replace(tzinfo=UTC)
            sign = -1 if zone[0] == "-" else 1
            return moment.replace(tzinfo=timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5] or 0))))
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _check_actions(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    if "/Names" in pdf.Root and "/JavaScript" in pdf.Root.Names:
        problems.append("6.6.1: the catalogue names JavaScript")
    if "/AA" in pdf.Root:
        problems.append("6.6.2: the catalogue has additional actions (/AA)")
    action = pdf.Root.get("/OpenAction")
    if isinstance(action, pikepdf.Dictionary) and action.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
        problems.append(f"6.6.1: the open action is {action.get('/S')}")
    if pdf.Root.get("/AcroForm", _EMPTY).get("/NeedAppearances") is True:
        problems.append("6.4.1: the form asks the reader to build appearances (NeedAppearances)")
    return problems


def _check_page(page: pikepdf.Page) -> list[str]:
    problems = []
    if "/AA" in page.obj:
        problems.append("6.6.2: additional actions (/AA)")
    for annot in page.obj.get("/Annots", _NONE):
        flags = int(annot.get("/F", 0))
        subtype = annot.get("/Subtype")
        if not flags & 4 and subtype != pikepdf.Name.Popup:
            problems.append(f"6.3.2: {subtype} annotation without the Print flag")
        if flags & _ANNOT_HIDDEN and subtype != pikepdf.Name.Popup:
            problems.append(f"6.3.2: {subtype} annotation is hidden")
        if "/A" in annot and annot.A.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
            problems.append(f"6.6.1: {subtype} annotation runs {annot.A.get('/S')}")
        appearance = annot.get("/AP", _EMPTY).get("/N")
        if subtype not in (pikepdf.Name.Popup, pikepdf.Name.Link) and appearance is None:
            problems.append(f"6.3.3: {subtype} annotation has no normal appearance")
        if isinstance(appearance, pikepdf.Stream):
            problems += _check_fonts(appearance.get("/Resources", _EMPTY), set())
    return problems + _check_fonts(page.obj.get("/Resources", _EMPTY), set())


def _check_fonts(resources: pikepdf.Object, seen: set[tuple[int, int]]) -> list[str]:
    """Every font used through ``resources`` (forms followed) embeds its program (6.2.11.4.1)."""
    problems = []
    for font in resources.get("/Font", _EMPTY).values() if isinstance(resources, pikepdf.Dictionary) else []:
        if font.get("/Subtype") == pikepdf.Name.Type3:
            continue
        target = font.DescendantFonts[0] if font.get("/Subtype") == pikepdf.Name.Type0 else font
        desc = target.get("/FontDescriptor", _EMPTY)
        if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"6.2.11.4.1: font {font.get('/BaseFont')} is not embedded")
    for xobject in resources.get("/XObject", _EMPTY).values() if isinstance(resources, pikepdf.Dictionary) else []:
        if xobject.get("/Subtype") != pikepdf.Name.Form or xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        problems += _check_fonts(xobject.get("/Resources", _EMPTY), seen)
    return problems
