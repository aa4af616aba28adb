"""What one batch adds to its campaign, read off its ``report.json`` (and ``manifest.json``).

The rows it returns are those of the campaign store (``sohoa.campaign.store``): one for the batch, one per
dossier (with its fond and administrative level, so that every figure can be filtered by them), one per
reason pages were quarantined or dossiers failed, one per stage with the time it took. Counts are the
report's own: pages by their final state, documents, dossiers by status.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sohoa.vocab import fold, nfc

PAGE_STATES = ("delivered", "review", "blank", "duplicate", "ignored", "quarantined")
DOSSIER_STATES = ("delivered", "review", "failed", "rejected")

# Administrative level of a fond (the survey asks for volumes at province, district and commune level).
LEVELS = {"central": "Trung ương", "province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã",
          "unknown": "Chưa xác định"}
LEVEL_HEADINGS = ("level", "cấp", "cấp hành chính", "cấp lưu trữ")
LEVEL_WORDINGS = {
    "central": ("trung ương", "cấp trung ương", "central", "bộ", "bộ, ngành"),
    "province": ("tỉnh", "cấp tỉnh", "province", "provincial", "thành phố trực thuộc trung ương"),
    "district": ("huyện", "cấp huyện", "district", "quận", "thị xã", "thành phố thuộc tỉnh"),
    "commune": ("xã", "cấp xã", "commune", "phường", "thị trấn"),
}
# Cities under the central government: their people's committee is a province's.
CENTRAL_CITIES = ("HA NOI", "HO CHI MINH", "HAI PHONG", "DA NANG", "CAN THO", "HUE")
_BODY = r"(?:UY BAN NHAN DAN|UBND|HOI DONG NHAN DAN|HDND|BAN CHAP HANH|DANG UY|CONG AN|TOA AN NHAN DAN)"
_AGENCY_LEVELS = (
    ("district", re.compile(rf"\b{_BODY} (?:HUYEN|QUAN|THI XA)\b")),
    ("commune", re.compile(rf"\b{_BODY} (?:XA|PHUONG|THI TRAN)\b")),
    ("province", re.compile(rf"\b{_BODY} TINH\b|^SO\b|\bTINH UY\b")),
    ("central", re.compile(r"^(?:BO|VAN PHONG CHINH PHU|THU TUONG CHINH PHU|CHINH PHU|QUOC HOI)\b")),
    ("district", re.compile(r"^PHONG\b|\bHUYEN UY\b|\bQUAN UY\b")),
)
_CITY = re.compile(rf"\b{_BODY} THANH PHO ([A-Z ]+)")
NO_FOND = "(chưa ghi phông)"


def _key(text: str) -> str:
    return " ".join(nfc(text).casefold().split())


def level_from_text(value: str) -> str | None:
    """The level a catalogue cell names ("Cấp huyện", "xã", "province"), None when it names none."""
    key = _key(value)
    return next((level for level, words in LEVEL_WORDINGS.items() if key in {_key(w) for w in words}), None)


def level_of_agency(name: str | None) -> str | None:
    """The level of an issuing agency from its name (ỦY BAN NHÂN DÂN HUYỆN … → district), None when the name
    does not say: a Sở is a province's, a Phòng a district's, a city's people's committee a province's only for
    the five cities under the central government (and Huế)."""
    text = " ".join(fold(name or "").replace("-", " ").split())
    if not text:
        return None
    if city := _CITY.search(text):
        return "province" if city.group(1).strip().startswith(CENTRAL_CITIES) else "district"
    return next((level for level, pattern in _AGENCY_LEVELS if pattern.search(text)), None)


def dossier_level(catalogue: dict[str, str], documents: list[dict[str, Any]]) -> tuple[str, str]:
    """(level, how it was known): the catalogue's level column, else the agencies that issued its documents
    (most of them), else unknown — never guessed."""
    for heading, value in catalogue.items():
        if _key(heading) in LEVEL_HEADINGS and value.strip():
            found = level_from_text(value)
            return (found, "catalogue") if found else ("unknown", f"catalogue value {value!r} not understood")
    votes: Counter[str] = Counter()
    for doc in documents:
        meta = doc.get("metadata") or {}
        level = level_of_agency(meta.get("parent_agency")) or level_of_agency(meta.get("issuing_agency"))
        if level:
            votes[level] += 1
    if votes:
        return votes.most_common(1)[0][0], "issuing agency"
    return "unknown", "neither the catalogue nor the documents say"


# Reasons pages are quarantined and dossiers fail, grouped by kind: the first clause of the reason with what
# names one file, dossier or number left out.
_REASON_KINDS = (
    (re.compile(r"^below \d+ dpi"), "below 200 dpi (to scan again)"),
    (re.compile(r"^secrecy mark|secrecy level"), "secrecy: withheld"),
    (re.compile(r"^dossier rejected|^dossier .* rejected"), "dossier rejected by an archivist"),
    (re.compile(r"^dossier not packaged"), "dossier not packaged"),
    (re.compile(r"^OCR (failed|timed out)", re.I), "OCR failed or timed out"),
)
_NAMES = re.compile(r"'[^']*'|\"[^\"]*\"|\S*[/\\]\S*|\b\S+\.(?:tiff?|jpe?g|png|pdf)\b|\d+(?:[.,]\d+)*", re.I)


# How the dashboard says the kinds the pipeline's reasons fall into (their first words), in Vietnamese.
REASON_LABELS = (
    ("below 200 dpi", "Dưới 200 dpi: quét lại"), ("secrecy", "Có dấu mật: không đưa ra"),
    ("OCR failed", "Nhận dạng (OCR) lỗi hoặc quá thời gian"), ("empty file", "Tệp rỗng"),
    ("truncated image", "Ảnh bị cắt cụt"), ("not an image", "Không phải tệp ảnh"), ("too small", "Ảnh quá nhỏ"),
    ("encrypted PDF", "PDF có mật khẩu"), ("decompression bomb", "Ảnh quá lớn (bom giải nén)"),
    ("link leaving the batch", "Liên kết trỏ ra ngoài lô"), ("outside any dossier folder", "Tệp ngoài thư mục hồ sơ"),
    ("unsupported file type", "Loại tệp không hỗ trợ"), ("dossier rejected", "Hồ sơ bị lưu trữ viên từ chối"),
    ("dossier not packaged", "Hồ sơ không đóng gói được"), ("listed in dossiers", "Có trong danh mục, thiếu thư mục"),
    ("dossier code", "Mã hồ sơ trong danh mục không hợp lệ"), ("no document was found", "Không tìm thấy văn bản"),
    ("page not processed", "Trang chưa xử lý xong"), ("processing stopped", "Dừng xử lý giữa chừng"),
)


def reason_label(kind: str) -> str:
    """The Vietnamese words for a reason kind; the kind itself when there are none."""
    return next((label for start, label in REASON_LABELS if kind.startswith(start)), kind)


def reason_kind(reason: str | None) -> str:
    """The kind of a quarantine or failure reason, short and the same for every page it struck."""
    text = nfc(reason or "").strip() or "no reason given"
    for pattern, kind in _REASON_KINDS:
        if pattern.search(text):
            return kind
    first = re.split(r"[:;(]", text, maxsplit=1)[0]
    return " ".join(_NAMES.sub("…", first).split())[:120] or text[:120]


@dataclass
class BatchFigures:
    """The rows one batch gives the campaign store."""

    batch: dict[str, Any]
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)


def _seconds_between(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not start or not end:
        return None
    return max(0.0, (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())


def _package_bytes(manifest: dict[str, Any] | None, code: str) -> int:
    if not manifest:
        return 0
    folder, archive = f"packages/{code}/", f"packages/{code}.zip"
    return sum(int(v["size"]) for k, v in manifest.get("files", {}).items() if k.startswith(folder) or k == archive)


def delivered_documents(dossier: dict[str, Any]) -> int:
    """Documents of a delivered dossier that its package holds (a confirmed secret one stays out)."""
    if dossier["status"] != "delivered":
        return 0
    return sum(not (d.get("metadata") or {}).get("secrecy") for d in dossier["documents"])


def batch_figures(report: dict[str, Any], output_uri: str, campaign: str | None = None,
                  manifest: dict[str, Any] | None = None, stages: dict[str, dict[str, float]] | None = None,
                  software: dict[str, str] | None = None) -> BatchFigures:
    """The store's rows for the batch of ``report`` delivered to ``output_uri``. ``campaign`` defaults to the
    report's; ``stages`` is {stage: {seconds, pages}} (``sohoa.campaign.progress.stage_times``)."""
    batch_id = report["batch_id"]
    campaign = campaign or report.get("campaign") or ""
    key = {"output_uri": output_uri, "batch_id": batch_id}
    page_states = Counter(p["status"] for p in report["pages"])
    pages_by_dossier: dict[str, list[dict[str, Any]]] = {}
    for p in report["pages"]:
        pages_by_dossier.setdefault(p.get("dossier") or "", []).append(p)
    figures = BatchFigures(batch={
        **key, "campaign": campaign, "batch_uri": report.get("batch_uri"), "started": report["started"],
        "finished": report["finished"], "code_version": report.get("code_version"),
        "pages": len(report["pages"]), **{f"pages_{s}": page_states.get(s, 0) for s in PAGE_STATES},
        "documents": sum(len(d["documents"]) for d in report["dossiers"]),
        "documents_delivered": sum(delivered_documents(d) for d in report["dossiers"]),
        **{f"dossiers_{s}": sum(d["status"] == s for d in report["dossiers"]) for s in DOSSIER_STATES},
        "expectations": int((report.get("quality") or {}).get("expectations") or 0),
        "expectations_failed": int((report.get("quality") or {}).get("failed") or 0),
        "bytes_stored": sum(int(v["size"]) for v in (manifest or {}).get("files", {}).values()),
        "package_types": ",".join(sorted({d.get("package_type") for d in report["dossiers"]
                                          if d.get("package_type")})) or None,
        "wall_seconds": _seconds_between(report["started"], report["finished"]),
        "software": software or {},
    })
    for d in report["dossiers"]:
        code = d["dossier_code"]
        pages = pages_by_dossier.get(code, [])
        states = Counter(p["status"] for p in pages)
        confidences = [float(p["ocr_confidence"]) for p in pages
                       if p.get("ocr_confidence") is not None and p["status"] in ("delivered", "review")]
        level, level_source = dossier_level(d.get("catalogue") or {}, d["documents"])
        review = d.get("review") or {}
        figures.dossiers.append({
            **key, "dossier_code": code, "campaign": campaign,
            "fond": nfc((d.get("catalogue") or {}).get("fond") or "").strip() or NO_FOND,
            "level": level, "level_source": level_source, "status": d["status"], "reason": d.get("reason"),
            **{f"pages_{s}": states.get(s, 0) for s in PAGE_STATES},
            "documents": len(d["documents"]), "documents_delivered": delivered_documents(d),
            "documents_needing_review": sum(bool(doc.get("needs_review")) or "review" in doc
                                            for doc in d["documents"]),
            "documents_changed": sum(bool((doc.get("review") or {}).get("changed")) for doc in d["documents"]),
            "ocr_confidence_sum": round(sum(confidences), 3), "ocr_pages": len(confidences),
            "bytes_stored": _package_bytes(manifest, code) if d.get("package") else 0,
            "package_valid": bool(d.get("package")),
            "package_invalid": any(r.startswith("package not built") for r in d.get("reasons") or []),
            "package_type": d.get("package_type"),
            "reviewed_by": review.get("by"), "reviewed_at": review.get("at"),
        })
        if d["status"] == "failed":
            for r in d.get("reasons") or [d.get("reason")]:
                figures.reasons.append({**key, "campaign": campaign, "dossier_code": code,
                                        "kind": "failure", "reason": reason_kind(r), "count": 1})
    dossier_of = {row["dossier_code"]: row for row in figures.dossiers}
    quarantined: Counter[tuple[str, str]] = Counter(
        (p.get("dossier") or "", reason_kind(p.get("reason"))) for p in report["pages"] if p["status"] == "quarantined")
    for (code, kind), count in sorted(quarantined.items()):
        figures.reasons.append({**key, "campaign": campaign, "dossier_code": code if code in dossier_of else None,
                                "kind": "quarantine", "reason": kind, "count": count})
    for row in figures.reasons:
        d = dossier_of.get(row["dossier_code"] or "")
        row.update(fond=d["fond"] if d else NO_FOND, level=d["level"] if d else "unknown")
    figures.stages = [{**key, "campaign": campaign, "stage": stage, "seconds": round(v.get("seconds", 0.0), 3),
                       "pages": int(v.get("pages", 0))} for stage, v in sorted((stages or {}).items())]
    return figures
