"""The `<simpledc>` descriptive metadata of TT 05/2025: dossier EAD.xml (§3.2) and document EAD_doc (§3.3).

Values are checked against `model.DOSSIER_RULES` / `model.DOCUMENT_RULES` before anything is written: a value
that breaks a rule raises `ValueError` naming the XML element (and the document, for EAD_doc).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from lxml import etree

from sohoa.vocab import nfc

from .model import (
    AIP_DOCUMENT_RULES,
    AIP_DOSSIER_RULES,
    AIP_HOSO,
    DOCUMENT_RULES,
    DOSSIER_RULES,
    PACKAGE_TYPES,
    DocumentDescription,
    DossierDescription,
    FieldRule,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^((0[1-9]|[12][0-9]|3[01])/)?((0[1-9]|1[0-2])/)?[0-9]{4}$")
_NUMBER = re.compile(r"^[0-9]+$")


def clean_text(value: str) -> str:
    """NFC, control characters (form feeds from OCR, NULs) turned into spaces, outer blanks stripped."""
    return _CONTROL.sub(" ", nfc(value)).strip()


def format_date(value: date | None) -> str:
    """DD/MM/YYYY, or "" when unknown."""
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def ordinal7(ordinal: int) -> str:
    return f"{ordinal:07d}"


def doc_id(file_code: str, ordinal: int) -> str:
    """Mã định danh tài liệu: mã hồ sơ + "." + STT without padding (§3.7)."""
    return f"{clean_text(file_code)}.{ordinal}"


def doc_code(file_code: str, ordinal: int) -> str:
    """Mã lưu trữ của tài liệu: mã hồ sơ + "." + STT padded to 7 digits (§3.7)."""
    return f"{clean_text(file_code)}.{ordinal7(ordinal)}"


def arc_file_code(dossier: DossierDescription) -> str:
    """Mã hồ sơ lưu trữ (AIP arcFileCode): mã cơ quan lưu trữ + "." + mã hồ sơ (§3.7); a dossier code that
    already starts with the archive's code is not prefixed twice."""
    archive, file_code = clean_text(dossier.archive_code), clean_text(dossier.file_code)
    if not archive:
        raise ValueError("an AIP_hoso needs the archive's code (mã cơ quan lưu trữ) to form arcFileCode")
    return file_code if file_code.startswith(f"{archive}.") else f"{archive}.{file_code}"


def check_package_type(package_type: str) -> None:
    if package_type not in PACKAGE_TYPES:
        raise ValueError(f"package type must be one of {', '.join(PACKAGE_TYPES)}: {package_type!r}")


def normalize_language(value: str) -> str:
    """Language codes as written in the XML: comma-separated, no spaces ("01,02"); blanks and ";" accepted."""
    parts = [part for part in re.split(r"[\s,;]+", clean_text(value)) if part]
    return ",".join(parts)


def check_value(element: str, value: str, rule: FieldRule, where: str = "") -> None:
    """Raise ValueError naming `element` when `value` breaks `rule`."""
    prefix = f"{where}: " if where else ""
    if not value:
        if rule.required:
            raise ValueError(f"{prefix}{element} is required but empty")
        return
    if rule.kind == "text":
        if len(value) > rule.max_length:
            raise ValueError(
                f"{prefix}{element} is {len(value)} characters long, the maximum is {rule.max_length}: {value!r}"
            )
    elif rule.kind == "number":
        if not _NUMBER.match(value) or len(value.lstrip("0") or "0") > rule.max_length:
            raise ValueError(
                f"{prefix}{element} must be a non-negative integer of at most {rule.max_length} digits: {value!r}"
            )
    elif rule.kind == "date":
        if not _DATE.match(value):
            raise ValueError(f"{prefix}{element} must be DD/MM/YYYY, MM/YYYY or YYYY: {value!r}")
    elif rule.kind == "code":
        if value not in rule.codes:
            raise ValueError(f"{prefix}{element} must be one of {', '.join(rule.codes)}: {value!r}")
    elif rule.kind == "codes":
        if len(value) > rule.max_length:
            raise ValueError(f"{prefix}{element} is longer than {rule.max_length} characters: {value!r}")
        bad = [code for code in value.split(",") if code not in rule.codes]
        if bad:
            raise ValueError(
                f"{prefix}{element} must be codes among {', '.join(rule.codes)} separated by commas: {value!r}"
            )
    else:  # pragma: no cover - the rule tables only use the kinds above
        raise AssertionError(f"unknown rule kind {rule.kind!r}")


def check_fields(fields: Mapping[str, str], rules: Mapping[str, FieldRule], where: str = "",
                 problems: list[str] | None = None) -> None:
    """Check every element; the first broken rule raises ValueError, or, given ``problems`` (a draft), each
    broken rule is added to it and the checks go on."""
    if list(fields) != list(rules):
        raise AssertionError(f"elements {list(fields)} differ from the rule table {list(rules)}")
    for element, value in fields.items():
        try:
            check_value(element, value, rules[element], where)
        except ValueError as exc:
            if problems is None:
                raise
            problems.append(str(exc))


def _number(element: str, value: int, where: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where + ': ' if where else ''}{element} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{where + ': ' if where else ''}{element} must not be negative: {value}")
    return str(value)


