"""PREMIS 3.0 preservation metadata of an AIP_hoso (STANDARDS.md §5.4): PREMIS.xml and PREMIS_rep1.xml.

`PREMIS.xml` (package): the dossier as an intellectual entity named by the package's OBJID and arcFileCode, its
representation rep1, the `transfer` event TT05 fixes for digitization, and the agents that did it (the archive
as implementer, each tool with its version as executing program). `PREMIS_rep1.xml` (representation): one file
object per data file (SHA-256, size, format with its PRONOM key), the events that made the files (text
recognition, agency signature, message digests) and their agents. Both are checked against
`include/schemas/premis_tt05.xsd` and cross-checked with `read_contents` / `check_links`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from sohoa.vocab import nfc

from .mets import XSI_NS, FileRef, package_uuid

PREMIS_NS = "http://www.loc.gov/premis/v3"
NSMAP = {None: PREMIS_NS, "xsi": XSI_NS}
PDFA_FORMAT = ("Acrobat PDF/A - Portable Document Format", "2b", "fmt/477")  # name, version, PRONOM key
PDF_FORMAT = ("Portable Document Format", "", "")
ALTO_FORMAT = ("ALTO", "", "")


def p(tag: str) -> str:
    return f"{{{PREMIS_NS}}}{tag}"


REVIEW_EVENT = "metadata modification"  # an archivist's review (kiểm duyệt) of what the machine read


@dataclass(frozen=True)
class Agent:
    """Who took part in making the package: a tool (type "software", with its version), an organization, or a
    person (the archivist who reviewed the metadata)."""

    name: str
    type: str = "software"
    version: str = ""
    # (event type, linkingAgentRole) of each event it took part in
    events: tuple[tuple[str, str], ...] = (("transfer", "executing program"),)

    @property
    def identifier(self) -> str:
        return nfc(f"{self.name} {self.version}".strip())


@dataclass(frozen=True)
class PreservedFile:
    """A data file of rep1 as PREMIS describes it."""

    ref: FileRef  # href relative to rep1, size, SHA-256
    uuid: str  # the UUID of its METS <file> ID
    doc_code: str = ""  # docCode of the document it holds (PDFs)
    signed: bool = False


def _text(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, p(tag))
    element.text = nfc(value)
    return element


def _pair(parent: etree._Element, tag: str, kind: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, p(tag))
    _text(element, f"{tag}Type", kind)
    _text(element, f"{tag}Value", value)
    return element


def _object(root: etree._Element, kind: str, xml_id: str, identifiers: Sequence[tuple[str, str]]) -> etree._Element:
    element = etree.SubElement(root, p("object"))
    element.set(f"{{{XSI_NS}}}type", kind)
    element.set("xmlID", xml_id)
    for id_type, value in identifiers:
        _pair(element, "objectIdentifier", id_type, value)
    return element


def _relationship(parent: etree._Element, sub_type: str, id_type: str, value: str) -> None:
    relationship = etree.SubElement(parent, p("relationship"))
    _text(relationship, "relationshipType", "structural")
    _text(relationship, "relationshipSubType", sub_type)
    _pair(relationship, "relatedObjectIdentifier", id_type, value)


@dataclass(frozen=True)
class _Event:
    type: str
    detail: str
    note: str
    objects: tuple[tuple[str, str], ...]  # (identifier type, value) of its outcome objects


def _events(root: etree._Element, file_code: str, scope: str, when: str, events: Sequence[_Event],
            agents: Sequence[Agent]) -> None:
    for event in events:
        element = etree.SubElement(root, p("event"))
        key = package_uuid(file_code, f"premis/{scope}/event/{event.type}")
        element.set("xmlID", f"uuid-{key}")
        _pair(element, "eventIdentifier", "UUID", key)
        _text(element, "eventType", event.type)
        _text(element, "eventDateTime", when)
        _text(etree.SubElement(element, p("eventDetailInformation")), "eventDetail", event.detail)
        outcome = etree.SubElement(element, p("eventOutcomeInformation"))
        _text(outcome, "eventOutcome", "success")
        _text(etree.SubElement(outcome, p("eventOutcomeDetail")), "eventOutcomeDetailNote", event.note)
        for agent in agents:
            for role in (role for kind, role in agent.events if kind == event.type):
                link = _pair(element, "linkingAgentIdentifier", "local", agent.identifier)
                _text(link, "linkingAgentRole", role)
        for id_type, value in event.objects:
            link = _pair(element, "linkingObjectIdentifier", id_type, value)
            _text(link, "linkingObjectRole", "outcome")


def _agents(root: etree._Element, file_code: str, agents: Sequence[Agent], events: Sequence[_Event]) -> None:
    used = {event.type for event in events}
    for agent in agents:
        if not used & {kind for kind, _ in agent.events}:
            continue
        element = etree.SubElement(root, p("agent"))
        element.set("xmlID", "uuid-" + package_uuid(file_code, f"premis/agent/{agent.identifier}"))
        _pair(element, "agentIdentifier", "local", agent.identifier)
        _text(element, "agentName", agent.name)
        _text(element, "agentType", agent.type)
        if agent.version:
            _text(element, "agentVersion", agent.version)


def _document(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _root(schema_href: str) -> etree._Element:
    root = etree.Element(p("premis"), nsmap=NSMAP)
    root.set("version", "3.0")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{PREMIS_NS} {schema_href}")
    return root


def package_premis(*, file_code: str, objid: str, rep_objid: str, arc_file_code: str, paper_file_code: str,
                   created: str, pages: int, documents: int, agents: Sequence[Agent]) -> bytes:
    """`metadata/preservation/PREMIS.xml`: the dossier, rep1, the digitization (`transfer`) and its agents."""
    root = _root("../../schemas/premis_tt05.xsd")
    entity = _object(root, "intellectualEntity", "uuid-" + package_uuid(file_code, "premis/entity"),
                     [("URN", objid), ("arcFileCode", arc_file_code)])
    if paper_file_code:
        _text(entity, "originalName", paper_file_code)
    _relationship(entity, "has part", "URN", rep_objid)
    representation = _object(root, "representation", "uuid-" + package_uuid(file_code, "premis/rep1"),
                             [("URN", rep_objid)])
    _relationship(representation, "is part of", "URN", objid)
    what = f"Số hóa hồ sơ {arc_file_code}: {pages} trang ảnh quét thành {documents} tài liệu PDF/A-2b hai lớp"
    events = [_Event("transfer", what, f"{documents} tài liệu, {pages} trang", (("URN", objid), ("URN", rep_objid)))]
    if reviewers := [a.name for a in agents if any(kind == REVIEW_EVENT for kind, _ in a.events)]:
        events.append(_Event(REVIEW_EVENT, f"Kiểm duyệt nội dung hồ sơ {arc_file_code}: siêu dữ liệu do máy đọc "
                             "được người kiểm tra, sửa và phê duyệt", "; ".join(reviewers), (("URN", objid),)))
    _events(root, file_code, "package", created, events, agents)
    _agents(root, file_code, agents, events)
    return _document(root)


def representation_premis(*, file_code: str, objid: str, rep_objid: str, created: str,
                          files: Sequence[PreservedFile], pdfa: bool, agents: Sequence[Agent]) -> bytes:
    """`representations/rep1/metadata/preservation/PREMIS_rep1.xml`: rep1, its files and how they were made."""
    root = _root("../../../../schemas/premis_tt05.xsd")
    representation = _object(root, "representation", "uuid-" + package_uuid(file_code, "premis/rep1/rep1"),
                             [("URN", rep_objid)])
    _relationship(representation, "is part of", "URN", objid)
    for preserved in files:
        identifiers = [("UUID", preserved.uuid)] + ([("docCode", preserved.doc_code)] if preserved.doc_code else [])
        element = _object(root, "file", f"uuid-{preserved.uuid}", identifiers)
        characteristics = etree.SubElement(element, p("objectCharacteristics"))
        _text(characteristics, "compositionLevel", "0")
        fixity = etree.SubElement(characteristics, p("fixity"))
        _text(fixity, "messageDigestAlgorithm", "SHA-256")
        _text(fixity, "messageDigest", preserved.ref.checksum)
        _text(characteristics, "size", str(preserved.ref.size))
        name, version, key = _format(preserved.ref, pdfa)
        format_element = etree.SubElement(characteristics, p("format"))
        designation = etree.SubElement(format_element, p("formatDesignation"))
        _text(designation, "formatName", name)
        if version:
            _text(designation, "formatVersion", version)
        if key:
            registry = etree.SubElement(format_element, p("formatRegistry"))
            _text(registry, "formatRegistryName", "PRONOM")
            _text(registry, "formatRegistryKey", key)
        location = etree.SubElement(etree.SubElement(element, p("storage")), p("contentLocation"))
        _text(location, "contentLocationType", "URI")
        _text(location, "contentLocationValue", preserved.ref.href)
        _relationship(element, "is part of", "URN", rep_objid)
    pdfs = tuple(("UUID", f.uuid) for f in files if f.ref.href.endswith(".pdf"))
    altos = tuple(("UUID", f.uuid) for f in files if not f.ref.href.endswith(".pdf"))
    signed = tuple(("UUID", f.uuid) for f in files if f.signed)
    events = [
        _Event("metadata extraction", "Nhận dạng chữ (OCR, tiếng Việt) và trích xuất thông tin mô tả tài liệu",
               f"{len(pdfs)} tệp PDF có lớp văn bản, {len(altos)} tệp ALTO", pdfs + altos),
        *([_Event("digital signature generation", "Ký số PAdES của cơ quan trên từng tệp PDF/A",
                  f"{len(signed)} tệp đã ký", signed)] if signed else []),
        _Event("message digest calculation", "Tính SHA-256 của từng tệp dữ liệu", f"{len(files)} tệp",
               tuple(("UUID", f.uuid) for f in files)),
    ]
    _events(root, file_code, "rep1", created, events, agents)
    _agents(root, file_code, agents, events)
    return _document(root)


def _format(ref: FileRef, pdfa: bool) -> tuple[str, str, str]:
    if ref.mimetype == "application/pdf":
        return PDFA_FORMAT if pdfa else PDF_FORMAT
    return ALTO_FORMAT


@dataclass(frozen=True)
class Contents:
    """What a PREMIS document says, for the package validator."""

    objects: frozenset[str]  # every objectIdentifierValue
    events: frozenset[str]  # every eventType
    digests: dict[str, str]  # contentLocationValue -> messageDigest of every file object


def read_contents(data: bytes) -> Contents:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    digests = {}
    for element in root.iter(p("object")):
        location = element.findtext(f"{p('storage')}/{p('contentLocation')}/{p('contentLocationValue')}")
        digest = element.findtext(f"{p('objectCharacteristics')}/{p('fixity')}/{p('messageDigest')}")
        if location and digest:
            digests[location] = digest
    return Contents(frozenset(e.text or "" for e in root.iter(p("objectIdentifierValue"))),
                    frozenset(e.text or "" for e in root.iter(p("eventType"))), digests)


def check_links(data: bytes) -> list[str]:
    """Problems of a PREMIS document's cross references: every linked agent is described, every event's
    outcome object is an object of the document (or the package / rep1 it names), no event lacks an agent."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    agents = {a.findtext(f"{p('agentIdentifier')}/{p('agentIdentifierValue')}") for a in root.iter(p("agent"))}
    objects = {o.findtext(p("objectIdentifierValue")) for o in root.iter(p("objectIdentifier"))}
    objects |= {o.findtext(p("relatedObjectIdentifierValue")) for o in root.iter(p("relatedObjectIdentifier"))}
    problems = []
    for event in root.iter(p("event")):
        kind = event.findtext(p("eventType"))
        for link in event.iter(p("linkingAgentIdentifier")):
            if link.findtext(p("linkingAgentIdentifierValue")) not in agents:
                problems.append(f"event {kind}: agent {link.findtext(p('linkingAgentIdentifierValue'))!r} "
                                "is not described")
        for link in event.iter(p("linkingObjectIdentifier")):
            if link.findtext(p("linkingObjectIdentifierValue")) not in objects:
                problems.append(f"event {kind}: object {link.findtext(p('linkingObjectIdentifierValue'))!r} "
                                "is not described")
    return problems
