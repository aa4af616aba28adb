from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from sohoa import images
from tests.conftest import text_page


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
    work = images.working_copy(stamped)
    ring = work[300 - 5:300 + 5, 400 + 108:400 + 126]
    assert ring.mean() > 200  # the seal fades to paper
    text_rows = images.ink_free_grey(page) < 128
    assert (work[text_rows] < 128).mean() > 0.9  # the print stays dark
