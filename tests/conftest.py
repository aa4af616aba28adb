"""Shared fixtures: pages rendered with a Vietnamese-capable serif font, at a known resolution."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.seaweed import seaweedfs

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")


def font(points: float, dpi: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), int(points * dpi / 72))


def sealed_signer_block(dpi: int = 200) -> np.ndarray:
    """A grey signer block as bilevel portal scans of Thủ tướng decisions show it: a seal printed black over
    the left of "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG" and the name (seal centre 335, 210; outer radius 162)."""
    img = Image.new("L", (840, 760), 255)
    draw = ImageDraw.Draw(img)
    for y, text in ((40, "KT. THỦ TƯỚNG"), (84, "PHÓ THỦ TƯỚNG"), (330, "Hồ Đức Phớc")):
        draw.text((460, y), text, font=font(14, dpi, True), fill=0, anchor="mt")
    cx, cy = 335, 210
    seal = Image.new("L", img.size, 0)
    rings = ImageDraw.Draw(seal)
    for r, width in ((162, 7), (150, 2), (110, 3)):
        rings.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=width)
    text = "THỦ TƯỚNG CHÍNH PHỦ"
    for k, ch in enumerate(text):
        theta = -2.4 + 4.8 * k / (len(text) - 1)
        glyph = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(glyph).text((30, 30), ch, font=font(11, dpi, True), fill=255, anchor="mm")
        seal.paste(255, (int(cx + 130 * math.sin(theta) - 30), int(cy - 130 * math.cos(theta) - 30)),
                   glyph.rotate(-math.degrees(theta)))
    rings.polygon([(cx + (40 if k % 2 == 0 else 16) * math.cos(-math.pi / 2 + k * math.pi / 5),
                    cy + (40 if k % 2 == 0 else 16) * math.sin(-math.pi / 2 + k * math.pi / 5)) for k in range(10)],
                  fill=255)
    img.paste(0, (0, 0), seal)
    return np.asarray(img)


def text_page(lines: list[tuple[float, float, str, bool]], dpi: int = 200) -> Image.Image:
    """An A4 page with ``(x, y, text, bold)`` lines placed at fractions of the page size, 13 pt."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for x, y, text, bold in lines:
        draw.text((x * width, y * height), text, font=font(13, dpi, bold), fill="black")
    return img


def two_layer_pdf(folder: Path, lines: list[tuple[float, float, str, bool]], created: datetime,
                  producer: str = "") -> tuple[Path, Image.Image]:
    """A two-page PDF/A of ``lines`` at 200 dpi with Tesseract's text layer (``folder/d.pdf``), and its page
    image (the master is ``folder/m.jpg``)."""
    from sohoa import tesseract
    from sohoa.pdfa import PdfPage, build_pdfa

    img = text_page(lines, dpi=200)
    img.save(folder / "m.jpg", quality=90)
    img.convert("L").save(folder / "w.png")
    with tesseract.Engine() as engine:
        text_pdf = engine.ocr_page(folder / "w.png", folder / "ocr", 200).pdf
    page = PdfPage(folder / "m.jpg", img.width, img.height, 200, text_pdf)
    pdf = build_pdfa([page] * 2, folder / "d.pdf", title="phê duyệt kế hoạch", author="SỞ NỘI VỤ",
                     created=created, creator_tool="sohoa test", producer=producer)
    return pdf, img


def stamp_lines(pdf: Path) -> list[str]:
    """The signature block as printed: what page 1 shows at 400 dpi with annotations and not without them,
    read by Tesseract."""
    import numpy as np

    from sohoa import poppler, tesseract

    with tempfile.TemporaryDirectory() as tmp:
        shown, hidden = (np.asarray(poppler.render_page(pdf, 1, 400, Path(tmp) / "p.ppm", annotations=a).convert("L"),
                                    dtype=int) for a in (True, False))
    ink = shown < hidden - 60
    ys, xs = np.nonzero(ink)
    block = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))
    with tesseract.Engine() as engine:
        text = engine.ocr_text(block.crop((xs.min() - 30, ys.min() - 30, xs.max() + 30, ys.max() + 30)), 400, psm=6)
    return [line.strip() for line in text.splitlines() if line.strip()]


