"""The Ministry's survey of digitization (khảo sát số hóa tài liệu lưu trữ) answered from the campaign store.

Its sections follow the survey letter: volumes digitized by administrative level, progress and dates, how it
was done, software and equipment, the data structure produced and whether it conforms, storage, management
software, infrastructure. What the store knows is filled in; what it cannot know stays a labelled blank
(``BLANK``) for the province to fill in. Every total is the sum of the batches' ``report.json`` counts.
``survey_xlsx`` and ``survey_pdf`` write it out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sohoa.campaign import store
from sohoa.campaign.figures import LEVELS, PAGE_STATES

BLANK_NOTE = "Để trống: đơn vị điền (sohoa không có số liệu này)"


class _Blank:
    """A cell the province fills in."""

    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()
STATUS_LABELS = {"delivered": "Đã giao nộp (đạt)", "review": "Chờ kiểm duyệt", "failed": "Lỗi, chưa xử lý được",
                 "rejected": "Bị từ chối, phải quét lại"}
PAGE_LABELS = {"delivered": "Đã giao nộp", "review": "Chờ kiểm duyệt", "blank": "Trang trắng",
               "duplicate": "Trùng lặp", "ignored": "Tệp hệ thống (bỏ qua)", "quarantined": "Cách ly (có lý do)"}
SOURCES = {"catalogue": "cột cấp của danh mục hồ sơ", "issuing agency": "cơ quan ban hành văn bản"}
METHODS = {"self": "Tự thực hiện", "service": "Thuê dịch vụ", "mixed": "Kết hợp tự thực hiện và thuê dịch vụ"}


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Survey:
    campaign: str
    made: str
    sections: list[Section]
    totals: dict[str, int]


def _date(iso: str | None) -> str:
    """dd/mm/yyyy in Vietnam's time of an ISO time (the form Vietnamese reports write dates in)."""
    if not iso:
        return ""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "—"


def gigabytes(size: int) -> str:
    return f"{size / 1e9:.3f} GB".replace(".", ",")


