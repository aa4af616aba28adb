"""Build, check and zip TT 05/2025 SIP_hoso and AIP_hoso packages (STANDARDS.md §5.2, §5.3, §5.4, §5.9).

Layout written by `build_package` (STT7 = the document's ordinal padded to 7 digits):

    <dest>/
      METS.xml
      metadata/descriptive/EAD.xml
      metadata/preservation/PREMIS.xml                                          (AIP_hoso)
      representations/rep1/METS.xml
      representations/rep1/metadata/descriptive/EAD_doc_<fileCode>.<STT7>.xml
      representations/rep1/metadata/preservation/PREMIS_rep1.xml                (AIP_hoso)
      representations/rep1/data/<fileCode>.<STT7>.pdf        (and .alto.xml: its OCR text, when given)
      schemas/ead.xsd, schemas/ead_doc.xsd, schemas/mets_tt05.xsd (AIP_hoso: and schemas/premis_tt05.xsd)

The package is assembled under a hidden temporary name next to `dest`, checked (XSD validation of every XML
file and every METS checksum recomputed) and only then renamed to `dest`: a package that fails its checks is
never published.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
import zipfile
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from sohoa.names import unusable
from sohoa.parallel import process_map

from . import mets, premis
from .ead import (
    check_package_type,
    clean_text,
    document_fields,
    dossier_fields,
    ordinal7,
    simpledc_xml,
)
from .model import (
    AIP_HOSO,
    EAD_DOC_XSD,
    EAD_XSD,
    METS_XSD,
    PREMIS_XSD,
    SCHEMA_SOURCES,
    SIP_HOSO,
    DocumentDescription,
    DossierDescription,
    PackageError,
)
from .premis import Agent

log = logging.getLogger(__name__)

ROOT_METS = "METS.xml"
EAD_PATH = "metadata/descriptive/EAD.xml"
REP1 = "representations/rep1"
REP1_METS = f"{REP1}/METS.xml"
REP1_DESCRIPTIVE = f"{REP1}/metadata/descriptive"
REP1_DATA = f"{REP1}/data"
PREMIS_PATH = "metadata/preservation/PREMIS.xml"
REP1_PREMIS = f"{REP1}/metadata/preservation/PREMIS_rep1.xml"
PDF_MIMETYPE = "application/pdf"
XSD_MIMETYPE = "application/xml"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_MAX_ERRORS_PER_FILE = 20


def schema_dir() -> Path:
    """`include/schemas` of the source tree (sohoa/package/build.py -> parents[2] is the repository root)."""
    return Path(__file__).resolve().parents[2] / "include" / "schemas"


def metadata_name(file_code: str, ordinal: int) -> str:
    """File name of a document's EAD_doc: `EAD_doc_<fileCode>.<STT7>.xml`."""
    return f"EAD_doc_{clean_text(file_code)}.{ordinal7(ordinal)}.xml"


def data_name(file_code: str, ordinal: int) -> str:
    """File name of a document's PDF in rep1/data: `<fileCode>.<STT7>.pdf`."""
    return f"{clean_text(file_code)}.{ordinal7(ordinal)}.pdf"


