from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from sohoa.ingest import BatchError, import_batch, read_catalogue, scan_batch
from sohoa.workspace import BatchWork, read_json
from tests.test_catalogue import TITLE, cp1258, workbook


def a4(dpi: int, colour: str = "white") -> Image.Image:
    return Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), colour)


def run(batch: Path, tmp_path: Path) -> tuple[list[str], dict[str, dict]]:
    work = BatchWork(tmp_path / "work")
    ready = import_batch(batch, work, "b1")
    pages = {}
    for dw in work.dossiers():
        for p in dw.pages():
            pages[p.source] = {"status": p.status, "reason": p.reason, "dpi": p.dpi, "sha": p.sha256,
                               "image": p.image, "rescan": p.extra.get("rescan")}
    for p in read_json(work.batch_json)["loose"]:
        pages[p["source"]] = {"status": p["status"], "reason": p["reason"]}
    return ready, pages


def test_catalogue_vietnamese_headings_bom_and_unknown_columns(tmp_path: Path) -> None:
    csv = tmp_path / "dossiers.csv"
    csv.write_bytes("\ufeffMã hồ sơ;Tiêu đề hồ sơ;Thời hạn bảo quản;Ghi chú kho\nHS.01;Hồ sơ kế hoạch;Vĩnh viễn;Kệ 3\n"
                    .encode("utf-8"))
    columns, rows = read_catalogue(csv)
    assert columns == ["dossier_code", "title", "retention", "Ghi chú kho"]
    assert rows == [{"dossier_code": "HS.01", "title": "Hồ sơ kế hoạch", "retention": "Vĩnh viễn",
                     "Ghi chú kho": "Kệ 3"}]


