"""The run report (DESIGN.md, output contract) and the delivery of a batch's results.

Every input ends in exactly one state; a dossier with a quarantined page, a document that needs a
look, a failed quality expectation or a secrecy mark is held for review, never delivered silently.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sohoa import code_version, ledger
from sohoa.ingest import MIN_DPI
from sohoa.names import portable_path
from sohoa.storage import Storage
from sohoa.workspace import BatchWork, DossierWork, Page, read_json, sha256_file, write_json

log = logging.getLogger(__name__)

UNSIGNED = ("no signing key was given to the package stage (Airflow connection 'sohoa_signing'); "
            "TT 05/2025 requires the agency's digital signature on every file")
PAGE_KEYS = ("source", "sha256", "status", "reason", "dossier", "document", "ocr_confidence")


def schema_path() -> Path:
    return Path(__file__).resolve().parents[1] / "include" / "schemas" / "report.schema.json"


def validate_report(report: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)


def _page_entry(p: Page) -> dict[str, Any]:
    entry = {k: asdict(p)[k] for k in PAGE_KEYS}
    entry.update({"dpi": p.dpi, "rotation": p.rotation, "skew": p.skew})
    return entry


# What holds a dossier, by who can lift it: a person answering the document forms ("documents"), a person
# answering the dossier form (DOSSIER_KINDS), or the machine when the checks run and the package is built
# again after the corrections ("checks", "package"; "unsigned" once the signing key is there).
DOSSIER_KINDS = ("pages", "secrecy", "quality", "catalogue", "nothing")


def failing_dossiers(quality: dict[str, Any]) -> dict[str, set[str]]:
    """Dossiers failing the page suite and the document suite of the quality checks. A document suite failure
    is about metadata (a required field empty, a date malformed): the review's corrections lift it, so the
    checks run again before a reviewed dossier is released."""
    suites = quality.get("suites") or {}
    if not suites:
        return {"pages": set(quality.get("failing_dossiers") or []), "documents": set()}
    return {name: {code for r in suite["results"] if not r["success"] for code in r.get("dossiers") or []}
            for name, suite in suites.items()}


def holds(dw: DossierWork, pages: list[Page], failing: dict[str, set[str]],
          entry: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, reason) of everything that holds a dossier that reached the package stage, before any review."""
    found: list[tuple[str, str]] = []
    documents: list[dict[str, Any]] = read_json(dw.documents_json) if dw.documents_json.exists() else []
    package = read_json(dw.root / "package.json")
    if not documents:
        coarse = [p.source for p in pages if p.extra.get("rescan")]
        return [("nothing", f"nothing to deliver: {len(coarse)} page(s) to be scanned again at {MIN_DPI} dpi or "
                            "more (see rescan)")]
    if not package["built"]:
        found += [("package", f"package not built: {p}") for p in package["problems"]]
    elif not package.get("signatures"):
        found.append(("unsigned", f"PDFs not signed: {UNSIGNED}"))
    if bad := [p.source for p in pages if p.status == "quarantined" or p.extra.get("rescan")]:
        found.append(("pages", f"{len(bad)} page(s) quarantined: {', '.join(bad[:5])}"))
    if review := [d["doc_id"] for d in documents if d["needs_review"]]:
        found.append(("documents", f"metadata needs review: {', '.join(review)}"))
    if secret := [d["doc_id"] for d in documents if d["metadata"].get("secrecy")]:
        found.append(("secrecy", f"secrecy mark on {', '.join(secret)}: withheld from the package and the output"))
    if dw.code in failing.get("pages", set()):
        found.append(("quality", "quality expectations on its pages failed (see quality)"))
    if dw.code in failing.get("documents", set()):
        found.append(("checks", "quality expectations on its documents' metadata failed (see quality)"))
    # a catalogue value not understood waits for a person; a secrecy level holds the dossier for good
    found += [("secret" if entry.get("secret") else "catalogue", reason) for reason in entry.get("holds") or []]
    if is_secret(dw, entry) and not entry.get("secret"):
        found.append(("secret", f"an archivist set access {SECRET_MODE} Mật: nothing of it may leave this machine"))
    return found