def _check_inputs(
    dossier: DossierDescription,
    documents: Sequence[DocumentDescription],
    created: datetime,
    software: str,
    software_version: str,
    package_type: str,
    problems: list[str] | None = None,
) -> tuple[dict[str, str], list[tuple[DocumentDescription, dict[str, str]]]]:
    """All metadata checked before anything is written (ValueError naming the field or the document; for a
    draft, ``problems`` collects the broken field rules instead)."""
    check_package_type(package_type)
    if not documents:
        raise ValueError(f"a {package_type} package needs at least one document")
    if not isinstance(created, datetime):
        raise ValueError(f"created must be a datetime, got {created!r}")
    if not clean_text(software):
        raise ValueError("software (the METS agent name) must not be empty")
    if not clean_text(software_version):
        raise ValueError("software_version (the METS agent note) must not be empty")
    file_code = clean_text(dossier.file_code)
    # a file_code names the package's files: valid on every file system (sohoa.names), never hidden
    if why := unusable(file_code) or ("it starts with a dot (a hidden file)" if file_code.startswith(".") else None):
        raise ValueError(f"fileCode {file_code!r} cannot be used in file names: {why}")
    seen: set[int] = set()
    for document in documents:
        if document.ordinal in seen:
            raise ValueError(f"document {document.ordinal}: ordinal used twice in the dossier")
        seen.add(document.ordinal)
        pdf = Path(document.pdf)
        if pdf.suffix.lower() != ".pdf":
            raise ValueError(f"document {document.ordinal}: {pdf} is not a .pdf file")
        if not pdf.is_file():
            raise ValueError(f"document {document.ordinal}: {pdf} does not exist")
        name = metadata_name(file_code, document.ordinal)
        if len(name.encode("utf-8")) > 255:
            raise ValueError(f"fileCode {file_code!r} makes the file name {name!r} too long")
    dossier_values = dossier_fields(dossier, documents, package_type, problems)
    ordered = sorted(documents, key=lambda doc: doc.ordinal)
    return dossier_values, [(doc, document_fields(dossier, doc, package_type, problems)) for doc in ordered]


def _prepare_dest(dest: Path) -> None:
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise FileExistsError(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: a package is only written into a new or empty folder")
    dest.parent.mkdir(parents=True, exist_ok=True)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _assemble(
    work: Path,
    dossier: DossierDescription,
    dossier_values: dict[str, str],
    documents: list[tuple[DocumentDescription, dict[str, str]]],
    created: str,
    software: str,
    software_version: str,
    package_type: str,
    agents: Sequence[Agent],
    pdfa: bool,
    signed: bool,
) -> None:
    file_code = clean_text(dossier.file_code)
    label = dossier_values["title"]
    fond_code = clean_text(dossier.fond_code)
    oais_type = mets.AIP if package_type == AIP_HOSO else mets.SIP
    source_schemas = schema_dir()
    schema_paths = []
    for name, source in SCHEMA_SOURCES[package_type].items():
        target = work / "schemas" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_schemas / source, target)
        schema_paths.append(target)
    ead_path = _write(work / EAD_PATH, simpledc_xml(dossier_values))

    rep_dir = work / REP1
    refs = []
    preserved = []
    for document, values in documents:
        metadata_path = _write(
            rep_dir / "metadata" / "descriptive" / metadata_name(file_code, document.ordinal), simpledc_xml(values)
        )
        data_path = rep_dir / "data" / data_name(file_code, document.ordinal)
        data_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(document.pdf, data_path)
        ocr = None
        if document.alto is not None:
            alto_path = data_path.with_suffix(".alto.xml")
            shutil.copyfile(document.alto, alto_path)
            ocr = mets.FileRef.of(rep_dir, alto_path, mets.XML_MIMETYPE)
        refs.append(
            mets.DocumentRefs(
                metadata=mets.FileRef.of(rep_dir, metadata_path, mets.XML_MIMETYPE),
                data=mets.FileRef.of(rep_dir, data_path, PDF_MIMETYPE),
                ocr=ocr,
            )
        )
        for ref in refs[-1].files:
            preserved.append(premis.PreservedFile(
                ref, mets.rep1_file_uuid(file_code, ref.href, oais_type, fond_code),
                doc_code=values["docCode"] if ref is refs[-1].data else "", signed=signed and ref is refs[-1].data))
    rep_premis = root_premis = None
    if package_type == AIP_HOSO:
        objid = mets.object_id(file_code, ROOT_METS, oais_type, fond_code)
        rep_objid = mets.object_id(file_code, REP1_METS, oais_type, fond_code)
        rep_premis_path = _write(work / REP1_PREMIS, premis.representation_premis(
            file_code=file_code, objid=objid, rep_objid=rep_objid, created=created, files=preserved, pdfa=pdfa,
            agents=agents))
        rep_premis = mets.FileRef.of(rep_dir, rep_premis_path, mets.XML_MIMETYPE)
        root_premis_path = _write(work / PREMIS_PATH, premis.package_premis(
            file_code=file_code, objid=objid, rep_objid=rep_objid, arc_file_code=dossier_values["arcFileCode"],
            paper_file_code=dossier_values["paperFileCode"], created=created,
            pages=int(dossier_values["numberOfPage"]), documents=len(documents), agents=agents))
        root_premis = mets.FileRef.of(work, root_premis_path, mets.XML_MIMETYPE)
    rep_mets_path = _write(
        rep_dir / "METS.xml",
        mets.rep1_mets(
            file_code=file_code,
            label=label,
            documents=refs,
            created=created,
            software=clean_text(software),
            software_version=clean_text(software_version),
            fond_code=fond_code,
            fond_name=clean_text(dossier.fond_name),
            oais_type=oais_type,
            premis=rep_premis,
        ),
    )
    _write(
        work / ROOT_METS,
        mets.root_mets(
            file_code=file_code,
            label=label,
            ead=mets.FileRef.of(work, ead_path, mets.XML_MIMETYPE),
            schemas=[mets.FileRef.of(work, path, XSD_MIMETYPE) for path in schema_paths],
            rep1=mets.FileRef.of(work, rep_mets_path, mets.XML_MIMETYPE),
            created=created,
            software=clean_text(software),
            software_version=clean_text(software_version),
            fond_code=fond_code,
            oais_type=oais_type,
            premis=root_premis,
        ),
    )


