"""The number and symbol of the ``Số:`` line (NĐ 30/2020 ô 3), and the symbol's type part put right."""

from __future__ import annotations

import re

from sohoa.extract.text import mean_conf, one_edit
from sohoa.hocr import Line
from sohoa.vocab import TYPE_ABBREVIATIONS, fold

# "Số: 05/QĐ-UBND", "Số: 7/2025/QĐ-UBND", "Số:   /QĐ-UBND" (number left blank), "Số: 345UBND-VX" (OCR lost "/"),
# "Số $3 /ĐHCT-TC" (OCR lost the colon, and read a hand-written number as signs; such a "Số" may read "SỞ", and
# in a typewriter's face "sẽ"); a hand-written number that OCR cannot read comes out as a few stray signs ("Số: ⁄‡4
# /CT-UBND")
_SO = r"^[\W_]{0,8}S?S[O0E]\s*"  # "Số" after up to eight specks or dots, or a speck read as its "s" ("sSố:65")
_NO_COLON = r"\s*(?=/)|\s+(?=[^/\s]*[^A-Z\s/][^/\s]*\s*/)"  # "Số /…", "Số $3 /…": no colon, a number read as signs
NUMBER_START = re.compile(rf"{_SO}(?:[:;.,]|\s+\d|{_NO_COLON})")
# a number written by hand may be read with a space inside ("2 5", "?4 7"), or glued to "Số" ("số02/UBND-KT"),
# or as signs before the "/" that are no symbol ("Số: 0J_ /TTr-UBND", "Số: 14⁄1/VTLTNN-VP");
# a symbol opens with digits only as a year ("Số: 12/2025/QĐ-TTg", "Số:    /2025/QĐ-UBND")
# and its 1 read as "l" or "I" ("l1"), or a speck after it ("542_"); a symbol holds a letter: the gutter may cut
# it off the line ("Số: 759" is the number 759, not 7 over the symbol "59")
NUMBER = re.compile(rf"{_SO}(?:[:;.,]\s*|\s*(?=\d)|{_NO_COLON})((?=[\dLI|]*\d)[\dLI|]{{1,5}}(?: \d{{1,3}})?"
                     r"|[^/\s]{0,6}?(?: [^/\s]{1,3}(?=\s*/))?)"
                     r"[\s_.]*(?:/\s*)?(?![^/\s]*\s+/|\d(?!\d{3}/)[^/\s]*/)((?=\S*[A-Z])[A-Z0-9]{2}.*|$)$")
_AS_DIGIT = str.maketrans("lI|", "111")
_SYMBOL = re.compile(r"[^\W_]+(?:[/.-][^\W_]+)*")  # parts joined by "/", "-" or "." ("TB.ĐHCT.CTCT")


def number_symbol(text: str) -> tuple[str | None, str | None]:
    folded = fold(text)
    m = NUMBER.search(folded)
    if not m:
        return None, None
    raw = text[m.start(1):m.end(1)].replace(" ", "").translate(_AS_DIGIT)
    number = raw if raw.isdigit() else None
    # spaces read around its dashes and slashes joined ("QĐ - UBND"); a word after a space is the next column's
    symbol = re.sub(r"\s*([/-])\s*", r"\1", text[m.start(2):].replace("—", "-").replace("–", "-")).split(" ")[0]
    found = _SYMBOL.match(symbol)
    return number, found.group(0) if found else None


def type_in_symbol(symbol: str, doc_type: str) -> str:
    """The symbol with its type part (NĐ 30: the abbreviation of the type printed above the subject) put right
    when OCR read it one letter off ("QĐĐ-SNV" of a Quyết định is "QĐ-SNV", "TTT-TCT" of a Tờ trình "TTr-TCT")."""
    expected = TYPE_ABBREVIATIONS.get(doc_type)
    head, dash, rest = symbol.rpartition("/")[2].partition("-")
    if not expected or not dash or head == expected or not (fold(head) == fold(expected)
                                                              or one_edit(fold(head), fold(expected))):
        return symbol
    return symbol[: len(symbol) - len(head + dash + rest)] + expected + dash + rest


def symbol_cased(symbol: str, *names: str | None) -> str:
    """The symbol's letters in the capitals NĐ 30 prints them in: a part read opening with a small letter (small
    type on a coarse photo: "tb-dhct-đt") is in capitals, with the "Đ" of the initials of a run of words of the
    issuing body's ``names`` where its letters are theirs ("ĐHCT" of "TRƯỜNG ĐẠI HỌC CẦN THƠ"). A part printed
    with a small tail ("TTr", "TTg", "NĐ-CP") opens with a capital and stays as read."""
    initials = ["".join("Đ" if word[0] in "Đđ" else fold(word[0]) for word in name.split() if word[0].isalpha())
                for name in names if name]

    def cased(part: str) -> str:
        if not part[0].islower():
            return part
        for letters in initials:
            at = fold(letters).find(fold(part))
            if at >= 0 and len(part) >= 2:
                return letters[at:at + len(part)]
        return part.upper()

    return re.sub(r"[^\W\d_]+", lambda m: cased(m.group(0)), symbol)


def part_confidences(line: Line) -> tuple[float, float, bool]:
    """(raw score of the number, of the symbol, whether they are one word) of a ``Số:`` line: each the least
    confidence of its own words (a digit misread lowers its own word's confidence, not the line's mean; 0 for a
    part not read), or the line's mean when the two were printed as one word."""
    m = NUMBER.search(fold(line.text))
    if not m:
        return 0.0, 0.0, False
    starts = [0]
    for word in line.words[:-1]:
        starts.append(starts[-1] + len(word.text) + 1)

    def least(a: int, b: int) -> float:
        confs = [w.conf for w, s in zip(line.words, starts, strict=True) if s < b and s + len(w.text) > a]
        return min(confs) / 100 if confs and b > a else 0.0

    # a number and a symbol printed as one word ("14/GM-UBND") share its confidence: what it says of either is
    # what the line says; apart ("Số: 41 /CT-UBND", a number written in by hand), each has its own words
    shared = any(s < m.end(1) and s + len(w.text) > m.start(2) for w, s in zip(line.words, starts, strict=True))
    if shared:
        return (mean_conf(line.words) if m.end(1) > m.start(1) else 0.0), mean_conf(line.words), True
    return least(*m.span(1)), least(m.start(2), len(line.text)), False


# an attachment or a later page names the document it belongs to: "(Ban hành kèm theo Quyết định số
# 47/2025/QĐ-TTg ngày 11 tháng 12 năm 2025 của Thủ tướng Chính phủ)"
_MENTION = re.compile(r"KEM THEO\W+(?:[A-Z]+\W+){1,4}?SO\W*(\d{1,5})\s*/\s*([A-Z0-9][A-Z0-9/.-]*)")


def mentions(texts: list[str], symbol: str) -> list[str]:
    """The numbers given to the document of ``symbol`` where the text says what it is attached to ("kèm theo
    Quyết định số 47/2025/QĐ-TTg")."""
    key = re.sub(r"\W", "", fold(symbol))
    return [m.group(1) for text in texts for m in _MENTION.finditer(fold(text))
            if re.sub(r"\W", "", m.group(2)).startswith(key)]
