"""Hostile input (issue 26): names that cannot name a package, formulas in catalogue cells, files that claim
thousands of pages, PDFs carrying JavaScript and embedded files.

- a dossier or file name with control characters, path separators, a reserved device name (CON, NUL, COM1…), a
  trailing dot or space, or one that differs from another only by normalization or case: the dossier fails
  with its reason, its files quarantined; everything delivered is named validly for Windows, in NFC;
- a value starting with = + - @ never becomes a formula in a spreadsheet sohoa writes;
- a 10,000-page TIFF is refused whole, before any page is decoded; a 3,000-page PDF or TIFF is read page by page
  in memory that does not grow with its pages (peak RSS measured in a child process);
- a PDF's JavaScript, actions and embedded files never reach a delivered file, and are named in the report.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from openpyxl import load_workbook
from PIL import Image

from sohoa.names import portable, portable_path, unusable
from sohoa.package import validate_package
from sohoa.pdf_safety import active_content
from sohoa.review_sheet import export
from sohoa.synth import make_batch
from sohoa.vocab import nfc
from sohoa.workspace import BatchWork, write_json
from tests.conftest import run_stages

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("name", "why"), [
    ("CON", "device name"), ("con.tif", "device name"), ("AUX.2024.01", "device name"), ("NUL", "device name"),
    ("COM1", "device name"), ("LPT9.pdf", "device name"), ("H01.", "ends with a dot"), ("H01 ", "ends with a dot"),
    ("a\x07b", "control character(s) U+0007"), ("trang\n1", "U+000A"), ("a\x85", "U+0085"),
    ("a/b", "path separator"), ("a\\b", "path separator"), ("Q:1", "Windows does not allow"),
    ("hồ?sơ", "Windows does not allow"), ("", "empty"), ("..", "empty or a relative path"),
])
def test_names_no_file_system_can_hold_everywhere(name: str, why: str) -> None:
    assert why in (unusable(name) or ""), name
    assert unusable(portable(name)) is None  # and a copy can always be named, reversibly
    assert portable(name).replace("%", "") != name.replace("%", "") or name == ""


@pytest.mark.parametrize("name", ["Hồ sơ 01", "H30.31.2025.12.VX", "COM10", "CONSOLE", "nul_1", "A.CON", "%"])
def test_names_every_file_system_holds(name: str) -> None:
    assert unusable(name) is None, name
    assert portable_path(f"{name}/trang 1.tif") == f"{portable(name)}/trang 1.tif"


def test_portable_names_are_reversible_and_distinct() -> None:
    names = ["a:b", "a%3Ab", "a_b", "CON", "%43ON", "H01.", "H01%2E", "a\\b", "a/b"]
    copies = [portable(n) for n in names]
    assert len(set(copies)) == len(names)  # no two inputs share a quarantine copy
    from urllib.parse import unquote

    assert [unquote(c) for c in copies] == names


# --- a batch with hostile names and an armed PDF, through the stages -------------------------------------------

PAYLOAD = b"MZ sohoa-payload-7f3a"
SCRIPT = b"app.alert('sohoa-script-9c1e');"


def arm(path: Path, tiny_page: bool = False) -> None:
    """Give the PDF document JavaScript, an open action, automatic actions, a launch link and an embedded
    file (optionally a page too small to be a page)."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pdf.make_stream(SCRIPT))
        pdf.Root.OpenAction = pdf.make_indirect(script)
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("start"), pdf.Root.OpenAction])))
        pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, PAYLOAD, mime_type="application/octet-stream")
        pdf.Root.AA = pikepdf.Dictionary(WC=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("1")))
        page = pdf.pages[0].obj
        page.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("2")))
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 40, 40],
                                  A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))
        page.Annots = pdf.make_indirect(pikepdf.Array([*page.get("/Annots", []), pdf.make_indirect(link)]))
        if tiny_page:
            pdf.add_blank_page(page_size=(60, 60))
        pdf.save(path)


