"""Review (kiểm duyệt) of held dossiers by people: what to ask, and what their answers change.

DESIGN.md, review contract. A held dossier gets one **document form** per document whose metadata needs a look
and one **dossier form** when it is held for reasons that are no one document's (quarantined pages, failed
expectations, a secrecy mark, a catalogue value). ``forms`` says what to ask; ``apply`` takes the answers,
validates corrected values as strictly as the machine's (code lists, dates, lengths) and records who changed
what in ``documents.json`` and ``review.json`` of the dossier's work area. Building, signing and delivering the
package afterwards is the pipeline's own package and deliver stages. Used by the ``review_dossier`` DAG and by
``sohoa review --import`` alike; nothing here imports Airflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sohoa.extract import marked as form_mark
from sohoa.package.model import DOCUMENT_RULES
from sohoa.report import DOSSIER_KINDS, dossier_codes, failing_dossiers, holds, is_secret, review_state
from sohoa.vocab import (
    DOCUMENT_TYPES,
    MAINTENANCE_CODES,
    MODE_CODES,
    URGENCY_MARKS,
    fold,
    nfc,
    type_code,
)
from sohoa.workspace import BatchWork, DossierWork, read_json, write_json

APPROVE, REJECT = "Approve", "Reject"
OPTIONS = (APPROVE, REJECT)
FIELDS = ("document_type", "number", "symbol", "issued_date", "issuing_agency", "parent_agency", "place",
          "subject", "signer", "signer_title", "authority", "urgency")
REQUIRED = ("document_type", "issued_date", "issuing_agency", "subject")  # TT 05 EAD_doc cannot go without them
TITLES = {
    "document_type": "Tên loại văn bản — document type",
    "number": "Số văn bản — number",
    "symbol": "Ký hiệu — symbol",
    "issued_date": "Ngày ban hành (YYYY-MM-DD) — issued date",
    "issuing_agency": "Cơ quan ban hành — issuing agency",
    "parent_agency": "Cơ quan chủ quản — parent agency",
    "place": "Địa danh — place",
    "subject": "Trích yếu nội dung — subject",
    "signer": "Người ký — signer",
    "signer_title": "Chức vụ người ký — signer's title",
    "authority": "Thẩm quyền ký (TM., KT., TL., TUQ.) — authority",
    "urgency": "Độ khẩn — urgency",
    "reason": "Lý do / ghi chú — reason (required with Reject)",
}
MAX_LENGTH = {"number": DOCUMENT_RULES["codeNumber"].max_length, "symbol": DOCUMENT_RULES["codeNotation"].max_length,
              "issuing_agency": DOCUMENT_RULES["organName"].max_length, "subject": DOCUMENT_RULES["subject"].max_length}
TEXT_MAX = 200  # the other names and titles
UNSURE = 0.9  # the usual confidence under which a value is unsure; per field: sohoa.extract.review_below
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LEADING = re.compile(r"^(?:V/v|Về việc)[\s:.,]*", re.IGNORECASE)
_DECISIONS = {"approve": APPROVE, "approved": APPROVE, "duyệt": APPROVE, "phê duyệt": APPROVE,
              "reject": REJECT, "rejected": REJECT, "từ chối": REJECT}


class ReviewError(ValueError):
    """Answers that cannot be applied; ``problems`` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Answer:
    """One answered form: the option chosen, the values as the person left them, who and when (ISO 8601)."""

    decision: str
    values: dict[str, Any]
    by: str
    at: str


def decision_of(text: Any) -> str | None:
    """Approve or Reject from what a person wrote (English or Vietnamese), None when it is neither."""
    return _DECISIONS.get(nfc(str(text or "")).strip().casefold())


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dossier(work: BatchWork, code: str) -> DossierWork:
    dw = work.dossier(code)
    if not dw.documents_json.exists():
        raise ReviewError([f"dossier {code!r} has no described documents in {work.root}"])
    return dw


def _entry(dw: DossierWork) -> dict[str, Any]:
    return next((d for d in read_json(dw.batch.batch_json)["dossiers"] if d["code"] == dw.code), {})


def _failing(work: BatchWork) -> dict[str, set[str]]:
    return failing_dossiers(read_json(work.quality_json)) if work.quality_json.exists() else {}