def build_package(
    dossier: DossierDescription,
    documents: Sequence[DocumentDescription],
    dest: Path,
    *,
    created: datetime,
    software: str,
    software_version: str,
    package_type: str = SIP_HOSO,
    agents: Sequence[Agent] = (),
    pdfa: bool = False,
    signed: bool = False,
) -> Path:
    """Write one package of `package_type` (SIP_hoso or AIP_hoso) into `dest` (new or empty folder); return it.

    `agents`: who made the package, for the PREMIS files of an AIP (the packaging software itself is always
    one). `pdfa` and `signed`: the checks of `validate_package` the data PDFs must also pass.

    Raises ValueError (bad metadata, naming the XML element), FileExistsError (dest not empty) or
    PackageError (the written package fails validation; nothing is left at `dest`)."""
    _build(dossier, documents, Path(dest), created=created, software=software, software_version=software_version,
           package_type=package_type, agents=agents, pdfa=pdfa, signed=signed, problems=None)
    return Path(dest)


def build_draft(dossier: DossierDescription, documents: Sequence[DocumentDescription], dest: Path,
                **options: Any) -> list[str]:
    """The package a held dossier would get (``build_package``'s options), written into `dest` with whatever
    metadata is known, so that a person can open its PDFs, ALTO and EAD_doc; returns every rule it breaks (an
    empty required field, a value out of its code list, else what validation finds). Never delivered."""
    problems: list[str] = []
    _build(dossier, documents, Path(dest), **{"package_type": SIP_HOSO, "agents": (), "pdfa": False,
                                              "signed": False, **options}, problems=problems)
    return problems