SECRET_MODE = "03"


def dossier_codes(dw: DossierWork, entry: dict[str, Any]) -> dict[str, str]:
    """The dossier's TT 05 codes (mode, maintenance, language): resolved from its catalogue row at import, as an
    archivist set them in its review."""
    return {**(entry.get("codes") or {}), **(review_state(dw).get("codes") or {})}


def is_secret(dw: DossierWork | None, entry: dict[str, Any]) -> bool:
    """The catalogue or an archivist gives the dossier a secrecy level: nothing of it ever leaves the machine."""
    return bool(entry.get("secret")) or (dw is not None and dossier_codes(dw, entry).get("mode") == SECRET_MODE)


def review_state(dw: DossierWork) -> dict[str, Any]:
    """What people decided about the dossier (``review.json``, written by ``sohoa.review``), or {}."""
    path = dw.root / "review.json"
    return read_json(path) if path.exists() else {}


def _dossier_outcome(dw: DossierWork, pages: list[Page], failing: dict[str, set[str]],
                     entry: dict[str, Any]) -> tuple[str, list[str], list[dict]]:
    """(status, reasons, documents) of a dossier that reached the work area."""
    documents: list[dict[str, Any]] = read_json(dw.documents_json) if dw.documents_json.exists() else []
    if dw.stopped_json.exists():
        return "failed", [read_json(dw.stopped_json)["reason"]], documents
    if not (dw.root / "package.json").exists():
        return "failed", ["processing stopped before the package was built (see the task logs)"], documents
    if not documents and not any(p.extra.get("rescan") for p in pages):
        return "failed", ["no document was found in the dossier"], documents
    state = review_state(dw)
    if state.get("decision") == "rejected":
        return "rejected", [f"rejected by {state['by']} at {state['at']}: {state['reason']}"], documents
    found = holds(dw, pages, failing, entry)
    if state.get("decision") == "approved":  # the dossier form answered: its reasons were seen and accepted
        found = [(kind, reason) for kind, reason in found if kind not in DOSSIER_KINDS or kind == "nothing"]
    reasons = [reason for _, reason in found]
    if state.get("refused"):
        reasons.append(f"the last review was not applied: {'; '.join(state['refused'])}")
    return ("review" if reasons else "delivered"), reasons, documents