def build(url: str, campaign: str) -> Survey:
    """The survey of ``campaign`` from the store at ``url``; LookupError when the store has nothing of it."""
    from sohoa.package.model import DOCUMENT_RULES, DOSSIER_RULES

    batches = store.rows(url, store.batches, campaign)
    dossiers = store.rows(url, store.dossiers, campaign)
    if not batches:
        raise LookupError(f"the campaign store has no batch of campaign {campaign!r}")
    info = next(iter(store.rows(url, store.campaigns, campaign)), {})
    delivered = [d for d in dossiers if d["status"] == "delivered"]
    totals = {"batches": len(batches), "pages_delivered": sum(d["pages_delivered"] for d in dossiers),
              "documents_delivered": sum(d["documents_delivered"] for d in dossiers),
              "documents": sum(b["documents"] for b in batches),
              **{f"dossiers_{s}": sum(d["status"] == s for d in dossiers) for s in STATUS_LABELS},
              **{f"pages_{s}": sum(b[f"pages_{s}"] for b in batches) for s in PAGE_STATES},
              "bytes_stored": sum(b["bytes_stored"] for b in batches)}

    # I. volumes by level
    by_level: dict[str, dict[str, Any]] = defaultdict(lambda: {"fonds": set(), "dossiers": 0, "documents": 0,
                                                               "pages": 0, "bytes": 0})
    for d in delivered:
        into = by_level[d["level"]]
        into["fonds"].add(d["fond"])
        into["dossiers"] += 1
        into["documents"] += d["documents_delivered"]
        into["pages"] += d["pages_delivered"]
        into["bytes"] += d["bytes_stored"]
    volumes = Section("I. Khối lượng tài liệu đã số hóa theo cấp",
                      ["Cấp", "Số phông", "Số hồ sơ", "Số văn bản, tài liệu", "Số trang", "Dung lượng"])
    for level, label in LEVELS.items():
        v = by_level.get(level, {"fonds": set(), "dossiers": 0, "documents": 0, "pages": 0, "bytes": 0})
        volumes.rows.append([label, len(v["fonds"]), v["dossiers"], v["documents"], v["pages"], gigabytes(v["bytes"])])
    volumes.rows.append(["Tổng cộng", len({d["fond"] for d in delivered}), len(delivered),
                         totals["documents_delivered"], totals["pages_delivered"],
                         gigabytes(sum(d["bytes_stored"] for d in delivered))])
    sources = sorted({SOURCES.get(d["level_source"], d["level_source"]) for d in delivered})
    volumes.notes.append("Chỉ tính hồ sơ đã giao nộp. Cấp xác định theo cột cấp của danh mục hồ sơ, nếu không có "
                         "thì theo cơ quan ban hành văn bản; 'Chưa xác định' khi không rõ. Nguồn: " + "; ".join(sources))

    fonds = Section("I.a. Theo phông", ["Phông", "Cấp", "Số hồ sơ", "Số văn bản", "Số trang", "Dung lượng"])
    by_fond: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in delivered:
        by_fond[(d["fond"], d["level"])].append(d)
    for (fond, level), rows in sorted(by_fond.items()):
        fonds.rows.append([fond, LEVELS[level], len(rows), sum(r["documents_delivered"] for r in rows),
                           sum(r["pages_delivered"] for r in rows), gigabytes(sum(r["bytes_stored"] for r in rows))])

    # II. progress and dates
    starts = sorted(b["started"] for b in batches if b["started"])
    ends = sorted(d["done_at"] for d in dossiers if d["done_at"])
    target = info.get("target_pages")
    progress = Section("II. Tiến độ và thời gian thực hiện", ["Nội dung", "Số liệu", "Ghi chú"])
    progress.rows += [
        ["Thời gian bắt đầu", _date(starts[0]) if starts else "", "lô đầu tiên được nhập"],
        ["Thời gian gần nhất có kết quả", _date(ends[-1]) if ends else "", ""],
        ["Số lô đã xử lý", len(batches), ""],
        *[[f"Số hồ sơ: {label}", totals[f"dossiers_{s}"], ""] for s, label in STATUS_LABELS.items()],
        ["Số văn bản đã giao nộp", totals["documents_delivered"], f"trên {totals['documents']} văn bản nhận dạng được"],
        *[[f"Số trang: {label}", totals[f"pages_{s}"], ""] for s, label in PAGE_LABELS.items()],
        ["Chỉ tiêu (số trang)", target if target else BLANK, "" if target else BLANK_NOTE],
        ["Tỷ lệ hoàn thành chỉ tiêu", _share(totals["pages_delivered"], target) if target else BLANK,
         "" if target else BLANK_NOTE],
        ["Thời hạn hoàn thành", info.get("target_date") or BLANK, "" if info.get("target_date") else BLANK_NOTE],
    ]

    # III. method
    reviewed = sum(d["documents_needing_review"] for d in dossiers)
    changed = sum(d["documents_changed"] for d in dossiers)
    method = Section("III. Phương thức thực hiện", ["Nội dung", "Số liệu", "Ghi chú"])
    method.rows += [
        ["Hình thức (tự thực hiện / thuê dịch vụ)", METHODS.get(info.get("method") or "", BLANK),
         "" if info.get("method") in METHODS else BLANK_NOTE],
        ["Quy trình", "Quét tại đơn vị; xử lý ảnh, nhận dạng ký tự (OCR), bóc tách dữ liệu đặc tả, kiểm tra chất "
                      "lượng, đóng gói, ký số tự động; lưu trữ viên kiểm duyệt hồ sơ máy chưa chắc chắn", ""],
        ["Văn bản cần lưu trữ viên kiểm duyệt", reviewed, _share(reviewed, totals["documents"]) + " số văn bản"],
        ["Văn bản được lưu trữ viên sửa dữ liệu đặc tả", changed, ""],
        ["Nhân lực tham gia", BLANK, BLANK_NOTE],
    ]

    # IV. software and equipment
    software: dict[str, set[str]] = defaultdict(set)
    for b in batches:
        software["sohoa"].add(b["code_version"] or "")
        for name, version in (b.get("software") or {}).items():
            software[name].add(str(version))
    tools = Section("IV. Phần mềm và trang thiết bị", ["Thành phần", "Phiên bản", "Ghi chú"])
    tools.rows += [[name, ", ".join(sorted(v for v in versions if v)), "phần mềm dùng để xử lý các lô"]
                   for name, versions in sorted(software.items())]
    tools.rows += [["Máy quét (chủng loại, số lượng)", BLANK, BLANK_NOTE],
                   ["Máy chủ, máy trạm xử lý", BLANK, BLANK_NOTE]]

    # V. data structure
    types = sorted({d["package_type"] for d in delivered if d["package_type"]})
    checked = sum(bool(d["package_valid"]) or bool(d["package_invalid"]) for d in dossiers)
    valid = sum(bool(d["package_valid"]) for d in dossiers)
    expectations = sum(b["expectations"] for b in batches)
    failed_expectations = sum(b["expectations_failed"] for b in batches)
    structure = Section("V. Cấu trúc dữ liệu và mức độ đáp ứng", ["Nội dung", "Số liệu", "Ghi chú"])
    structure.rows += [
        ["Định dạng tệp", "PDF/A-2b hai lớp (ảnh màu và lớp chữ OCR), ký số của cơ quan", "Thông tư 05/2025/TT-BNV Điều 8"],
        ["Gói thông tin", ", ".join(types) or "—", "cấu trúc E-ARK CSIP: METS.xml, metadata/descriptive/EAD.xml, "
         "representations/rep1/{METS.xml, metadata/descriptive/EAD_doc_*.xml, data/*.pdf}, schemas/; kèm tệp .zip"],
        ["Trường thông tin hồ sơ (EAD.xml)", len(DOSSIER_RULES), ", ".join(DOSSIER_RULES)],
        ["Trường thông tin tài liệu (EAD_doc)", len(DOCUMENT_RULES), ", ".join(DOCUMENT_RULES)],
        ["Gói đạt kiểm tra (lược đồ XML, PDF/A, chữ ký số)", valid, f"{_share(valid, checked)} của {checked} gói đã đóng gói"],
        ["Kiểm tra chất lượng dữ liệu (Great Expectations)", expectations - failed_expectations,
         f"{_share(expectations - failed_expectations, expectations)} của {expectations} kiểm tra đạt"],
        ["Lưu trữ trong quá trình số hóa", ", ".join(sorted({b["output_uri"] for b in batches})),
         "nơi giao nộp; bản làm việc ở vùng làm việc của máy xử lý"],
    ]

    # VI. storage
    storage = Section("VI. Dung lượng lưu trữ", ["Nội dung", "Số liệu", "Ghi chú"])
    storage.rows += [["Tổng dung lượng đã giao nộp", gigabytes(totals["bytes_stored"]),
                      f"{totals['bytes_stored']} byte (gói, tệp .zip, báo cáo chất lượng, tệp cách ly)"],
                     ["Dung lượng gói hồ sơ", gigabytes(sum(d["bytes_stored"] for d in delivered)), ""],
                     ["Hạ tầng lưu trữ lâu dài (dung lượng còn trống, sao lưu)", BLANK, BLANK_NOTE]]

    others = [Section("VII. Phần mềm quản lý tài liệu lưu trữ số", ["Nội dung", "Số liệu", "Ghi chú"],
                      [["Tên, phiên bản, đơn vị cung cấp", BLANK, BLANK_NOTE],
                       ["Đáp ứng Thông tư 05/2025/TT-BNV", BLANK, BLANK_NOTE]]),
              Section("VIII. Hạ tầng kỹ thuật", ["Nội dung", "Số liệu", "Ghi chú"],
                      [["Máy chủ, mạng, an toàn thông tin", BLANK, BLANK_NOTE]]),
              Section("IX. Khó khăn, vướng mắc và kiến nghị", ["Nội dung", "Số liệu", "Ghi chú"],
                      [["", BLANK, BLANK_NOTE]])]
    return Survey(campaign, datetime.now(UTC).isoformat(timespec="seconds"),
                  [volumes, fonds, progress, method, tools, structure, storage, *others], totals)