FAILING = {  # folder name: why its dossier fails
    "CON": "CON is a device name Windows reserves", "AUX.2024.01": "AUX is a device name Windows reserves",
    "H02\x07": "control character(s) U+0007", "H03.": "ends with a dot or a space",
    "H04 ": "ends with a dot or a space", "a\\b": "path separator", "Q:1": "Windows does not allow",
}
DOSSIER = "Hồ sơ 01"  # NFC; its folder is written in NFD


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, signing_ca: dict[str, Any]) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hostile")
    batch = root / "lô_độc"
    make_batch(batch, dossiers=1, docs_per_dossier=(2, 2), seed=5, dpi_choices=(200,), natural_sort=False)
    [code] = [p.name for p in batch.iterdir() if p.is_dir()]
    folder = batch / unicodedata.normalize("NFD", DOSSIER)
    (batch / code).rename(folder)
    catalogue = batch / "dossiers.csv"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(code, DOSSIER), encoding="utf-8")
    (folder / "002.tif").rename(folder / "trang\x1b02.tif")  # a control character: fine as an input's name
    (folder / "001.pdf").rename(folder / "NUL.pdf")  # a device name: fine as an input's name
    arm(folder / "NUL.pdf")
    small = root / "x.png"
    Image.new("RGB", (40, 40), "white").save(small)
    for name in [*FAILING, "h05", "H05", DOSSIER]:  # DOSSIER again, in NFC: a second folder of the same name
        (batch / name).mkdir()
        shutil.copyfile(small, batch / name / "x.png")
    (batch / "BAD").mkdir()
    shutil.copyfile(folder / "NUL.pdf", batch / "BAD" / "armed.pdf")
    with pikepdf.open(batch / "BAD" / "armed.pdf", allow_overwriting_input=True) as pdf:
        del pdf.pages[1:]
        pdf.pages[0].mediabox = pikepdf.Array([0, 0, 60, 60])  # one page, too small: the file is quarantined
        pdf.save(batch / "BAD" / "armed.pdf")
    started = run_stages(batch, root / "out", root / "work", signing_ca["identity"])
    out = root / "out" / batch.name
    return {"batch": batch, "out": out, "ready": started["dossiers"], "work": Path(started["work"]),
            "report": json.loads((out / "report.json").read_text(encoding="utf-8"))}


def test_dossiers_whose_names_cannot_name_a_package_fail_with_why(hostile: dict[str, Any]) -> None:
    report = hostile["report"]
    records = {d["dossier_code"]: d for d in report["dossiers"]}
    assert [Path(d).name for d in hostile["ready"]] == [DOSSIER]  # only it was processed
    assert records[DOSSIER]["status"] == "delivered", records[DOSSIER]["reason"]
    for name, why in FAILING.items():
        assert records[name]["status"] == "failed", name
        assert why in records[name]["reason"] and "rename the folder" in records[name]["reason"], name
    cased = [records[c]["reason"] for c in ("h05", "H05")]
    assert sum("only in letter case: on Windows both would be one folder" in r for r in cased) == 1, cased
    # the second folder named like the first (another normalization) is no dossier: its file is quarantined
    [twin] = [p for p in report["pages"] if p["source"] == f"{DOSSIER}/x.png"]
    assert twin["status"] == "quarantined" and "another Unicode normalization" in twin["reason"]


def test_every_input_is_accounted_for_under_its_nfc_name(hostile: dict[str, Any]) -> None:
    batch = hostile["batch"]
    inputs = sorted(nfc(p.relative_to(batch).as_posix()) for p in batch.rglob("*")
                    if p.is_file() and p.name != "dossiers.csv")
    sources = sorted(p["source"].split("#", 1)[0] for p in hostile["report"]["pages"])
    assert sorted(set(sources)) == inputs
    assert sum(s == f"{DOSSIER}/x.png" for s in sources) == 1  # the twin folder's file, once
    for name in FAILING:
        [page] = [p for p in hostile["report"]["pages"] if p["source"] == f"{name}/x.png"]
        assert page["status"] == "quarantined" and page["reason"].startswith("dossier not processed: ")


def _names(relative: str) -> list[str]:
    return [part for part in relative.split("/") if part]


def test_what_is_delivered_is_named_validly_everywhere(hostile: dict[str, Any]) -> None:
    """Every folder and file of the output and every entry of its zips can be created on Windows, in NFC."""
    out = hostile["out"]
    names = [p.relative_to(out).as_posix() for p in out.rglob("*")]
    for archive in out.glob("packages/*.zip"):
        names += zipfile.ZipFile(archive).namelist()
    for name in names:
        for part in _names(name):
            assert unusable(part) is None and part == nfc(part), name
    package = out / "packages" / DOSSIER
    assert validate_package(package, pdfa=True, signed=True) == []
    assert sorted(p.name for p in (package / "representations/rep1/data").glob("*.pdf")) == [
        f"{DOSSIER}.0000001.pdf", f"{DOSSIER}.0000002.pdf"]
    reasons = json.loads((out / "quarantine" / "reasons.json").read_text(encoding="utf-8"))
    copies = {r["source"]: r["copy"] for r in reasons}
    assert copies["CON/x.png"] == "quarantine/%43ON/x.png" and (out / copies["CON/x.png"]).is_file()
    assert copies["H02\x07/x.png"] == "quarantine/H02%07/x.png" and copies["a\\b/x.png"] == "quarantine/a%5Cb/x.png"
    for copy in filter(None, copies.values()):
        assert (out / copy).is_file(), copy


