"""What an input PDF carries besides its pages: scripts, actions and files that sohoa never delivers.

sohoa delivers a PDF's pages as images with a text layer of its own (``sohoa.pdfa``), so nothing of an input's
JavaScript, automatic actions, forms or embedded files can reach a delivered PDF/A. What it carried is still
named in the report (an embedded file is content of its own that is not delivered), and such a file is never
copied into the output's quarantine folder.
"""

from __future__ import annotations

from typing import Any

import pikepdf

RISKY_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "a launch action (runs a program)",
                 "/SubmitForm": "a form-submit action", "/ImportData": "an import-data action",
                 "/GoToE": "a link into an embedded file"}
_EMPTY = pikepdf.Dictionary()


def _action(action: Any) -> str | None:
    if isinstance(action, pikepdf.Dictionary):
        return RISKY_ACTIONS.get(str(action.get("/S", "")))
    return None


def active_content(pdf: pikepdf.Pdf) -> list[str]:
    """What ``pdf`` carries that is not page content, in words (empty when nothing)."""
    found: list[str] = []
    root = pdf.Root
    names = root.get("/Names", _EMPTY)
    if "/JavaScript" in names:
        found.append("document JavaScript")
    if what := _action(root.get("/OpenAction")):
        found.append(f"{what} run on opening")
    if "/AA" in root:
        found.append("document automatic actions")
    form = root.get("/AcroForm", _EMPTY)
    if "/XFA" in form:
        found.append("an XFA form")
    try:
        attached = sorted(pdf.attachments.keys())
    except (pikepdf.PdfError, ValueError, KeyError):
        attached = ["(unreadable attachment list)"]
    if attached:
        found.append(f"{len(attached)} embedded file(s): {', '.join(attached[:5])}")
    if "/AF" in root:
        found.append("associated files")
    for number, page in enumerate(pdf.pages, 1):
        if "/AA" in page.obj:
            found.append(f"automatic actions on page {number}")
        for annot in page.obj.get("/Annots", pikepdf.Array()):
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            if annot.get("/Subtype") == pikepdf.Name.FileAttachment:
                found.append(f"a file attached on page {number}")
            if (what := _action(annot.get("/A"))) or "/AA" in annot:
                found.append(f"{what or 'automatic actions'} in an annotation on page {number}")
    return list(dict.fromkeys(found))