def build_report(work: BatchWork, out: Path) -> dict[str, Any]:
    """Assemble the output tree (packages, quarantine, quality) in ``out`` and return the report."""
    batch = read_json(work.batch_json)
    quality: dict[str, Any] = read_json(work.quality_json) if work.quality_json.exists() else {
        "expectations": 0, "failed": 0, "data_docs": None, "note": "quality checks did not run"}
    failing = failing_dossiers(quality)
    all_pages: list[Page] = [Page.from_dict(d) for d in batch.get("loose", [])]
    dossiers: list[dict[str, Any]] = []
    by_code = {dw.code: dw for dw in work.dossiers()}
    withheld: set[str] = set()  # input files holding a page of a secret document: never copied to the output
    for entry in batch["dossiers"]:
        code = entry["code"]
        record: dict[str, Any] = {"dossier_code": code, "status": "failed", "package": None, "documents": [],
                                  "catalogue": entry.get("catalogue") or {}, "reasons": []}
        dw = by_code.get(code)
        if dw is not None:
            record.update(codes=dossier_codes(dw, entry), defaults=entry.get("defaults") or [],
                          secret=is_secret(dw, entry))
        pages = dw.pages() if dw else []
        if entry.get("problem"):
            record["reasons"].append(entry["problem"])
        elif dw is not None:
            status, reasons, documents = _dossier_outcome(dw, pages, failing, entry)
            record.update(status=status, reasons=reasons, documents=documents)
            if (state := review_state(dw)).get("decision"):
                record["review"] = {k: state[k] for k in ("by", "at", "decision", "reason", "changed") if k in state}
                record["review_history"] = state.get("history") or []
            pkg = dw.package_dir / code
            if status == "review" and pkg.is_dir():  # held: its draft stays in the work area until released
                record["draft"] = str(pkg)
            if status == "delivered" and pkg.is_dir():
                shutil.copytree(pkg, out / "packages" / code)
                shutil.copyfile(dw.package_dir / f"{code}.zip", out / "packages" / f"{code}.zip")
                record["package"] = f"packages/{code}"
                record["zip"] = f"packages/{code}.zip"
                record["zip_sha256"] = sha256_file(out / "packages" / f"{code}.zip")
                built = read_json(dw.root / "package.json")
                record["package_type"] = built.get("package_type", "SIP_hoso")
                _link_documents(record, out, built["signatures"])
        if dw is not None and dw.rescan_json.exists() and (rescan := read_json(dw.rescan_json)):
            record["rescan"] = rescan  # described so that the archive finds the paper to scan again
        secret = {d["doc_id"]: d["metadata"]["secrecy"] for d in record["documents"] if d["metadata"].get("secrecy")}
        for p in pages:
            if p.status != "ok":
                continue
            if record.get("secret"):
                p.quarantine(f"dossier {code} has a secrecy level (mode {SECRET_MODE} Mật): state secrets stay off "
                             "networked systems, so nothing of it goes to the output; it stays in the source batch")
                withheld.add(p.source.split("#", 1)[0])
            elif p.extra.get("rescan"):
                described = f"; read to describe {p.document} (see rescan)" if p.document else ""
                p.quarantine(f"{p.extra['rescan']}: to be scanned again{described}")
            elif p.document and p.document in secret:
                p.quarantine(withheld_reason(secret[p.document], p.document))
                withheld.add(p.source.split("#", 1)[0])
            elif not p.document:
                p.quarantine("page not processed to the end (see the task logs)")
            elif record["status"] == "failed":
                p.quarantine(f"dossier not packaged: {'; '.join(record['reasons'])}")
            elif record["status"] == "rejected":
                p.quarantine(f"dossier {record['reasons'][0]}; to be scanned again")
            else:
                p.status = record["status"]
        record["pages"] = sum(p.status in ("delivered", "review") for p in pages)
        record["derived"] = derived_fields(record["documents"], record["catalogue"])
        record["reason"] = "; ".join(record["reasons"]) or None
        all_pages += pages
        dossiers.append(record)
    _copy_quarantine(batch, all_pages, out, withheld)
    quality_out = dict(quality)
    docs_dir = work.root / "gx" / "uncommitted" / "data_docs" / "local_site"
    if docs_dir.is_dir():
        shutil.copytree(docs_dir, out / "quality" / "data_docs")
        quality_out["data_docs"] = "quality/data_docs/index.html"
    params = batch.get("params", {})
    return {
        "batch_id": batch["batch_id"],
        "batch_uri": batch["batch_uri"],
        "work": str(work.root),  # where held dossiers' drafts wait for their review
        "campaign": params.get("campaign") or None,
        "started": batch["started"],
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "pages": [_page_entry(p) for p in all_pages],
        "dossiers": dossiers,
        "quality": quality_out,
        "problems": batch.get("problems", []),
        "counts": _counts(all_pages, dossiers),
        "to_rescan": to_rescan(dossiers),
    }