def test_missing_batch_and_batch_without_dossiers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="does not exist"):
        scan_batch(tmp_path / "nope", "x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "dossiers.csv").write_text("dossier_code\nA\n")
    with pytest.raises(BatchError, match="no dossier folders"):
        scan_batch(tmp_path / "empty", "x")


def test_natural_order_formats_and_native_resolution(tmp_path: Path) -> None:
    d = tmp_path / "batch" / "HS.01"
    d.mkdir(parents=True)
    for n, grey in ((10, "#fefefe"), (2, "#fdfdfd"), (1, "white")):
        a4(200, grey).save(d / f"trang_{n}.png", dpi=(200, 200))
    frames = [a4(300).convert("1"), a4(300, "#888").convert("1")]
    frames[0].save(d / "trang_11.tif", save_all=True, append_images=frames[1:], compression="group4", dpi=(300, 300))
    jpeg = tmp_path / "p.jpg"
    a4(240).save(jpeg, quality=80)
    pdf = pikepdf.new()
    for _ in range(2):
        page = pdf.add_blank_page(page_size=(595.3, 841.9))
        image = pikepdf.Stream(pdf, jpeg.read_bytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                               Width=round(8.27 * 240), Height=round(11.69 * 240),
                               ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pikepdf.Stream(pdf, b"q 595.3 0 0 841.9 0 0 cm /Im0 Do Q")
    pdf.save(d / "trang_12.pdf")
    ready, pages = run(tmp_path / "batch", tmp_path)
    assert ready == ["HS.01"]
    assert list(pages) == ["HS.01/trang_1.png", "HS.01/trang_2.png", "HS.01/trang_10.png", "HS.01/trang_11.tif#1",
                           "HS.01/trang_11.tif#2", "HS.01/trang_12.pdf#1", "HS.01/trang_12.pdf#2"]
    assert [pages[s]["dpi"] for s in pages] == [200, 200, 200, 300, 300, 240, 240]
    assert all(p["status"] == "ok" for p in pages.values())
    png = Image.open(tmp_path / "work" / "dossiers" / "HS.01" / pages["HS.01/trang_11.tif#2"]["image"])
    assert png.mode == "RGB" and png.size == (round(8.27 * 300), round(11.69 * 300))


def test_plain_jpeg_and_png_pages_are_kept_as_they_are_the_rest_made_rgb(tmp_path: Path) -> None:
    d = tmp_path / "batch" / "HS.01"
    d.mkdir(parents=True)
    a4(200, "#f4f0e0").save(d / "1.jpg", quality=85, dpi=(200, 200))
    a4(200).convert("L").save(d / "2.png", dpi=(200, 200))
    a4(200).convert("RGBA").save(d / "3.png", dpi=(200, 200))  # transparent pixels become white paper
    a4(200).convert("P").save(d / "4.png", dpi=(200, 200))
    _, pages = run(tmp_path / "batch", tmp_path)
    folder = tmp_path / "work" / "dossiers" / "HS.01"
    kept = {s: (folder / p["image"]).read_bytes() == (tmp_path / "batch" / s).read_bytes() for s, p in pages.items()}
    assert kept == {"HS.01/1.jpg": True, "HS.01/2.png": True, "HS.01/3.png": False, "HS.01/4.png": False}
    assert [pages[s]["image"] for s in pages] == ["pages/0000.jpg", "pages/0001.png", "pages/0002.png",
                                                  "pages/0003.png"]
    assert {Image.open(folder / pages[s]["image"]).mode for s in ("HS.01/3.png", "HS.01/4.png")} == {"RGB"}


def _bomb_png(path: Path, side: int) -> None:
    raw = zlib.compressobj(9)
    body = b"".join(raw.compress(b"\x00" + b"\xff" * side) for _ in range(side)) + raw.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def test_every_bad_input_gets_one_state_and_a_specific_reason(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    d = batch / "HS.02"
    d.mkdir(parents=True)
    a4(200).save(d / "01.png", dpi=(200, 200))
    (d / "02.png").write_bytes((d / "01.png").read_bytes())
    (d / "03.png").write_bytes(b"")
    good_jpeg = tmp_path / "good.jpg"
    a4(200, "#eee").save(good_jpeg, dpi=(200, 200))
    (d / "04.jpg").write_bytes(good_jpeg.read_bytes()[: good_jpeg.stat().st_size // 2])
    (d / "05.tif").write_text("this is not a picture")
    Image.new("RGB", (120, 80), "white").save(d / "06.png", dpi=(300, 300))
    Image.new("RGB", (800, 700), "#fafafa").save(d / "06b.png", dpi=(600, 600))  # 34 × 30 mm
    a4(100).save(d / "07.jpg", dpi=(100, 100))  # too coarse to deliver; still read, to describe it
    a4(90).save(d / "07b.jpg", dpi=(90, 90))  # a phone's or a web copy's resolution: still read, to describe it
    a4(30).save(d / "07c.jpg", dpi=(30, 30))  # too coarse even to read
    secret = pikepdf.new()
    secret.add_blank_page()
    secret.save(d / "08.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    _bomb_png(d / "09.png", 20000)
    os.symlink("/etc/hostname", d / "10.png")
    (d / "11.docx").write_bytes(b"PK\x03\x04")
    (d / ".DS_Store").write_bytes(b"x")
    (d / "Thumbs.db").write_bytes(b"x")
    (batch / "loose.png").write_bytes((d / "01.png").read_bytes() + b"x")
    (batch / "dossiers.csv").write_text("dossier_code,title\nHS.02,A\nMISSING.01,B\n../escape,C\n", encoding="utf-8")
    ready, pages = run(batch, tmp_path)
    expected = {
        "HS.02/01.png": ("ok", None),
        "HS.02/02.png": ("duplicate", "same content as HS.02/01.png"),
        "HS.02/03.png": ("quarantined", "empty file"),
        "HS.02/04.jpg": ("quarantined", "truncated image"),
        "HS.02/05.tif": ("quarantined", "not an image"),
        "HS.02/06.png": ("quarantined", "too small"),
        "HS.02/06b.png": ("quarantined", "too small: 34×30 mm"),
        "HS.02/07.jpg": ("ok", None),
        "HS.02/07b.jpg": ("ok", None),
        "HS.02/07c.jpg": ("quarantined", "below 200 dpi: 30 dpi, too coarse to read (pages from 40 dpi on are read to "
                                         "be described for scanning again)"),
        "HS.02/08.pdf": ("quarantined", "encrypted PDF: a password is needed to open it"),
        "HS.02/09.png": ("quarantined", "decompression bomb"),
        "HS.02/10.png": ("quarantined", "link leaving the batch"),
        "HS.02/11.docx": ("quarantined", "unsupported file type .docx"),
        "HS.02/.DS_Store": ("ignored", "hidden or system file"),
        "HS.02/Thumbs.db": ("ignored", "hidden or system file"),
        "loose.png": ("quarantined", "outside any dossier folder"),
    }
    assert pages["HS.02/07.jpg"]["rescan"] == "below 200 dpi: 100 dpi" and pages["HS.02/01.png"]["rescan"] is None
    assert pages["HS.02/07b.jpg"]["rescan"] == "below 200 dpi: 90 dpi"
    assert set(pages) == set(expected)
    for source, (status, reason) in expected.items():
        assert pages[source]["status"] == status, source
        if reason:
            assert pages[source]["reason"].startswith(reason), (source, pages[source]["reason"])
    assert ready == ["HS.02"]
    dossiers = {d["code"]: d for d in read_json(tmp_path / "work" / "batch.json")["dossiers"]}
    assert "folder 'MISSING.01' is missing" in dossiers["MISSING.01"]["problem"]
    assert "leaves the batch" in dossiers["../escape"]["problem"]
    assert not (tmp_path / "work" / "dossiers" / "escape").exists()


def _entries(tmp_path: Path) -> dict[str, dict]:
    return {d["code"]: d for d in read_json(tmp_path / "work" / "batch.json")["dossiers"]}


def _dossiers(batch: Path, *codes: str) -> None:
    for n, code in enumerate(codes):  # each page its own grey: not a duplicate of another dossier's
        (batch / code).mkdir(parents=True)
        a4(200, f"#{250 - n:02x}{250 - n:02x}{250 - n:02x}").save(batch / code / "1.png", dpi=(200, 200))


def test_the_batch_json_entry_holds_the_resolved_codes_defaults_holds_and_secrecy(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    _dossiers(batch, "HS.01", "HS.02", "HS.03", "HS.04", "HS.05")
    (batch / "dossiers.csv").write_bytes(cp1258(
        "Mã hồ sơ;Tiêu đề hồ sơ;Chế độ sử dụng;Thời hạn bảo quản;Ngôn ngữ\n"
        f"HS.01;{TITLE};Hạn chế;70 năm;Tiếng Việt\n"
        "HS.02;Hồ sơ hội nghị;Nội bộ;;\n"
        "HS.03;Hồ sơ mật;Tối mật;Vĩnh viễn;\n"
        "HS.04;Hồ sơ công khai;Công khai;10 năm;\n"
        "HS.04;Hồ sơ công khai;Mật;10 năm;\n"))
    ready, _ = run(batch, tmp_path)
    assert ready == ["HS.01", "HS.02", "HS.03", "HS.04", "HS.05"]
    entries = _entries(tmp_path)
    assert entries["HS.01"]["catalogue"]["title"] == TITLE
    assert {k: entries["HS.01"][k] for k in ("codes", "defaults", "holds", "secret")} == {
        "codes": {"mode": "02", "maintenance": "02", "language": "01"}, "defaults": [], "holds": [], "secret": False}
    assert entries["HS.02"]["codes"] == {"mode": "02", "maintenance": "01", "language": "01"}
    assert entries["HS.02"]["defaults"] == ["mode", "maintenance", "language"]
    assert entries["HS.02"]["holds"] == [
        "dossiers.csv gives access 'Nội bộ', which is none of TT 05's modes (01 Công khai, 02 Sử dụng có điều kiện, "
        "03 Mật): held until an archivist sets it"]
    assert entries["HS.03"]["secret"] is True and entries["HS.03"]["codes"]["mode"] == "03"
    assert entries["HS.03"]["holds"] == ["dossiers.csv gives access 'Tối mật', a secrecy level (độ mật): nothing of "
                                         "this dossier may leave this machine; held, never delivered"]
    # listed twice, once as secret: the first row is used, the dossier is held and taken as secret
    assert entries["HS.04"]["catalogue"]["access"] == "Công khai" and entries["HS.04"]["secret"] is True
    assert entries["HS.04"]["holds"][0] == ("dossiers.csv lists it twice with different access: held until an "
                                            "archivist keeps one row")
    # a folder the catalogue does not list: the safe defaults, said to be defaults
    assert (entries["HS.05"]["codes"], entries["HS.05"]["defaults"], entries["HS.05"]["holds"]) == (
        {"mode": "02", "maintenance": "01", "language": "01"}, ["mode", "maintenance", "language"], [])


def test_the_workbook_catalogue_is_read_in_the_batch(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    _dossiers(batch, "HS.01")
    workbook(batch / "dossiers.xlsx", [["Mã hồ sơ", "Tiêu đề hồ sơ", "Chế độ sử dụng"], ["HS.01", TITLE, 1]])
    (batch / "~$dossiers.xlsx").write_bytes(b"lock")  # Excel's lock file while the workbook is open
    inventory, loose = scan_batch(batch, "b")
    [dossier] = inventory.dossiers
    assert (dossier.catalogue["title"], dossier.codes["mode"], dossier.defaults) == (TITLE, "01", ["maintenance",
                                                                                                   "language"])
    assert [(p.source, p.status) for p in loose] == [("~$dossiers.xlsx", "ignored")]


@pytest.mark.parametrize("files, says", [
    ({"dossiers.csv": "Tiêu đề hồ sơ,Chế độ sử dụng\nA,Mật\n".encode()},
     "The catalogue dossiers.csv has no dossier_code (Mã hồ sơ) column"),
    ({"dossiers.csv": "dossier_code,title\nHS.01,Tiªu ®Ò hå s¬\n".encode("latin-1")},
     "The catalogue dossiers.csv is not UTF-8"),
    ({"dossiers.xlsx": b"not a workbook"}, "The catalogue dossiers.xlsx is not a readable .xlsx workbook"),
    ({"Dossiers.XLS": b"\xd0\xcf\x11\xe0"}, "The catalogue Dossiers.XLS is a spreadsheet format sohoa does not read"),
    ({"dossiers.csv": b"dossier_code\nHS.01\n", "dossiers.xlsx": b""}, "The batch holds 2 catalogues"),
])
def test_a_catalogue_found_but_unreadable_stops_the_batch_before_any_work(tmp_path: Path, files: dict[str, bytes],
                                                                          says: str) -> None:
    batch = tmp_path / "batch"
    _dossiers(batch, "HS.01")
    for name, raw in files.items():
        (batch / name).write_bytes(raw)
    with pytest.raises(BatchError, match="^" + re.escape(says)) as stopped:
        scan_batch(batch, "check")  # what `sohoa run` calls before any work
    assert str(stopped.value).endswith(".") and "\n" not in str(stopped.value)
    with pytest.raises(BatchError):
        import_batch(batch, BatchWork(tmp_path / "work"), "b1")
    assert not (tmp_path / "work" / "batch.json").exists() and not (tmp_path / "work" / "dossiers").exists()


def test_a_pdf_restricted_only_by_an_owner_password_is_imported(tmp_path: Path) -> None:
    d = tmp_path / "batch" / "HS.01"
    d.mkdir(parents=True)
    jpeg = tmp_path / "p.jpg"
    a4(200, "#f0f0f0").save(jpeg, quality=80)
    for name, user in (("eoffice.pdf", ""), ("locked.pdf", "y")):
        pdf = pikepdf.new()
        page = pdf.add_blank_page(page_size=(595.3, 841.9))
        image = pikepdf.Stream(pdf, jpeg.read_bytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                               Width=round(8.27 * 200), Height=round(11.69 * 200),
                               ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pikepdf.Stream(pdf, b"q 595.3 0 0 841.9 0 0 cm /Im0 Do Q")
        pdf.save(d / name, encryption=pikepdf.Encryption(owner="x", user=user))
    with pikepdf.open(d / "eoffice.pdf") as check:
        assert check.is_encrypted  # restricted, and opens without a password
    ready, pages = run(tmp_path / "batch", tmp_path)
    assert ready == ["HS.01"]
    assert (pages["HS.01/eoffice.pdf"]["status"], pages["HS.01/eoffice.pdf"]["dpi"]) == ("ok", 200)
    rendered = Image.open(tmp_path / "work" / "dossiers" / "HS.01" / pages["HS.01/eoffice.pdf"]["image"])
    assert rendered.width == 1654 and abs(rendered.height - 2338) <= 1  # A4 at 200 dpi
    assert rendered.getpixel((800, 1100)) == (240, 240, 240)  # its page image drawn, not a blank page
    assert pages["HS.01/locked.pdf"] == {**pages["HS.01/locked.pdf"], "status": "quarantined", "reason": (
        "encrypted PDF: a password is needed to open it; give sohoa a copy without one")}


def _photo(path: Path, size: tuple[int, int], camera: bool = True) -> None:
    """A phone's JPEG: the 72 dpi every camera writes and, when ``camera``, the exposure tags only cameras write."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x011A], exif[0x011B], exif[0x0128] = "Phone", "X1", 72.0, 72.0, 2
    if camera:
        exif.get_ifd(0x8769).update({0x829A: 1 / 60, 0x829D: 1.8, 0x8827: 200, 0x920A: 4.2})
    Image.new("RGB", size, "#f2efe6").save(path, quality=85, exif=exif)


def test_a_camera_photo_is_read_for_rescanning_never_delivered_and_quarantined_only_below_the_read_floor(
        tmp_path: Path) -> None:
    d = tmp_path / "batch" / "HS.01"
    d.mkdir(parents=True)
    _photo(d / "1_small.jpg", (960, 1280))  # a messaging app's copy: about 116 dpi on an A4 page
    _photo(d / "2_full.jpg", (3024, 4032))  # the phone's own: about 366 dpi, still a photo of unknown framing
    _photo(d / "3_thumb.jpg", (750, 1000))  # about 91 dpi: a web copy of a photo, still read to be described
    _photo(d / "5_icon.jpg", (300, 400))  # about 36 dpi: under the floor from which pages are read
    _photo(d / "4_scan72.jpg", (3024, 4032), camera=False)  # a scanner's 72 dpi is its resolution
    assert Image.open(d / "1_small.jpg").info["dpi"] == (72, 72)
    _, pages = run(tmp_path / "batch", tmp_path)
    assert (pages["HS.01/1_small.jpg"]["status"], pages["HS.01/1_small.jpg"]["dpi"]) == ("ok", 116)
    assert pages["HS.01/1_small.jpg"]["rescan"] == (
        "camera photo, not a scan: 960×1280 px taken as one A4 page filling the frame: about 116 dpi at most, "
        "never delivered")
    assert pages["HS.01/2_full.jpg"]["status"] == "ok" and pages["HS.01/2_full.jpg"]["rescan"].startswith(
        "camera photo, not a scan: 3024×4032 px") and pages["HS.01/2_full.jpg"]["dpi"] == 366
    assert (pages["HS.01/3_thumb.jpg"]["status"], pages["HS.01/3_thumb.jpg"]["rescan"]) == ("ok", (
        "camera photo, not a scan: 750×1000 px taken as one A4 page filling the frame: about 91 dpi at most, "
        "never delivered"))
    assert pages["HS.01/5_icon.jpg"] == {**pages["HS.01/5_icon.jpg"], "status": "quarantined", "reason": (
        "below 200 dpi: 36 dpi, too coarse to read (pages from 40 dpi on are read to be described for scanning "
        "again) (camera photo, not a scan: 300×400 px taken as one A4 page filling the frame)")}
    assert (pages["HS.01/4_scan72.jpg"]["status"], pages["HS.01/4_scan72.jpg"]["rescan"]) == (
        "ok", "below 200 dpi: 72 dpi")


def _lettered(size: tuple[int, int], letter_px: int) -> Image.Image:
    """A white page with rows of dark letter-sized marks ``letter_px`` high, as body text is."""
    from PIL import ImageDraw

    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    for y in range(60, size[1] - 60, letter_px * 3):
        for x in range(40, size[0] - 40, letter_px):
            draw.rectangle((x, y, x + letter_px * 2 // 3 - 1, y + letter_px - 1), fill=20)
    return img


def test_a_resolution_tag_the_text_refutes_is_not_believed(tmp_path: Path) -> None:
    """A web copy keeps its original's "300 dpi" on 690 px: its 9 px letters say it is about 83 dpi (an A4 page
    filling the frame); it is read to be described, with why the tag was not believed. Letters 27 px high, as
    13 pt text is at 300 dpi, confirm the same tag on a small card."""
    d = tmp_path / "batch" / "HS.01"
    d.mkdir(parents=True)
    _lettered((690, 976), 9).save(d / "1_web.png", dpi=(300, 300))
    _lettered((1200, 1700), 27).save(d / "2_card.png", dpi=(300, 300))  # 102 × 144 mm: an A6 card, as tagged
    _, pages = run(tmp_path / "batch", tmp_path)
    web = pages["HS.01/1_web.png"]
    assert (web["status"], web["dpi"]) == ("ok", 83)
    assert web["rescan"] == ("below 200 dpi: 83 dpi (the file says 300 dpi, but its text is 9 px high: 690×976 px "
                             "taken as one A4 page filling the frame)")
    assert (pages["HS.01/2_card.png"]["status"], pages["HS.01/2_card.png"]["dpi"],
            pages["HS.01/2_card.png"]["rescan"]) == ("ok", 300, None)