def dossier_fields(dossier: DossierDescription, documents: Sequence[DocumentDescription],
                   package_type: str, problems: list[str] | None = None) -> dict[str, str]:
    """The 18 elements of the dossier EAD.xml, checked. Missing dates, totalDoc and numberOfPage are derived
    from the documents (earliest / latest issued date, number of documents, sum of their pages). AIP_hoso
    writes arcFileCode where SIP_hoso writes fileCode."""
    dates = [doc.issued_date for doc in documents if doc.issued_date is not None]
    start = dossier.start_date or (min(dates) if dates else None)
    end = dossier.end_date or (max(dates) if dates else None)
    if start is not None and end is not None and start > end:
        raise ValueError(f"startDate {format_date(start)} is after endDate {format_date(end)}")
    risk = clean_text(dossier.risk_recovery)
    status = clean_text(dossier.risk_recovery_status) if risk == "1" else ""
    if risk == "1" and not status:
        raise ValueError("riskRecoveryStatus is required when riskRecovery is 1")
    total = dossier.total_doc or len(documents)
    pages = dossier.number_of_page or sum(doc.number_of_page for doc in documents)
    fields = {
        "fileCode": clean_text(dossier.file_code),
        "title": clean_text(dossier.title),
        "maintenance": clean_text(dossier.maintenance),
        "mode": clean_text(dossier.mode),
        "language": normalize_language(dossier.language),
        "startDate": format_date(start),
        "endDate": format_date(end),
        "keyword": clean_text(dossier.keyword),
        "totalDoc": _number("totalDoc", total),
        "numberOfPaper": _number("numberOfPaper", dossier.number_of_paper),
        "numberOfPage": _number("numberOfPage", pages),
        "format": clean_text(dossier.physical_state),
        "inforSign": clean_text(dossier.infor_sign),
        "confidenceLevel": clean_text(dossier.confidence_level),
        "paperFileCode": clean_text(dossier.paper_file_code),
        "riskRecovery": risk,
        "riskRecoveryStatus": status,
        "description": clean_text(dossier.description),
    }
    if package_type == AIP_HOSO:
        del fields["fileCode"]
        fields = {"arcFileCode": arc_file_code(dossier), **fields}
    check_fields(fields, AIP_DOSSIER_RULES if package_type == AIP_HOSO else DOSSIER_RULES, "EAD.xml", problems)
    return fields


def document_fields(dossier: DossierDescription, document: DocumentDescription,
                    package_type: str, problems: list[str] | None = None) -> dict[str, str]:
    """The elements of one document's EAD_doc, checked: 21 for SIP_hoso (riskRecovery* are the dossier's),
    19 for AIP_hoso (arcFileCode, docCode on arcFileCode, docOrdinal; no docId, maintenance, riskRecovery*)."""
    where = f"document {document.ordinal}"
    if isinstance(document.ordinal, bool) or not isinstance(document.ordinal, int) or document.ordinal < 1:
        raise ValueError(f"{where}: ordinal must be an integer >= 1")
    if document.ordinal > 9_999_999:
        raise ValueError(f"{where}: ordinal does not fit the 7 digits of docCode")
    risk = clean_text(dossier.risk_recovery)
    fields = {
        "docId": doc_id(dossier.file_code, document.ordinal),
        "docCode": doc_code(dossier.file_code, document.ordinal),
        "maintenance": clean_text(document.maintenance),
        "typeName": clean_text(document.type_code),
        "codeNumber": clean_text(document.code_number),
        "codeNotation": clean_text(document.code_notation),
        "issuedDate": format_date(document.issued_date),
        "organName": clean_text(document.organ_name),
        "subject": clean_text(document.subject),
        "language": normalize_language(document.language),
        "numberOfPage": _number("numberOfPage", document.number_of_page, where),
        "inforSign": clean_text(document.infor_sign),
        "keyword": clean_text(document.keyword),
        "mode": clean_text(document.mode),
        "confidenceLevel": clean_text(document.confidence_level),
        "autograph": clean_text(document.autograph),
        "format": clean_text(document.physical_state),
        "riskRecovery": risk,
        "riskRecoveryStatus": clean_text(dossier.risk_recovery_status) if risk == "1" else "",
        "process": clean_text(document.process),
        "description": clean_text(document.description),
    }
    rules = DOCUMENT_RULES
    if package_type == AIP_HOSO:
        arc = arc_file_code(dossier)
        known = {**fields, "arcFileCode": arc, "docCode": doc_code(arc, document.ordinal),
                 "docOrdinal": str(document.ordinal)}
        fields, rules = {name: known[name] for name in AIP_DOCUMENT_RULES}, AIP_DOCUMENT_RULES
    check_fields(fields, rules, where, problems)
    return fields


def simpledc_xml(fields: Mapping[str, str]) -> bytes:
    """`<simpledc>` with one child per field, in the given order; UTF-8 with declaration, pretty-printed."""
    root = etree.Element("simpledc")
    for element, value in fields.items():
        etree.SubElement(root, element).text = nfc(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_simpledc(data: bytes) -> dict[str, str]:
    """Element name -> text of a `<simpledc>` file (order-free, as TT05 readers must be)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    return {etree.QName(child).localname: child.text or "" for child in root if isinstance(child.tag, str)}
