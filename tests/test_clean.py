"""The clean stage over a dossier: masters at full resolution, OCR working copies of fine scans at 300 dpi,
and ALTO coordinates taken back to the master's pixels when a document is packaged."""

from __future__ import annotations

from pathlib import Path

import cv2
from lxml import etree

from sohoa import alto, hocr
from sohoa.clean import OCR_DPI, clean_dossier
from sohoa.ocr import ocr_dossier
from sohoa.workspace import DossierWork, Page
from tests.conftest import text_page


def test_fine_scans_are_read_at_300_dpi_and_their_alto_scaled_back(tmp_path: Path, page_lines: list) -> None:
    dw = DossierWork(tmp_path / "D1", "D1")
    (dw.root / "pages").mkdir(parents=True)
    pages = []
    for i, dpi in enumerate((450, 200)):
        text_page(page_lines, dpi=dpi).save(dw.path(f"pages/{i}.png"))
        pages.append(Page(source=f"D1/{i}.png", sha256="0" * 64, index=i, dpi=float(dpi), image=f"pages/{i}.png"))
    dw.save(pages)
    clean_dossier(dw)
    ocr_dossier(dw)
    fine, plain = dw.pages()
    for page, dpi in ((fine, OCR_DPI), (plain, 200)):
        master = cv2.imread(str(dw.path(page.master or "")))
        work = cv2.imread(str(dw.path(page.work_copy or "")), cv2.IMREAD_GRAYSCALE)
        assert abs(page.extra["work_dpi"] - dpi) < 0.1 and master.shape[:2] == (page.height, page.width)
        assert abs(work.shape[1] - page.width * dpi / page.dpi) <= 1
        assert {"SỞ", "NỘI", "VỤ", "Bình"} <= set(hocr.parse(dw.path(page.hocr or "")).text.split())
    scale = (fine.dpi or 0) / fine.extra["work_dpi"]
    merged = alto.merge([dw.path(fine.extra["alto"]), dw.path(plain.extra["alto"])], tmp_path / "d.alto.xml",
                        image_name="d.pdf", scales=[scale, 1.0])
    first, second = etree.parse(str(merged)).getroot().iterfind(".//{*}Page")
    # the master's size to the pixel (one rounding of the reduction apart)
    assert abs(int(first.get("WIDTH", "0")) - (fine.width or 0)) <= 1
    assert abs(int(first.get("HEIGHT", "0")) - (fine.height or 0)) <= 1
    assert (int(second.get("WIDTH", "0")), int(second.get("HEIGHT", "0"))) == (plain.width, plain.height)
    word = next(s for s in first.iterfind(".//{*}String") if s.get("CONTENT") == "VỤ")
    unscaled = next(s for s in etree.parse(str(dw.path(fine.extra["alto"]))).iterfind(".//{*}String")
                    if s.get("CONTENT") == "VỤ")
    assert int(word.get("HPOS", "0")) == round(int(unscaled.get("HPOS", "0")) * scale)
    assert [p.get("ID") for p in (first, second)] == ["p1_page_0", "p2_page_0"]


def test_a_coarse_scan_kept_to_be_described_is_enlarged_before_it_is_judged_and_read(tmp_path: Path,
                                                                                      page_lines: list) -> None:
    """At 100 dpi a printed stroke is a pixel wide: judged at its own size the page looked blank."""
    dw = DossierWork(tmp_path / "D1", "D1")
    (dw.root / "pages").mkdir(parents=True)
    few = [(0.1, 0.1, "Nơi nhận:", True), (0.1, 0.12, "- Như trên;", False), (0.6, 0.1, "CHỦ TỊCH", True),
           (0.6, 0.2, "Đặng Văn Minh", True)]
    text_page(few, dpi=100).save(dw.path("pages/0.png"))
    dw.save([Page(source="D1/0.png", sha256="0" * 64, index=0, dpi=100.0, image="pages/0.png",
                  extra={"rescan": "below 200 dpi: 100 dpi"})])
    clean_dossier(dw)
    ocr_dossier(dw)
    [page] = dw.pages()
    assert page.status == "ok" and page.extra["work_dpi"] == OCR_DPI and page.dpi == 100
    assert {"CHỦ", "TỊCH", "Đặng", "Văn", "Minh"} <= set(hocr.parse(dw.path(page.hocr or "")).text.split())
