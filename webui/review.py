"""The archivist's pages, served by Airflow's api-server under ``/sohoa/`` behind Airflow's own login.

Every form of a ``review_dossier`` run links here: the pages of the document as scanned (the archival master,
scaled for the screen), the header the machine read its fields from, and the batch's report, Data Docs and
review queue (the extra links of ``digitize_batch``'s deliver task). Nothing here writes: the answers go
through Airflow's Required Actions (or ``sohoa review --import``).
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import requires_access_dag
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from webui.campaign import router as campaign_router

HEADER_SHARE = 0.42  # of the page's height: where the national title, agency, number and date are printed
SCREEN_PX = 1600  # the longer side of a page as shown
_PLAIN = re.compile(r"^[^/\\\x00]+$")

app = FastAPI(title="sohoa", description="Kiểm duyệt hồ sơ số hóa: pages, headers, reports; the campaign dashboard")
app.include_router(campaign_router, prefix="/campaign")  # /sohoa/campaign/: webui/campaign.py
can_review = Depends(requires_access_dag(method="GET", access_entity=DagAccessEntity.HITL_DETAIL,
                                         param_dag_id="review_dossier"))
can_read_runs = Depends(requires_access_dag(method="GET", access_entity=DagAccessEntity.RUN,
                                            param_dag_id="digitize_batch"))


@app.exception_handler(HTTPException)
async def _login_first(request: Request, exc: HTTPException) -> Response:
    """A person without an Airflow session is sent to Airflow's login, then back; an API client gets the error."""
    if exc.status_code == 401 and "text/html" in request.headers.get("accept", ""):
        from airflow.api_fastapi.app import get_auth_manager

        return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)))
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


def _pulled(batch_id: str, code: str | None = None) -> None:
    """From an S3 work area ([sohoa] work_uri), the api-server's scratch copy of what a page shows: the batch's
    files and its dossiers' descriptions, or one dossier whole (its pages, its draft)."""
    from operators.workarea import scratch_idle, work_mirror
    from sohoa.storage.mirror import Scope, chunk_scope

    if (mirror := work_mirror()) is not None:
        mirror.evict(scratch_idle())
        mirror.pull(batch_id, chunk_scope([code]) if code else Scope(whole_dossiers=False))


def _work(batch_id: str) -> Any:
    from sohoa.pipeline import work_root
    from sohoa.workspace import BatchWork

    if not _PLAIN.match(batch_id) or batch_id in (".", ".."):
        raise HTTPException(404, "no such batch")
    _pulled(batch_id)
    work = BatchWork(work_root() / batch_id)
    if not work.batch_json.exists():
        raise HTTPException(404, f"batch {batch_id} is not in the work area")
    return work


def _dossier(batch_id: str, code: str) -> Any:
    work = _work(batch_id)
    if not _PLAIN.match(code) or code in (".", ".."):
        raise HTTPException(404, "no such dossier")
    _pulled(batch_id, code)
    if not work.dossier(code).documents_json.exists():
        raise HTTPException(404, f"dossier {code} of {batch_id} has no described documents")
    return work.dossier(code)


def _document(dw: Any, doc_id: str) -> dict[str, Any]:
    from sohoa.workspace import read_json

    doc = next((d for d in read_json(dw.documents_json) if d["doc_id"] == doc_id), None)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id} in {dw.code}")
    return dict(doc)


