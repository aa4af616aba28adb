"""AIP_hoso packages: arcFileCode, the AIP document elements, OBJID as a URN, and PREMIS with the transfer event."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from sohoa.package import AIP_HOSO, Agent, build_package, schema_dir, validate_package
from sohoa.package import mets as mets_module
from tests.test_package import CREATED, FILE_CODE, METS, XLINK_HREF, documents, dossier, simpledc

CSIP = "{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}"
PREMIS = "{http://www.loc.gov/premis/v3}"
ARCHIVE = "H49.26"  # mã cơ quan lưu trữ
ARC_FILE_CODE = f"{ARCHIVE}.{FILE_CODE}"
TESSERACT = Agent("tesseract", version="5.5.4",
                  events=(("transfer", "executing program"), ("metadata extraction", "executing program")))
ARCHIVE_AGENT = Agent("Trung tâm Lưu trữ lịch sử tỉnh Quảng Ninh", type="organization",
                      events=(("transfer", "implementer"),))


def build_aip(pdfs: list[Path], dest: Path, **changes: object) -> Path:
    return build_package(dossier(archive_code=ARCHIVE, **changes), documents(pdfs), dest, created=CREATED,
                         software="sohoa", software_version="0.1.0", package_type=AIP_HOSO,
                         agents=[TESSERACT, ARCHIVE_AGENT])


@pytest.fixture
def aip(tmp_path: Path, pdfs: list[Path]) -> Path:
    return build_aip(pdfs, tmp_path / "out" / "aip")


def premis(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def test_layout_schemas_and_mets_of_an_aip(aip: Path) -> None:
    files = {path.relative_to(aip).as_posix() for path in aip.rglob("*") if path.is_file()}
    assert {"metadata/preservation/PREMIS.xml", "representations/rep1/metadata/preservation/PREMIS_rep1.xml",
            "schemas/premis_tt05.xsd"} <= files
    assert (aip / "schemas/ead.xsd").read_bytes() == (schema_dir() / "aip_hoso/ead.xsd").read_bytes()
    assert (aip / "schemas/ead_doc.xsd").read_bytes() == (schema_dir() / "aip_hoso/ead_doc.xsd").read_bytes()

    root = etree.parse(str(aip / "METS.xml")).getroot()
    uuid = r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}"
    assert re.fullmatch(rf"urn:P_KHCN:uuid-{uuid}", root.get("OBJID", ""))  # urn:<mã phông>:uuid-<UUID>
    assert root.get("PROFILE") == "http://www.ra.ee/METS/v01/IP.xml"
    assert root.find(f"{METS}metsHdr").get(f"{CSIP}OAISPACKAGETYPE") == "AIP"
    digiprov = root.find(f"{METS}amdSec/{METS}digiprovMD")
    md_ref = digiprov.find(f"{METS}mdRef")
    assert md_ref.get("MDTYPE") == "PREMIS" and md_ref.get(XLINK_HREF) == "metadata/preservation/PREMIS.xml"
    data = (aip / "metadata/preservation/PREMIS.xml").read_bytes()
    assert md_ref.get("CHECKSUM") == hashlib.sha256(data).hexdigest().upper()
    metadata_div = next(div for div in root.iter(f"{METS}div") if div.get("LABEL") == "Metadata")
    assert metadata_div.get("ADMID") == digiprov.get("ID")

    rep = etree.parse(str(aip / "representations/rep1/METS.xml")).getroot()
    assert rep.get("PROFILE") == "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"  # rep1 stays CSIP
    assert rep.find(f"{METS}metsHdr").get(f"{CSIP}OAISPACKAGETYPE") == "AIP"
    assert rep.find(f"{METS}structMap/{METS}div").get("TYPE") == "NORMALIZED"
    rep_digiprov = rep.find(f"{METS}amdSec/{METS}digiprovMD")
    assert rep_digiprov.find(f"{METS}mdRef").get(XLINK_HREF) == "metadata/preservation/PREMIS_rep1.xml"
    links = [div for div in rep.iter(f"{METS}div") if div.get("LABEL") == "MetadataLink/File"]
    assert len(links) == 2 and {div.get("ADMID") for div in links} == {rep_digiprov.get("ID")}
    assert validate_package(aip) == []


def test_aip_descriptive_metadata(aip: Path) -> None:
    ead_path = aip / "metadata/descriptive/EAD.xml"
    ead = simpledc(ead_path)
    assert list(ead)[0] == "arcFileCode" and "fileCode" not in ead and len(ead) == 18
    assert ead["arcFileCode"] == ARC_FILE_CODE
    doc_path = aip / f"representations/rep1/metadata/descriptive/EAD_doc_{FILE_CODE}.0000002.xml"
    doc = simpledc(doc_path)
    assert list(doc) == ["arcFileCode", "mode", "language", "keyword", "numberOfPage", "format", "inforSign",
                         "confidenceLevel", "description", "docCode", "docOrdinal", "typeName", "codeNumber",
                         "codeNotation", "issuedDate", "organName", "subject", "autograph", "process"]
    assert doc["arcFileCode"] == ARC_FILE_CODE
    assert doc["docCode"] == f"{ARC_FILE_CODE}.0000002" and doc["docOrdinal"] == "2"
    assert (doc["typeName"], doc["codeNumber"], doc["codeNotation"]) == ("10", "5", "KH-UBND")
    assert doc["issuedDate"] == "20/11/2021"
    # the AIP schemas are not the SIP's: element order is fixed, a SIP element is refused
    schema = etree.XMLSchema(etree.parse(str(aip / "schemas/ead_doc.xsd")))
    tree = etree.parse(str(doc_path))
    assert schema.validate(tree)
    tree.getroot().insert(0, etree.Element("docId"))
    assert not schema.validate(tree)
    ead_tree = etree.parse(str(ead_path))
    ead_tree.getroot().append(ead_tree.getroot()[0])  # arcFileCode moved to the end
    assert not etree.XMLSchema(etree.parse(str(aip / "schemas/ead.xsd"))).validate(ead_tree)


def test_premis_records_the_transfer_its_agents_and_every_file(aip: Path) -> None:
    package = premis(aip / "metadata/preservation/PREMIS.xml")
    objid = etree.parse(str(aip / "METS.xml")).getroot().get("OBJID")
    entity = next(o for o in package.iter(f"{PREMIS}object") if "intellectualEntity" in o.get(
        "{http://www.w3.org/2001/XMLSchema-instance}type", ""))
    assert [i.findtext(f"{PREMIS}objectIdentifierValue") for i in entity.iter(f"{PREMIS}objectIdentifier")] == \
        [objid, ARC_FILE_CODE]
    [transfer] = [e for e in package.iter(f"{PREMIS}event") if e.findtext(f"{PREMIS}eventType") == "transfer"]
    assert transfer.findtext(f"{PREMIS}eventDateTime") == "2025-07-01T09:30:15.123+07:00"
    roles = {(link.findtext(f"{PREMIS}linkingAgentIdentifierValue"), link.findtext(f"{PREMIS}linkingAgentRole"))
             for link in transfer.iter(f"{PREMIS}linkingAgentIdentifier")}
    assert roles == {("sohoa 0.1.0", "executing program"), ("tesseract 5.5.4", "executing program"),
                     ("Trung tâm Lưu trữ lịch sử tỉnh Quảng Ninh", "implementer")}
    versions = {a.findtext(f"{PREMIS}agentName"): a.findtext(f"{PREMIS}agentVersion")
                for a in package.iter(f"{PREMIS}agent")}
    assert versions == {"sohoa": "0.1.0", "tesseract": "5.5.4", "Trung tâm Lưu trữ lịch sử tỉnh Quảng Ninh": None}

    rep = premis(aip / "representations/rep1/metadata/preservation/PREMIS_rep1.xml")
    files = {o.findtext(f".//{PREMIS}contentLocationValue"): o.findtext(f".//{PREMIS}messageDigest")
             for o in rep.iter(f"{PREMIS}object") if o.find(f".//{PREMIS}fixity") is not None}
    data = sorted((aip / "representations/rep1/data").iterdir())
    assert files == {f"data/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest().upper() for path in data}
    assert {e.findtext(f"{PREMIS}eventType") for e in rep.iter(f"{PREMIS}event")} == \
        {"metadata extraction", "message digest calculation"}  # not signed: no signature event
    doc_codes = {i.findtext(f"{PREMIS}objectIdentifierValue") for i in rep.iter(f"{PREMIS}objectIdentifier")
                 if i.findtext(f"{PREMIS}objectIdentifierType") == "docCode"}
    assert doc_codes == {f"{ARC_FILE_CODE}.0000001", f"{ARC_FILE_CODE}.0000002"}


def rewrite_checksum(mets_path: Path, href: str) -> None:
    """Make a METS agree with an edited file again, so that only the PREMIS checks can notice the edit."""
    tree = etree.parse(str(mets_path))
    data = (mets_path.parent / href).read_bytes()
    for element in tree.getroot().iter(f"{METS}mdRef"):
        if element.get(XLINK_HREF) == href:
            element.set("CHECKSUM", hashlib.sha256(data).hexdigest().upper())
            element.set("SIZE", str(len(data)))
    tree.write(str(mets_path), xml_declaration=True, encoding="UTF-8")


def test_validation_catches_broken_preservation_metadata(aip: Path, tmp_path: Path) -> None:
    rel = "metadata/preservation/PREMIS_rep1.xml"
    wrong = tmp_path / "wrong-digest"
    shutil.copytree(aip, wrong)
    text = (wrong / "representations/rep1" / rel).read_text(encoding="utf-8")
    digest = re.search(r"<messageDigest>([0-9A-F]{64})</messageDigest>", text)
    assert digest is not None
    (wrong / "representations/rep1" / rel).write_text(text.replace(digest.group(1), "0" * 64, 1), encoding="utf-8")
    rewrite_checksum(wrong / "representations/rep1/METS.xml", rel)
    problems = validate_package(wrong)
    assert any(f"representations/rep1/{rel}: SHA-256 of data/" in p and "0" * 64 in p for p in problems), problems

    no_transfer = tmp_path / "no-transfer"
    shutil.copytree(aip, no_transfer)
    path = no_transfer / "metadata/preservation/PREMIS.xml"
    path.write_text(path.read_text(encoding="utf-8").replace(">transfer<", ">ingestion<"), encoding="utf-8")
    rewrite_checksum(no_transfer / "METS.xml", "metadata/preservation/PREMIS.xml")
    assert validate_package(no_transfer) == [
        "metadata/preservation/PREMIS.xml: no transfer event (the digitization, TT 05/2025)"]

    unknown_agent = tmp_path / "unknown-agent"
    shutil.copytree(aip, unknown_agent)
    path = unknown_agent / "metadata/preservation/PREMIS.xml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "<linkingAgentIdentifierValue>tesseract 5.5.4<", "<linkingAgentIdentifierValue>tesseract 4.0<"),
        encoding="utf-8")
    rewrite_checksum(unknown_agent / "METS.xml", "metadata/preservation/PREMIS.xml")
    assert validate_package(unknown_agent) == [
        "metadata/preservation/PREMIS.xml: event transfer: agent 'tesseract 4.0' is not described"]

    missing = tmp_path / "missing"
    shutil.copytree(aip, missing)
    (missing / "metadata/preservation/PREMIS.xml").unlink()
    assert "metadata/preservation/PREMIS.xml: missing" in validate_package(missing)


def test_aip_needs_the_archive_code_and_differs_from_the_sip(pdfs: list[Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mã cơ quan lưu trữ"):
        build_package(dossier(), documents(pdfs), tmp_path / "a", created=CREATED, software="sohoa",
                      software_version="0.1.0", package_type=AIP_HOSO)
    with pytest.raises(ValueError, match="package type must be one of SIP_hoso, AIP_hoso"):
        build_package(dossier(), documents(pdfs), tmp_path / "b", created=CREATED, software="sohoa",
                      software_version="0.1.0", package_type="DIP")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    # a dossier code that already starts with the archive's code is not prefixed twice
    aip = build_aip(pdfs, tmp_path / "c", file_code=ARC_FILE_CODE)
    assert simpledc(aip / "metadata/descriptive/EAD.xml")["arcFileCode"] == ARC_FILE_CODE
    # without a fond code that can stand in a URN the OBJID is urn:uuid:<UUID>
    plain = build_aip(pdfs, tmp_path / "d", fond_code="phông cũ")
    objid = etree.parse(str(plain / "METS.xml")).getroot().get("OBJID", "")
    assert objid.startswith("urn:uuid:")
    assert objid != mets_module.object_id(FILE_CODE, "METS.xml")  # the SIP of the same dossier is another package
    assert validate_package(plain) == []