def is_decided(dw: DossierWork) -> bool:
    state = review_state(dw)
    return state.get("decision") in ("approved", "rejected") and not state.get("refused")


def is_released(dw: DossierWork) -> bool:
    """Whether the decision was carried out to the end: package built and signed, batch delivered."""
    return is_decided(dw) and bool(review_state(dw).get("released"))


def mark_released(dw: DossierWork) -> None:
    """Record that the release of the decided dossier finished (a release that failed half-way is run again)."""
    if is_decided(dw):
        write_json(dw.root / "review.json", {**review_state(dw), "released": now()})


def pending_documents(dw: DossierWork) -> list[dict[str, Any]]:
    """The documents of a held dossier whose metadata waits for a person (none in a secret dossier: nothing of
    it may leave the machine, whatever its metadata)."""
    if is_decided(dw) or is_secret(dw, _entry(dw)):
        return []
    return [d for d in read_json(dw.documents_json) if d["needs_review"] and not d.get("review")]


def dossier_reasons(dw: DossierWork) -> list[str]:
    """Why the dossier is held for reasons that are no one document's (what its dossier form asks about)."""
    if is_decided(dw) or review_state(dw).get("decision") == "approved" or is_secret(dw, _entry(dw)):
        return []
    return [reason for kind, reason in holds(dw, dw.pages(), _failing(dw.batch), _entry(dw)) if kind in DOSSIER_KINDS]


def forms(work: BatchWork, code: str, base_url: str = "") -> dict[str, list[dict[str, Any]]]:
    """What to ask about dossier ``code``: {"documents": [form, …], "dossier": [form] or []}. A form is
    {"subject", "body" (Markdown), "fields": {param: {"value", "title", "description"}}}; ``base_url`` starts
    the links to the page images (the sohoa plugin of the api-server)."""
    dw = dossier(work, code)
    state = review_state(dw)
    proposed = state.get("proposed") or {}
    link = f"{base_url.rstrip('/')}/sohoa/review/{work.root.name}/{code}"
    refused = [f"- {p}" for p in state.get("refused") or []]
    documents = []
    for doc in pending_documents(dw):
        values = {f: (proposed.get(doc["doc_id"]) or doc["metadata"]).get(f) for f in FIELDS}
        rows = []
        for f in FIELDS:
            conf = doc["confidence"].get(f)
            mark = f"⚠ {how}" if (how := form_mark(f, values[f], conf)) else ""
            shown = str(values[f] or "").replace("|", "\\|")
            rows.append(f"| {f} | {shown} | {'' if conf is None else f'{conf:.0%}'} | {mark} |")
        pages = " · ".join(f"[trang {n}]({link}/page/{page_index(dw, s)}.jpg)" for n, s in enumerate(doc["pages"], 1))
        body = "\n".join([
            f"**Hồ sơ {code}**, tài liệu **{doc['doc_id']}** ({len(doc['pages'])} trang). The machine is unsure of "
            "the fields marked ⚠: correct them from the page, then Approve; Reject (with a reason) sends the "
            "dossier back for rescanning.",
            "", f"[Xem văn bản — the document's pages and header]({link}/{doc['doc_id']}) · {pages}", "",
            "| field | machine's value | confidence | |", "|---|---|---|---|", *rows,
            *(["", "**The last answers were not applied:**", *refused] if refused else []),
        ])
        fields = {f: {"value": values[f], "title": TITLES[f],
                      "description": _confidence_note(doc["confidence"].get(f), values[f])} for f in FIELDS}
        fields["doc_id"] = {"value": doc["doc_id"], "title": "Mã tài liệu — doc_id (do not change)",
                            "description": "identifies the document; a changed doc_id is refused"}
        fields["reason"] = {"value": None, "title": TITLES["reason"], "description": "free text"}
        documents.append({"doc_id": doc["doc_id"], "subject": f"Kiểm duyệt {doc['doc_id']}: "
                          f"{values['document_type'] or '?'} {values['number'] or ''} {values['symbol'] or ''}".strip(),
                          "body": body, "fields": fields})
    held_for = dossier_reasons(dw)
    dossier_forms = []
    if held_for:
        body = "\n".join([
            f"**Hồ sơ {code}** is held for reasons that are no one document's:", "",
            *(f"- {r}" for r in held_for), "",
            "Approve to deliver the dossier as it is (quarantined pages stay out of it, documents with a secrecy "
            "mark stay withheld); Reject (with a reason) to have it scanned again.", "",
            f"[Xem hồ sơ — the dossier's pages]({link})",
            *(["", "**The last answers were not applied:**", *refused] if refused else []),
        ])
        fields = {"dossier_code": {"value": code, "title": "Mã hồ sơ — dossier_code (do not change)",
                                   "description": "identifies the dossier; a changed code is refused"},
                  "reason": {"value": None, "title": TITLES["reason"], "description": "free text"}}
        codes = dossier_codes(dw, _entry(dw))
        for name, key, known in (("access", "mode", MODE_CODES), ("retention", "maintenance", MAINTENANCE_CODES)):
            fields[name] = {"value": codes.get(key), "title": CODE_TITLES[name], "description": "TT 05 codes: " +
                            ", ".join(f"{c} {label}" for label, c in known.items())}
        if marked := secret_documents(dw):
            fields["secrecy_cleared"] = {
                "value": None, "title": "Bỏ dấu mật — secrecy marks read wrongly (doc_ids, comma-separated)",
                "description": f"marked: {', '.join(f'{d} ({m})' for d, m in marked.items())}; a mark confirmed "
                               "(left out here) keeps its document off every networked system"}
        dossier_forms.append({"subject": f"Kiểm duyệt hồ sơ {code}", "body": body, "fields": fields})
    return {"documents": documents, "dossier": dossier_forms}


