"""A dossier's documents: its OCR pages split into documents, each described (documents.json, rescan.json)."""

from __future__ import annotations

import logging
from typing import Any

from sohoa import hocr
from sohoa.extract.document import extract_document
from sohoa.extract.segment import segment
from sohoa.workspace import DossierWork, Page, read_json, write_json

log = logging.getLogger(__name__)


def extract_dossier(dw: DossierWork) -> dict[str, int]:
    """Segment one dossier's OCR'd pages into documents and describe each; writes documents.json, and
    rescan.json for the documents on pages too coarse to deliver (see ``ingest.MIN_READ_DPI``)."""
    pages = dw.pages()
    ocred = [p for p in pages if p.status == "ok" and p.hocr]
    documents = _describe(dw, [p for p in ocred if not p.extra.get("rescan")], f"{dw.code}.")
    rescan = _describe(dw, [p for p in ocred if p.extra.get("rescan")], f"{dw.code}.R")
    dw.save(pages)
    write_json(dw.documents_json, documents)
    write_json(dw.rescan_json, rescan)
    return {"documents": len(documents), "needs_review": sum(d["needs_review"] for d in documents),
            "rescan": len(rescan)}


def _describe(dw: DossierWork, ocred: list[Page], prefix: str) -> list[dict[str, Any]]:
    """The documents of OCR'd pages in order, ``prefix`` + ordinal as their ids (set on the pages too)."""
    parsed = [hocr.parse(dw.path(p.hocr)) for p in ocred if p.hocr]
    # parts of each page read again on their own (see sohoa.ocr)
    read_again = [read_json(dw.path(p.extra["blocks"])) if p.extra.get("blocks") else {} for p in ocred]
    documents: list[dict[str, Any]] = []
    for ordinal, group in enumerate(segment(parsed, [b.get("filled", {}) for b in read_again]), start=1):
        doc_id = f"{prefix}{ordinal}"
        opening = ocred[group[0]]
        blocks = [read_again[i] for i in group]
        left = hocr.from_json(blocks[0]["left"]) if "left" in blocks[0] else None
        signers = {k: [hocr.from_json(b[key]) for key in ("signer", "signer_unsealed") if key in b]
                   for k, b in enumerate(blocks) if "signer" in b}
        ex = extract_document([parsed[i] for i in group], opening.extra.get("stamps", []), left, signers,
                              blocks[0].get("filled"))
        for i in group:
            ocred[i].document = doc_id
        documents.append({
            "doc_id": doc_id,
            "ordinal": ordinal,
            "pages": [ocred[i].source for i in group],
            "metadata": ex.metadata,
            "confidence": ex.confidence,
            "raw_confidence": ex.raw,
            "evidence": ex.evidence,
            "needs_review": ex.needs_review,
        })
        log.info("document %s: pages %d, %s %s/%s of %s, review=%s", doc_id, len(group),
                 ex.metadata.get("document_type"), ex.metadata.get("number"), ex.metadata.get("symbol"),
                 ex.metadata.get("issued_date"), ex.needs_review)
    return documents