def make_pdf(path: Path, pages: int) -> Path:
    """A PDF of blank pages (what the package writer needs, not what the pipeline makes)."""
    import pikepdf

    with pikepdf.new() as pdf:
        for _ in range(pages):
            pdf.add_blank_page()
        pdf.save(path)
    return path


@pytest.fixture
def pdfs(tmp_path: Path) -> list[Path]:
    """Two documents' PDFs: 2 pages and 1 page."""
    source = tmp_path / "source"
    source.mkdir()
    return [make_pdf(source / "qd-12.pdf", 2), make_pdf(source / "kh-05.pdf", 1)]


_BODY = "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024 của Quốc hội;"
PAGE_LINES = (  # a decision's first page: header columns, title, subject, body, signer block
    (0.10, 0.06, "UBND TỈNH QUẢNG NGÃI", False),
    (0.16, 0.08, "SỞ NỘI VỤ", True),
    (0.12, 0.12, "Số: 07/QĐ-SNV", False),
    (0.52, 0.06, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
    (0.58, 0.08, "Độc lập - Tự do - Hạnh phúc", True),
    (0.55, 0.12, "Quảng Ngãi, ngày 05 tháng 3 năm 2020", False),
    (0.42, 0.19, "QUYẾT ĐỊNH", True),
    (0.22, 0.22, "Về việc phê duyệt kế hoạch số hóa tài liệu lưu trữ", True),
    *((0.12, 0.28 + 0.03 * i, _BODY, False) for i in range(8)),
    (0.10, 0.70, "Nơi nhận:", True),
    (0.62, 0.70, "KT. GIÁM ĐỐC", True),
    (0.62, 0.72, "PHÓ GIÁM ĐỐC", True),
    (0.62, 0.82, "Trần Thị Bình", True),
)


@pytest.fixture
def page_lines() -> list[tuple[float, float, str, bool]]:
    return list(PAGE_LINES)


@pytest.fixture(scope="session")
def signing_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A throwaway CA and an agency certificate it issued, as PEM bytes and files (never in the repository)."""
    from sohoa.sign import SigningIdentity, make_certificate

    folder = tmp_path_factory.mktemp("ca")
    ca_key, ca_cert = make_certificate("Test Root CA", "Cục Văn thư và Lưu trữ nhà nước (thử nghiệm)", ca=True)
    key, cert = make_certificate("Trung tâm Lưu trữ lịch sử", "TRUNG TÂM LƯU TRỮ LỊCH SỬ TỈNH HẬU GIANG",
                                 issuer=(ca_key, ca_cert))
    for name, data in {"ca.pem": ca_cert, "key.pem": key, "cert.pem": cert}.items():
        (folder / name).write_bytes(data)
    return {"root": ca_cert, "identity": SigningIdentity(key, cert, ca_cert), "folder": folder,
            "agency": "TRUNG TÂM LƯU TRỮ LỊCH SỬ TỈNH HẬU GIANG"}


def run_stages(batch: Path, out: Path, work: Path, identity: object, **params: str) -> dict[str, Any]:
    """The pipeline's stages, in order, as digitize_batch runs them, without Airflow: import (work area under
    ``work``), then clean, OCR and extraction per dossier, the quality checks, packages and delivery to ``out``.
    Returns what the import started ({"work", "dossiers"})."""
    from sohoa import pipeline

    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOHOA_WORK_DIR", str(work))
        started = pipeline.run_import(str(batch), str(out), **params)
    for d in started["dossiers"]:
        pipeline.run_clean(d)
        pipeline.run_ocr(d)
        pipeline.run_extract(d)
    pipeline.run_quality(started["work"])
    for d in started["dossiers"]:
        pipeline.run_package(d, identity)  # type: ignore[arg-type]
    pipeline.run_deliver(started["work"], str(out))
    return dict(started)


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A SeaweedFS server with two buckets: ``archive`` (versioned, SSE-S3 by default) and ``locked`` (Object
    Lock on, so versioned)."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        client = server["client"]
        client.create_bucket(Bucket="archive")
        client.put_bucket_versioning(Bucket="archive", VersioningConfiguration={"Status": "Enabled"})
        client.put_bucket_encryption(Bucket="archive", ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        client.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
        yield server
