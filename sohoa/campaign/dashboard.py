"""What the campaign dashboard shows: the store's figures filtered by campaign, fond and level, the headline
numbers, and the charts as Vega-Lite specs (made with Altair), in Vietnamese.

Days are Vietnam's (Asia/Ho_Chi_Minh). Every number is a sum over the store's rows, the same rows the survey
adds up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sohoa.campaign import store
from sohoa.campaign.figures import LEVELS, reason_label

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AGES = (("< 1 ngày", 1), ("1–3 ngày", 3), ("3–7 ngày", 7), ("7–30 ngày", 30), ("> 30 ngày", None))
STATUS = {"delivered": "Đã giao nộp", "review": "Chờ kiểm duyệt", "failed": "Lỗi", "rejected": "Bị từ chối"}
KINDS = {"quarantine": "Trang bị cách ly", "failure": "Hồ sơ lỗi"}
STAGES = {"import": "Nhập lô", "clean": "Xử lý ảnh", "ocr": "Nhận dạng (OCR)", "extract": "Bóc tách dữ liệu",
          "quality": "Kiểm tra chất lượng", "package": "Đóng gói, ký số", "deliver": "Giao nộp"}
WIDTH = 520


@dataclass
class Filters:
    campaign: str | None = None
    fond: str | None = None
    level: str | None = None


@dataclass
class View:
    filters: Filters
    choices: dict[str, list[str]]
    kpis: dict[str, float | int | None]
    charts: dict[str, dict[str, Any]]  # id -> Vega-Lite spec
    target_pages: int | None


def _day(iso: str | None) -> str | None:
    return datetime.fromisoformat(iso).astimezone(TZ).date().isoformat() if iso else None


def _age_bucket(days: float) -> str:
    return next(label for label, limit in AGES if limit is None or days < limit)


def view(url: str, filters: Filters, now: datetime | None = None) -> View:
    now = now or datetime.now(UTC)
    every = store.rows(url, store.dossiers, filters.campaign)
    dossiers = [d for d in every if (filters.fond in (None, d["fond"])) and (filters.level in (None, d["level"]))]
    batches = store.rows(url, store.batches, filters.campaign)
    reasons = [r for r in store.rows(url, store.reasons, filters.campaign)
               if (filters.fond in (None, r["fond"])) and (filters.level in (None, r["level"]))]
    stages = store.rows(url, store.stages, filters.campaign)
    info = store.rows(url, store.campaigns, filters.campaign) if filters.campaign else []
    target = info[0]["target_pages"] if info else None
    held = [d for d in dossiers if d["status"] == "review"]
    ages = [(now - datetime.fromisoformat(d["held_since"])).total_seconds() / 86400 for d in held if d["held_since"]]
    ocr_pages = sum(d["ocr_pages"] for d in dossiers)
    pages_delivered = sum(d["pages_delivered"] for d in dossiers)
    kpis: dict[str, float | int | None] = {
        "batches": len({(d["output_uri"], d["batch_id"]) for d in dossiers}),
        "pages_delivered": pages_delivered,
        "documents_delivered": sum(d["documents_delivered"] for d in dossiers),
        **{f"dossiers_{s}": sum(d["status"] == s for d in dossiers) for s in STATUS},
        "documents_review": sum(d["documents_needing_review"] for d in dossiers if d["status"] == "review"),
        "oldest_review_days": round(max(ages), 1) if ages else None,
        "pages_quarantined": sum(d["pages_quarantined"] for d in dossiers),
        "ocr_confidence": round(sum(d["ocr_confidence_sum"] for d in dossiers) / ocr_pages, 1) if ocr_pages else None,
        "bytes_stored": sum(d["bytes_stored"] for d in dossiers),
        "target_share": round(100 * pages_delivered / target, 1) if target else None,
    }
    choices = {"campaign": store.campaign_names(url), "fond": sorted({d["fond"] for d in every}),
               "level": [lvl for lvl in LEVELS if any(d["level"] == lvl for d in every)]}
    charts = {
        "progress": _progress(dossiers),
        "cumulative": _cumulative(dossiers, target),
        "throughput": _throughput(batches, stages),
        "reasons": _reasons(reasons),
        "backlog": _backlog(ages),
        "by_fond": _by_fond(dossiers),
        "storage": _storage(dossiers),
    }
    return View(filters, choices, kpis, charts, target)


def _alt() -> Any:
    import altair as alt

    return alt


def _spec(chart: Any, title: str, width: int = WIDTH) -> dict[str, Any]:
    spec: dict[str, Any] = chart.properties(title=title, width=width).configure_view(stroke=None).to_dict()
    return spec


def _empty(title: str) -> dict[str, Any]:
    """A chart with nothing to draw yet says so."""
    alt = _alt()
    note = alt.Chart(alt.Data(values=[{"note": "Chưa có số liệu"}])).mark_text(size=16, color="#777").encode(text="note:N")
    return _spec(note.properties(height=120), title)


def _daily(dossiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for d in dossiers:
        if d["status"] == "delivered" and (day := _day(d["done_at"])):
            per_day[day].update(pages=d["pages_delivered"], documents=d["documents_delivered"],
                                bytes=d["bytes_stored"])
    return [{"day": day, **counts} for day, counts in sorted(per_day.items())]


def _x_day(alt: Any, title: str = "Ngày") -> Any:
    """Days on a time axis, a tick per day at most (one day alone is not drawn as three)."""
    return alt.X("day:T", timeUnit="utcyearmonthdate", title=title,
                 axis=alt.Axis(format="%d/%m", tickCount={"interval": "day", "step": 1}))


def _count_axis(alt: Any, title: str) -> Any:
    return alt.Y("count:Q", title=title, axis=alt.Axis(tickMinStep=1, format="d"), scale=alt.Scale(domainMin=0))


def _legend(alt: Any) -> Any:
    return alt.Legend(orient="top", title=None)


def _progress(dossiers: list[dict[str, Any]]) -> dict[str, Any]:
    alt = _alt()
    rows = [{"day": r["day"], "what": what, "count": r[key]} for r in _daily(dossiers)
            for key, what in (("pages", "Trang"), ("documents", "Văn bản"))]
    if not rows:
        return _empty("Trang và văn bản giao nộp mỗi ngày")
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=_x_day(alt), xOffset="what:N", y=_count_axis(alt, "Số lượng giao nộp"),
        color=alt.Color("what:N", legend=_legend(alt), scale=alt.Scale(range=["#1f6fb2", "#e39a2d"])),
        tooltip=[alt.Tooltip("day:T", title="Ngày", format="%d/%m/%Y"), alt.Tooltip("what:N", title="Loại"),
                 alt.Tooltip("count:Q", title="Số lượng", format=",")])
    return _spec(chart, "Trang và văn bản giao nộp mỗi ngày")


def _cumulative(dossiers: list[dict[str, Any]], target: int | None) -> dict[str, Any]:
    alt = _alt()
    total, rows = 0, []
    for r in _daily(dossiers):
        total += r["pages"]
        rows.append({"day": r["day"], "pages": total})
    if not rows:
        return _empty("Tiến độ lũy kế so với chỉ tiêu")
    line = alt.Chart(alt.Data(values=rows)).mark_line(point=True, color="#1f6fb2").encode(
        x=_x_day(alt), y=alt.Y("pages:Q", title="Trang lũy kế"),
        tooltip=[alt.Tooltip("day:T", title="Ngày", format="%d/%m/%Y"),
                 alt.Tooltip("pages:Q", title="Trang lũy kế", format=",")])
    if target:
        goal = alt.Chart(alt.Data(values=[{"target": target, "label": f"Chỉ tiêu: {target:,} trang".replace(",", ".")}]))
        rule = goal.mark_rule(color="#c0392b", strokeDash=[6, 4]).encode(y="target:Q")
        text = goal.mark_text(align="left", dx=4, dy=-6, color="#c0392b").encode(y="target:Q", text="label:N")
        return _spec(alt.layer(line, rule, text), "Tiến độ lũy kế so với chỉ tiêu")
    return _spec(line, "Tiến độ lũy kế (chưa đặt chỉ tiêu)")


def _throughput(batches: list[dict[str, Any]], stages: list[dict[str, Any]]) -> dict[str, Any]:
    alt = _alt()
    rate = [{"batch": b["batch_id"], "day": _day(b["first_finished"]),
             "per_hour": round(3600 * (b["pages"] - b["pages_ignored"]) / b["wall_seconds"], 1)}
            for b in batches if b["wall_seconds"]]
    spent: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    for s in stages:
        spent[s["stage"]] += s["seconds"]
        pages[s["stage"]] += s["pages"]
    per_stage = [{"stage": STAGES.get(k, k), "order": list(STAGES).index(k) if k in STAGES else 99,
                  "seconds": round(v, 1)} for k, v in spent.items()]
    if not rate and not per_stage:
        return _empty("Năng suất")
    left = alt.Chart(alt.Data(values=rate)).mark_circle(size=90, color="#1f6fb2").encode(
        x=_x_day(alt, "Ngày xong lô"),
        y=alt.Y("per_hour:Q", title="Trang/giờ"),
        tooltip=[alt.Tooltip("batch:N", title="Lô"), alt.Tooltip("per_hour:Q", title="Trang/giờ", format=",")],
    ).properties(title="Năng suất mỗi lô (trang/giờ)", width=WIDTH // 2 - 20)
    right = alt.Chart(alt.Data(values=per_stage)).mark_bar(color="#6a9f58").encode(
        y=alt.Y("stage:N", title=None, sort=alt.EncodingSortField("order")),
        x=alt.X("seconds:Q", title="Giây xử lý (cộng mọi lô)"),
        tooltip=[alt.Tooltip("stage:N", title="Công đoạn"), alt.Tooltip("seconds:Q", title="Giây", format=",")],
    ).properties(title="Thời gian theo công đoạn", width=WIDTH // 2 - 20)
    spec: dict[str, Any] = alt.hconcat(left, right).configure_view(stroke=None).to_dict()
    return spec


def _reasons(reasons: list[dict[str, Any]]) -> dict[str, Any]:
    alt = _alt()
    counts: Counter[tuple[str, str]] = Counter()
    for r in reasons:
        counts[(KINDS.get(r["kind"], r["kind"]), reason_label(r["reason"]))] += r["count"]
    rows = [{"kind": k, "reason": reason, "count": n} for (k, reason), n in counts.most_common(15)]
    if not rows:
        return _empty("Lý do cách ly trang và hồ sơ lỗi")
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("reason:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("count:Q", title="Số lượng", axis=alt.Axis(tickMinStep=1, format="d"), scale=alt.Scale(domainMin=0)),
        color=alt.Color("kind:N", legend=_legend(alt), scale=alt.Scale(range=["#c0392b", "#e39a2d"])),
        tooltip=[alt.Tooltip("reason:N", title="Lý do"), alt.Tooltip("kind:N", title="Loại"),
                 alt.Tooltip("count:Q", title="Số lượng")])
    return _spec(chart, "Lý do cách ly trang và hồ sơ lỗi", WIDTH - 200)


def _backlog(ages: list[float]) -> dict[str, Any]:
    alt = _alt()
    buckets = Counter(_age_bucket(a) for a in ages)
    rows = [{"age": label, "order": i, "count": buckets.get(label, 0)} for i, (label, _) in enumerate(AGES)]
    chart = alt.Chart(alt.Data(values=rows)).mark_bar(color="#8e44ad").encode(
        x=alt.X("age:N", title="Đã chờ", sort=alt.EncodingSortField("order"), axis=alt.Axis(labelAngle=0)),
        y=_count_axis(alt, "Hồ sơ chờ kiểm duyệt"),
        tooltip=[alt.Tooltip("age:N", title="Đã chờ"), alt.Tooltip("count:Q", title="Hồ sơ")])
    return _spec(chart, f"Hồ sơ chờ kiểm duyệt: {len(ages)}, theo thời gian chờ")


def _by_fond(dossiers: list[dict[str, Any]]) -> dict[str, Any]:
    alt = _alt()
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for d in dossiers:
        per[d["fond"]].update(conf=d["ocr_confidence_sum"], pages=d["ocr_pages"], documents=d["documents"],
                              review=d["documents_needing_review"])
    rows = []
    for fond, c in sorted(per.items()):
        if c["pages"]:
            rows.append({"fond": fond, "measure": "Độ tin cậy OCR trung bình (%)", "value": round(c["conf"] / c["pages"], 1)})
        if c["documents"]:
            rows.append({"fond": fond, "measure": "Văn bản cần kiểm duyệt (%)",
                         "value": round(100 * c["review"] / c["documents"], 1)})
    if not rows:
        return _empty("Chất lượng theo phông")
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("fond:N", title="Phông"), x=alt.X("value:Q", title="%", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("measure:N", legend=_legend(alt), scale=alt.Scale(range=["#1f6fb2", "#e39a2d"])),
        yOffset="measure:N",
        tooltip=[alt.Tooltip("fond:N", title="Phông"), alt.Tooltip("measure:N", title="Chỉ số"),
                 alt.Tooltip("value:Q", title="%", format=".1f")])
    return _spec(chart, "Chất lượng theo phông: độ tin cậy OCR, tỷ lệ văn bản cần kiểm duyệt", WIDTH - 120)


def _storage(dossiers: list[dict[str, Any]]) -> dict[str, Any]:
    alt = _alt()
    total, rows = 0, []
    for r in _daily(dossiers):
        total += r["bytes"]
        rows.append({"day": r["day"], "gb": round(total / 1e9, 4)})
    if not rows:
        return _empty("Dung lượng lưu trữ đã dùng")
    chart = alt.Chart(alt.Data(values=rows)).mark_area(line=True, point=True, color="#6a9f58", opacity=0.5).encode(
        x=_x_day(alt), y=alt.Y("gb:Q", title="GB đã giao nộp (lũy kế)"),
        tooltip=[alt.Tooltip("day:T", title="Ngày", format="%d/%m/%Y"), alt.Tooltip("gb:Q", title="GB", format=",.3f")])
    return _spec(chart, "Dung lượng lưu trữ đã dùng")
