"""METS writers and readers for TT 05/2025 SIP_hoso and AIP_hoso packages (STANDARDS.md §5.3, E-ARK CSIP).

Two METS files per package: the root `METS.xml` (package EAD, schemas, the rep1 METS) and
`representations/rep1/METS.xml` (document EAD_docs and data files). Every referenced file carries its SIZE and
SHA-256 (upper-case hex); hrefs are relative to the folder of the METS file that holds them. An AIP_hoso also
points from an amdSec/digiprovMD of each METS to its PREMIS file, and the structMap divs name it in ADMID.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from lxml import etree

from sohoa import workspace
from sohoa.vocab import nfc

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
NSMAP = {None: METS_NS, "xlink": XLINK_NS, "xsi": XSI_NS, "csip": CSIP_NS, "sip": SIP_NS}

PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
AIP_PROFILE = "http://www.ra.ee/METS/v01/IP.xml"  # root METS of an AIP (§5.3); its rep1 METS keeps PROFILE
SIP, AIP = "SIP", "AIP"  # csip:OAISPACKAGETYPE
_URN_PART = re.compile(r"^[A-Za-z0-9._-]+$")
CHECKSUM_TYPE = "SHA-256"
XML_MIMETYPE = "text/xml"
VN_TZ = timezone(timedelta(hours=7))

# Fixed namespace of every UUID sohoa writes into a package: uuid5(this, "<file_code>/<element path>").
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sohoa:package:tt05-2025:sip-hoso")


def m(tag: str) -> str:
    return f"{{{METS_NS}}}{tag}"


def xl(attr: str) -> str:
    return f"{{{XLINK_NS}}}{attr}"


def cs(attr: str) -> str:
    return f"{{{CSIP_NS}}}{attr}"


def timestamp(moment: datetime) -> str:
    """`YYYY-MM-DDThh:mm:ss.sss+07:00`; a naive datetime is taken as Vietnam time (UTC+7) already."""
    local = moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment.astimezone(VN_TZ)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+07:00"


def package_uuid(file_code: str, element_path: str) -> str:
    """Deterministic upper-case UUID for one element of one dossier's package."""
    return str(uuid.uuid5(UUID_NAMESPACE, f"{nfc(file_code)}/{element_path}")).upper()


def sha256_file(path: Path) -> str:
    """SHA-256 as METS writes it: upper-case hex (the TT05 sample package's convention)."""
    return workspace.sha256_file(path).upper()


@dataclass(frozen=True)
class FileRef:
    """A file referenced from a METS: href relative to the METS folder, with its size and SHA-256."""

    href: str
    mimetype: str
    size: int
    checksum: str

    @classmethod
    def of(cls, mets_dir: Path, path: Path, mimetype: str) -> FileRef:
        href = PurePosixPath(*path.relative_to(mets_dir).parts).as_posix()
        return cls(href, mimetype, path.stat().st_size, sha256_file(path))


@dataclass(frozen=True)
class DocumentRefs:
    """One document of rep1: its EAD_doc metadata file, its data file (PDF) and the PDF's OCR (ALTO)."""

    metadata: FileRef
    data: FileRef
    ocr: FileRef | None = None

    @property
    def files(self) -> list[FileRef]:
        return [self.data, *([self.ocr] if self.ocr else [])]


class _Ids:
    """IDs of one METS file: `uuid-<UUID>` for elements, `ID-<UUID>` for `<file>` (§5.3). An AIP's UUIDs differ
    from the SIP's of the same dossier: they are two packages."""

    def __init__(self, file_code: str, mets_href: str, oais_type: str = SIP, fond_code: str = "") -> None:
        self.file_code = file_code
        self.mets_href = mets_href if oais_type == SIP else f"{oais_type}/{mets_href}"
        self.oais_type = oais_type
        self.fond_code = fond_code

    def uuid(self, path: str) -> str:
        return "uuid-" + package_uuid(self.file_code, f"{self.mets_href}#{path}")

    def file(self, path: str) -> str:
        return "ID-" + package_uuid(self.file_code, f"{self.mets_href}#{path}")

    def objid(self) -> str:
        """SIP: `uuid-<UUID>`; AIP: `urn:<mã phông>:uuid-<UUID>`, or `urn:uuid:<UUID>` without a fond code that
        can stand in a URN (§3.7)."""
        if self.oais_type == SIP:
            return self.uuid("mets")
        value = package_uuid(self.file_code, f"{self.mets_href}#mets")
        fond = nfc(self.fond_code)
        return f"urn:{fond}:uuid-{value}" if _URN_PART.match(fond) else f"urn:uuid:{value}"


REP1_METS_HREF = "representations/rep1/METS.xml"