def to_rescan(dossiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paper the archive must pull and scan again: dossiers a person rejected, and documents read from
    pages too coarse to deliver."""
    listed = []
    for d in dossiers:
        if d["status"] == "rejected":
            listed.append({"dossier_code": d["dossier_code"], "documents": [x["doc_id"] for x in d["documents"]],
                           "reason": d["reasons"][0]})
        elif d.get("rescan"):
            listed.append({"dossier_code": d["dossier_code"], "documents": [x["doc_id"] for x in d["rescan"]],
                           "reason": f"pages too coarse to deliver (TT 05 wants {MIN_DPI} dpi): see their reasons"})
    return listed


def derived_fields(documents: list[dict[str, Any]], catalogue: dict[str, str]) -> dict[str, Any]:
    """Dossier fields read off its documents (TT05 startDate, endDate, totalDoc, numberOfPage), and where
    they disagree with the catalogue row (``dossiers.csv``), the disagreement in words."""
    dates = sorted(str(d["metadata"]["issued_date"]) for d in documents if d["metadata"].get("issued_date"))
    derived: dict[str, Any] = {"start_date": dates[0] if dates else None, "end_date": dates[-1] if dates else None,
                               "documents": len(documents), "pages": sum(len(d["pages"]) for d in documents),
                               "disagreements": []}
    year = (catalogue.get("year") or "").strip()
    if year.isdigit() and dates and not dates[0][:4] <= year <= dates[-1][:4]:
        derived["disagreements"].append(
            f"dossiers.csv gives the year {year}; its documents are dated {dates[0]} to {dates[-1]}")
    return derived


def _link_documents(record: dict[str, Any], out: Path, signatures: dict[str, dict[str, str]]) -> None:
    data = out / record["package"] / "representations" / "rep1" / "data"
    for doc in record["documents"]:
        name = f"{record['dossier_code']}.{doc['ordinal']:07d}.pdf"
        if (data / name).exists():
            doc["pdf"] = f"{record['package']}/representations/rep1/data/{name}"
            doc["pdf_sha256"] = sha256_file(data / name)
            if doc["doc_id"] in signatures:
                doc["signature"] = signatures[doc["doc_id"]]


def _counts(pages: list[Page], dossiers: list[dict[str, Any]]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for p in pages:
        by_status[p.status] = by_status.get(p.status, 0) + 1
    dossier_status: dict[str, int] = {}
    for d in dossiers:
        dossier_status[d["status"]] = dossier_status.get(d["status"], 0) + 1
    return {"pages": by_status, "dossiers": dossier_status, "documents": sum(len(d["documents"]) for d in dossiers)}


def _ledger_packages(earlier: list[dict[str, Any]], batch_id: str, report: dict[str, Any],
                     manifest: dict[str, Any]) -> list[dict[str, str]]:
    """Ledger entries of this delivery: every package delivered whose files differ from the batch's latest
    line for it (a re-delivery of the same bytes adds nothing), and every package an earlier delivery of the
    same batch held that this one no longer has (withdrawn: its manifest part is empty)."""
    latest = {str(e["package_id"]): e for e in earlier if e.get("batch_id") == batch_id}
    packages = [{"batch_id": batch_id, "package_id": d["dossier_code"], "status": d["status"],
                 "manifest_sha256": ledger.digest(ledger.package_files(manifest, d["dossier_code"]))}
                for d in report["dossiers"] if d.get("package")]
    delivered = {p["package_id"] for p in packages}
    withdrawn = [{"batch_id": batch_id, "package_id": code, "status": "withdrawn",
                  "manifest_sha256": ledger.digest({})}
                 for code in sorted(set(latest) - delivered) if latest[code]["status"] != "withdrawn"]
    return [p for p in packages + withdrawn
            if (p["status"], p["manifest_sha256"]) != ((latest.get(p["package_id"]) or {}).get("status"),
                                                       (latest.get(p["package_id"]) or {}).get("manifest_sha256"))]


def withheld_reason(mark: str, doc_id: str) -> str:
    return (f"secrecy mark {mark} on document {doc_id}: state secrets stay off networked systems, so it is "
            "withheld from the package and the output; the page stays in the source batch only")


def _copy_quarantine(batch: dict[str, Any], pages: list[Page], out: Path, withheld: set[str]) -> None:
    """Copies of quarantined input files (never through a link, never a file with a page of a secret document,
    never a PDF carrying scripts or embedded files) under names valid on every file system (``copy``), and the
    reason of every undelivered input."""
    source_root = Path(batch["local_batch"])
    reasons = []
    copied: dict[str, str] = {}
    withheld = withheld | {p.source.split("#", 1)[0] for p in pages if p.extra.get("active_content")}
    for p in pages:
        if p.status in ("delivered", "review"):
            continue
        file_rel = p.source.split("#", 1)[0]
        if p.status == "quarantined" and file_rel not in copied and file_rel not in withheld:
            src = _source_path(source_root, batch, file_rel)
            if src is not None and src.is_file() and not src.is_symlink():
                copied[file_rel] = f"quarantine/{portable_path(file_rel)}"
                (out / copied[file_rel]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, out / copied[file_rel])
        reasons.append({"source": p.source, "status": p.status, "reason": p.reason, "sha256": p.sha256,
                        "copy": copied.get(file_rel)})
    write_json(out / "quarantine" / "reasons.json", reasons)


def _source_path(root: Path, batch: dict[str, Any], file_rel: str) -> Path | None:
    head, _, rest = file_rel.partition("/")
    folders = {d["code"]: d["folder"] for d in batch["dossiers"] if d.get("folder")}
    if rest and head in folders:
        return root / folders[head] / rest
    candidate = root / file_rel
    return candidate if candidate.exists() else None


def deliver(work: BatchWork, storage: Storage) -> dict[str, Any]:
    """Build the output tree, verify it, and publish it to ``<output>/<batch_id>/``; report.json last.

    Run again after a review (``sohoa.review``), it publishes the batch as the work area now holds it: one
    delivery at a time per work area (a lock file) and per output (the storage's ledger lock)."""
    with _work_lock(work):
        out = work.root / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        report = build_report(work, out)
        batch_id = report["batch_id"]
        manifest = ledger.build_manifest(out, batch_id)
        write_json(out / ledger.MANIFEST, manifest)
        report["manifest_sha256"] = sha256_file(out / ledger.MANIFEST)
        with storage.lock():  # one delivery at a time extends the ledger
            raw, tag = storage.read_tagged(ledger.LEDGER)
            existing = (raw or b"").decode("utf-8")
            earlier, _ = ledger.read_chain(existing)
            new = ledger.chain(existing, _ledger_packages(earlier, batch_id, report, manifest))
            report["ledger"] = [e for e in earlier if e.get("batch_id") == batch_id] + new
            validate_report(report)
            write_json(out / "report.json", report)
            destination = storage.publish_tree(out, batch_id, last="report.json")
            if new:
                storage.write_bytes(ledger.LEDGER, (existing + ledger.render(new)).encode("utf-8"), if_tag=tag)
        log.info("delivered batch %s to %s: %s; ledger entries %s", batch_id, destination, report["counts"],
                 [e["seq"] for e in new])
        if os.environ.get("SOHOA_KEEP_WORK", "") not in ("1", "true"):
            shutil.rmtree(out, ignore_errors=True)
    held = [d["dossier_code"] for d in report["dossiers"] if d["status"] == "review" and not d.get("secret")]
    outcomes = [{"dossier_code": d["dossier_code"], "status": d["status"], "reason": d["reason"],
                 "secret": bool(d.get("secret"))} for d in report["dossiers"]]
    return {"destination": destination, **report["counts"], "held": held, "outcomes": outcomes,
            "awaiting_review": sum(d["needs_review"] for r in report["dossiers"] if r["status"] == "review"
                                   for d in r["documents"])}


@contextmanager
def _work_lock(work: BatchWork) -> Iterator[None]:
    work.root.mkdir(parents=True, exist_ok=True)
    with open(work.root / ".deliver.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
