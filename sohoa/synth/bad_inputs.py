"""Inputs that must not be delivered: broken, tiny, low-resolution, encrypted, bomb, link, system and
duplicate files, a loose file, a page stamped MẬT, and broken catalogue rows."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image, ImageDraw

from sohoa.synth.agencies import AGENCIES, CATALOGUE_COLUMNS
from sohoa.synth.batch import _write_truth, truth_path
from sohoa.synth.degradation import degrade
from sohoa.synth.documents import random_document
from sohoa.synth.files import _pdf_bytes, _save_image
from sohoa.synth.fonts import _font
from sohoa.synth.layout import INK, a4_size
from sohoa.synth.render import render_document, render_with_text
from sohoa.vocab import nfc

# Reasons the ingest stage is expected to give (at the start of its reason text) for bad inputs.
BAD_REASONS: dict[str, tuple[str, str]] = {
    "empty.png": ("quarantined", "empty file"),
    "truncated.jpg": ("quarantined", "truncated image"),
    "not_image.tif": ("quarantined", "not an image"),
    "tiny.png": ("quarantined", "too small"),
    "lowres.jpg": ("quarantined", "below 200 dpi"),
    "secret.pdf": ("quarantined", "encrypted PDF"),
    "bomb.png": ("quarantined", "decompression bomb"),
    "link.png": ("quarantined", "link leaving the batch"),
    "notes.docx": ("quarantined", "unsupported file type"),
    ".DS_Store": ("ignored", "hidden or system file"),
    "Thumbs.db": ("ignored", "hidden or system file"),
    "copy_of_page.png": ("duplicate", "same content as"),
    "zz_blank.png": ("blank", "blank page"),
}
LOOSE_REASON = ("quarantined", "outside any dossier folder")

def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_bomb_png(path: Path, size: int = 20000, dpi: int = 300) -> None:
    """A valid all-white greyscale PNG of size x size pixels that stays small on disk.

    The image data are deflated one block of rows at a time; every block is compressed by a fresh raw
    deflate stream ending in a full flush, so the same bytes can be repeated for every block.
    """
    rows_per_block = 500
    row = b"\x00" + b"\xff" * size
    block = row * rows_per_block
    full, rest = divmod(size, rows_per_block)

    def raw(data: bytes) -> bytes:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        return comp.compress(data) + comp.flush(zlib.Z_FULL_FLUSH)

    packed = raw(block)
    parts = [b"\x78\xda"] + [packed] * full
    adler = 1
    for _ in range(full):
        adler = zlib.adler32(block, adler)
    if rest:
        parts.append(raw(row * rest))
        adler = zlib.adler32(row * rest, adler)
    parts.append(b"\x03\x00")  # final empty block (fixed Huffman, end-of-block only)
    parts.append(struct.pack(">I", adler & 0xFFFFFFFF))
    idat = b"".join(parts)
    ppm = round(dpi / 0.0254)
    data = b"\x89PNG\r\n\x1a\n"
    data += _png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
    data += _png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    data += _png_chunk(b"IDAT", idat)
    data += _png_chunk(b"IEND", b"")
    Path(path).write_bytes(data)


def _docx_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in (
            ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                                    'openxmlformats.org/package/2006/content-types"/>'),
            ("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><document><p>{text}</p></document>'),
        ):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, body.encode("utf-8"))
    return buf.getvalue()


def add_bad_inputs(batch_dir: Path, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Add the dossier BAD.01 (two good pages of one document, one page of a document stamped MẬT, plus
    inputs that must not be delivered),
    a loose file at the batch root and two broken catalogue rows; merge the expectations into the truth file.

    Returns {source: {"status": ..., "reason": ...}} for the bad inputs (see BAD_REASONS). The good pages
    of BAD.01 are recorded in the truth as "delivered" pages like any good page; since BAD.01 holds
    quarantined inputs, the pipeline is expected to hold that dossier for review.
    """
    batch_dir = Path(batch_dir)
    batch_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed * 1_000_003 + 17)
    folder = batch_dir / "BAD.01"
    folder.mkdir(exist_ok=True)
    dpi = 200
    agency = rng.choice(AGENCIES)
    doc = random_document(rng, agency=agency, pages=2,
                          document_type=rng.choice([t for t in agency.types if t != "Giấy mời"]))
    rendered = render_with_text(doc, dpi, random.Random(rng.getrandbits(64)))
    good_pages: dict[str, dict[str, Any]] = {}
    sources = []
    for index, (img, fmt) in enumerate(zip(rendered.pages, ("png", "jpg", "tif"), strict=False), start=1):
        skew = round(rng.uniform(-1, 1), 2)
        name = f"{index:03d}.{fmt}"
        _save_image(degrade(img, rng, skew_deg=skew), folder / name, fmt, dpi)
        sources.append(f"BAD.01/{name}")
        good_pages[f"BAD.01/{name}"] = {"status": "delivered", "rotation": 0, "skew": skew, "border": False,
                                        "format": fmt, "dpi": dpi}
    first_page = folder / sources[0].split("/", 1)[1]

    (folder / "empty.png").write_bytes(b"")
    other = random_document(rng, document_type="Thông báo", pages=1)
    page = render_document(other, dpi, random.Random(rng.getrandbits(64)))[0]
    buf = io.BytesIO()
    degrade(page, rng).save(buf, "JPEG", quality=90, dpi=(dpi, dpi))
    jpeg = buf.getvalue()
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (folder / "not_image.tif").write_bytes(
        "Biên bản bàn giao tài liệu - tệp văn bản, không phải ảnh TIFF.\n".encode() * 40)
    tiny = Image.new("RGB", (120, 80), (250, 248, 240))
    ImageDraw.Draw(tiny).text((6, 30), "Số: 01", font=_font("regular", 18), fill=INK)
    tiny.save(folder / "tiny.png", "PNG", dpi=(300, 300))
    lowres = render_document(other, 100, random.Random(rng.getrandbits(64)))[0]
    degrade(lowres, rng).save(folder / "lowres.jpg", "JPEG", quality=90, dpi=(100, 100))
    small_page = page.resize((page.width // 2, page.height // 2), Image.Resampling.BILINEAR)
    (folder / "secret.pdf").write_bytes(
        _pdf_bytes([small_page], dpi // 2, encryption=pikepdf.Encryption(owner="o", user="u")))
    write_bomb_png(folder / "bomb.png")
    link = folder / "link.png"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink("/etc/hostname", link)
    (folder / "notes.docx").write_bytes(_docx_bytes("Ghi chú của người lập hồ sơ"))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(2048 - 8))
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096 - 8))
    shutil.copyfile(first_page, folder / "copy_of_page.png")
    blank = Image.new("RGB", a4_size(300), (255, 255, 255))
    degrade(blank, rng).save(folder / "zz_blank.png", "PNG", dpi=(300, 300))
    loose = Image.new("RGB", (600, 400), (252, 250, 244))
    ImageDraw.Draw(loose).text((40, 180), "Trang rời", font=_font("regular", 40), fill=INK)
    loose.save(batch_dir / "loose.png", "PNG", dpi=(300, 300))

    # a one-page document stamped MẬT after the good one: described, but withheld from package and output
    secret = random_document(rng, agency=agency, document_type="Công văn", pages=1)
    secret.secrecy = "MẬT"
    secret_page = render_with_text(secret, dpi, random.Random(rng.getrandbits(64)))
    _save_image(degrade(secret_page.pages[0], rng), folder / "004.png", "png", dpi)

    bad: dict[str, dict[str, Any]] = {"BAD.01/004.png": {"status": "quarantined", "reason": "secrecy mark MẬT"}}
    for name, (status, reason) in BAD_REASONS.items():
        bad[f"BAD.01/{name}"] = {"status": status, "reason": reason}
    bad["BAD.01/copy_of_page.png"]["duplicate_of"] = sources[0]
    bad["loose.png"] = {"status": LOOSE_REASON[0], "reason": LOOSE_REASON[1]}

    catalogue = batch_dir / "dossiers.csv"
    rows: list[list[str]] = []
    if catalogue.exists():
        with open(catalogue, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    if not rows:
        rows = [list(CATALOGUE_COLUMNS)]
    codes = {row[0] for row in rows[1:] if row}
    extra = [
        ["BAD.01", nfc(f"Hồ sơ có tệp lỗi về {doc.topic} năm {doc.issued_date.year}"), agency.fond,
         str(doc.issued_date.year), "10 năm", "Công khai", "Kho 1, giá 1, hộp 1"],
        ["MISSING.01", "Hồ sơ không có thư mục", "P_X", "2020", "10 năm", "Công khai", "Kho 1, giá 1, hộp 2"],
        ["../escape", "Hồ sơ có mã trỏ ra ngoài lô", "P_X", "2020", "10 năm", "Công khai", "Kho 1, giá 1, hộp 3"],
    ]
    with open(catalogue, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows(rows + [row for row in extra if row[0] not in codes])

    path = truth_path(batch_dir)
    truth: dict[str, Any]
    if path.exists():
        truth = json.loads(path.read_text(encoding="utf-8"))
    else:
        truth = {"batch": nfc(batch_dir.name), "seed": seed, "dossiers": [], "pages": {}}
    truth["dossiers"] = [d for d in truth["dossiers"] if d["dossier_code"] != "BAD.01"]
    truth["dossiers"].append({
        "dossier_code": "BAD.01", "title": extra[0][1], "dpi": dpi, "fond": agency.fond,
        "year": doc.issued_date.year, "retention": "10 năm", "access": "Công khai",
        "documents": [{"pages": sources, "metadata": doc.metadata(), "words": rendered.words},
                      {"pages": ["BAD.01/004.png"], "metadata": secret.metadata(), "words": secret_page.words}],
    })
    truth["pages"].update(good_pages)
    truth["pages"].update(bad)
    truth["catalogue_problems"] = {"MISSING.01": "folder missing", "../escape": "leaves the batch"}
    _write_truth(batch_dir, truth)
    return bad