def _jpeg(path: Path, top_share: float = 1.0) -> Response:
    from PIL import Image

    with Image.open(path) as source:
        img = source.convert("RGB")
    if top_share < 1:
        img = img.crop((0, 0, img.width, round(img.height * top_share)))
    img.thumbnail((SCREEN_PX, SCREEN_PX))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return Response(out.getvalue(), media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:"Liberation Serif","DejaVu Serif",serif;margin:1.5em;color:#1b1b1b;max-width:1700px}}
h1{{font-size:1.4em}} table{{border-collapse:collapse}} td,th{{border:1px solid #bbb;padding:.25em .6em;text-align:left}}
.unsure{{background:#fff3cd}} .empty{{background:#f8d7da}} img{{max-width:100%;border:1px solid #999;margin:.4em 0}}
.pages{{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1em}} a{{color:#0b5cad}}</style>
</head><body>{body}</body></html>""")


@app.get("/", dependencies=[can_review], response_class=HTMLResponse)
def index() -> HTMLResponse:
    """Batches of the work area with dossiers waiting for a person."""
    from operators.workarea import work_mirror
    from sohoa.pipeline import work_root
    from sohoa.review import held_dossiers
    from sohoa.workspace import BatchWork

    rows = []
    root, mirror = work_root(), work_mirror()
    names = mirror.batches() if mirror is not None else sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    for folder in (root / name for name in names):
        if mirror is not None:
            _pulled(folder.name)
        if not (folder / "batch.json").exists():
            continue
        held = held_dossiers(BatchWork(folder))
        name = html.escape(folder.name)
        rows.append(f"<tr><td><a href='batches/{quote(folder.name)}/review'>{name}</a></td><td>{len(held)}</td>"
                    f"<td><a href='batches/{quote(folder.name)}/report'>report.json</a></td></tr>")
    return _page("sohoa", "<h1>Kiểm duyệt — review queue</h1><p><a href='/required_actions'>Required Actions</a>"
                 " · <a href='campaign/'>Tiến độ số hóa — campaign dashboard</a></p>"
                 "<table><tr><th>batch</th><th>dossiers held</th><th>report</th></tr>" + "".join(rows) + "</table>")


@app.get("/batches/{batch_id}/review", dependencies=[can_review], response_class=HTMLResponse)
def batch_queue(batch_id: str) -> HTMLResponse:
    from sohoa.review import dossier_reasons, pending_documents

    work = _work(batch_id)
    parts = [f"<h1>Lô {html.escape(batch_id)}: kiểm duyệt</h1>",
             "<p>Answer each form under <a href='/required_actions'>Required Actions</a> (runs of "
             "<code>review_dossier</code>); the pages below show what the machine read.</p>"]
    for dw in work.dossiers():
        if not dw.documents_json.exists():
            continue
        docs, reasons = pending_documents(dw), dossier_reasons(dw)
        if not docs and not reasons:
            continue
        base = f"/sohoa/review/{quote(batch_id)}/{quote(dw.code)}"
        parts.append(f"<h2><a href='{base}'>{html.escape(dw.code)}</a></h2><ul>"
                     + "".join(f"<li><a href='{base}/{quote(d['doc_id'])}'>{html.escape(d['doc_id'])}</a></li>"
                               for d in docs)
                     + "".join(f"<li>{html.escape(r)}</li>" for r in reasons) + "</ul>")
    return _page(f"review {batch_id}", "".join(parts))


@app.get("/batches/{batch_id}/report", dependencies=[can_read_runs])
def report(batch_id: str) -> Response:
    """The batch's report.json as delivered to its output (local or s3://)."""
    from operators.base import s3_client
    from sohoa.storage import storage_for
    from sohoa.workspace import read_json

    output = read_json(_work(batch_id).batch_json).get("params", {}).get("output_uri") or ""
    data = storage_for(output, s3_client(output, "aws_default")).read_bytes(f"{batch_id}/report.json") if output else None
    if data is None:
        raise HTTPException(404, f"batch {batch_id} has no delivered report yet")
    return Response(data, media_type="application/json")


@app.get("/batches/{batch_id}/data_docs/{path:path}", dependencies=[can_read_runs])
def data_docs(batch_id: str, path: str) -> FileResponse:
    """Great Expectations' Data Docs of the batch's quality checks."""
    site = (_work(batch_id).root / "gx" / "uncommitted" / "data_docs" / "local_site").resolve()
    target = (site / (path or "index.html")).resolve()
    if not target.is_relative_to(site) or not target.is_file():
        raise HTTPException(404, "no such page of the Data Docs")
    return FileResponse(target)


@app.get("/review/{batch_id}/{code}", dependencies=[can_review], response_class=HTMLResponse)
def dossier_pages(batch_id: str, code: str) -> HTMLResponse:
    dw = _dossier(batch_id, code)
    rows = "".join(f"<figure><img src='{quote(code)}/page/{p.index}.jpg' alt='{html.escape(p.source)}' "
                   f"loading='lazy'><figcaption>{html.escape(p.source)}: {html.escape(p.status)}"
                   f"{' — ' + html.escape(p.reason) if p.reason else ''}</figcaption></figure>"
                   for p in dw.pages() if p.master)
    return _page(f"{code}", f"<h1>Hồ sơ {html.escape(code)}</h1><div class='pages'>{rows}</div>")


@app.get("/review/{batch_id}/{code}/page/{index}.jpg", dependencies=[can_review])
def page_image(batch_id: str, code: str, index: int) -> Response:
    dw = _dossier(batch_id, code)
    page = next((p for p in dw.pages() if p.index == index and p.master), None)
    if page is None:
        raise HTTPException(404, f"no page {index} in {code}")
    return _jpeg(dw.path(page.master))


@app.get("/review/{batch_id}/{code}/{doc_id}/header.jpg", dependencies=[can_review])
def header_image(batch_id: str, code: str, doc_id: str) -> Response:
    dw = _dossier(batch_id, code)
    first = _document(dw, doc_id)["pages"][0]
    page = next(p for p in dw.pages() if p.source == first)
    if not page.master:
        raise HTTPException(404, f"page {first} has no image")
    return _jpeg(dw.path(page.master), HEADER_SHARE)


@app.get("/review/{batch_id}/{code}/{doc_id}", dependencies=[can_review], response_class=HTMLResponse)
def document_page(batch_id: str, code: str, doc_id: str) -> HTMLResponse:
    """One document as the archivist checks it: the header crop, its fields with their confidence, its pages."""
    from sohoa.review import FIELDS, UNSURE, page_index

    dw = _dossier(batch_id, code)
    doc = _document(dw, doc_id)
    rows = []
    for name in FIELDS:
        value, conf = doc["metadata"].get(name), doc["confidence"].get(name)
        css = "empty" if value in (None, "") else ("unsure" if conf is not None and conf < UNSURE else "")
        rows.append(f"<tr class='{css}'><td>{name}</td><td>{html.escape(str(value or ''))}</td>"
                    f"<td>{'' if conf is None else f'{conf:.0%}'}</td></tr>")
    pages = "".join(f"<figure><img src='page/{page_index(dw, s)}.jpg' alt='{html.escape(s)}' loading='lazy'>"
                    f"<figcaption>{html.escape(s)}</figcaption></figure>" for s in doc["pages"])
    review = ""
    if done := doc.get("review"):
        changed = "".join(f"<li>{html.escape(f)}: {html.escape(str(old or '—'))} → {html.escape(str(new or '—'))}</li>"
                          for f, (old, new) in (done.get("changed") or {}).items())
        review = (f"<p>{html.escape(done['decision'])} by {html.escape(done['by'])} at {html.escape(done['at'])}"
                  f"{': ' + html.escape(done['reason']) if done.get('reason') else ''}</p><ul>{changed}</ul>")
    body = (f"<h1>{html.escape(doc_id)}</h1><p>Hồ sơ <a href='../{quote(code)}'>{html.escape(code)}</a> · "
            f"{len(doc['pages'])} trang · <a href='/required_actions'>Required Actions</a></p>{review}"
            f"<h2>Phần đầu văn bản — header</h2><img src='{quote(doc_id)}/header.jpg' alt='header of {html.escape(doc_id)}'>"
            "<h2>Máy đọc được — what the machine read</h2><table><tr><th>field</th><th>value</th><th>confidence</th>"
            f"</tr>{''.join(rows)}</table><h2>Các trang — pages</h2><div class='pages'>{pages}</div>")
    return _page(doc_id, body)