def _build(dossier: DossierDescription, documents: Sequence[DocumentDescription], dest: Path, *,
           created: datetime, software: str, software_version: str, package_type: str, agents: Sequence[Agent],
           pdfa: bool, signed: bool, problems: list[str] | None) -> None:
    """Assemble into a temporary folder, validate, then move it to `dest`. With `problems` (a draft) broken
    rules are collected there; without, the first one raises."""
    dossier_values, document_values = _check_inputs(dossier, documents, created, software, software_version,
                                                    package_type, problems)
    software_agent = Agent(clean_text(software), version=clean_text(software_version),
                           events=tuple((kind, "executing program") for kind in
                                        ("transfer", "metadata extraction", "message digest calculation")))
    agents = [software_agent, *(a for a in agents if a.identifier != software_agent.identifier)]
    _prepare_dest(dest)
    work = dest.parent / f".{dest.name}.{uuid.uuid4().hex}.partial"
    work.mkdir()
    try:
        _assemble(
            work,
            dossier,
            dossier_values,
            document_values,
            mets.timestamp(created),
            software,
            software_version,
            package_type,
            agents,
            pdfa,
            signed,
        )
        found = validate_package(work, pdfa=pdfa, signed=signed)
        if problems is not None:  # a draft: what validation finds besides the broken field rules (those say it)
            problems += [] if problems else found
        elif found:
            raise PackageError(found)
        if dest.is_dir():
            dest.rmdir()
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _relative(folder: Path, path: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def _load_schemas(folder: Path, package_type: str, problems: list[str]) -> dict[str, etree.XMLSchema]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    schemas: dict[str, etree.XMLSchema] = {}
    for name in SCHEMA_SOURCES[package_type]:
        path = folder / "schemas" / name
        if not path.is_file():
            problems.append(f"schemas/{name}: missing")
            continue
        try:
            schemas[name] = etree.XMLSchema(etree.parse(str(path), parser))
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
            problems.append(f"schemas/{name}: not a usable XML schema: {error}")
    return schemas


def _validate_xml(folder: Path, path: Path, schema: etree.XMLSchema | None, root_tag: str) -> list[str]:
    rel = _relative(folder, path)
    if not path.is_file():
        return [f"{rel}: missing"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        return [f"{rel}: not well-formed XML: {error}"]
    problems = []
    if tree.getroot().tag != root_tag:
        problems.append(f"{rel}: root element is {tree.getroot().tag}, expected {root_tag}")
    if schema is not None and not schema.validate(tree):
        for entry in list(schema.error_log)[:_MAX_ERRORS_PER_FILE]:
            problems.append(f"{rel}: line {entry.line}: {entry.message}")
    return problems


def _resolve_href(folder: Path, mets_path: Path, href: str) -> Path | None:
    """The file an href of a METS points to, or None when it leaves the package or is not a relative path."""
    if not href or "://" in href or href.startswith(("/", "\\")) or "\\" in href:
        return None
    pure = PurePosixPath(href)
    if ".." in pure.parts:
        return None
    target = mets_path.parent.joinpath(*pure.parts)
    try:
        target.resolve().relative_to(folder.resolve())
    except ValueError:
        return None
    return target


def _check_references(folder: Path, mets_path: Path, digests: dict[Path, str]) -> tuple[list[str], set[Path]]:
    problems: list[str] = []
    referenced: set[Path] = set()
    mets_rel = _relative(folder, mets_path)
    try:
        references = mets.read_references(mets_path)
    except etree.XMLSyntaxError:
        return problems, referenced  # already reported by the XSD check
    for ref in references:
        where = f"{mets_rel} {ref.element} {ref.element_id or '(no ID)'}"
        target = _resolve_href(folder, mets_path, ref.href)
        if target is None:
            problems.append(f"{where}: href {ref.href!r} is not a relative path inside the package")
            continue
        rel = _relative(folder, target)
        referenced.add(target)
        if not target.is_file():
            problems.append(f"{rel}: referenced by {mets_rel} but missing")
            continue
        if ref.checksum_type != mets.CHECKSUM_TYPE:
            problems.append(f"{rel}: CHECKSUMTYPE in {mets_rel} is {ref.checksum_type!r}, expected SHA-256")
        size = target.stat().st_size
        if ref.size != str(size):
            problems.append(f"{rel}: size is {size} bytes, {mets_rel} records {ref.size or 'none'}")
        if target not in digests:
            digests[target] = mets.sha256_file(target)
        if ref.checksum.upper() != digests[target]:
            problems.append(
                f"{rel}: SHA-256 is {digests[target]}, {mets_rel} records {ref.checksum or 'none'} "
                "(the file was changed or damaged)"
            )
    return problems, referenced


def validate_package(folder: Path, *, pdfa: bool = False, signed: bool = False,
                     trust_roots_pem: bytes | None = None) -> list[str]:
    """Check an existing SIP_hoso or AIP_hoso folder (the type its root METS declares); [] when valid, else one
    human-readable message per problem.

    XSD validation of both METS files, EAD.xml and every EAD_doc against the package's own schemas/; every file
    a METS lists exists with the recorded SIZE and SHA-256; every file of the folder is listed by a METS; every
    dmdSec, digiprovMD and file of a METS is reached from its structMap; the root METS points to the rep1 METS.
    AIP_hoso: PREMIS.xml and PREMIS_rep1.xml valid, their links resolved, a `transfer` event, a file object for
    every data file with its SHA-256.
    `pdfa`: every data PDF passes `sohoa.pdfa.check_pdfa` (and veraPDF when installed, `sohoa.verapdf`) and has a
    text layer. `signed`: every data PDF carries a signature that is intact and covers the whole file (and chains
    to `trust_roots_pem` when given)."""
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder}: not a folder"]
    problems: list[str] = []
    root_mets_path = folder / ROOT_METS
    rep_mets_path = folder / REP1_METS
    package_type = _declared_type(folder, root_mets_path, rep_mets_path, problems)
    schemas = _load_schemas(folder, package_type, problems)
    mets_tag = f"{{{mets.METS_NS}}}mets"
    problems += _validate_xml(folder, root_mets_path, schemas.get(METS_XSD), mets_tag)
    problems += _validate_xml(folder, rep_mets_path, schemas.get(METS_XSD), mets_tag)
    problems += _validate_xml(folder, folder / EAD_PATH, schemas.get(EAD_XSD), "simpledc")
    descriptive = folder / REP1_DESCRIPTIVE
    ead_docs = sorted(descriptive.glob("EAD_doc_*.xml")) if descriptive.is_dir() else []
    if not ead_docs:
        problems.append(f"{REP1_DESCRIPTIVE}: no EAD_doc_*.xml (a dossier needs at least one document)")
    for path in ead_docs:
        problems += _validate_xml(folder, path, schemas.get(EAD_DOC_XSD), "simpledc")
    data_dir = folder / REP1_DATA
    if not data_dir.is_dir() or not any(path.is_file() for path in data_dir.iterdir()):
        problems.append(f"{REP1_DATA}: no data file")
    if package_type == AIP_HOSO:
        problems += _check_premis(folder, schemas.get(PREMIS_XSD))

    digests: dict[Path, str] = {}
    referenced: set[Path] = set()
    for mets_path in (root_mets_path, rep_mets_path):
        if not mets_path.is_file():
            continue
        found, files = _check_references(folder, mets_path, digests)
        problems += found
        referenced |= files
        try:
            problems += [f"{_relative(folder, mets_path)}: {text}" for text in mets.unlinked_ids(mets_path)]
        except etree.XMLSyntaxError:
            pass  # already reported
    if root_mets_path.is_file() and rep_mets_path.is_file():
        try:
            pointers = mets.read_mptrs(root_mets_path)
        except etree.XMLSyntaxError:
            pointers = [REP1_METS]
        if REP1_METS not in pointers:
            problems.append(f"{ROOT_METS}: no structMap mptr to {REP1_METS}")

    if pdfa or signed:
        pdfs = sorted(data_dir.glob("*.pdf")) if data_dir.is_dir() else []
        for path, found in zip(pdfs, process_map(partial(_check_pdf, pdfa=pdfa, signed=signed,
                                                         trust_roots_pem=trust_roots_pem), pdfs), strict=True):
            problems += [f"{_relative(folder, path)}: {text}" for text in found]

    referenced_resolved = {path.resolve() for path in referenced}
    for path in sorted(folder.rglob("*")):
        if path.is_dir() or path == root_mets_path:
            continue
        if path.resolve() not in referenced_resolved:
            problems.append(f"{_relative(folder, path)}: not referenced by any METS file")
    return problems


def _declared_type(folder: Path, root_mets_path: Path, rep_mets_path: Path, problems: list[str]) -> str:
    """The package type the METS files declare (csip:OAISPACKAGETYPE, the root PROFILE); SIP_hoso when unknown."""
    declared = []
    for path in (root_mets_path, rep_mets_path):
        try:
            declared.append(mets.read_package_type(path))
        except (OSError, etree.XMLSyntaxError):
            return SIP_HOSO  # reported by the XSD check
    if declared[0] not in (mets.SIP, mets.AIP):
        problems.append(f"{ROOT_METS}: csip:OAISPACKAGETYPE is {declared[0]!r}, expected SIP or AIP")
        return SIP_HOSO
    if declared[1] != declared[0]:
        problems.append(f"{REP1_METS}: csip:OAISPACKAGETYPE is {declared[1]!r}, the root METS says {declared[0]}")
    profile = etree.parse(str(root_mets_path)).getroot().get("PROFILE")
    expected = mets.AIP_PROFILE if declared[0] == mets.AIP else mets.PROFILE
    if profile != expected:
        problems.append(f"{ROOT_METS}: PROFILE of an {declared[0]} is {expected}, not {profile!r}")
    return AIP_HOSO if declared[0] == mets.AIP else SIP_HOSO


def _check_premis(folder: Path, schema: etree.XMLSchema | None) -> list[str]:
    premis_tag = f"{{{premis.PREMIS_NS}}}premis"
    problems = []
    for rel in (PREMIS_PATH, REP1_PREMIS):
        found = _validate_xml(folder, folder / rel, schema, premis_tag)
        problems += found
        if not found:
            problems += [f"{rel}: {text}" for text in premis.check_links((folder / rel).read_bytes())]
    if problems:
        return problems
    package = premis.read_contents((folder / PREMIS_PATH).read_bytes())
    if "transfer" not in package.events:
        problems.append(f"{PREMIS_PATH}: no transfer event (the digitization, TT 05/2025)")
    objid = etree.parse(str(folder / ROOT_METS)).getroot().get("OBJID", "")
    if objid not in package.objects:
        problems.append(f"{PREMIS_PATH}: does not name the package's OBJID {objid}")
    digests = premis.read_contents((folder / REP1_PREMIS).read_bytes()).digests
    rep_dir = folder / REP1
    data = sorted(path for path in (folder / REP1_DATA).glob("*") if path.is_file())
    for path in data:
        href = path.relative_to(rep_dir).as_posix()
        if href not in digests:
            problems.append(f"{REP1_PREMIS}: no file object for {href}")
        elif digests[href].upper() != mets.sha256_file(path):
            problems.append(f"{REP1_PREMIS}: SHA-256 of {href} is {mets.sha256_file(path)}, PREMIS records "
                            f"{digests[href]}")
    for href in sorted(set(digests) - {path.relative_to(rep_dir).as_posix() for path in data}):
        problems.append(f"{REP1_PREMIS}: file object for {href}, which is not in the package")
    return problems


def zip_package(folder: Path, zip_path: Path) -> Path:
    """Deterministic ZIP of a package folder: entries `<folder name>/<path>` sorted, dated 1980-01-01, mode 0644,
    XML deflated and PDFs stored (their images are JPEG already: deflating them took a third of the packaging
    time to save under 1 %); written under a temporary name and renamed, so `zip_path` is never half-written."""
    folder = Path(folder)
    zip_path = Path(zip_path)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    try:
        zip_path.resolve().relative_to(folder.resolve())
    except ValueError:
        pass
    else:
        raise ValueError(f"{zip_path} is inside the folder it would contain")
    entries = sorted(
        (path.relative_to(folder).as_posix(), path) for path in folder.rglob("*") if path.is_file()
    )
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_name(f".{zip_path.name}.{uuid.uuid4().hex}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for rel, path in entries:
                info = zipfile.ZipInfo(f"{folder.name}/{rel}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_STORED if rel.endswith(".pdf") else zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                info.file_size = path.stat().st_size
                with path.open("rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
        os.replace(partial, zip_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return zip_path


def _check_pdf(path: Path, pdfa: bool, signed: bool, trust_roots_pem: bytes | None) -> list[str]:
    from sohoa import poppler, verapdf
    from sohoa.pdfa import check_pdfa
    from sohoa.sign import verify_pdf

    problems = []
    if pdfa:
        problems += check_pdfa(path)
        try:
            if command := verapdf.launcher():
                faults = verapdf.validate(path, command)
                log.info("%s: veraPDF (%s) %s", path.name, command,
                         f"finds {len(faults)} failed rules" if faults else "finds it PDF/A-2b compliant")
                problems += [f"veraPDF: {fault}" for fault in faults]
        except verapdf.VeraPdfError as error:
            problems.append(str(error))
        try:
            if not poppler.pdf_text(path).strip():
                problems.append("no text layer (no page holds any text)")
        except poppler.RenderError as error:
            problems.append(f"the text layer cannot be read: {error}")
    if signed:
        check = verify_pdf(path, trust_roots_pem)
        if not check.ok:
            problems.append(f"digital signature: {check.problem}")
    return problems
