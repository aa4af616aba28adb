"""The second reader (asterocr): Vietnamese lines rendered with the tests' serif font, read exactly, offline,
on one thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from sohoa import linereader
from tests.conftest import font

ROOT = Path(__file__).resolve().parents[1]
LINES = (
    ("ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", True),
    ("Số: 42/2025/QĐ-UBND", False),
    ("Lâm Đồng, ngày 12 tháng 6 năm 2025", False),
    ("Về việc ban hành Quy chế làm việc của Ủy ban", True),
    ("Nguyễn Văn Tuấn", True),
    ("Trần Thị Thu Hương", False),
)


def rendered(text: str, bold: bool = False, dpi: int = 200) -> np.ndarray:
    """A grey crop of one printed line at ``dpi``, 13 pt, with a fifth of its height of paper around it."""
    img = Image.new("L", (2400, 120), 255)
    ImageDraw.Draw(img).text((20, 20), text, font=font(13, dpi, bold), fill=0)
    ink = np.asarray(img) < 128
    ys, xs = np.nonzero(ink)
    pad = (ys.max() - ys.min()) // 5
    return np.asarray(img)[ys.min() - pad:ys.max() + pad + 1, xs.min() - pad:xs.max() + pad + 1]


def test_lines_are_read_with_every_tone_mark_and_word_extents() -> None:
    for text, bold in LINES:
        crop = rendered(text, bold)
        reading = linereader.read(crop)
        assert reading.text == text, (text, reading.text)
        assert unicodedata.is_normalized("NFC", reading.text)
        assert [w.text for w in reading.words] == text.split()
        assert 0.5 < reading.confidence <= 1.0 and reading.confidence == min(w.confidence for w in reading.words)
        starts = [w.x0 for w in reading.words]
        assert starts == sorted(starts) and reading.words[-1].x1 <= crop.shape[1] + linereader.STRIDE * 3


def test_a_line_longer_than_the_network_takes_is_read_in_pieces() -> None:
    """The network's input is at most 1024 pixels wide at 32 high: a full-width line of a page (here 49 times
    as wide as high) is cut at a space and read whole, its words' extents on the whole crop."""
    text = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025; "
            "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 19 tháng 02 năm 2025;")
    crop = rendered(text)
    assert crop.shape[1] > 32 * crop.shape[0]
    reading = linereader.read(crop)
    assert reading.text == text
    assert reading.words[-1].x1 > 0.9 * crop.shape[1] and [w.x0 for w in reading.words] == sorted(
        w.x0 for w in reading.words)


def test_a_colour_crop_reads_like_its_grey() -> None:
    crop = rendered("Quảng Ngãi", bold=False)
    assert linereader.read(np.dstack([crop] * 3)).text == "Quảng Ngãi"


def test_paper_without_ink_reads_as_nothing() -> None:
    reading = linereader.read(np.full((40, 300), 250, np.uint8))
    assert (reading.text, reading.confidence, reading.words) == ("", 0.0, ())
    assert linereader.read(np.zeros((0, 10), np.uint8)).text == ""


# Run in a fresh network namespace (no interface but a down loopback) with every Python socket operation refused,
# counting the process's threads (the kernel's count: ONNX Runtime's pools are native threads) once onnxruntime is
# imported (its import starts one thread of its own, whatever the options), after the reader has loaded and read
# a line, and after a session with ONNX Runtime's default options (a pool of one thread per core) is made.
_OFFLINE = """
import json, sys
from pathlib import Path

def refuse(event, args):
    if event.startswith("socket."):
        raise RuntimeError(f"network use: {event}")

sys.addaudithook(refuse)

def threads():
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("Threads:")).split()[1])

import onnxruntime
from tests.test_linereader import rendered  # numpy, PIL and their own threads loaded first
crop = rendered("Đồng Tháp, ngày 05 tháng 3 năm 2020")
before = threads()
from sohoa import linereader
text = linereader.read(crop).text
after = threads()
default = onnxruntime.InferenceSession(str(linereader.model_path()), providers=["CPUExecutionProvider"])
print(json.dumps({"before": before, "after": after, "default": threads(), "text": text}))
"""


def test_it_reads_offline_on_the_calling_thread_only() -> None:
    done = subprocess.run(["unshare", "--net", "--map-root-user", sys.executable, "-c", _OFFLINE], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["text"] == "Đồng Tháp, ngày 05 tháng 3 năm 2020"
    assert found["after"] == found["before"], found  # the reader started no thread of its own
    if (os.cpu_count() or 1) > 1:
        assert found["default"] > found["after"], found  # where ONNX Runtime left alone would


def test_the_weights_are_the_wheel_s_own_file() -> None:
    path = linereader.model_path()
    assert path.name == "asternet.onnx" and path.parent.parent.name == "asterocr" and path.stat().st_size > 10**7
    assert len(linereader._alphabet()) == 227 and "ự" in linereader._alphabet()