def test_scripts_and_embedded_files_never_reach_a_delivered_file(hostile: dict[str, Any]) -> None:
    out = hostile["out"]
    pdfs = list(out.rglob("*.pdf"))
    assert len(pdfs) == 2
    for archive in out.glob("packages/*.zip"):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                if name.endswith(".pdf"):
                    (out.parent / "unzipped" / name).parent.mkdir(parents=True, exist_ok=True)
                    (out.parent / "unzipped" / name).write_bytes(z.read(name))
                    pdfs.append(out.parent / "unzipped" / name)
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            assert active_content(pdf) == [], path
            assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root and "/Names" not in pdf.Root
            assert len(pdf.attachments) == 0
            for page in pdf.pages:
                assert "/AA" not in page.obj
                for annot in page.obj.get("/Annots", []):  # the signature's widget only
                    assert annot.get("/Subtype") == pikepdf.Name.Widget and "/A" not in annot, path
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    data = obj.read_bytes() if obj.get("/Subtype") != pikepdf.Name.Image else b""
                    assert PAYLOAD not in data and SCRIPT not in data, path
    for path in out.rglob("*"):
        if path.is_file():
            assert PAYLOAD not in path.read_bytes() and SCRIPT not in path.read_bytes(), path
    problems = hostile["report"]["problems"]
    said = [p for p in problems if p.startswith(f"{DOSSIER}/NUL.pdf: the file carries ")]
    assert len(said) == 1 and "document JavaScript" in said[0] and "1 embedded file(s): payload.exe" in said[0]
    assert "a launch action (runs a program) in an annotation on page 1" in said[0]
    [bad] = [p for p in hostile["report"]["pages"] if p["source"] == "BAD/armed.pdf"]
    assert bad["status"] == "quarantined" and bad["reason"].startswith("too small")
    assert [p for p in problems if p.startswith("BAD/armed.pdf: the file carries document JavaScript")]
    reasons = json.loads((out / "quarantine" / "reasons.json").read_text(encoding="utf-8"))
    assert [r["copy"] for r in reasons if r["source"] == "BAD/armed.pdf"] == [None]  # not copied to quarantine


# --- formulas --------------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","bấm")', "+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]


