"""The campaign dashboard (Tiến độ số hóa), served by Airflow's api-server under ``/sohoa/campaign/`` behind
Airflow's own login, and linked from the UI's navigation.

Its routes join the sohoa plugin's FastAPI app (``webui/review.py`` includes ``router``), so that the
review pages and the dashboard share ``/sohoa/`` and its login handling. Charts are Vega-Lite specs drawn in the
browser by Vega, Vega-Lite and vega-embed, served from ``.venv/share/sohoa/js`` (scripts/vendor-js.sh): nothing
is fetched from a CDN.
"""

from __future__ import annotations

import html
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import requires_access_dag
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

router = APIRouter()
can_read = Depends(requires_access_dag(method="GET", access_entity=DagAccessEntity.RUN, param_dag_id="digitize_batch"))
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
# d3's number and time formats as Vietnamese write them
FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
TIME_LOCALE = {
    "dateTime": "%A, %d/%m/%Y %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"tháng {m}" for m in range(1, 13)], "shortMonths": [f"Th{m}" for m in range(1, 13)],
}
KPIS = (  # id, label, unit
    ("pages_delivered", "Trang đã giao nộp", ""), ("documents_delivered", "Văn bản đã giao nộp", ""),
    ("dossiers_delivered", "Hồ sơ đã giao nộp", ""), ("dossiers_review", "Hồ sơ chờ kiểm duyệt", ""),
    ("documents_review", "Văn bản chờ kiểm duyệt", ""), ("oldest_review_days", "Chờ lâu nhất", " ngày"),
    ("dossiers_failed", "Hồ sơ lỗi", ""), ("dossiers_rejected", "Hồ sơ bị từ chối", ""),
    ("pages_quarantined", "Trang bị cách ly", ""), ("ocr_confidence", "Độ tin cậy OCR", " %"),
    ("bytes_stored", "Dung lượng gói", ""), ("target_share", "Đạt chỉ tiêu", " %"), ("batches", "Số lô", ""),
)


def js_dir() -> Path:
    return Path(os.environ.get("SOHOA_JS_DIR") or Path(sys.prefix) / "share" / "sohoa" / "js")


def _url() -> str:
    from operators.campaign import store_url

    return store_url()


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "bytes_stored":
        return f"{value / 1e9:.3f} GB".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str | None) -> str:
    items = "".join(f"<option value='{html.escape(v)}'{' selected' if v == chosen else ''}>{html.escape(t)}</option>"
                    for v, t in [("", "Tất cả"), *options])
    return f"<label>{label} <select name='{name}' onchange='this.form.submit()'>{items}</select></label>"


