"""ALTO XML of a document: the pages Tesseract wrote one by one, joined into one file to sit beside its PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree


def merge(pages: Sequence[Path], out: Path, *, image_name: str, scales: Sequence[float] = ()) -> Path:
    """Join single-page ALTO files in order. Every ID is prefixed with its page (``p1_``, ``p2_``, …) so that
    IDs stay unique, pages are numbered from 1, and the source image is named ``image_name`` (the PDF in the
    package) instead of a path of the work area. ``scales`` (one per page, default 1) multiply a page's
    positions and sizes: from the pixels of the image Tesseract read to those of the page image in the PDF."""
    if not pages:
        raise ValueError("a document has at least one page")
    doc = etree.parse(str(pages[0]), etree.XMLParser(remove_blank_text=False, resolve_entities=False))
    root = doc.getroot()
    ns = {"a": etree.QName(root).namespace or ""}
    layout = root.find("a:Layout", ns)
    if layout is None:
        raise ValueError(f"{pages[0]}: no ALTO Layout")
    for page in layout.findall("a:Page", ns):
        layout.remove(page)
    for number, path in enumerate(pages, start=1):
        other = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
        scale = scales[number - 1] if scales else 1.0
        for page in other.iterfind("a:Layout/a:Page", ns):
            for element in page.iter():
                if "ID" in element.attrib:
                    element.set("ID", f"p{number}_{element.get('ID')}")
                for name in ("HPOS", "VPOS", "WIDTH", "HEIGHT") if scale != 1.0 else ():
                    if name in element.attrib:
                        element.set(name, str(round(float(element.get(name, "0")) * scale)))
            page.set("PHYSICAL_IMG_NR", str(number))
            layout.append(page)
    for name in root.iterfind("a:Description/a:sourceImageInformation/a:fileName", ns):
        name.text = image_name
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out
