"""Inputs of the TT 05/2025 package writer and the rules of its metadata (STANDARDS.md §3.2, §3.3, §3.5, §5).

The rule tables below are the Python twin of `include/schemas/ead.xsd` and `ead_doc.xsd` (SIP_hoso) and of
`include/schemas/aip_hoso/` (AIP_hoso): the writer checks its input against them first (a bad value raises
`ValueError` naming the XML element), the XSDs check the written files again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sohoa import vocab


class PackageError(Exception):
    """A package that was written or read does not pass its checks; `problems` lists one message per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid package")


@dataclass(frozen=True)
class DossierDescription:
    """One dossier (hồ sơ): becomes `metadata/descriptive/EAD.xml` of a SIP_hoso (18 elements, §3.2)."""

    file_code: str  # mã hồ sơ, e.g. "H49.64.33.2021.01.HC"; also names the files of the package
    title: str
    maintenance: str = "01"
    mode: str = "01"
    language: str = "01"  # one or more codes 01-11, comma-separated ("01" or "01,02")
    start_date: date | None = None  # None: the earliest issued date of the documents
    end_date: date | None = None  # None: the latest issued date of the documents
    keyword: str = ""
    total_doc: int = 0  # 0: the number of documents given to build_package
    number_of_paper: int = 0
    number_of_page: int = 0  # 0: the sum of the documents' page counts
    physical_state: str = "01"  # <format>
    infor_sign: str = ""
    confidence_level: str = "02"  # Số hóa
    paper_file_code: str = ""
    risk_recovery: str = "0"
    risk_recovery_status: str = ""  # only written when risk_recovery == "1"
    description: str = ""
    fond_code: str = ""  # mã phông: rep1 METS agent note IDENTIFICATIONCODE
    fond_name: str = ""  # name of that agent (default: the fond code)
    archive_code: str = ""  # mã cơ quan lưu trữ: AIP_hoso's arcFileCode is this + "." + file_code (§3.7)


@dataclass(frozen=True)
class DocumentDescription:
    """One document: `representations/rep1/metadata/descriptive/EAD_doc_<name>.xml` (21 elements, §3.3)."""

    ordinal: int  # STT in the dossier, 1-based
    pdf: Path  # the PDF/A file to put in rep1/data/
    type_code: str  # typeName code "01".."32"
    code_number: str = ""
    code_notation: str = ""
    issued_date: date | None = None  # required by TT05: build_package refuses a document without it
    organ_name: str = ""
    subject: str = ""
    language: str = "01"
    number_of_page: int = 0
    mode: str = "01"
    maintenance: str = "01"
    keyword: str = ""
    confidence_level: str = "02"
    physical_state: str = "01"
    description: str = ""
    infor_sign: str = ""
    autograph: str = ""  # bút tích: handwritten annotations of notable persons, not the signer
    process: str = ""  # "", "0" or "1" (a processing-trail file is attached)
    alto: Path | None = None  # the OCR text with word positions (ALTO XML), put beside the PDF


# Code lists (STANDARDS.md §3.5). typeName, maintenance and mode come from sohoa.vocab.
TYPE_NAME_CODES: tuple[str, ...] = tuple(sorted(set(vocab.TYPE_CODES.values())))
MAINTENANCE_CODES: tuple[str, ...] = tuple(sorted(set(vocab.MAINTENANCE_CODES.values())))
MODE_CODES: tuple[str, ...] = tuple(sorted(set(vocab.MODE_CODES.values())))
# 01 Tiếng Việt · 02 Anh · 03 Pháp · 04 Nga · 05 Trung · 06 Việt–Anh · 07 Việt–Nga · 08 Việt–Pháp · 09 Hán Nôm
# · 10 Việt–Trung · 11 Khác
LANGUAGE_CODES: tuple[str, ...] = tuple(f"{n:02d}" for n in range(1, 12))
CONFIDENCE_CODES: tuple[str, ...] = ("01", "02", "03")  # Gốc điện tử · Số hóa · Hỗn hợp
FORMAT_CODES: tuple[str, ...] = ("01", "02", "03")  # Tốt · Bình thường · Hỏng
RISK_RECOVERY_CODES: tuple[str, ...] = ("0", "1")  # không · có
RISK_RECOVERY_STATUS_CODES: tuple[str, ...] = ("01", "02")  # đã dự phòng · chưa dự phòng
PROCESS_CODES: tuple[str, ...] = ("0", "1")


@dataclass(frozen=True)
class FieldRule:
    """How one `<simpledc>` element is checked.

    kind: "text" (max_length characters), "number" (non-negative integer of at most max_length digits),
    "date" (DD/MM/YYYY, MM/YYYY or YYYY), "code" (one of codes), "codes" (one or more of codes, comma-separated).
    required: the element may not be empty. Optional "code" elements may be empty.
    """

    kind: str
    max_length: int
    required: bool
    codes: tuple[str, ...] = ()


