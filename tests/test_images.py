from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from sohoa import images, synth, tesseract
from tests.conftest import font, sealed_signer_block, text_page


def bgr(img: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="module")
def page(page_lines_module: list) -> np.ndarray:
    return bgr(text_page(page_lines_module, dpi=150))


@pytest.fixture(scope="module")
def page_lines_module() -> list:
    body = "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024 của Quốc hội;"
    return [(0.12, 0.1 + 0.04 * i, body, False) for i in range(18)]


def test_rotate_quadrant_round_trip(page: np.ndarray) -> None:
    for degrees in (90, 180, 270):
        turned = images.rotate_quadrant(page, degrees)
        assert np.array_equal(images.rotate_quadrant(turned, 360 - degrees), page)
    assert images.rotate_quadrant(page, 90).shape[:2] == page.shape[1::-1]


@pytest.mark.parametrize("angle", [-3.2, -1.0, 0.7, 2.5])
def test_deskew_recovers_a_known_skew(page: np.ndarray, angle: float) -> None:
    skewed = images.rotate_small(page, -angle)
    found = images.estimate_skew(images.ink_free_grey(skewed))
    assert abs(found - angle) <= 0.2
    assert images.estimate_skew(images.ink_free_grey(images.rotate_small(skewed, found))) == pytest.approx(0, abs=0.2)


def test_crop_border_removes_scanner_bed_and_keeps_the_page(page: np.ndarray) -> None:
    h, w = page.shape[:2]
    framed = cv2.copyMakeBorder(page, 40, 0, 60, 25, cv2.BORDER_CONSTANT, value=(30, 30, 30))
    cropped, box = images.crop_border(framed)
    assert box == (60, 40, 60 + w, 40 + h)
    assert cropped.shape == page.shape
    same, box2 = images.crop_border(page)
    assert same is page and box2 == (0, 0, w, h)


