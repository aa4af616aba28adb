"""The package stage over one dossier: a PDF/A two-layer file per document, then the TT 05/2025 package
(SIP_hoso or AIP_hoso)."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sohoa import __version__, disk, sign, tesseract
from sohoa.alto import merge as alto_merge
from sohoa.catalogue import resolve_codes
from sohoa.package import (
    SIP_HOSO,
    Agent,
    DocumentDescription,
    DossierDescription,
    PackageError,
    build_draft,
    build_package,
    data_name,
    zip_package,
)
from sohoa.package.premis import REVIEW_EVENT
from sohoa.parallel import process_map
from sohoa.pdfa import PdfPage, build_pdfa
from sohoa.sign import SigningIdentity, sign_pdf
from sohoa.vocab import LANGUAGE_CODES, TYPE_CODES, type_code
from sohoa.workspace import DossierWork, read_json, write_json

log = logging.getLogger(__name__)

VN = timezone(timedelta(hours=7))
SOFTWARE = "sohoa"


def _date(iso: str | None) -> date | None:
    if not iso or len(iso) != 10:
        return None
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def dossier_description(code: str, catalogue: dict[str, str], documents: list[dict[str, Any]],
                        pages: int, campaign: str, archive_code: str = "",
                        codes: Mapping[str, str] | None = None) -> DossierDescription:
    """``codes``: the TT 05 mode, maintenance and language resolved at import (the batch.json entry's
    ``codes``); without them (a work area imported before they were kept) they are resolved from
    ``catalogue`` the same way, so a missing or unknown value never becomes the most open mode."""
    codes = codes or resolve_codes(catalogue).codes
    dates = sorted(d for d in (_date(doc["metadata"].get("issued_date")) for doc in documents) if d)
    title = catalogue.get("title") or f"Hồ sơ {code}"
    note = f"Số hóa bằng {SOFTWARE} {__version__}" + (f"; đợt {campaign}" if campaign else "")
    return DossierDescription(
        file_code=code,
        title=title,
        maintenance=codes["maintenance"],
        mode=codes["mode"],
        language=codes["language"],
        start_date=dates[0] if dates else None,
        end_date=dates[-1] if dates else None,
        total_doc=len(documents),
        number_of_paper=pages,
        number_of_page=pages,
        paper_file_code=catalogue.get("paper_file_code") or code,
        fond_code=catalogue.get("fond") or "",
        description=note,
        archive_code=archive_code,
    )


def document_description(doc: dict[str, Any], pdf: Any, dossier: DossierDescription,
                         alto: Path | None = None) -> DocumentDescription:
    meta = doc["metadata"]
    return DocumentDescription(
        ordinal=doc["ordinal"],
        pdf=pdf,
        type_code=type_code(meta.get("document_type")) or TYPE_CODES["Khác"],
        code_number=meta.get("number") or "",
        code_notation=meta.get("symbol") or "",
        issued_date=_date(meta.get("issued_date")),
        organ_name=meta.get("issuing_agency") or "",
        subject=meta.get("subject") or "",
        language=LANGUAGE_CODES.get(meta.get("language") or "vi", "01"),
        number_of_page=len(doc["pages"]),
        mode=dossier.mode,
        maintenance=dossier.maintenance,
        alto=alto,
    )


def agents(signing: SigningIdentity | None, archive_code: str, reviewers: Sequence[str] = ()) -> list[Agent]:
    """Who makes the package besides sohoa, for PREMIS: each tool with its version, the archive, the signer,
    and the archivists who reviewed its metadata."""
    transfer = ("transfer", "executing program")
    found = [
        Agent("OpenCV", version=version("opencv-python-headless"), events=(transfer,)),
        Agent("Tesseract", version=tesseract.version().split()[-1],
              events=(transfer, ("metadata extraction", "executing program"))),
        Agent("pikepdf", version=version("pikepdf"), events=(transfer,)),
    ]
    if archive_code:
        found.append(Agent(archive_code, type="organization", events=(("transfer", "implementer"),)))
    if signing is not None:
        found.append(Agent("pyHanko", version=version("pyHanko"),
                           events=(transfer, ("digital signature generation", "executing program"))))
        found.append(Agent(signing.agency_name() or "cơ quan ký số", type="organization",
                           events=(("digital signature generation", "authorizer"),)))
    found += [Agent(name, type="person", events=((REVIEW_EVENT, "implementer"),)) for name in reviewers]
    return found


def reviewers(dw: DossierWork, documents: list[dict[str, Any]]) -> list[str]:
    """Who reviewed the dossier or its documents (``sohoa.review``), in order of name."""
    state = read_json(dw.root / "review.json") if (dw.root / "review.json").exists() else {}
    names = {d["review"]["by"] for d in documents if d.get("review")} | ({state["by"]} if state.get("by") else set())
    return sorted(names)


@dataclass(frozen=True)
class _PdfJob:
    pages: list[PdfPage]
    pdf: Path
    title: str
    author: str
    subject: str
    created: datetime
    creator_tool: str
    signing: SigningIdentity | None
    reason: str
    altos: list[Path]
    alto_scales: list[float]  # from the OCR working copy's pixels to the master's
    image_name: str


def _document_pdf(job: _PdfJob) -> tuple[dict[str, str] | None, Path | None]:
    """One document's PDF/A, signed when there is an identity (what its visible block says), and its merged
    ALTO (None when no page has one)."""
    build_pdfa(job.pages, job.pdf, title=job.title, author=job.author, subject=job.subject, created=job.created,
               creator_tool=job.creator_tool, producer=sign.producer() if job.signing else "")
    said = sign_pdf(job.pdf, job.pdf, job.signing, reason=job.reason) if job.signing else None
    alto = alto_merge(job.altos, job.pdf.with_suffix(".alto.xml"), image_name=job.image_name,
                      scales=job.alto_scales) if job.altos else None
    return said, alto


def package_dossier(dw: DossierWork, catalogue: dict[str, str], campaign: str = "",
                    signing: SigningIdentity | None = None, package_type: str = SIP_HOSO,
                    archive_code: str = "", codes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the dossier's PDFs, each signed by ``signing`` (PAdES), and the package of ``package_type`` into
    ``package/``; writes and returns package.json. Without a signing identity the PDFs stay unsigned and
    package.json says so (the dossier is then held for review). ``archive_code``: mã cơ quan lưu trữ (AIP)."""
    pages = {p.source: p for p in dw.pages()}
    # documents with a secrecy mark never enter a package (STANDARDS.md §3.6); the report says why
    documents = [d for d in read_json(dw.documents_json) if not d["metadata"].get("secrecy")]
    created = datetime.now(VN).replace(microsecond=0)
    # built under a name of its own and put in place whole at the end: a task killed meanwhile leaves the last
    # package as it was, and no package.json, so the dossier is never reported built with another's files
    (dw.root / "package.json").unlink(missing_ok=True)
    for leftover in dw.root.glob("package.partial*"):  # of an attempt that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    stage = dw.root / f"package.partial-{os.getpid()}"
    (stage / "pdf").mkdir(parents=True)
    tool = f"{SOFTWARE} {__version__}; {tesseract.version()}"
    dossier = dossier_description(dw.code, catalogue, documents, sum(len(d["pages"]) for d in documents), campaign,
                                  archive_code, codes)
    jobs = []
    for doc in documents:
        pdf_pages = []
        for source in doc["pages"]:
            p = pages[source]
            assert p.master and p.width and p.height and p.dpi
            pdf_pages.append(PdfPage(dw.path(p.master), p.width, p.height, p.dpi,
                                     dw.path(p.text_pdf) if p.text_pdf else None))
        meta = doc["metadata"]
        read = [pages[s] for s in doc["pages"] if pages[s].extra.get("alto")]
        jobs.append(_PdfJob(
            pdf_pages, stage / "pdf" / f"{doc['doc_id']}.pdf", title=meta.get("subject") or doc["doc_id"],
            author=meta.get("issuing_agency") or "",
            subject=" ".join(filter(None, [meta.get("document_type"), meta.get("number"), meta.get("symbol")])),
            created=created, creator_tool=tool, signing=signing, reason=f"Số hóa hồ sơ {dw.code}",
            altos=[dw.path(p.extra["alto"]) for p in read],
            alto_scales=[(p.dpi or 1) / (p.extra.get("work_dpi") or p.dpi or 1) for p in read],
            image_name=data_name(dw.code, doc["ordinal"])))
    made = process_map(_document_pdf, jobs)  # a document's PDF/A, signature and ALTO take a tenth of a second
    described = [document_description(doc, job.pdf, dossier, alto)
                 for doc, job, (_, alto) in zip(documents, jobs, made, strict=True)]
    signatures = {doc["doc_id"]: said for doc, (said, _) in zip(documents, made, strict=True) if said}
    result: dict[str, Any] = {"built": False, "draft": False, "problems": [], "signatures": signatures,
                              "package_type": package_type}
    options = dict(created=created, software=SOFTWARE, software_version=__version__, package_type=package_type,
                   agents=agents(signing, archive_code, reviewers(dw, documents)), pdfa=True, signed=signing is not None)
    try:
        folder = build_package(dossier, described, stage / dw.code, **options)  # type: ignore[arg-type]
        zip_package(folder, stage / f"{dw.code}.zip")
    except (PackageError, ValueError) as exc:
        disk.raise_if_full(exc, ("the work area", dw.root))  # a file that could not be written fails its check
        result["problems"] = exc.problems if isinstance(exc, PackageError) else [str(exc)]
        try:  # held: the same package as a draft with what is known, for the archivist to open
            result["problems"] = build_draft(dossier, described, stage / dw.code, **options)
            result["draft"] = True
        except (PackageError, ValueError) as again:
            log.warning("dossier %s: not even a draft could be written: %s", dw.code, again)
        log.warning("dossier %s: package not built: %s", dw.code, result["problems"])
    else:
        result["built"] = True
    if result["built"] or result["draft"]:
        shutil.rmtree(stage / "pdf")
    disk.replace_dir(stage, dw.package_dir)
    write_json(dw.root / "package.json", result)
    return result