def object_id(file_code: str, mets_href: str, oais_type: str = SIP, fond_code: str = "") -> str:
    """The OBJID of the METS file `mets_href` of a dossier's package (what PREMIS names the package by)."""
    return _Ids(file_code, mets_href, oais_type, fond_code).objid()


def rep1_file_uuid(file_code: str, href: str, oais_type: str = SIP, fond_code: str = "") -> str:
    """The UUID of the rep1 METS `<file>` ID (`ID-<UUID>`) of the data file `href` (relative to rep1)."""
    return _Ids(file_code, REP1_METS_HREF, oais_type, fond_code).file(f"file/{href}").removeprefix("ID-")


def _root(ids: _Ids, label: str, schema_href: str, profile: str = PROFILE) -> etree._Element:
    root = etree.Element(m("mets"), nsmap=NSMAP)
    root.set("OBJID", ids.objid())
    root.set("LABEL", nfc(label))
    root.set("TYPE", "Mixed")
    root.set("PROFILE", profile)
    root.set(cs("CONTENTINFORMATIONTYPE"), "MIXED")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{METS_NS} {schema_href}")
    return root


def _header(root: etree._Element, created: str, software: str, software_version: str,
            oais_type: str) -> etree._Element:
    header = etree.SubElement(root, m("metsHdr"))
    header.set("CREATEDATE", created)
    header.set("LASTMODDATE", created)
    header.set("RECORDSTATUS", "NEW")
    header.set(cs("OAISPACKAGETYPE"), oais_type)
    agent = etree.SubElement(header, m("agent"))
    agent.set("ROLE", "CREATOR")
    agent.set("TYPE", "OTHER")
    agent.set("OTHERTYPE", "SOFTWARE")
    etree.SubElement(agent, m("name")).text = nfc(software)
    note = etree.SubElement(agent, m("note"))
    note.set(cs("NOTETYPE"), "SOFTWARE VERSION")
    note.text = nfc(software_version)
    return header


def _md_ref(section: etree._Element, ref: FileRef, created: str) -> etree._Element:
    md_ref = etree.SubElement(section, m("mdRef"))
    md_ref.set("LOCTYPE", "URL")
    md_ref.set("MIMETYPE", ref.mimetype)
    md_ref.set("SIZE", str(ref.size))
    md_ref.set("CREATED", created)
    md_ref.set("CHECKSUMTYPE", CHECKSUM_TYPE)
    md_ref.set("CHECKSUM", ref.checksum)
    md_ref.set(xl("type"), "simple")
    md_ref.set(xl("href"), ref.href)
    return md_ref


def _dmd_sec(root: etree._Element, dmd_id: str, ref: FileRef, created: str) -> None:
    dmd = etree.SubElement(root, m("dmdSec"))
    dmd.set("ID", dmd_id)
    dmd.set("CREATED", created)
    dmd.set("STATUS", "CURRENT")
    md_ref = _md_ref(dmd, ref, created)
    md_ref.set("MDTYPE", "OTHER")
    md_ref.set("OTHERMDTYPE", "TT05-EAD")


def _amd_sec(root: etree._Element, ids: _Ids, premis: FileRef | None, created: str) -> str:
    """The amdSec: empty in a SIP (as in the TT05 sample), a digiprovMD pointing to the PREMIS file in an AIP.
    Returns the digiprovMD's ID for the structMap's ADMID ("" in a SIP)."""
    amd = etree.SubElement(root, m("amdSec"))
    amd.set("ID", ids.uuid("amdSec"))
    if premis is None:
        return ""
    digiprov_id = ids.uuid(f"digiprovMD/{premis.href}")
    digiprov = etree.SubElement(amd, m("digiprovMD"))
    digiprov.set("ID", digiprov_id)
    digiprov.set("STATUS", "CURRENT")
    md_ref = _md_ref(digiprov, premis, created)
    md_ref.set("MDTYPE", "PREMIS")
    md_ref.set("MDTYPEVERSION", "3.0")
    return digiprov_id


def _file(group: etree._Element, file_id: str, ref: FileRef, created: str) -> None:
    element = etree.SubElement(group, m("file"))
    element.set("ID", file_id)
    element.set("MIMETYPE", ref.mimetype)
    element.set("SIZE", str(ref.size))
    element.set("CREATED", created)
    element.set("CHECKSUM", ref.checksum)
    element.set("CHECKSUMTYPE", CHECKSUM_TYPE)
    location = etree.SubElement(element, m("FLocat"))
    location.set("LOCTYPE", "URL")
    location.set(xl("type"), "simple")
    location.set(xl("href"), ref.href)


