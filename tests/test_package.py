"""Tests of sohoa.package: TT 05/2025 SIP_hoso folders, their XSDs, validation and deterministic ZIP."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from sohoa.package import (
    DocumentDescription,
    DossierDescription,
    PackageError,
    build_package,
    schema_dir,
    validate_package,
    zip_package,
)
from sohoa.package import build as build_module

METS = "{http://www.loc.gov/METS/}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
FILE_CODE = "H49.64.33.2021.01.HC"
SUBJECT = "Quyết định về việc phê duyệt kế hoạch số hóa tài liệu"
ORGAN = "ỦY BAN NHÂN DÂN TỈNH HẬU GIANG"
CREATED = datetime(2025, 7, 1, 2, 30, 15, 123456, tzinfo=UTC)
EXPECTED_TREE = {
    "METS.xml",
    "metadata/descriptive/EAD.xml",
    "representations/rep1/METS.xml",
    f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000001.xml",
    f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000002.xml",
    f"representations/rep1/data/{FILE_CODE}.0000001.pdf",
    f"representations/rep1/data/{FILE_CODE}.0000002.pdf",
    "schemas/ead.xsd",
    "schemas/ead_doc.xsd",
    "schemas/mets_tt05.xsd",
}


def dossier(**changes: object) -> DossierDescription:
    values: dict[str, object] = {
        "file_code": FILE_CODE,
        "title": "Hồ sơ về việc số hóa tài liệu lưu trữ năm 2021",
        "paper_file_code": "H49.K01.0001",
        "number_of_paper": 3,
        "fond_code": "P_KHCN",
    }
    values.update(changes)
    return DossierDescription(**values)  # type: ignore[arg-type]


def documents(pdfs: list[Path], **changes: object) -> list[DocumentDescription]:
    first: dict[str, object] = {
        "ordinal": 1,
        "pdf": pdfs[0],
        "type_code": "02",
        "code_number": "12",
        "code_notation": "QĐ-UBND",
        "issued_date": date(2021, 3, 5),
        "organ_name": ORGAN,
        "subject": SUBJECT,
        "number_of_page": 2,
    }
    first.update(changes)
    second = DocumentDescription(
        ordinal=2,
        pdf=pdfs[1],
        type_code="10",
        code_number="5",
        code_notation="KH-UBND",
        issued_date=date(2021, 11, 20),
        organ_name=ORGAN,
        subject="Kế hoạch số hóa tài liệu lưu trữ",
        number_of_page=1,
    )
    return [DocumentDescription(**first), second]  # type: ignore[arg-type]


def build(pdfs: list[Path], dest: Path, **changes: object) -> Path:
    return build_package(
        dossier(), documents(pdfs, **changes), dest, created=CREATED, software="sohoa", software_version="0.1.0"
    )


@pytest.fixture
def package(tmp_path: Path, pdfs: list[Path]) -> Path:
    return build(pdfs, tmp_path / "out" / "pkg")


def tree(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def schema(package: Path, name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(package / "schemas" / name)))


def simpledc(path: Path) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    return {child.tag: child.text or "" for child in root}


def test_layout(package: Path) -> None:
    assert tree(package) == EXPECTED_TREE
    assert not list(package.parent.glob(".*partial"))  # the temporary build folder was renamed away
    for name in ("ead.xsd", "ead_doc.xsd", "mets_tt05.xsd"):
        assert (package / "schemas" / name).read_bytes() == (schema_dir() / name).read_bytes()


def test_every_file_is_checksummed(package: Path) -> None:
    covered: set[str] = set()
    for mets_rel in ("METS.xml", "representations/rep1/METS.xml"):
        mets_path = package / mets_rel
        root = etree.parse(str(mets_path)).getroot()
        entries = [(ref, ref.get(XLINK_HREF)) for ref in root.iter(f"{METS}mdRef")]
        entries += [(file, file.find(f"{METS}FLocat").get(XLINK_HREF)) for file in root.iter(f"{METS}file")]
        assert entries
        for element, href in entries:
            target = mets_path.parent / href
            data = target.read_bytes()
            assert element.get("CHECKSUMTYPE") == "SHA-256"
            assert element.get("CHECKSUM") == hashlib.sha256(data).hexdigest().upper()
            assert element.get("SIZE") == str(len(data))
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00", element.get("CREATED", ""))
            covered.add(target.relative_to(package).as_posix())
    assert covered == EXPECTED_TREE - {"METS.xml"}
    assert validate_package(package) == []


def test_mets_profile(package: Path) -> None:
    root = etree.parse(str(package / "METS.xml")).getroot()
    assert re.fullmatch(r"uuid-[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", root.get("OBJID", ""))
    assert root.get("TYPE") == "Mixed"
    assert root.get("PROFILE") == "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
    header = root.find(f"{METS}metsHdr")
    assert header is not None
    # 02:30:15.123 UTC is 09:30:15.123 in Vietnam
    assert header.get("CREATEDATE") == "2025-07-01T09:30:15.123+07:00"
    assert header.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "SIP"
    assert header.findtext(f"{METS}altRecordID") == FILE_CODE
    assert header.findtext(f"{METS}agent/{METS}note") == "0.1.0"
    assert [group.get("USE") for group in root.iter(f"{METS}fileGrp")] == ["Schemas", "Representations/rep1"]
    assert all(file.get("ID", "").startswith("ID-") for file in root.iter(f"{METS}file"))
    mptr = root.find(f".//{METS}mptr")
    assert mptr is not None and mptr.get(XLINK_HREF) == "representations/rep1/METS.xml"

    rep = etree.parse(str(package / "representations/rep1/METS.xml")).getroot()
    assert rep.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}CONTENTINFORMATIONTYPE") == "MIXED"
    organization = [agent for agent in rep.iter(f"{METS}agent") if agent.get("TYPE") == "ORGANIZATION"]
    assert [agent.findtext(f"{METS}note") for agent in organization] == ["P_KHCN"]
    dmd_hrefs = {dmd.get("ID"): dmd.find(f"{METS}mdRef").get(XLINK_HREF) for dmd in rep.iter(f"{METS}dmdSec")}
    file_hrefs = {file.get("ID"): file.find(f"{METS}FLocat").get(XLINK_HREF) for file in rep.iter(f"{METS}file")}
    links = [div for div in rep.iter(f"{METS}div") if div.get("LABEL") == "MetadataLink/File"]
    pairs = {(dmd_hrefs[div.get("DMDID")], file_hrefs[div.find(f"{METS}fptr").get("FILEID")]) for div in links}
    assert pairs == {
        (f"metadata/descriptive/EAD_doc_{FILE_CODE}.{n:07d}.xml", f"data/{FILE_CODE}.{n:07d}.pdf") for n in (1, 2)
    }


def test_ead_files_validate_and_hold_the_values(package: Path) -> None:
    ead_path = package / "metadata/descriptive/EAD.xml"
    assert schema(package, "ead.xsd").validate(etree.parse(str(ead_path)))
    ead = simpledc(ead_path)
    assert len(ead) == 18
    assert ead["fileCode"] == FILE_CODE
    assert ead["startDate"] == "05/03/2021" and ead["endDate"] == "20/11/2021"  # derived from the documents
    assert ead["totalDoc"] == "2" and ead["numberOfPage"] == "3" and ead["numberOfPaper"] == "3"
    assert ead["confidenceLevel"] == "02" and ead["riskRecovery"] == "0" and ead["riskRecoveryStatus"] == ""
    assert ead_path.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")

    doc_schema = schema(package, "ead_doc.xsd")
    first = package / f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000001.xml"
    second = package / f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000002.xml"
    for path in (first, second):
        assert doc_schema.validate(etree.parse(str(path))), doc_schema.error_log
    doc = simpledc(first)
    assert len(doc) == 21
    assert doc["docId"] == f"{FILE_CODE}.1"
    assert doc["docCode"] == f"{FILE_CODE}.0000001"
    assert doc["typeName"] == "02"
    assert doc["issuedDate"] == "05/03/2021"
    assert doc["codeNumber"] == "12" and doc["codeNotation"] == "QĐ-UBND"
    assert doc["organName"] == ORGAN and doc["subject"] == SUBJECT
    assert simpledc(second)["typeName"] == "10"
    assert simpledc(second)["docCode"] == f"{FILE_CODE}.0000002"


def test_xsds_reject_bad_metadata(package: Path) -> None:
    doc_schema = schema(package, "ead_doc.xsd")
    path = package / f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000001.xml"

    wrong_code = etree.parse(str(path))
    wrong_code.getroot().find("typeName").text = "99"
    assert not doc_schema.validate(wrong_code)
    assert "typeName" in str(doc_schema.error_log)

    missing = etree.parse(str(path))
    missing.getroot().remove(missing.getroot().find("subject"))
    assert not doc_schema.validate(missing)

    bad_date = etree.parse(str(path))
    bad_date.getroot().find("issuedDate").text = "2021-03-05"
    assert not doc_schema.validate(bad_date)

    ead_schema = schema(package, "ead.xsd")
    ead = etree.parse(str(package / "metadata/descriptive/EAD.xml"))
    ead.getroot().remove(ead.getroot().find("fileCode"))
    assert not ead_schema.validate(ead)
    ead = etree.parse(str(package / "metadata/descriptive/EAD.xml"))
    ead.getroot().find("language").text = "01 02"
    assert not ead_schema.validate(ead)
    ead.getroot().find("language").text = "01,06"
    assert ead_schema.validate(ead)

    mets_schema = schema(package, "mets_tt05.xsd")
    mets = etree.parse(str(package / "METS.xml"))
    assert mets_schema.validate(mets), mets_schema.error_log
    file = next(mets.getroot().iter(f"{METS}file"))
    del file.attrib["CHECKSUM"]
    assert not mets_schema.validate(mets)
    mets = etree.parse(str(package / "METS.xml"))
    next(mets.getroot().iter(f"{METS}file")).set("CHECKSUMTYPE", "MD5")
    assert not mets_schema.validate(mets)


def test_validate_package_reports_tampering(package: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    data = copy / f"representations/rep1/data/{FILE_CODE}.0000002.pdf"
    content = bytearray(data.read_bytes())
    content[len(content) // 2] ^= 0xFF
    data.write_bytes(bytes(content))
    (copy / "schemas" / "stray.txt").write_text("not in any METS", encoding="utf-8")

    problems = validate_package(copy)
    assert any(f"{FILE_CODE}.0000002.pdf" in problem and "SHA-256" in problem for problem in problems)
    assert any("schemas/stray.txt" in problem and "not referenced" in problem for problem in problems)
    assert not any(f"{FILE_CODE}.0000001.pdf" in problem for problem in problems)

    (copy / "metadata/descriptive/EAD.xml").unlink()
    assert any("metadata/descriptive/EAD.xml" in problem for problem in validate_package(copy))


def test_zip_is_exact_and_deterministic(pdfs: list[Path], tmp_path: Path) -> None:
    first = build(pdfs, tmp_path / "a" / "pkg")
    second = build(pdfs, tmp_path / "b" / "pkg")
    assert (first / "METS.xml").read_bytes() == (second / "METS.xml").read_bytes()
    zip_a = zip_package(first, tmp_path / "zips" / "a.zip")
    zip_b = zip_package(second, tmp_path / "zips" / "b.zip")
    assert zip_a.read_bytes() == zip_b.read_bytes()
    with zipfile.ZipFile(zip_a) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert set(names) == {f"pkg/{rel}" for rel in EXPECTED_TREE}
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            stored = info.filename.endswith(".pdf")  # JPEG inside: deflating them gains nothing
            assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
            assert archive.read(info) == (first / info.filename.removeprefix("pkg/")).read_bytes()
    assert not list((tmp_path / "zips").glob(".*partial"))


def test_too_long_fields_raise_value_error(pdfs: list[Path], tmp_path: Path) -> None:
    dest = tmp_path / "pkg"
    with pytest.raises(ValueError, match="title"):
        build_package(
            dossier(title="x" * 1001), documents(pdfs), dest,
            created=CREATED, software="sohoa", software_version="0.1.0",
        )
    with pytest.raises(ValueError, match="subject"):
        build(pdfs, dest, subject="Trích yếu " * 60)
    # a dossier code of 100 characters is allowed by fileCode, but then docId and docCode are too long
    with pytest.raises(ValueError, match="docId is 102 characters long"):
        build_package(
            dossier(file_code="H49.64.33." + "1" * 90), documents(pdfs), dest,
            created=CREATED, software="sohoa", software_version="0.1.0",
        )
    assert not dest.exists()
    assert not list(tmp_path.glob(".*partial"))


def test_bad_input_raises_value_error(pdfs: list[Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="typeName"):
        build(pdfs, tmp_path / "pkg", type_code="99")
    with pytest.raises(ValueError, match="issuedDate"):
        build_package(
            dossier(start_date=date(2021, 1, 1), end_date=date(2021, 12, 31)),
            documents(pdfs, issued_date=None), tmp_path / "pkg",
            created=CREATED, software="sohoa", software_version="0.1.0",
        )
    with pytest.raises(ValueError, match="riskRecoveryStatus"):
        build_package(
            dossier(risk_recovery="1"), documents(pdfs), tmp_path / "pkg",
            created=CREATED, software="sohoa", software_version="0.1.0",
        )
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "old.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        build(pdfs, taken)


def test_risk_recovery_status_written_when_backed_up(pdfs: list[Path], tmp_path: Path) -> None:
    folder = build_package(
        dossier(risk_recovery="1", risk_recovery_status="01"), documents(pdfs), tmp_path / "pkg",
        created=CREATED, software="sohoa", software_version="0.1.0",
    )
    assert simpledc(folder / "metadata/descriptive/EAD.xml")["riskRecoveryStatus"] == "01"
    doc = simpledc(folder / f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000002.xml")
    assert doc["riskRecovery"] == "1" and doc["riskRecoveryStatus"] == "01"


def test_text_is_nfc(pdfs: list[Path], tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", SUBJECT)
    assert decomposed != SUBJECT
    folder = build(pdfs, tmp_path / "pkg", subject=decomposed + "\x0c")
    raw = (folder / f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000001.xml").read_bytes()
    assert f"<subject>{SUBJECT}</subject>".encode() in raw
    assert decomposed.encode() not in raw


def test_failed_validation_publishes_nothing(
    pdfs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = tmp_path / "strict-schemas"
    shutil.copytree(schema_dir(), strict)
    text = (strict / "ead_doc.xsd").read_text(encoding="utf-8")
    stricter = text.replace('<xs:element name="autograph" type="text2000" minOccurs="0"/>', "")
    assert stricter != text
    (strict / "ead_doc.xsd").write_text(stricter, encoding="utf-8")
    monkeypatch.setattr(build_module, "schema_dir", lambda: strict)

    dest = tmp_path / "out" / "pkg"
    with pytest.raises(PackageError) as failure:
        build(pdfs, dest)
    assert any("autograph" in problem for problem in failure.value.problems)
    assert not dest.exists()
    assert not list(dest.parent.glob(".*partial"))