def secret_documents(dw: DossierWork) -> dict[str, str]:
    """doc_id → the secrecy mark read on it (such documents are withheld until a person clears the mark)."""
    return {d["doc_id"]: d["metadata"]["secrecy"] for d in read_json(dw.documents_json) if d["metadata"].get("secrecy")}


def _cleared(dw: DossierWork, answer: Answer) -> tuple[list[str], list[str]]:
    """(doc_ids whose secrecy mark the answer clears, problems)."""
    named = [n.strip() for n in re.split(r"[,;\s]+", str(answer.values.get("secrecy_cleared") or "")) if n.strip()]
    marked = secret_documents(dw)
    return [n for n in named if n in marked], [f"{dw.code}: {n} carries no secrecy mark" for n in named
                                                if n not in marked]


CODE_TITLES = {"access": "Chế độ sử dụng — access (mode)", "retention": "Thời hạn bảo quản — retention"}


def _codes(dw: DossierWork, answer: Answer) -> tuple[dict[str, str], list[str]]:
    """(the TT 05 codes the dossier form changes, problems): access 01-03 (03 Mật keeps it on this machine),
    retention among TT 05's."""
    current = dossier_codes(dw, _entry(dw))
    changed, problems = {}, []
    for name, key, known in (("access", "mode", MODE_CODES), ("retention", "maintenance", MAINTENANCE_CODES)):
        given = nfc(str(answer.values.get(name) or "")).strip()
        if not given or given == current.get(key):
            continue
        if given not in known.values():
            problems.append(f"{dw.code}: {name} {given!r} is none of TT 05's codes ({', '.join(known.values())})")
        else:
            changed[key] = given
    return changed, problems


def _confidence_note(conf: float | None, value: Any) -> str:
    if value in (None, ""):
        return "not read: to be filled in"
    return f"machine's confidence {conf:.0%}" if conf is not None else "machine's value"


def page_index(dw: DossierWork, source: str) -> int:
    """Position of page ``source`` in the dossier (what the plugin's page URLs use)."""
    return next(p.index for p in dw.pages() if p.source == source)