def test_formulas_never_become_formulas_in_the_review_sheet(tmp_path: Path) -> None:
    """Metadata read off a page, a catalogue value quoted in a hold, a dossier code: all written as text."""
    work = BatchWork(tmp_path / "work" / "b1")
    code = "=1+1"
    write_json(work.batch_json, {"dossiers": [{"code": code, "holds": [FORMULAS[0]], "catalogue": {}}]})
    dw = work.dossier(code)
    dw.save([])
    metadata = dict(zip(("document_type", "number", "symbol", "issuing_agency", "subject"), FORMULAS, strict=True))
    write_json(dw.documents_json, [{"doc_id": f"{code}.1", "ordinal": 1, "pages": [], "needs_review": True,
                                    "metadata": metadata, "confidence": {k: 0.5 for k in metadata}}])
    write_json(dw.root / "package.json", {"built": True, "problems": [], "signatures": {f"{code}.1": {}}})
    sheet_path = tmp_path / "review.xlsx"
    assert export(work, sheet_path, "http://localhost:8080") == 2  # the document and the dossier form
    with zipfile.ZipFile(sheet_path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    sheet = load_workbook(sheet_path)["kiem_duyet"]
    values = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert set(FORMULAS) | {code} <= values  # the same text, kept
    assert any(v.startswith("catalogue") or FORMULAS[0] in v for v in values if v.startswith(("=", "c")))


# --- files claiming thousands of pages ---------------------------------------------------------------------------


def tiff_pages(path: Path, count: int, size: tuple[int, int] = (16, 16)) -> Path:
    """A multi-page bilevel TIFF of ``count`` blank pages at 200 dpi, written directly (every page points at the
    same strip): a few bytes a page, made in a blink."""
    width, height = size
    strip = bytes(((width + 7) // 8) * height)
    rational = 8 + len(strip)
    first = rational + 8
    tags = [(256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 1), (262, 3, 0), (273, 4, 8), (277, 3, 1),
            (278, 4, height), (279, 4, len(strip)), (282, 5, rational), (283, 5, rational), (296, 3, 2)]
    size_ifd = 2 + 12 * len(tags) + 4
    with open(path, "wb") as fh:
        fh.write(b"II*\0" + struct.pack("<I", first) + strip + struct.pack("<II", 200, 1))
        for n in range(count):
            following = first + (n + 1) * size_ifd if n + 1 < count else 0
            entries = b"".join(struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == 3 else
                                                                   struct.pack("<I", value)) for tag, kind, value in tags)
            fh.write(struct.pack("<H", len(tags)) + entries + struct.pack("<I", following))
    return path


def pdf_pages(path: Path, count: int) -> Path:
    with pikepdf.new() as pdf:
        for _ in range(count):
            pdf.add_blank_page(page_size=(40, 40))
        pdf.save(path)
    return path


MEASURE = """
import json, resource, sys
from collections import Counter
from pathlib import Path
from sohoa.ingest import Dossier, import_dossier
from sohoa.workspace import save_pages
batch, root = Path(sys.argv[1]), Path(sys.argv[2])
pages = import_dossier(batch, Dossier("D", "D"), root, {})
save_pages(root / "pages.json", pages)
print(json.dumps({"pages": len(pages), "states": Counter(p.status for p in pages),
                  "reasons": sorted({p.reason for p in pages}),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def import_measured(tmp_path: Path, name: str, make: Any, count: int) -> dict[str, Any]:
    """Import one file of ``count`` pages as a dossier, in a process of its own: its pages' states and the
    process's peak resident memory."""
    batch = tmp_path / f"{name}-{count}"
    (batch / "D").mkdir(parents=True)
    make(batch / "D" / name, count)
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(batch), str(tmp_path / f"work-{name}-{count}")],
                          cwd=REPO, capture_output=True, text=True, timeout=900, check=False,
                          env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout.splitlines()[-1]))


def test_a_ten_thousand_page_tiff_is_refused_before_any_page_is_read(tmp_path: Path) -> None:
    small = import_measured(tmp_path, "scan.tif", small_pages, 10)
    huge = import_measured(tmp_path, "scan.tif", small_pages, 10_000)
    assert huge["pages"] == 1 and huge["states"] == {"quarantined": 1}  # the file, refused whole
    assert huge["reasons"] == ["10,000 pages in one file, more than the 5,000 sohoa takes from one file: split it "
                               "(one file per document, or per dossier)"]
    assert huge["peak_mb"] < small["peak_mb"] + 25, (small, huge)


def small_pages(path: Path, count: int) -> Path:
    """590 px square: a header says each is too small before its pixels are decoded (1 MB each in RGB)."""
    return tiff_pages(path, count, (590, 590))


def readable_pages(path: Path, count: int) -> Path:
    """600 × 850 px at 200 dpi (76 × 108 mm): each is decoded and written to the work area."""
    return tiff_pages(path, count, (600, 850))


@pytest.mark.parametrize(("name", "make", "count", "state"), [
    ("scan.pdf", pdf_pages, 3000, "quarantined"), ("scan.tif", small_pages, 3000, "quarantined"),
    ("scan.tif", readable_pages, 1000, "ok")])
def test_thousands_of_pages_are_read_in_memory_that_does_not_grow_with_them(tmp_path: Path, name: str, make: Any,
                                                                           count: int, state: str) -> None:
    """Every page gets its state (too small, each with its reason; or read and written to the work area) while
    the peak memory stays within 8 KB a page of a 10-page file's: no page, decoded or not, is kept once done."""
    small = import_measured(tmp_path, name, make, 10)
    large = import_measured(tmp_path, name, make, count)
    assert large["pages"] == count and large["states"] == {state: count}
    assert all(r.startswith("too small") for r in large["reasons"]) if state == "quarantined" else \
        large["reasons"] == [None]
    assert large["peak_mb"] - small["peak_mb"] < count * 8 / 1024, (small, large)