def _div(parent: etree._Element, div_id: str, label: str) -> etree._Element:
    div = etree.SubElement(parent, m("div"))
    div.set("ID", div_id)
    div.set("LABEL", label)
    return div


def _fptr(div: etree._Element, file_id: str) -> None:
    etree.SubElement(div, m("fptr")).set("FILEID", file_id)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def rep1_mets(
    *,
    file_code: str,
    label: str,
    documents: Sequence[DocumentRefs],
    created: str,
    software: str,
    software_version: str,
    fond_code: str,
    fond_name: str,
    oais_type: str = SIP,
    premis: FileRef | None = None,
) -> bytes:
    """`representations/rep1/METS.xml`: a dmdSec per EAD_doc, fileGrp Data, MetadataLink divs (AIP: an amdSec
    pointing to PREMIS_rep1.xml, named by every MetadataLink/File div)."""
    ids = _Ids(file_code, REP1_METS_HREF, oais_type, fond_code)
    root = _root(ids, label, "../../schemas/mets_tt05.xsd")
    header = _header(root, created, software, software_version, oais_type)
    if fond_code:
        agent = etree.SubElement(header, m("agent"))
        agent.set("ROLE", "CREATOR")
        agent.set("TYPE", "ORGANIZATION")
        etree.SubElement(agent, m("name")).text = nfc(fond_name or fond_code)
        note = etree.SubElement(agent, m("note"))
        note.set(cs("NOTETYPE"), "IDENTIFICATIONCODE")
        note.text = nfc(fond_code)
    for doc in documents:
        _dmd_sec(root, ids.uuid(f"dmdSec/{doc.metadata.href}"), doc.metadata, created)
    adm_id = _amd_sec(root, ids, premis, created)
    file_sec = etree.SubElement(root, m("fileSec"))
    file_sec.set("ID", ids.uuid("fileSec"))
    data_group = etree.SubElement(file_sec, m("fileGrp"))
    data_group.set("ID", ids.uuid("fileGrp/Data"))
    data_group.set("USE", "Data")
    for doc in documents:
        for ref in doc.files:
            _file(data_group, ids.file(f"file/{ref.href}"), ref, created)
    struct = etree.SubElement(root, m("structMap"))
    struct.set("ID", ids.uuid("structMap"))
    struct.set("TYPE", "PHYSICAL")
    struct.set("LABEL", "CSIP")
    top = _div(struct, ids.uuid("div/rep1"), "rep1")
    top.set("TYPE", "ORIGINAL" if oais_type == SIP else "NORMALIZED")
    data_div = _div(top, ids.uuid("div/Data"), "Data")
    for doc in documents:
        for ref in doc.files:
            _fptr(data_div, ids.file(f"file/{ref.href}"))
    links = _div(top, ids.uuid("div/MetadataLink"), "MetadataLink")
    for doc in documents:
        link = _div(links, ids.uuid(f"div/MetadataLink/{doc.data.href}"), "MetadataLink/File")
        link.set("DMDID", ids.uuid(f"dmdSec/{doc.metadata.href}"))
        if adm_id:
            link.set("ADMID", adm_id)
        for ref in doc.files:
            _fptr(link, ids.file(f"file/{ref.href}"))
    return _serialize(root)


