"""The batch's catalogue (``dossiers.csv`` or ``dossiers.xlsx``) read as archives write it, and its code-list
values resolved to TT 05/2025 codes (STANDARDS.md §3.5, §3.6).

Reading: UTF-8 (with or without BOM), UTF-16/UTF-32 with a BOM (Excel's "Unicode text"), or the Windows
Vietnamese code page (cp1258, whose tone marks are combining characters: the text is NFC-normalized); comma,
semicolon or tab separated, the delimiter told from the header line; or the first sheet of a workbook. An
encoding that cannot be told for sure is refused (``CatalogueError``), never guessed.

Resolving (``resolve_codes``): access, retention and language map through TT 05's code lists and the
wordings archivists use for them; anything else holds the dossier with the value quoted. A secrecy level
(Mật, Tối mật, Tuyệt mật) marks the dossier secret: nothing of it may leave the machine.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from sohoa.vocab import LANGUAGE_LABELS, MAINTENANCE_CODES, MODE_CODES, fold, modern_tones, nfc

CSV_NAME = "dossiers.csv"
XLSX_NAME = "dossiers.xlsx"
# spreadsheets archivists may save the catalogue as that sohoa cannot read: found, so the batch stops
UNREADABLE_NAMES = ("dossiers.xls", "dossiers.xlsm", "dossiers.ods")
HEADER_ROWS = 20  # a workbook's header row may sit under a title ("DANH MỤC HỒ SƠ") within its first rows

# Accepted headings, English and Vietnamese (DESIGN.md, input contract; STANDARDS.md §3.4 Hậu Giang Excel).
HEADINGS = {
    "dossier_code": ("dossier_code", "mã hồ sơ", "ma ho so", "code"),
    "title": ("title", "tiêu đề hồ sơ", "tiêu đề"),
    "fond": ("fond", "phông", "mã phông"),
    "year": ("year", "năm"),
    "retention": ("retention", "thời hạn bảo quản", "thời hạn lưu trữ"),
    "access": ("access", "chế độ sử dụng", "mức độ tiếp cận"),
    "language": ("language", "ngôn ngữ"),
    "secrecy": ("secrecy", "độ mật", "mức độ mật"),
}

# The safe values when the catalogue gives none: use on conditions (never the most open), keep for ever,
# Vietnamese. Each use is recorded in the dossier's ``defaults``.
DEFAULTS = {"mode": "02", "maintenance": "01", "language": "01"}


class CatalogueError(ValueError):
    """The catalogue was found but cannot be read for sure; the message is one clause saying why."""


# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
# cp1258 bytes only Vietnamese text has: the combining tone marks and the letters ă â đ ê ô ơ ư
_CP1258_VIETNAMESE = frozenset(b"\xcc\xd2\xde\xec\xf2\xc3\xe3\xc2\xe2\xd0\xf0\xca\xea\xd4\xf4\xd5\xf5\xdd\xfd")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_PUNCTUATION = frozenset("–—‘’“”…•·°№«»§€₫\u00a0")
_SAVE_AS = "save it from Excel as 'CSV UTF-8' (or 'Unicode Text') and run the batch again"


@cache
def _vietnamese_letters() -> frozenset[str]:
    letters = {"đ", "Đ"}
    for base in "aăâeêioôơuưy":
        for tone in ("", *_TONES):
            ch = unicodedata.normalize("NFC", base + tone)
            letters |= {ch, ch.upper()}
    return frozenset(letters)


def _toned(ch: str) -> bool:
    return any(mark in _TONES for mark in unicodedata.normalize("NFD", ch))


def _not_vietnamese(text: str) -> str | None:
    """The first word of ``text`` that no Vietnamese text has (a foreign sign, two tone marks), else None."""
    letters = _vietnamese_letters()
    for word in re.findall(r"[^\s,;]+", text):
        if any(ord(ch) > 127 and ch not in letters and ch not in _PUNCTUATION for ch in word):
            return word
        if any(sum(map(_toned, syllable)) > 1 for syllable in re.findall(r"[^\W\d_]+", word)):
            return word
    return None


def decode(raw: bytes, name: str = CSV_NAME) -> str:
    """The text of a catalogue file, NFC; CatalogueError when its encoding cannot be told for sure."""
    for bom, encoding, label in _BOMS:
        if raw.startswith(bom):
            try:
                return nfc(raw.decode(encoding))
            except UnicodeDecodeError as exc:
                raise CatalogueError(f"{name} starts with a {label} byte-order mark but is not valid {label} "
                                     f"({exc.reason} at byte {exc.start}); {_SAVE_AS}") from exc
    if b"\x00" in raw:
        raise CatalogueError(f"{name} holds NUL bytes, as UTF-16 text without a byte-order mark does, so its "
                             f"encoding cannot be told for sure; {_SAVE_AS}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _cp1258(raw, name, exc)
    if control := re.search("[\u0080-\u009f]", text):
        raise CatalogueError(f"{name} is UTF-8 but holds the control character U+{ord(control.group()):04X}, "
                             f"the mark of text converted twice, so what it says cannot be told for sure; {_SAVE_AS}")
    return nfc(text)


def _cp1258(raw: bytes, name: str, not_utf8: UnicodeDecodeError) -> str:
    """Windows Vietnamese text, only when it reads as Vietnamese: other 8-bit encodings (TCVN3, VNI, VISCII,
    Western code pages) decode to foreign signs or to syllables with two tone marks."""
    line = raw[: not_utf8.start].count(b"\n") + 1
    where = f"is not UTF-8 ({not_utf8.reason} at byte {not_utf8.start}, line {line})"
    try:
        text = nfc(raw.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{name} {where} nor Windows Vietnamese (cp1258: byte 0x{raw[exc.start]:02X} has no "
                             f"meaning), so its encoding cannot be told for sure; {_SAVE_AS}") from exc
    if not _CP1258_VIETNAMESE.intersection(raw):
        raise CatalogueError(f"{name} {where} and read as Windows Vietnamese (cp1258) it has no Vietnamese "
                             f"letter, so its encoding cannot be told for sure; {_SAVE_AS}")
    if (word := _not_vietnamese(text)) is not None:
        raise CatalogueError(f"{name} {where}, and read as Windows Vietnamese (cp1258) it would say {word!r}, "
                             f"which is not Vietnamese (TCVN3 and VNI files read so), so its encoding cannot be "
                             f"told for sure; {_SAVE_AS}")
    return text


# --------------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------------


def heading(name: str) -> str:
    """The canonical key of a column heading ("Chế độ sử dụng" -> "access"), else the heading itself (NFC)."""
    key = " ".join(modern_tones(name.strip().lstrip("\ufeff")).casefold().split())
    for canonical, names in HEADINGS.items():
        if key in {modern_tones(n).casefold() for n in names}:
            return canonical
    return nfc(name.strip())


def _records(name: str, table: list[list[str]]) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a table whose first row is the header; empty headings become "column N"."""
    header = table[0]
    columns = [heading(h) or f"column {i + 1}" for i, h in enumerate(header)]
    if "dossier_code" not in columns:
        raise CatalogueError(f"{name} has no dossier_code (Mã hồ sơ) column; its headings are {header}")
    for key in HEADINGS:
        if (given := [h for h, c in zip(header, columns, strict=True) if c == key]) and len(given) > 1:
            raise CatalogueError(f"{name} has {len(given)} columns for {key} ({', '.join(map(repr, given))}), "
                                 "so which one holds it cannot be told; keep one")
    rows = []
    for cells in table[1:]:
        record = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns)}
        record.update({f"column {i + 1}": cells[i].strip() for i in range(len(columns), len(cells)) if cells[i].strip()})
        rows.append(record)
    generated = {c for i, c in enumerate(columns) if c == f"column {i + 1}" and not header[i].strip()}
    unused = {c for c in generated if not any(r.get(c) for r in rows)}  # a trailing empty heading, no data
    return [c for c in columns if c not in unused], [{k: v for k, v in r.items() if k not in unused} for r in rows]


