from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from sohoa.catalogue import (
    CatalogueError,
    decode,
    formula_like,
    parse_text,
    put_cell,
    read_catalogue,
    resolve_codes,
    spreadsheet_safe,
)

TONES = "\u0300\u0301\u0303\u0309\u0323"
TITLE = "Hồ sơ về việc xây dựng trụ sở Ủy ban nhân dân tỉnh Hậu Giang"


def cp1258(text: str) -> bytes:
    """Text as Windows writes it in the Vietnamese code page: a toned letter is its base letter (with its
    circumflex, breve or horn) followed by a combining tone-mark byte when cp1258 has no precomposed form."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = next(c for c in parts if c in TONES)
            out += unicodedata.normalize("NFC", parts.replace(tone, "")).encode("cp1258") + tone.encode("cp1258")
    return out


CSV = f"Mã hồ sơ,Tiêu đề hồ sơ,Chế độ sử dụng,Thời hạn bảo quản\nHS.01,{TITLE},Hạn chế,70 năm\n"
EXPECTED = ["dossier_code", "title", "access", "retention"], [
    {"dossier_code": "HS.01", "title": TITLE, "access": "Hạn chế", "retention": "70 năm"}]


@pytest.mark.parametrize("raw", [
    CSV.encode("utf-8"),
    "\ufeff".encode() + CSV.encode("utf-8"),
    CSV.replace(",", "\t").encode("utf-16"),  # Excel's "Unicode Text": UTF-16 LE with BOM, tab separated
    CSV.replace(",", "\t").encode("utf-16-be").join([b"\xfe\xff", b""]),
    CSV.replace(",", ";").encode("utf-8"),
    cp1258(CSV),
    cp1258(CSV.replace(",", ";")),
], ids=["utf8", "utf8-bom", "utf16le-tab", "utf16be-tab", "utf8-semicolon", "cp1258", "cp1258-semicolon"])
def test_the_catalogue_is_read_as_archives_write_it(raw: bytes) -> None:
    assert parse_text(decode(raw)) == EXPECTED


def test_cp1258_tone_marks_are_composed() -> None:
    raw = cp1258(CSV)
    assert b"\xcc" in raw and b"\xf2" in raw  # combining grave and dot below, as Windows writes them
    title = parse_text(decode(raw))[1][0]["title"]
    assert title == TITLE and unicodedata.is_normalized("NFC", title) and "\u0300" not in title


def test_the_delimiter_is_the_one_that_splits_the_header() -> None:
    # a title with commas in a semicolon file: the header line decides, not the most frequent character
    text = "Mã hồ sơ;Tiêu đề hồ sơ\nHS.01;Hồ sơ A, B, C và D, E\n"
    assert parse_text(text) == (["dossier_code", "title"], [{"dossier_code": "HS.01", "title": "Hồ sơ A, B, C và D, E"}])


@pytest.mark.parametrize("raw, says", [
    ("dossier_code,title\nA,Tiªu ®Ò hå s¬\n".encode("latin-1"), "it would say 'Tiªu'"),  # TCVN3 (.VnTime)
    ("dossier_code,title\nA,Café crème\n".encode("cp1252"), "it has no Vietnamese letter"),
    (b"dossier_code\nA\x81\n", "byte 0x81 has no meaning"),
    ("dossier_code\tMã\n".encode("utf-16-le"), "NUL bytes, as UTF-16 text without a byte-order mark does"),
    ("dossier_code\nHồ sơ\n".encode().decode("latin-1").encode(), "U+0093, the mark of text converted twice"),
    (b"\xff\xfed\x00o\x00\x00\xd8", "starts with a UTF-16 byte-order mark but is not valid UTF-16"),
])
def test_an_encoding_that_cannot_be_told_for_sure_is_refused(raw: bytes, says: str) -> None:
    with pytest.raises(CatalogueError) as refused:
        decode(raw)
    assert says in str(refused.value)
    assert "cannot be told for sure" in str(refused.value) or "not valid" in str(refused.value)


def test_headings_must_name_one_column_each() -> None:
    with pytest.raises(CatalogueError, match="has no dossier_code"):
        parse_text("title,access\nA,Mở\n")
    with pytest.raises(CatalogueError, match=r"2 columns for access \('Chế độ sử dụng', 'Mức độ tiếp cận'\)"):
        parse_text("Mã hồ sơ,Chế độ sử dụng,Mức độ tiếp cận\nHS.01,Công khai,Mật\n")
    with pytest.raises(CatalogueError, match="is empty"):
        parse_text("\n\n")


def test_hostile_cells_are_kept_as_text() -> None:
    text = 'dossier_code,title,note\nHS.01,"=HYPERLINK(""http://x"",""y"")",+1-2\nHS.02,@SUM(A1),-3\n'
    _, rows = parse_text(text)
    assert [(r["title"], r["note"]) for r in rows] == [('=HYPERLINK("http://x","y")', "+1-2"), ("@SUM(A1)", "-3")]


def workbook(path: Path, rows: list[list[object]], title_rows: int = 0) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for _ in range(title_rows):
        sheet.append(["DANH MỤC HỒ SƠ"])
    for row in rows:
        sheet.append(row)
    book.create_sheet("Ghi chú").append(["Mã hồ sơ", "Chế độ sử dụng"])  # only the first sheet is read
    book.save(path)
    return path


def test_the_workbook_first_sheet_under_its_title(tmp_path: Path) -> None:
    path = workbook(tmp_path / "dossiers.xlsx", [
        ["Mã hồ sơ", "Tiêu đề hồ sơ", "Năm", "Chế độ sử dụng", "Thời hạn bảo quản", None],
        ["HS.01", unicodedata.normalize("NFD", TITLE), 2020, 2, "Vĩnh viễn", None],
        [None, None, None, None, None, None],
        ["HS.02", "=A2&\"-bis\"", 2021.0, "03", 10, "ghi chú lạc cột"],
    ], title_rows=2)
    columns, rows = read_catalogue(path)
    assert columns == ["dossier_code", "title", "year", "access", "retention", "column 6"]
    assert rows[0] == {"dossier_code": "HS.01", "title": TITLE, "year": "2020", "access": "2",
                       "retention": "Vĩnh viễn", "column 6": ""}
    # a formula never computed (no cached value) stays the text it is, never evaluated
    assert rows[1]["title"] == '=A2&"-bis"' and rows[1]["year"] == "2021" and rows[1]["column 6"] == "ghi chú lạc cột"
    assert [resolve_codes(r, "dossiers.xlsx").codes["mode"] for r in rows] == ["02", "03"]


def test_a_file_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dossiers.xlsx").write_bytes(b"Ma ho so,title\n")
    with pytest.raises(CatalogueError, match=r"dossiers.xlsx is not a readable .xlsx workbook"):
        read_catalogue(tmp_path / "dossiers.xlsx")
    (tmp_path / "dossiers.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CatalogueError, match="save it as dossiers.xlsx or as dossiers.csv"):
        read_catalogue(tmp_path / "dossiers.xls")


@pytest.mark.parametrize("value, code", [
    ("Hạn chế", "02"), ("Hạn chế sử dụng", "02"), ("Sử dụng có điều kiện", "02"), ("có điều kiện", "02"),
    ("02", "02"), ("2", "02"), ("  HẠN   CHẾ ", "02"), ("02 - Sử dụng có điều kiện", "02"),
    ("Công khai", "01"), ("CÔNG KHAI", "01"), ("Mở", "01"), ("01", "01"), ("1. Công khai", "01"),
])
def test_access_wordings_map_to_tt05_modes(value: str, code: str) -> None:
    resolved = resolve_codes({"access": value})
    assert (resolved.codes["mode"], resolved.holds, resolved.secret, resolved.defaults) == (
        code, [], False, ["maintenance", "language"])


@pytest.mark.parametrize("value", ["Mật", "MẬT", "Tối mật", "Tuyệt mật", "tuyệt  mật", "03", "3"])
def test_a_secrecy_level_means_secret_and_held(value: str) -> None:
    resolved = resolve_codes({"access": value}, "dossiers.xlsx")
    assert resolved.secret and resolved.codes["mode"] == "03"
    assert resolved.holds == [f"dossiers.xlsx gives access {value!r}, a secrecy level (độ mật): nothing of this "
                              "dossier may leave this machine; held, never delivered"]


@pytest.mark.parametrize("value", ["MAT", "Toi mat", "Hạn chế - Mật", "01 - Mật"])
def test_an_unknown_value_that_may_name_a_secrecy_level_is_taken_as_secret(value: str) -> None:
    resolved = resolve_codes({"access": value})
    assert resolved.secret and resolved.codes["mode"] == "03"
    assert resolved.holds[0].startswith(f"dossiers.csv gives access {value!r}, which is none of TT 05's modes")
    assert "may name a secrecy level" in resolved.holds[0]


def test_an_unknown_access_holds_the_dossier_and_never_opens_it() -> None:
    resolved = resolve_codes({"access": "Nội bộ"})
    assert resolved.holds == ["dossiers.csv gives access 'Nội bộ', which is none of TT 05's modes (01 Công khai, "
                              "02 Sử dụng có điều kiện, 03 Mật): held until an archivist sets it"]
    assert resolved.codes["mode"] == "02" and "mode" in resolved.defaults and not resolved.secret


def test_no_value_is_the_documented_safe_default() -> None:
    for row in ({}, {"dossier_code": "HS.01", "access": "", "retention": " ", "language": ""}):
        resolved = resolve_codes(row)
        assert resolved.codes == {"mode": "02", "maintenance": "01", "language": "01"}
        assert resolved.defaults == ["mode", "maintenance", "language"] and resolved.holds == []


@pytest.mark.parametrize("value, code", [
    ("Vĩnh viễn", "01"), ("vĩnh  viễn", "01"), ("VV", "01"), ("70 năm", "02"), ("50 năm", "03"), ("30 năm", "04"),
    ("20 năm", "05"), ("10 năm", "06"), ("10 NĂM", "06"), ("Khác", "07"), ("15 năm", "07"), ("05 năm", "07"),
    ("05", "05"), ("01", "01"), ("06 - 10 năm", "06"),
])
def test_retention_wordings_map_to_tt05_periods(value: str, code: str) -> None:
    resolved = resolve_codes({"retention": value})
    assert (resolved.codes["maintenance"], resolved.holds) == (code, [])


def test_an_unknown_or_ambiguous_retention_holds() -> None:
    assert resolve_codes({"retention": "Lâu dài"}).holds == [
        "dossiers.csv gives retention 'Lâu dài', which is none of TT 05's retention periods (01 Vĩnh viễn, "
        "02 70 năm, 03 50 năm, 04 30 năm, 05 20 năm, 06 10 năm, 07 Khác): held until an archivist sets it"]
    assert resolve_codes({"retention": "5"}).holds == [
        "dossiers.csv gives retention '5', which may be code 05 (20 năm) or 5 years: held until an archivist sets it"]
    assert resolve_codes({"retention": "06 - 20 năm"}).holds[0].startswith("dossiers.csv gives retention '06 - 20 năm'")


@pytest.mark.parametrize("value, code", [
    ("Tiếng Việt", "01"), ("vi", "01"), ("Việt", "01"), ("Tiếng Anh", "02"), ("Tiếng Pháp", "03"), ("Nga", "04"),
    ("Tiếng Trung", "05"), ("Việt - Anh", "06"), ("Tiếng Việt, Tiếng Anh", "06"), ("Việt–Nga", "07"),
    ("Pháp, Việt", "08"), ("Hán Nôm", "09"), ("Hán-Nôm", "09"), ("Việt và Trung", "10"), ("Khác", "11"), ("11", "11"),
])
def test_language_wordings_map_to_tt05_languages(value: str, code: str) -> None:
    resolved = resolve_codes({"language": value})
    assert (resolved.codes["language"], resolved.holds) == (code, [])


def test_an_unknown_language_holds() -> None:
    [reason] = resolve_codes({"language": "Anh, Pháp"}).holds
    assert reason.startswith("dossiers.csv gives language 'Anh, Pháp', which is none of TT 05's languages (01 Tiếng "
                             "Việt, 02 Tiếng Anh,") and reason.endswith("11 Khác): held until an archivist sets it")


def test_a_secrecy_column_overrides_an_open_mode() -> None:
    resolved = resolve_codes({"access": "Công khai", "secrecy": "Tối mật"})
    assert resolved.secret and resolved.codes["mode"] == "03"
    assert resolved.holds == ["dossiers.csv gives secrecy 'Tối mật', a secrecy level (độ mật): nothing of this "
                              "dossier may leave this machine; held, never delivered"]
    assert resolve_codes({"access": "Công khai", "secrecy": "Không"}) == resolve_codes({"access": "Công khai"})
    assert resolve_codes({"secrecy": "Nội bộ"}).holds[0].startswith("dossiers.csv gives secrecy 'Nội bộ', which is")


def test_spreadsheet_safe_keeps_formulas_from_running(tmp_path: Path) -> None:
    assert [spreadsheet_safe(v) for v in ("=1+1", "+84 90", "-5", "@SUM(A1)", "\t=1", "Hồ sơ", "", 12, None)] == [
        "'=1+1", "'+84 90", "'-5", "'@SUM(A1)", "'\t=1", "Hồ sơ", "", 12, None]
    assert not formula_like("a=1") and formula_like("=cmd|' /C calc'!A0")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    put_cell(sheet["A1"], "=HYPERLINK(\"http://x\",\"y\")")
    put_cell(sheet["A2"], "Hồ sơ")
    book.save(tmp_path / "out.xlsx")
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()  # no formula in the file
    cell = load_workbook(tmp_path / "out.xlsx")["Sheet"]["A1"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\",\"y\")" and cell.quotePrefix


def test_the_package_takes_the_resolved_codes_never_the_most_open_mode() -> None:
    from sohoa.assemble import dossier_description

    codes = {"mode": "02", "maintenance": "04", "language": "06"}
    described = dossier_description("HS.01", {"access": "Công khai", "title": TITLE}, [], 3, "", codes=codes)
    assert (described.mode, described.maintenance, described.language, described.title) == ("02", "04", "06", TITLE)
    # a work area imported before the codes were kept: resolved from the row the same way, safe default included
    old = dossier_description("HS.01", {"access": "Nội bộ", "retention": "30 năm"}, [], 3, "")
    assert (old.mode, old.maintenance, old.language) == ("02", "04", "01")