def test_blank_page_detection_ignores_specks(page: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    blank = np.full((1700, 1200), 250, np.uint8)
    blank[rng.integers(0, 1700, 300), rng.integers(0, 1200, 300)] = 0  # dust
    assert images.is_blank(blank)
    assert not images.is_blank(images.ink_free_grey(page))


def test_working_copy_fades_red_seal_but_keeps_black_text(page: np.ndarray) -> None:
    stamped = page.copy()
    cv2.circle(stamped, (400, 300), 120, (40, 40, 220), 14)  # red ring (BGR)
    work = images.working_copy(stamped, 150)
    ring = work[300 - 5:300 + 5, 400 + 108:400 + 126]
    assert ring.mean() > 200  # the seal fades to paper
    text_rows = images.ink_free_grey(page) < 128
    assert (work[text_rows] < 128).mean() > 0.9  # the print stays dark


PROSE = ("Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024 của Quốc hội;",
         "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
         "Theo đề nghị của Chánh Văn phòng Sở Nội vụ tỉnh Quảng Ngãi,",
         "Điều 1. Phê duyệt Kế hoạch số hóa tài liệu lưu trữ giai đoạn 2025 - 2030 kèm theo Quyết định này.",
         "Điều 2. Quyết định có hiệu lực kể từ ngày ký. Giao Trung tâm Lưu trữ lịch sử tổ chức thực hiện;",
         "bảo đảm đúng quy định về định dạng, độ phân giải và siêu dữ liệu của tài liệu số hóa.",
         "Chánh Văn phòng, Giám đốc Trung tâm Lưu trữ lịch sử và các đơn vị liên quan chịu trách nhiệm thi hành.")


@pytest.fixture(scope="module")
def prose() -> np.ndarray:
    """A page of varied print, as a page of a real document (no two lines alike)."""
    return bgr(text_page([(0.1, 0.08 + 0.035 * i, PROSE[i % len(PROSE)][: 40 + 7 * (i % 5)], False)
                          for i in range(24)], dpi=150))


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_text_orientation_read_from_the_lines_themselves(prose: np.ndarray, turn: int) -> None:
    ruled = prose.copy()
    for y in range(150, 1500, 200):  # a table's rules are not text lines and must not sway the vote
        cv2.line(ruled, (100, y), (1100, y), (0, 0, 0), 3)
    for p in (prose, ruled):
        scanned = images.rotate_quadrant(images.rotate_small(images.ink_free_grey(p), 2.5), turn)
        assert images.text_orientation(scanned) == (360 - turn) % 360


def test_text_orientation_leaves_to_osd_what_the_lines_do_not_tell(prose: np.ndarray) -> None:
    grey = images.ink_free_grey(prose)
    few = grey.copy()
    few[int(0.22 * grey.shape[0]):] = 255  # four lines of text
    rng = np.random.default_rng(2)
    picture = np.full_like(grey, 255)
    for _ in range(300):  # blobs and strokes without lines
        x, y = int(rng.integers(0, grey.shape[1])), int(rng.integers(0, grey.shape[0]))
        cv2.circle(picture, (x, y), int(rng.integers(3, 30)), 0, -1 if rng.random() < 0.5 else 2)
    blank = np.full_like(grey, 250)
    assert [images.text_orientation(g) for g in (few, picture, blank)] == [None, None, None]


def test_red_stamp_found_and_read_but_not_the_round_seal(prose: np.ndarray) -> None:
    stamped = prose.copy()
    pil = Image.fromarray(cv2.cvtColor(stamped, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(pil)
    draw.rectangle((150, 40, 420, 110), outline=(200, 30, 40), width=5)  # a "KHẨN" stamp, NĐ 30 red
    draw.text((195, 50), "KHẨN", font=font(28, 150, True), fill=(200, 30, 40))
    draw.ellipse((800, 1300, 1100, 1600), outline=(210, 40, 40), width=12)  # the seal by the signature
    stamped = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)
    boxes = images.stamp_boxes(stamped)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert 148 - 16 <= x0 <= 148 and 38 - 16 <= y0 <= 38 and 422 <= x1 <= 422 + 16 and 112 <= y1 <= 112 + 16
    with tesseract.Engine() as engine:
        assert engine.ocr_text(images.stamp_image(stamped, boxes[0]), 150) == "KHẨN"


def test_filing_holes_found_and_erased_but_not_a_ring_or_a_disc_further_in(prose: np.ndarray) -> None:
    sheet = Image.fromarray(cv2.cvtColor(prose, cv2.COLOR_BGR2RGB))
    punched = bgr(synth.punch(sheet, random.Random(1), 150))
    mm = 150 / 25.4
    holes = images.punch_holes(images.ink_free_grey(punched), 150)
    assert len(holes) == 2
    for x, _, r in holes:  # ISO 838: 12 mm in, 80 mm apart, 6 mm across (plus the rim)
        assert abs(x - 12 * mm) <= 1 and 3 * mm <= r <= 4 * mm
    assert abs(abs(holes[0][1] - holes[1][1]) - 80 * mm) <= 2
    work = images.working_copy(punched, 150)
    assert all(work[y - r:y + r, x - r:x + r].min() > 200 for x, y, r in holes)
    assert np.array_equal(work[:, int(25 * mm):], images.working_copy(prose, 150)[:, int(25 * mm):])
    decoys = prose.copy()
    cv2.circle(decoys, (int(12 * mm), 300), int(3 * mm), (0, 0, 0), 4)  # a ring at a hole's place
    cv2.circle(decoys, (int(40 * mm), 900), int(3 * mm), (0, 0, 0), -1)  # a dot in the text area
    assert images.punch_holes(images.ink_free_grey(decoys), 150) == []


def test_specks_erased_and_every_dot_of_the_print_kept(prose: np.ndarray) -> None:
    clean = images.working_copy(prose, 150)
    flat = clean.copy()
    rng = np.random.default_rng(3)
    ys, xs = 20 * rng.integers(1, flat.shape[0] // 20, 400), 20 * rng.integers(1, flat.shape[1] // 20, 400)
    flat[ys, xs] = 0  # single-pixel toner dust
    flat[ys[:100], xs[:100] + 1] = 0  # and two-pixel specks
    cleaned = images.remove_specks(flat, 150)
    # i dots, the nặng tone, full stops and commas are specks beside letters: all kept
    assert np.array_equal(images.remove_specks(clean, 150), clean)
    dust = (flat < 128) & (clean >= 128)
    isolated = cv2.dilate((clean < 128).astype(np.uint8), np.ones((15, 15), np.uint8)) == 0
    assert (cleaned[dust & isolated] == 255).all() and (dust & isolated).sum() > 300
    assert (cleaned[clean < 128] < 128).all()


@pytest.mark.parametrize(("votes", "turn"), [
    ((0, 14, 5), 0), ((90, 6, 14), 270),  # 74 % and 70 % of the lines agree (degraded pages): decided
    ((0, 10, 6), None),  # 62.5 %: the largest share a wrong majority reached on the real scans (OSD decides)
    ((0, 4, 1), None), ((90, 5, 5), None), (None, None),  # too few lines, a tie, no direction of lines
])
def test_turn_from_line_votes(votes: tuple[int, int, int] | None, turn: int | None) -> None:
    assert images.turn_from_votes(votes, 8, 0.7) == turn


def test_black_seal_over_a_signer_block_taken_out_and_the_ends_of_its_lines_kept() -> None:
    block = sealed_signer_block()
    _, ink = cv2.threshold(block, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    cx, cy, radius = images.seal_ring(ink, 200)
    assert abs(cx - 335) <= 1 and abs(cy - 210) <= 1 and 161 <= radius <= 164
    clean = images.unsealed(block, 200)
    assert clean is not None
    assert (clean[170:250, 295:375] == 255).all()  # the star
    assert (clean[190:230, 170:180] == 255).all() and (clean[300:330, 180:250] == 255).all()  # rings and letters
    right = np.s_[:, 520:]  # right of the seal: "TƯỚNG" twice and "Phớc", untouched
    assert (clean[right] == block[right]).all() and (block[right] < 128).sum() > 2000
    with tesseract.Engine() as engine:
        lines = engine.ocr_text(clean, 200, psm=6).splitlines()
    assert [ln.split()[-1] for ln in lines if ln.strip()] == ["TƯỚNG", "TƯỚNG", "Phớc"]
    assert images.unsealed(bgr(text_page([(0.1, 0.1, "Ủy ban nhân dân tỉnh", True)]))[:, :, 0], 200) is None


def test_a_black_pen_stroke_through_a_bold_name_leaves_its_line_found() -> None:
    """A signature in black ink drawn through the signer's name (a 300 dpi scan): the stroke joins the letters
    it crosses into one long shape, so that fewer than four letters stood on the name's baseline and the title
    line above was taken for the lowest line; the letters' thicker stems still stand on it."""
    import math

    img = Image.new("L", (1240, 800), 250)
    draw = ImageDraw.Draw(img)
    for y, text in ((60, "TL. BỘ TRƯỞNG"), (130, "CHÁNH VĂN PHÒNG"), (560, "Trương Hoàng Bình")):
        draw.text((620, y), text, font=font(14, 300, True), fill=0, anchor="mt")
    draw.line([(330 + x, 585 - 14 * math.sin(x / 20)) for x in range(0, 580, 3)], fill=0, width=4)
    grey = np.asarray(img)
    x0, y0, x1, y1 = images.lowest_line(grey, 300)
    assert 500 < y0 < 560 < 610 < y1 < 640 and x1 - x0 > 500  # the name's line, not "CHÁNH VĂN PHÒNG"
    # a recipient's line of the left column, longer than that column, runs into the block under the name
    draw.text((-150, 720), "- Văn phòng Chính phủ; Cổng TTĐT,", font=font(13, 300), fill=0)
    assert images.lowest_line(np.asarray(img), 300) == (x0, y0, x1, y1)