def clean_document(values: dict[str, Any], doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values of a document form as they will be delivered, and what is wrong with them: the same rules
    as the machine's values (TT 05 code lists, ISO dates, the EAD_doc lengths, required fields)."""
    where = f"{doc['doc_id']}:"
    problems = []
    if "doc_id" in values and nfc(str(values["doc_id"] or "")).strip() != doc["doc_id"]:
        problems.append(f"{where} doc_id was changed to {values['doc_id']!r}: refused (it names the document)")
    if unknown := sorted(set(values) - set(FIELDS) - {"doc_id", "reason"}):
        problems.append(f"{where} unknown field(s) {', '.join(unknown)}")
    clean: dict[str, Any] = {}
    for name in FIELDS:
        raw = values.get(name, doc["metadata"].get(name))
        text = re.sub(r"\s+", " ", nfc(str(raw))).strip() if raw is not None else ""
        clean[name], problem = _field(name, text)
        if problem:
            problems.append(f"{where} {problem}")
    return clean, problems


def _field(name: str, text: str) -> tuple[Any, str | None]:
    """(value, problem) of one field as a person wrote it."""
    if not text:
        return None, (f"{name} is required (TT 05/2025) but empty" if name in REQUIRED else None)
    if name == "document_type":
        known = {fold(t).casefold(): t for t in DOCUMENT_TYPES}
        found = known.get(fold(text).casefold())
        return found or text, None if found else f"document_type {text!r} is none of TT 05's types"
    if name == "issued_date":
        try:
            day = date.fromisoformat(text) if _ISO_DATE.match(text) else None
        except ValueError:
            day = None
        if day is None:
            return text, f"issued_date {text!r} is not a date written YYYY-MM-DD"
        if not date(1900, 1, 1) <= day <= date.today():
            return text, f"issued_date {text} is before 1900 or in the future"
        return text, None
    if name == "number" and not text.isdigit():
        return text, f"number {text!r} must be digits only (the symbol goes in symbol)"
    if name == "symbol" and " " in text:
        return text, f"symbol {text!r} must not contain spaces"
    if name == "urgency":
        marks = {m.casefold(): m for m in URGENCY_MARKS}
        if text.casefold() not in marks:
            return text, f"urgency {text!r} is none of {', '.join(URGENCY_MARKS)}"
        return marks[text.casefold()], None
    if name == "subject":
        text = _LEADING.sub("", text) or text  # the report keeps the trích yếu without its leading V/v
    limit = MAX_LENGTH.get(name, TEXT_MAX)
    if len(text) > limit:
        return text, f"{name} is {len(text)} characters long, the most is {limit}"
    return text, None


def _reason(answer: Answer) -> str:
    return re.sub(r"\s+", " ", nfc(str(answer.values.get("reason") or ""))).strip()


def check(dw: DossierWork, documents: dict[str, Answer], dossier_answer: Answer | None) -> list[str]:
    """Everything that keeps these answers from being applied to ``dw`` (empty: they can be)."""
    problems = []
    pending = {d["doc_id"]: d for d in pending_documents(dw)}
    for doc_id, answer in documents.items():
        if doc_id not in pending:
            problems.append(f"{doc_id}: not a document of {dw.code} pending review")
            continue
        if answer.decision not in OPTIONS:
            problems.append(f"{doc_id}: decision {answer.decision!r} is neither {APPROVE} nor {REJECT}")
        elif answer.decision == REJECT and not _reason(answer):
            problems.append(f"{doc_id}: a {REJECT} needs a reason")
        elif answer.decision == APPROVE:
            problems += clean_document(answer.values, pending[doc_id])[1]
    if missing := sorted(set(pending) - set(documents)):
        problems.append(f"{dw.code}: no answer for pending document(s) {', '.join(missing)}")
    if dossier_answer is not None:
        code = nfc(str(dossier_answer.values.get("dossier_code") or dw.code)).strip()
        if code != dw.code:
            problems.append(f"{dw.code}: dossier_code was changed to {code!r}: refused")
        if dossier_answer.decision not in OPTIONS:
            problems.append(f"{dw.code}: decision {dossier_answer.decision!r} is neither {APPROVE} nor {REJECT}")
        elif dossier_answer.decision == REJECT and not _reason(dossier_answer):
            problems.append(f"{dw.code}: a {REJECT} needs a reason")
        problems += _cleared(dw, dossier_answer)[1] + _codes(dw, dossier_answer)[1]
    elif dossier_reasons(dw):
        problems.append(f"{dw.code}: the dossier form was not answered")
    return problems


def apply(work: BatchWork, code: str, documents: dict[str, Answer], dossier_answer: Answer | None = None,
          via: str = "review_dossier") -> str:
    """Apply the answers of every form of dossier ``code``; returns "approved", "rejected" or "refused".

    Refused answers change no metadata: their values are kept as the next round's proposal and the reasons in
    ``review.json`` (``refused``), so that the next forms show them. Every round, applied or not, is appended
    to the dossier's review history."""
    dw = dossier(work, code)
    state = review_state(dw)
    answers = [*documents.values(), *([dossier_answer] if dossier_answer else [])]
    round_ = {"at": now(), "via": via, "answers": {**{k: {"decision": a.decision, "by": a.by, "at": a.at,
                                                             "values": a.values} for k, a in documents.items()},
                                                  **({code: {"decision": dossier_answer.decision, "by": dossier_answer.by,
                                                             "at": dossier_answer.at, "values": dossier_answer.values}}
                                                     if dossier_answer else {})}}
    history = [*(state.get("history") or []), round_]
    if problems := check(dw, documents, dossier_answer):
        round_.update(outcome="refused", problems=problems)
        write_json(dw.root / "review.json", {**state, "refused": problems, "history": history,
                                             "proposed": {k: a.values for k, a in documents.items()}})
        return "refused"
    rejecting = next((a for a in answers if a.decision == REJECT), None)
    deciding = (rejecting or dossier_answer or max(answers, key=lambda a: a.at)) if answers else None
    by = deciding.by if deciding else "unknown"
    docs = read_json(dw.documents_json)
    for doc in docs:
        answer = documents.get(doc["doc_id"])
        if answer is None:
            continue
        record: dict[str, Any] = {"by": answer.by, "at": answer.at, "reason": _reason(answer) or None}
        if answer.decision == APPROVE and rejecting is None:
            clean, _ = clean_document(answer.values, doc)
            record["changed"] = {f: [doc["metadata"].get(f), v] for f, v in clean.items()
                                 if v != doc["metadata"].get(f)}
            doc["metadata"].update(clean)
            doc["metadata"]["type_code"] = type_code(clean["document_type"])
            doc["confidence"].update({f: 1.0 for f in record["changed"]})  # a person's value is sure
            doc["needs_review"] = False
        record["decision"] = "approved" if answer.decision == APPROVE and rejecting is None else "rejected"
        doc["review"] = record
    changed: dict[str, list[Any]] = {}
    codes: dict[str, str] = {}
    if dossier_answer is not None and rejecting is None:  # marks the archivist found misread: the documents go out
        codes = _codes(dw, dossier_answer)[0]
        current = dossier_codes(dw, _entry(dw))
        changed.update({key: [current.get(key), code] for key, code in codes.items()})
        cleared = _cleared(dw, dossier_answer)[0]
        for doc in docs:
            if doc["doc_id"] in cleared:
                changed[f"{doc['doc_id']}.secrecy"] = [doc["metadata"]["secrecy"], None]
                doc["metadata"]["secrecy"] = None
    decision = "rejected" if rejecting or not docs else "approved"
    reason = _reason(rejecting) if rejecting else (_reason(dossier_answer) if dossier_answer else "") or None
    if not docs and not rejecting:
        reason = "nothing to deliver: the dossier's pages are to be scanned again"
    round_["outcome"] = decision
    write_json(dw.documents_json, docs)
    write_json(dw.root / "review.json", {"decision": decision, "by": by, "at": deciding.at if deciding else now(),
                                         "reason": reason, "changed": changed, "history": history,
                                         **({"codes": codes} if codes else {})})
    return decision


def held_dossiers(work: BatchWork) -> list[str]:
    """Codes of the batch's dossiers with a form to answer."""
    return [dw.code for dw in work.dossiers() if dw.documents_json.exists() and (dw.root / "package.json").exists()
            and not dw.stopped_json.exists() and (pending_documents(dw) or dossier_reasons(dw))]


def work_of(output_batch: Path) -> BatchWork:
    """The work area of a delivered batch, from its ``report.json`` (``work`` key) or SOHOA_WORK_DIR."""
    report = read_json(output_batch / "report.json")
    return BatchWork(Path(report["work"]))