@router.get("/", dependencies=[can_read], response_class=HTMLResponse)
def dashboard(campaign: str | None = Query(None), fond: str | None = Query(None),
              level: str | None = Query(None)) -> HTMLResponse:
    from sohoa.campaign.dashboard import Filters, view
    from sohoa.campaign.figures import LEVELS

    shown = view(_url(), Filters(campaign or None, fond or None, level or None))
    c = shown.choices
    form = ("<form class='filters' method='get'>"
            + _select("campaign", "Đợt số hóa", [(n, n) for n in c["campaign"]], campaign)
            + _select("fond", "Phông", [(n, n) for n in c["fond"]], fond)
            + _select("level", "Cấp", [(n, LEVELS[n]) for n in c["level"]], level) + "</form>")
    survey = ""
    if campaign:
        q = urlencode({"campaign": campaign})
        survey = (f"<p class='survey'>Báo cáo khảo sát của Bộ Nội vụ: <a class='button' id='survey-xlsx' "
                  f"href='survey.xlsx?{q}'>Tải Excel (.xlsx)</a> <a class='button' id='survey-pdf' "
                  f"href='survey.pdf?{q}'>Tải PDF</a></p>")
    else:
        survey = "<p class='survey'>Chọn một đợt số hóa để tải báo cáo khảo sát của Bộ Nội vụ.</p>"
    tiles = "".join(f"<div class='kpi'><span class='value' id='kpi-{k}' data-value='{json.dumps(shown.kpis[k])}'>"
                    f"{html.escape(_shown(k, shown.kpis[k]))}{unit if shown.kpis[k] is not None else ''}</span>"
                    f"<span class='label'>{label}</span></div>" for k, label, unit in KPIS)
    charts = "".join(f"<figure class='chart' id='chart-{name}'></figure>"
                     f"<script type='application/json' id='spec-{name}'>{_json(spec)}</script>"
                     for name, spec in shown.charts.items())
    scripts = "".join(f"<script src='js/{name}'></script>" for name in SCRIPTS)
    body = f"""<h1>Tiến độ số hóa tài liệu lưu trữ</h1>{form}{survey}<div class='kpis'>{tiles}</div>
<div class='charts'>{charts}</div>{scripts}
<script>
const options = {{renderer: "svg", actions: {{export: true, source: false, compiled: false, editor: false}},
  formatLocale: {_json(FORMAT_LOCALE)}, timeFormatLocale: {_json(TIME_LOCALE)},
  i18n: {{PNG_ACTION: "Lưu PNG", SVG_ACTION: "Lưu SVG"}}}};
document.querySelectorAll("figure.chart").forEach(el => {{
  const spec = JSON.parse(document.getElementById("spec-" + el.id.slice(6)).textContent);
  vegaEmbed(el, spec, options).then(() => el.dataset.rendered = "yes")
    .catch(err => {{ el.dataset.rendered = "error"; el.textContent = "Không vẽ được biểu đồ: " + err; }});
}});
</script>"""
    return HTMLResponse(_page("Tiến độ số hóa", body))


def _json(data: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:"Liberation Sans","DejaVu Sans",sans-serif;margin:1.2em 1.5em;color:#1b1b1b;max-width:1800px}}
h1{{font-size:1.5em;margin:.2em 0 .6em}} .filters label{{margin-right:1.2em}} select{{font-size:1em;padding:.15em}}
.kpis{{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6em;margin:1em 0}}
.kpi{{border:1px solid #d5dbe3;border-radius:6px;padding:.5em .7em;background:#f7f9fc}}
.kpi .value{{display:block;font-size:1.5em;font-weight:bold;color:#1f4e79}} .kpi .label{{font-size:.85em;color:#555}}
.charts{{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:1em}}
figure.chart{{margin:0;border:1px solid #e1e5ea;border-radius:6px;padding:.6em;min-height:200px;overflow-x:auto}}
a.button{{display:inline-block;padding:.3em .8em;background:#1f6fb2;color:#fff;border-radius:4px;text-decoration:none;margin-right:.4em}}
</style></head><body>{body}</body></html>"""


@router.get("/js/{name}", dependencies=[can_read])
def script(name: str) -> FileResponse:
    path = js_dir() / name
    if name not in SCRIPTS or not path.is_file():
        raise HTTPException(404, f"{name} is not installed: run scripts/vendor-js.sh (make setup)")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "private, max-age=86400"})


@router.get("/survey.{form}", dependencies=[can_read])
def survey_file(form: str, campaign: str = Query(...)) -> FileResponse:
    """The Ministry's survey of the campaign, as sohoa campaign-report writes it."""
    from sohoa.campaign import store, survey, survey_pdf, survey_xlsx

    if form not in ("xlsx", "pdf"):
        raise HTTPException(404, "the survey is written as .xlsx or .pdf")
    try:
        found = survey.build(_url(), campaign)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    folder = Path(tempfile.mkdtemp(prefix="sohoa-survey-"))
    path = folder / f"khao-sat-{campaign}.{form}".replace("/", "_")
    if form == "xlsx":
        survey_xlsx.write(found, store.rows(_url(), store.batches, campaign), path)
    else:
        survey_pdf.write(found, path)
    import shutil

    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))
