"""Held dossiers through the review path without Airflow: drafts, forms, answers checked like machine values,
release (checks, package, signature, delivery, ledger), rejection, and the spreadsheet round trip.

The batch is generated and its first pages stained over the header (a water stain on the paper), so that the
machine really cannot read agency, number, date or subject there; the pipeline's own stages read it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageSequence

from sohoa import pipeline
from sohoa.ledger import audit
from sohoa.package import validate_package
from sohoa.package.ead import read_simpledc
from sohoa.report import validate_report
from sohoa.review import Answer, apply, forms, pending_documents
from sohoa.review_sheet import ReviewError, export, import_sheet
from sohoa.sign import verify_pdf
from sohoa.storage import LocalStorage
from sohoa.synth import make_batch
from sohoa.workspace import BatchWork, read_json
from tests.conftest import run_stages

pytestmark = pytest.mark.slow
STAINED = ("H30.2020.18.TH", "H24.11.2023.04.TCCB")  # seed 7: a JPEG page and a multi-page TIFF
DELIVERED = "G09.13.2023.12.VX"


def stain_header(path: Path, share: float = 0.17) -> None:
    """A brown water stain over the top of the file's first page, where the header is printed."""
    with Image.open(path) as img:
        frames = [frame.copy() for frame in ImageSequence.Iterator(img)]
        dpi = img.info.get("dpi")
    first = frames[0].convert("RGB")
    ImageDraw.Draw(first).rectangle((0, 0, first.width, int(first.height * share)), fill=(92, 70, 48))
    if path.suffix in (".tif", ".tiff"):
        first.save(path, save_all=True, append_images=frames[1:], dpi=dpi, compression="tiff_lzw")
    else:
        first.save(path, dpi=dpi, quality=92)


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory, signing_ca: dict[str, Any]) -> dict[str, Any]:
    """A batch of three dossiers, two of them stained, read by the stages into a work area and delivered."""
    root = tmp_path_factory.mktemp("review")
    batch = root / "lô_kd"
    make_batch(batch, dossiers=3, docs_per_dossier=(1, 1), seed=7, natural_sort=False)
    for code in STAINED:
        stain_header(sorted((batch / code).iterdir())[0])
    started = run_stages(batch, root / "out", root / "work", signing_ca["identity"], package_type="AIP_hoso",
                         archive_code="H49.26")
    return {"root": root, "work": Path(started["work"]), "out": root / "out", "signing": signing_ca}