def root_mets(
    *,
    file_code: str,
    label: str,
    ead: FileRef,
    schemas: Sequence[FileRef],
    rep1: FileRef,
    created: str,
    software: str,
    software_version: str,
    fond_code: str = "",
    oais_type: str = SIP,
    premis: FileRef | None = None,
) -> bytes:
    """The package's root `METS.xml`: dmdSec of EAD.xml, fileGrps Schemas and Representations/rep1 (AIP: an
    amdSec pointing to PREMIS.xml, named by the Metadata div; the AIP profile)."""
    ids = _Ids(file_code, "METS.xml", oais_type, fond_code)
    root = _root(ids, label, "schemas/mets_tt05.xsd", PROFILE if oais_type == SIP else AIP_PROFILE)
    header = _header(root, created, software, software_version, oais_type)
    alt = etree.SubElement(header, m("altRecordID"))
    alt.set("TYPE", "SUBMISSIONAGREEMENT")
    alt.text = nfc(file_code)
    dmd_id = ids.uuid(f"dmdSec/{ead.href}")
    _dmd_sec(root, dmd_id, ead, created)
    adm_id = _amd_sec(root, ids, premis, created)
    file_sec = etree.SubElement(root, m("fileSec"))
    file_sec.set("ID", ids.uuid("fileSec"))
    schema_group = etree.SubElement(file_sec, m("fileGrp"))
    schema_group.set("ID", ids.uuid("fileGrp/Schemas"))
    schema_group.set("USE", "Schemas")
    for ref in schemas:
        _file(schema_group, ids.file(f"file/{ref.href}"), ref, created)
    rep_group = etree.SubElement(file_sec, m("fileGrp"))
    rep_group_id = ids.uuid("fileGrp/Representations/rep1")
    rep_group.set("ID", rep_group_id)
    rep_group.set("USE", "Representations/rep1")
    _file(rep_group, ids.file(f"file/{rep1.href}"), rep1, created)
    struct = etree.SubElement(root, m("structMap"))
    struct.set("ID", ids.uuid("structMap"))
    struct.set("TYPE", "PHYSICAL")
    struct.set("LABEL", "CSIP")
    top = _div(struct, ids.uuid("div"), ids.objid())
    metadata_div = _div(top, ids.uuid("div/Metadata"), "Metadata")
    metadata_div.set("DMDID", dmd_id)
    if adm_id:
        metadata_div.set("ADMID", adm_id)
    schema_div = _div(top, ids.uuid("div/Schemas"), "Schemas")
    for ref in schemas:
        _fptr(schema_div, ids.file(f"file/{ref.href}"))
    rep_div = _div(top, ids.uuid("div/Representations/rep1"), "Representations/rep1")
    mptr = etree.SubElement(rep_div, m("mptr"))
    mptr.set("LOCTYPE", "URL")
    mptr.set(xl("type"), "simple")
    mptr.set(xl("href"), rep1.href)
    mptr.set(xl("title"), rep_group_id)
    return _serialize(root)


@dataclass(frozen=True)
class Reference:
    """A checksummed reference read back from a METS file (mdRef or file/FLocat)."""

    mets: Path
    element: str  # "mdRef" or "file"
    element_id: str
    href: str
    size: str
    checksum: str
    checksum_type: str


def read_references(mets_path: Path) -> list[Reference]:
    """Every mdRef and file/FLocat of a METS file, with the size and checksum it claims."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(mets_path), parser).getroot()
    found: list[Reference] = []
    for md_ref in root.iter(m("mdRef")):
        section = md_ref.getparent()
        found.append(
            Reference(
                mets_path,
                "mdRef",
                section.get("ID", "") if section is not None else "",
                md_ref.get(xl("href"), ""),
                md_ref.get("SIZE", ""),
                md_ref.get("CHECKSUM", ""),
                md_ref.get("CHECKSUMTYPE", ""),
            )
        )
    for file_element in root.iter(m("file")):
        locations = file_element.findall(m("FLocat"))
        hrefs = [location.get(xl("href"), "") for location in locations] or [""]
        for href in hrefs:
            found.append(
                Reference(
                    mets_path,
                    "file",
                    file_element.get("ID", ""),
                    href,
                    file_element.get("SIZE", ""),
                    file_element.get("CHECKSUM", ""),
                    file_element.get("CHECKSUMTYPE", ""),
                )
            )
    return found


def read_mptrs(mets_path: Path) -> list[str]:
    """xlink:href of every mptr (the representation METS files a root METS points to)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(mets_path), parser).getroot()
    return [mptr.get(xl("href"), "") for mptr in root.iter(m("mptr"))]


def unlinked_ids(mets_path: Path) -> list[str]:
    """Messages for dmdSecs and files of a METS that no structMap div points to."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(mets_path), parser).getroot()
    pointed: set[str] = set()
    for div in root.iter(m("div")):
        pointed.update((div.get("DMDID") or "").split())
        pointed.update((div.get("ADMID") or "").split())
    for fptr in root.iter(m("fptr")):
        pointed.add(fptr.get("FILEID", ""))
    for mptr in root.iter(m("mptr")):
        pointed.add(mptr.get(xl("title"), ""))
    problems = []
    for dmd in root.iter(m("dmdSec")):
        if dmd.get("ID") not in pointed:
            problems.append(f"dmdSec {dmd.get('ID')} is not linked from the structMap")
    for digiprov in root.iter(m("digiprovMD")):
        if digiprov.get("ID") not in pointed:
            problems.append(f"digiprovMD {digiprov.get('ID')} is not linked from the structMap")
    for group in root.iter(m("fileGrp")):
        if group.get("ID") in pointed:
            continue
        for file_element in group.iter(m("file")):
            if file_element.get("ID") not in pointed:
                problems.append(f"file {file_element.get('ID')} is not linked from the structMap")
    return problems


def read_package_type(mets_path: Path) -> str:
    """csip:OAISPACKAGETYPE of a METS file's header ("" when absent)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    header = etree.parse(str(mets_path), parser).getroot().find(m("metsHdr"))
    return "" if header is None else header.get(cs("OAISPACKAGETYPE"), "")