def parse_text(text: str, name: str = CSV_NAME) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of a delimited catalogue; the delimiter (comma, semicolon, tab) is the one that
    splits the header line into a dossier_code column, the one giving most columns when several do."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CatalogueError(f"{name} is empty: it has no header row")

    def cells(delimiter: str) -> list[str]:
        return next(csv.reader([lines[0]], delimiter=delimiter))

    candidates = sorted(",;\t", key=lambda d: ("dossier_code" not in map(heading, cells(d)), -len(cells(d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=candidates[0])
    table = [row for row in reader if any(cell.strip() for cell in row)]
    return _records(name, table)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return nfc(str(value))


def read_workbook(path: Path, name: str = XLSX_NAME) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of the first sheet of a workbook; its header row is the first of its first rows that
    names a dossier_code column. A formula's value is the one Excel last computed; a formula never computed
    keeps its text (data, never evaluated)."""
    from openpyxl import load_workbook

    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise CatalogueError(f"{name} is not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        if not values.worksheets:
            raise CatalogueError(f"{name} has no sheet")
        table = [[_cell_text(v if v is not None else f) for v, f in zip(shown, written, strict=False)]
                 for shown, written in zip(values.worksheets[0].iter_rows(values_only=True),
                                           formulas.worksheets[0].iter_rows(values_only=True), strict=False)]
    finally:
        values.close()
        formulas.close()
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise CatalogueError(f"{name} is empty: its first sheet has no header row")
    start = next((i for i, row in enumerate(table[:HEADER_ROWS]) if "dossier_code" in map(heading, row)), 0)
    return _records(name, table[start:])


def read_catalogue(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Columns (canonical keys, unknown headings kept as they are) and rows of ``dossiers.csv`` or
    ``dossiers.xlsx``; CatalogueError when it cannot be read for sure."""
    name = path.name
    if path.suffix.casefold() == ".xlsx":
        return read_workbook(path, name)
    if name.casefold() in UNREADABLE_NAMES:
        raise CatalogueError(f"{name} is a spreadsheet format sohoa does not read; save it as {XLSX_NAME} "
                             f"or as {CSV_NAME} (CSV UTF-8)")
    return parse_text(decode(path.read_bytes(), name), name)


# --------------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------------


def _key(value: str) -> str:
    """Comparison form: NFC, modern tone placement, case and spacing folded, dashes alike."""
    text = modern_tones(value).casefold().replace("–", "-").replace("—", "-")
    return " ".join(re.sub(r"\s*-\s*", " - ", text).split())


SECRET_LEVELS = ("Mật", "Tối mật", "Tuyệt mật")  # độ mật (STANDARDS.md §3.6)
# Wordings of each code list, code -> how catalogues write it (the codes themselves are added below).
MODE_WORDINGS = {
    "01": ("Công khai", "Mở"),
    "02": ("Sử dụng có điều kiện", "Có điều kiện", "Hạn chế", "Hạn chế sử dụng", "Sử dụng hạn chế"),
    "03": SECRET_LEVELS,
}
MAINTENANCE_WORDINGS = {"01": ("Vĩnh viễn", "VV")}
LANGUAGE_WORDINGS = {
    "01": ("Việt", "vi", "vie"),
    "02": ("Anh", "en", "eng"),
    "03": ("Pháp", "fr", "fra", "fre"),
    "04": ("Nga", "ru", "rus"),
    "05": ("Trung", "Tiếng Trung Quốc", "zh", "chi", "zho"),
    "09": ("Hán - Nôm", "Hán Nôm", "Hán, Nôm", "Chữ Hán Nôm"),
}
_BILINGUAL = {"02": "06", "04": "07", "03": "08", "05": "10"}  # Việt + X (TT 05 06-08, 10)
_YEARS = re.compile(r"(\d{1,3}) năm")
_CODE_AND_LABEL = re.compile(r"0?(\d{1,2})\s*[-.:)]\s*(\S.*)")


def _table(labels: Mapping[str, str], wordings: Mapping[str, tuple[str, ...]], last: int,
           unpadded: bool = True) -> dict[str, str]:
    table = {_key(label): code for label, code in labels.items()}
    table.update({_key(w): code for code, words in wordings.items() for w in words})
    table.update({f"{n:02d}": f"{n:02d}" for n in range(1, last + 1)})
    table.update({str(n): f"{n:02d}" for n in range(1, last + 1) if unpadded})
    return table


MODE_TABLE = _table(MODE_CODES, MODE_WORDINGS, 3)
# "5" is code 05 (20 năm) to a spreadsheet that dropped the zero and 5 years to a person: not a sure code
MAINTENANCE_TABLE = _table(MAINTENANCE_CODES, MAINTENANCE_WORDINGS, 7, unpadded=False)
LANGUAGE_TABLE = _table(LANGUAGE_LABELS, LANGUAGE_WORDINGS, 11)


def _lookup(table: Mapping[str, str], value: str) -> str | None:
    key = _key(value)
    if key in table:
        return table[key]
    if (both := _CODE_AND_LABEL.fullmatch(key)) and (label := table.get(both.group(2))):  # "02 - Sử dụng có …"
        return label if label == f"{int(both.group(1)):02d}" else None
    return None


def mode_code(value: str) -> str | None:
    return _lookup(MODE_TABLE, value)


def maintenance_code(value: str) -> str | None:
    """01-07; a number of years the list does not name ("15 năm") is 07 Khác."""
    if (code := _lookup(MAINTENANCE_TABLE, value)) is not None:
        return code
    years = _YEARS.fullmatch(_key(value))
    return "07" if years and int(years.group(1)) > 0 else None


def language_code(value: str) -> str | None:
    """01-11; Vietnamese with one of English, Russian, French, Chinese is its bilingual code."""
    if (code := _lookup(LANGUAGE_TABLE, value)) is not None:
        return code
    parts = [p.removeprefix("tiếng ").strip() for p in re.split(r"\s*(?:[,;/+&-]| và )\s*", _key(value))]
    codes = {LANGUAGE_TABLE.get(p) for p in parts if p}
    if len(codes) == 2 and "01" in codes and (other := (codes - {"01"}).pop()) in _BILINGUAL:
        return _BILINGUAL[other]
    return None


def _looks_secret(value: str) -> bool:
    """A value that may name a secrecy level however it is spelt ("MAT", "Tối mật (thu hồi)")."""
    return re.search(r"\bMAT\b", fold(value)) is not None


@dataclass(frozen=True)
class Resolved:
    codes: dict[str, str]  # TT 05 element -> code: mode, maintenance, language
    defaults: list[str] = field(default_factory=list)  # the codes the catalogue did not set (DEFAULTS used)
    holds: list[str] = field(default_factory=list)  # why an archivist must look before anything is delivered
    secret: bool = False  # at a secrecy level: nothing of the dossier may leave the machine


_LISTS = {
    "mode": ("access", "01 Công khai, 02 Sử dụng có điều kiện, 03 Mật", "TT 05's modes", mode_code),
    "maintenance": ("retention", "01 Vĩnh viễn, 02 70 năm, 03 50 năm, 04 30 năm, 05 20 năm, 06 10 năm, 07 Khác",
                    "TT 05's retention periods", maintenance_code),
    "language": ("language", ", ".join(f"{code} {label}" for label, code in LANGUAGE_LABELS.items()),
                 "TT 05's languages", language_code),
}
MAINTENANCE_LABELS = {code: label for label, code in MAINTENANCE_CODES.items()}
_NOT_SECRET = {_key(v) for v in ("Không", "Không mật", "Thường", "Bình thường", "Không có")}


def resolve_codes(row: Mapping[str, str], source: str = CSV_NAME) -> Resolved:
    """The TT 05 codes of one catalogue row (canonical keys), the defaults it needed and its hold reasons."""
    codes: dict[str, str] = {}
    defaults: list[str] = []
    holds: list[str] = []
    secret = False
    for element, (column, listed, name, to_code) in _LISTS.items():
        value = (row.get(column) or "").strip()
        code = to_code(value) if value else None
        if element == "mode" and (code == "03" or (code is None and value and _looks_secret(value))):
            secret = True
            holds.append(f"{source} gives access {value!r}, " + (
                "a secrecy level (độ mật)" if code == "03" else
                f"which is none of {name} ({listed}) and may name a secrecy level (độ mật)")
                + ": nothing of this dossier may leave this machine; held, never delivered")
            code = "03"
        elif element == "maintenance" and code is None and value in {str(n) for n in range(1, 8)}:
            holds.append(f"{source} gives retention {value!r}, which may be code 0{value} "
                         f"({MAINTENANCE_LABELS['0' + value]}) or {value} years: held until an archivist sets it")
        elif value and code is None:
            holds.append(f"{source} gives {column} {value!r}, which is none of {name} ({listed}): "
                         "held until an archivist sets it")
        if code is None:
            code = DEFAULTS[element]
            defaults.append(element)
        codes[element] = code
    level = (row.get("secrecy") or "").strip()
    if level and _key(level) not in _NOT_SECRET:
        if mode_code(level) == "03" or _looks_secret(level):
            secret = True
            codes["mode"] = "03"
            holds.append(f"{source} gives secrecy {level!r}, a secrecy level (độ mật): nothing of this dossier "
                         "may leave this machine; held, never delivered")
        else:
            holds.append(f"{source} gives secrecy {level!r}, which is none of the secrecy levels "
                         f"({', '.join(SECRET_LEVELS)}) nor 'Không': held until an archivist sets it")
    return Resolved(codes, defaults, holds, secret)


# --------------------------------------------------------------------------------------------------
# Writing catalogue values into spreadsheets
# --------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """A text a spreadsheet would take for a formula (or a command, through DDE)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as it must be written to a CSV or text sheet: a text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe, which spreadsheets show as text, never run; else unchanged."""
    return f"'{value}" if formula_like(value) else value


def put_cell(cell: Any, value: Any) -> None:
    """Set an openpyxl cell so that a formula-like text stays the same text (string type, quote prefix)."""
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