@pytest.fixture
def case(held: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A copy of the held batch's work area and output for one test to change."""
    work, out = tmp_path / "work" / held["work"].name, tmp_path / "out"
    shutil.copytree(held["work"], work)
    shutil.copytree(held["out"], out)
    return {"work": BatchWork(work), "out": out, "batch": out / held["work"].name, "signing": held["signing"]}


def report(case: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads((case["batch"] / "report.json").read_text(encoding="utf-8")))


def dossier_record(case: dict[str, Any], code: str) -> dict[str, Any]:
    return next(d for d in report(case)["dossiers"] if d["dossier_code"] == code)


def release(case: dict[str, Any], code: str) -> dict[str, Any]:
    return pipeline.run_release(str(case["work"].root), code, str(case["out"]), case["signing"]["identity"])


def answer(form: dict[str, Any], decision: str = "Approve", **changes: Any) -> Answer:
    values = {name: spec["value"] for name, spec in form["fields"].items()}
    return Answer(decision, {**values, **changes}, "Nguyễn Thị Lưu Trữ", "2026-12-04T09:00:00+07:00")


def test_a_held_dossier_gets_a_draft_and_is_not_delivered(case: dict[str, Any]) -> None:
    record = dossier_record(case, STAINED[0])
    assert record["status"] == "review" and record["package"] is None
    assert "metadata needs review" in record["reason"]
    assert not (case["batch"] / "packages" / STAINED[0]).exists()  # held: never in packages/
    draft = Path(record["draft"])
    assert read_json(draft.parents[1] / "package.json")["draft"] is True
    [ead_doc] = (draft / "representations/rep1/metadata/descriptive").glob("EAD_doc_*.xml")
    fields = read_simpledc(ead_doc.read_bytes())
    assert fields["organName"] == "" and fields["docCode"].startswith("H49.26.")  # what is known, for a person
    [pdf] = (draft / "representations/rep1/data").glob("*.pdf")
    assert verify_pdf(pdf).intact and (draft / "representations/rep1/data" / f"{pdf.stem}.alto.xml").exists()
    assert dossier_record(case, DELIVERED)["status"] == "delivered"
    assert {e["package_id"] for e in report(case)["ledger"]} == {DELIVERED}


def test_the_form_is_prefilled_with_what_the_machine_read(case: dict[str, Any]) -> None:
    [form] = forms(case["work"], STAINED[0], "http://airflow.test")["documents"]
    [doc] = read_json(case["work"].dossier(STAINED[0]).documents_json)
    assert form["doc_id"] == doc["doc_id"] == f"{STAINED[0]}.1"
    assert {k: v["value"] for k, v in form["fields"].items() if k not in ("doc_id", "reason")} == {
        k: doc["metadata"][k] for k in form["fields"] if k not in ("doc_id", "reason")}
    assert form["fields"]["issuing_agency"]["value"] is None
    assert "| issuing_agency |  | 0% | ⚠ empty |" in form["body"]
    assert f"http://airflow.test/sohoa/review/{case['work'].root.name}/{STAINED[0]}/{doc['doc_id']}" in form["body"]


def test_wrong_answers_change_nothing_and_are_asked_again_with_why(case: dict[str, Any]) -> None:
    dw = case["work"].dossier(STAINED[0])
    before = dw.documents_json.read_bytes()
    [form] = forms(case["work"], STAINED[0])["documents"]
    wrong = answer(form, issued_date="2020-02-30", doc_id="X.1", document_type="Quyết nghị",
                   issuing_agency="ỦY BAN NHÂN DÂN HUYỆN")
    assert apply(case["work"], STAINED[0], {form["doc_id"]: wrong}) == "refused"
    assert dw.documents_json.read_bytes() == before
    [again] = forms(case["work"], STAINED[0])["documents"]
    assert "issued_date '2020-02-30' is not a date written YYYY-MM-DD" in again["body"]
    assert "doc_id was changed to 'X.1': refused" in again["body"]
    assert "document_type 'Quyết nghị' is none of TT 05's types" in again["body"]
    assert again["fields"]["issuing_agency"]["value"] == "ỦY BAN NHÂN DÂN HUYỆN"  # the person's proposal kept
    no_reason = answer(again, "Reject")
    assert apply(case["work"], STAINED[0], {form["doc_id"]: no_reason}) == "refused"
    assert f"{form['doc_id']}: a Reject needs a reason" in forms(case["work"], STAINED[0])["documents"][0]["body"]


def test_approved_corrections_are_packaged_signed_delivered_and_chained(case: dict[str, Any]) -> None:
    code = STAINED[0]
    [form] = forms(case["work"], code)["documents"]
    fixed = answer(form, document_type="quyết định", issuing_agency="ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH",
                   issued_date="2020-08-30", subject="V/v phê duyệt kế hoạch số hóa tài liệu", number="15",
                   symbol="QĐ-UBND")
    assert apply(case["work"], code, {form["doc_id"]: fixed}) == "approved"
    assert code not in release(case, code)["held"]
    record = dossier_record(case, code)
    assert record["status"] == "delivered" and record["package"] == f"packages/{code}"
    [doc] = record["documents"]
    assert doc["metadata"]["issuing_agency"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH"
    assert doc["metadata"]["subject"] == "phê duyệt kế hoạch số hóa tài liệu"  # without the printed V/v
    assert doc["review"]["by"] == "Nguyễn Thị Lưu Trữ" and doc["review"]["decision"] == "approved"
    assert doc["review"]["changed"]["document_type"] == [form["fields"]["document_type"]["value"], "Quyết định"]
    assert doc["review"]["changed"]["number"] == [None, "15"]
    package = case["batch"] / record["package"]
    assert validate_package(package, pdfa=True, signed=True) == []
    [ead_doc] = (package / "representations/rep1/metadata/descriptive").glob("EAD_doc_*.xml")
    fields = read_simpledc(ead_doc.read_bytes())
    assert (fields["organName"], fields["issuedDate"], fields["codeNumber"], fields["typeName"]) == (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH", "30/08/2020", "15", "02")
    [pdf] = (package / "representations/rep1/data").glob("*.pdf")
    check = verify_pdf(pdf, case["signing"]["root"])
    assert check.intact and check.whole_file and check.trusted
    premis = (package / "metadata/preservation/PREMIS.xml").read_text(encoding="utf-8")
    assert "<eventType>metadata modification</eventType>" in premis
    assert "<agentName>Nguyễn Thị Lưu Trữ</agentName>" in premis and "<agentType>person</agentType>" in premis
    full = report(case)
    validate_report(full)
    assert [e["package_id"] for e in full["ledger"]] == [DELIVERED, code]  # the delivered one is not repeated
    assert audit(LocalStorage(case["out"]))["problems"] == []
    assert dossier_record(case, STAINED[1])["status"] == "review"  # the other held dossier still waits


def test_a_rejected_dossier_is_listed_to_rescan_and_never_delivered(case: dict[str, Any]) -> None:
    code = STAINED[1]
    [form] = forms(case["work"], code)["documents"]
    assert apply(case["work"], code, {form["doc_id"]: answer(form, "Reject", reason="trang đầu bị ố, quét lại")}) \
        == "rejected"
    release(case, code)
    record = dossier_record(case, code)
    assert record["status"] == "rejected" and record["package"] is None
    assert record["review"]["reason"] == "trang đầu bị ố, quét lại"
    assert record["documents"][0]["review"]["decision"] == "rejected"
    assert not (case["batch"] / "packages" / code).exists()
    full = report(case)
    assert {"dossier_code": code, "documents": [form["doc_id"]], "reason": record["reason"]} in full["to_rescan"]
    pages = [p for p in full["pages"] if p["dossier"] == code]
    assert pages and all(p["status"] == "quarantined" and "trang đầu bị ố" in p["reason"] for p in pages)
    assert pending_documents(case["work"].dossier(code)) == []


def test_the_spreadsheet_round_trip(case: dict[str, Any], tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import load_workbook

    sheet_path = tmp_path / "kiểm duyệt.xlsx"
    assert export(case["work"], sheet_path, "http://airflow.test") == 2
    book = load_workbook(sheet_path)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    rows = {sheet.cell(row=r, column=2).value: r for r in range(2, sheet.max_row + 1)}
    approve, reject = rows[f"{STAINED[0]}.1"], rows[f"{STAINED[1]}.1"]

    def put(row: int, **values: Any) -> None:
        for name, value in values.items():
            sheet.cell(row=row, column=header.index(name) + 1, value=value)

    put(approve, decision="Duyệt", document_type="Quyết định", issuing_agency="ỦY BAN NHÂN DÂN THÀNH PHỐ",
        subject="phê duyệt kế hoạch", issued_date=datetime(2020, 8, 30))  # a date typed into Excel
    put(reject, decision="Approve", issued_date="31/02/2020", issuing_agency="SỞ NỘI VỤ", subject="báo cáo")
    sheet.append([DELIVERED, f"{DELIVERED}.1", "Approve"])  # not pending: its dossier was delivered
    book.save(sheet_path)
    documents = case["work"].dossier(STAINED[0]).documents_json.read_bytes()
    with pytest.raises(ReviewError) as refused:
        import_sheet(case["work"], sheet_path, "Trần Văn Kiểm")
    problems = "\n".join(refused.value.problems)
    assert f"{STAINED[1]}.1: issued_date '31/02/2020' is not a date written YYYY-MM-DD" in problems
    assert f"{DELIVERED}: nothing of this dossier is pending review" in problems
    assert case["work"].dossier(STAINED[0]).documents_json.read_bytes() == documents  # nothing half-applied
    assert not (case["work"].dossier(STAINED[0]).root / "review.json").exists()

    put(reject, decision="Từ chối", reason="quét lại ở 300 dpi", issued_date=None)
    sheet.delete_rows(sheet.max_row)
    book.save(sheet_path)
    assert import_sheet(case["work"], sheet_path, "Trần Văn Kiểm") == {STAINED[0]: "approved",
                                                                         STAINED[1]: "rejected"}
    for code in STAINED:
        release(case, code)
    approved, rejected = dossier_record(case, STAINED[0]), dossier_record(case, STAINED[1])
    assert approved["status"] == "delivered" and rejected["status"] == "rejected"
    assert approved["documents"][0]["metadata"]["issued_date"] == "2020-08-30"
    assert approved["documents"][0]["review"]["by"] == "Trần Văn Kiểm"
    assert approved["review_history"][-1]["via"] == f"spreadsheet {sheet_path.name}"


def _release_in_process(args: tuple[str, str, str, Any]) -> None:
    pipeline.run_release(*args)


def test_two_dossiers_released_at_the_same_moment_are_both_delivered(case: dict[str, Any]) -> None:
    """Two archivists answering two dossiers of a batch at once: the releases (quality checks in the batch's one
    GX project, report.json, the ledger) take turns; neither is lost, and each is marked released."""
    import multiprocessing

    from sohoa.review import is_decided, is_released

    approving, rejecting = (forms(case["work"], code)["documents"][0] for code in STAINED)
    assert apply(case["work"], STAINED[0], {approving["doc_id"]: answer(
        approving, document_type="Quyết định", issuing_agency="ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH",
        issued_date="2020-08-30", subject="phê duyệt kế hoạch")}) == "approved"
    assert apply(case["work"], STAINED[1], {rejecting["doc_id"]: answer(rejecting, "Reject", reason="quét lại")}) \
        == "rejected"
    dw = case["work"].dossier(STAINED[0])
    assert is_decided(dw) and not is_released(dw)  # decided, not yet carried out: a retried release finishes it
    jobs = [(str(case["work"].root), code, str(case["out"]), case["signing"]["identity"]) for code in STAINED]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_release_in_process, jobs)
    assert {c: dossier_record(case, c)["status"] for c in STAINED} == {STAINED[0]: "delivered",
                                                                       STAINED[1]: "rejected"}
    assert all(is_released(case["work"].dossier(c)) for c in STAINED)
    assert [e["package_id"] for e in report(case)["ledger"]] == [DELIVERED, STAINED[0]]
    assert audit(LocalStorage(case["out"]))["problems"] == []