# Package-level EAD.xml of SIP_hoso, in the order of the TT05 XML skeleton (§3.2).
DOSSIER_RULES: dict[str, FieldRule] = {
    "fileCode": FieldRule("text", 100, True),
    "title": FieldRule("text", 1000, True),
    "maintenance": FieldRule("code", 100, True, MAINTENANCE_CODES),
    "mode": FieldRule("code", 30, True, MODE_CODES),
    "language": FieldRule("codes", 100, True, LANGUAGE_CODES),
    "startDate": FieldRule("date", 10, True),
    "endDate": FieldRule("date", 10, True),
    "keyword": FieldRule("text", 100, False),
    "totalDoc": FieldRule("number", 10, True),
    "numberOfPaper": FieldRule("number", 10, True),
    "numberOfPage": FieldRule("number", 10, True),
    "format": FieldRule("code", 50, False, FORMAT_CODES),
    "inforSign": FieldRule("text", 30, False),
    "confidenceLevel": FieldRule("code", 40, False, CONFIDENCE_CODES),
    "paperFileCode": FieldRule("text", 100, False),
    "riskRecovery": FieldRule("code", 1, True, RISK_RECOVERY_CODES),
    "riskRecoveryStatus": FieldRule("code", 2, False, RISK_RECOVERY_STATUS_CODES),
    "description": FieldRule("text", 2000, False),
}

# Package-level EAD.xml of AIP_hoso: the same 18 elements, fileCode replaced by arcFileCode (§3.2).
AIP_DOSSIER_RULES: dict[str, FieldRule] = {
    ("arcFileCode" if name == "fileCode" else name): rule for name, rule in DOSSIER_RULES.items()
}

# Document-level EAD_doc of SIP_hoso (§3.3). docId keeps the table's 25 characters although a real
# dossier code plus the ordinal can be longer: such a dossier cannot be packaged until the code is shortened.
DOCUMENT_RULES: dict[str, FieldRule] = {
    "docId": FieldRule("text", 100, True),  # the table says 25: see ead_doc.xsd
    "docCode": FieldRule("text", 100, True),
    "maintenance": FieldRule("code", 100, True, MAINTENANCE_CODES),
    "typeName": FieldRule("code", 10, True, TYPE_NAME_CODES),
    "codeNumber": FieldRule("text", 11, False),
    "codeNotation": FieldRule("text", 30, False),
    "issuedDate": FieldRule("date", 10, True),
    "organName": FieldRule("text", 200, True),
    "subject": FieldRule("text", 500, True),
    "language": FieldRule("codes", 100, True, LANGUAGE_CODES),
    "numberOfPage": FieldRule("number", 4, True),
    "inforSign": FieldRule("text", 30, False),
    "keyword": FieldRule("text", 100, False),
    "mode": FieldRule("code", 20, True, MODE_CODES),
    "confidenceLevel": FieldRule("code", 30, False, CONFIDENCE_CODES),
    "autograph": FieldRule("text", 2000, False),
    "format": FieldRule("code", 50, False, FORMAT_CODES),
    "riskRecovery": FieldRule("code", 1, True, RISK_RECOVERY_CODES),
    "riskRecoveryStatus": FieldRule("code", 2, False, RISK_RECOVERY_STATUS_CODES),
    "process": FieldRule("code", 1, False, PROCESS_CODES),
    "description": FieldRule("text", 500, False),
}

# Document-level EAD_doc of AIP_hoso: 19 elements in the order of the circular's AIP schema; no docId,
# maintenance or riskRecovery*; the dossier's arcFileCode and the document's ordinal instead.
AIP_DOCUMENT_RULES: dict[str, FieldRule] = {
    "arcFileCode": FieldRule("text", 100, True),
    "mode": DOCUMENT_RULES["mode"],
    "language": DOCUMENT_RULES["language"],
    "keyword": DOCUMENT_RULES["keyword"],
    "numberOfPage": DOCUMENT_RULES["numberOfPage"],
    "format": DOCUMENT_RULES["format"],
    "inforSign": DOCUMENT_RULES["inforSign"],
    "confidenceLevel": DOCUMENT_RULES["confidenceLevel"],
    "description": DOCUMENT_RULES["description"],
    "docCode": DOCUMENT_RULES["docCode"],
    "docOrdinal": FieldRule("number", 7, True),
    "typeName": DOCUMENT_RULES["typeName"],
    "codeNumber": DOCUMENT_RULES["codeNumber"],
    "codeNotation": DOCUMENT_RULES["codeNotation"],
    "issuedDate": DOCUMENT_RULES["issuedDate"],
    "organName": DOCUMENT_RULES["organName"],
    "subject": DOCUMENT_RULES["subject"],
    "autograph": DOCUMENT_RULES["autograph"],
    "process": DOCUMENT_RULES["process"],
}

# Package types (STANDARDS.md §5.1): SIP_hoso for delivery across systems, AIP_hoso (with PREMIS) for the
# archive's own system and the digitization product.
SIP_HOSO = "SIP_hoso"
AIP_HOSO = "AIP_hoso"
PACKAGE_TYPES: tuple[str, ...] = (SIP_HOSO, AIP_HOSO)

# Schema file names inside every package's schemas/ folder, and where each comes from under include/schemas.
EAD_XSD = "ead.xsd"
EAD_DOC_XSD = "ead_doc.xsd"
METS_XSD = "mets_tt05.xsd"
PREMIS_XSD = "premis_tt05.xsd"
SCHEMA_SOURCES: dict[str, dict[str, str]] = {
    SIP_HOSO: {EAD_XSD: "ead.xsd", EAD_DOC_XSD: "ead_doc.xsd", METS_XSD: "mets_tt05.xsd"},
    AIP_HOSO: {EAD_XSD: "aip_hoso/ead.xsd", EAD_DOC_XSD: "aip_hoso/ead_doc.xsd", METS_XSD: "mets_tt05.xsd",
               PREMIS_XSD: "premis_tt05.xsd"},
}
