"""The document type (NĐ 30/2020 ô 5: the type name above the trích yếu) and the trích yếu itself."""

from __future__ import annotations

import math
import re
from difflib import SequenceMatcher

from sohoa.extract.names import vocabulary
from sohoa.extract.text import SURE, clean_spaces, closest, extent, is_upper, letters_of, mean_conf, tails
from sohoa.hocr import HocrPage, Line, Word
from sohoa.lexicon import commonest, is_syllable, is_word, restore_tones, toneless, unconfirmed
from sohoa.vocab import DOCUMENT_TYPES, fold, modern_tones

BODY_STARTS = ("CAN CU", "KINH GUI", "THUC HIEN", "DIEU ", "XET DE NGHI", "THEO DE NGHI", "NHAM ")
NOT_BODY = ("nhâm",)  # folds like "Nhằm" but is the stem of a lunar year in a subject: "Tết Nguyên đán Nhâm Dần"
STAMP_LINE_CONF = 0.5  # a line read with less mean confidence is a stamp's or a signature's, not the text's
GARBAGE_CONF = 40  # below it, a word that is no syllable is what a stamp or signature printed over the text made

TYPE_KEYS = [(name, fold(name).replace(" ", "")) for name in DOCUMENT_TYPES]


def _type_of(text: str) -> str | None:
    return closest(fold(text).replace(" ", ""), TYPE_KEYS, 0.84)


def type_line(line: Line) -> tuple[str | None, list[Word]]:
    """(type, its words) of an upper-case line that names a document type: the whole line, or its last words
    when a stamp beside the centred title was read into the same line ("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
    QUYẾT ĐỊNH"), or its words before "CỦA" in the older layout that names the issuer after the type ("QUYẾT
    ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH", its name perhaps wrapped to the next line)."""
    of = next((k for k, w in enumerate(line.words) if k and fold(w.text) == "CUA"), None)
    for words in tails(line.words) + ([line.words[:of]] if of else []):
        text = clean_spaces(" ".join(w.text for w in words))
        if is_upper(text) and (found := _type_of(text)):
            return found, words
    return None, []


_YEAR_WORD = re.compile(r"\b([Nn])[ắằẳẵặ]m(?= \d{4}\b)")
# specks OCR reads as a token of their own, and a field of a received-stamp ("Giờ:........", read "Gi.......")
# (also with a dash: "ngân -_ sách")
_NOISE_TOKEN = re.compile(r"^(?:[-–—]?[_|¦‹›~`^*#<>«»°•'‘’]+[-–—]?|\w{0,4}:?\.{4,})$")


# "V/v" as OCR reads it in small type ("V/v", "Vw", "V/w", "Viv", "VỈY"); or "Về việc" (also "Và việc", "Vẻ viêc"),
# which opens the trích yếu under a type name
_VV = r"V\s*[/|]\s*[VWY]|V\s*[I1L]?\s*[VWNY](?![^\W_])|V/(?= )"  # also "V/ " (its v lost)
LETTER_ABOUT = re.compile(rf"^(?:{_VV})")
# "Về việc", also read glued ("Vềviệc") or with its V taken for another letter in italics ("lê việc")
_ABOUT = re.compile(rf"^(?:{_VV}|(?:V[EA]|[A-Z]E)(?: [A-Z])? ?VIEC(?![^\W_]))")  # also "Về ề việc": a mark read twice


_FUNCTION_WORDS = frozenset(("và", "hoặc", "của", "các", "những", "với", "cho", "về", "tại", "theo", "trong", "để",
                             "đối", "từ", "đến", "trên", "thuộc"))
_AS_LETTER = str.maketrans("10", "lo")  # the digits OCR reads for a small l and o


def _digit_for_letter(token: str) -> str:
    """A word read with a digit for a small letter ("nộp 1ưu" for "nộp lưu") with its letter back, when that makes
    it a syllable that only Vietnamese writes (a letter with a mark); any other token as read ("Covid-19", "4G")."""
    letters = token.translate(_AS_LETTER)
    core = letters.strip(".,;:()“”\"'")
    if letters == token or not core.isalpha() or core.isascii() or not is_syllable(core):
        return token
    return letters


def _provinces(text: str) -> str:
    """``text`` with a province's name put right where OCR read two capitalised words that name nothing as read
    (``_named``: one of them no syllable at all, "Quảng Nøãi", or both syllables, "Cần The") and the province is
    the one name a letter off; names read as syllables stay as read ("Bình Minh", a town, is no "Bình Định");
    tones are restored with the dictionary's words, which hold the provinces."""
    tokens = text.split(" ")
    for i in range(len(tokens) - 1):
        parts = [_PUNCTUATED.match(t) for t in tokens[i:i + 2]]
        if not all(parts) or parts[0].group(3) or parts[1].group(1):  # type: ignore[union-attr]
            continue
        words = [m.group(2) for m in parts]  # type: ignore[union-attr]
        if not all(w[:1].isupper() for w in words) or all(map(is_syllable, words)) and _named(" ".join(words)):
            continue
        found = vocabulary("province").snap(" ".join(words))
        if found and found[1] == 2 and len(name := found[0].split()) == 2:
            tokens[i:i + 2] = [parts[0].group(1) + name[0], name[1] + parts[1].group(3)]  # type: ignore[union-attr]
    return " ".join(tokens)


_PUNCTUATED = re.compile(r"^([(“\"']*)(\S+?)([.,;:)”\"']*)$")


def _named(pair: str) -> bool:
    """Two capitalised syllables that name something as read: a word of the dictionary, a unit of any level, or
    a person's given name ("Bình Minh", "Gia Lâm", "Thanh Hà"), not a province's name a letter off ("Cần The")."""
    return is_word(*pair.split()) or bool(vocabulary("place").spellings(pair) or vocabulary("given").spellings(pair))


def _strip_subject(text: str) -> str:
    """The trích yếu of a block: OCR specks dropped, tones restored, a leading "V/v" or "Về việc" removed."""
    text = " ".join(t for t in text.split() if not _NOISE_TOKEN.match(t))
    tokens = [t for t in clean_spaces(text).split(" ") if not _NOISE_TOKEN.match(t)]
    # a dash joins two names or numbers ("kinh tế - xã hội", "2021 - 2030"); after a conjunction or preposition it
    # is a speck or a rule's end OCR read ("địa phương và - cán bộ")
    tokens = [t for k, t in enumerate(tokens) if not (k and t in "-–—" and tokens[k - 1].lower() in _FUNCTION_WORDS)]
    for i, (token, after) in enumerate(zip(tokens, tokens[1:], strict=False)):  # "Quyết. định": no stop in a word
        if token.endswith(".") and after[:1].islower() and is_word(token[:-1], after):
            tokens[i] = token[:-1]
    # a speck read as a stop before a word or a dash ("ngân .sách", "giai đoạn 2015.- 2020"): no sentence ends there
    tokens = [re.sub(r"\.(?=[-–—])", " ", t[1:] if t[:1] == "." and t[1:2].islower() else t) for t in tokens]
    text = _provinces(restore_tones(" ".join(map(_digit_for_letter, tokens))))
    text = _YEAR_WORD.sub(r"\1ăm", text)  # "nắm 2023" (a tone OCR added): before a year it is "năm"
    # a stamp's words read before a capital "Về việc" (mid-sentence "về" is lower-case): the subject starts there
    later = re.search(r"(?<=\s)(?=Về ?việc|V/v)", text[:80])
    text = text[later.start():] if later else text
    about = _ABOUT.match(fold(text))
    text = text[about.end():].strip(" :.,") if about else text
    # a speck read as a quote before the first word, which no quote closes ("'Tổ chức thực hiện …")
    stray = text[:1] in _STRAY_QUOTES and text[1:2].isalpha() and not any(q in text[1:] for q in _STRAY_QUOTES)
    return text[1:] if stray else text


_STRAY_QUOTES = "'`‘’"


def text_block(lines: list[Line], start: int, stop_upper: bool) -> list[Line]:
    """Consecutive lines from ``start`` until a wide gap, a rule, an upper-case line or, after more than half a
    line's gap, the body's first words ("Thực hiện" may also open a wrapped line of a trích yếu). A speck, stroke
    or stamp's fragment read as a line of its own (narrower than high), or a line above the last one (a stamp's,
    that OCR's layout put after it), is passed over, and so are specks read as a line that the next line overlaps
    (a rule typed through a wrapped line: "-~- t2 ⁄ ^" over "tổ chức cán bộ")."""
    out = [lines[start]]
    for k, line in enumerate(lines[start + 1:], start + 1):
        text = clean_spaces(line.text)
        top, bottom = extent(out[-1])
        if (line.box[2] - line.box[0] < line.box[3] - line.box[1] or extent(line)[0] < top
                or _specks_over(line, lines[k + 1:k + 2])):
            continue
        gap = (extent(line)[0] - bottom) / max(bottom - top, 1)
        if gap > 1.1 or not any(ch.isalnum() for ch in text) or (stop_upper and is_upper(text)) or (
                gap > 0.5 and _starts_body(text)) or mean_conf(line.words) < STAMP_LINE_CONF:
            break
        out.append(line)
    return out


def _specks_over(line: Line, following: list[Line]) -> bool:
    """A line read with the confidence of a stamp's, holding no syllable, that the next line starts inside."""
    return (bool(following) and following[0].box[1] < line.box[3] and mean_conf(line.words) < STAMP_LINE_CONF
            and not any(is_syllable(w.text) for w in line.words))


def _starts_body(text: str) -> bool:
    """The body's first words, which open a sentence: "Thực hiện …", not a trích yếu's line wrapped before its
    "thực hiện"."""
    return (fold(text).startswith(BODY_STARTS) and toneless(text.split(" ", 1)[0]) not in NOT_BODY
            and next((ch.isupper() for ch in text if ch.isalpha()), False))


_NUMERIC = re.compile(r"\d+(?:[/.,:-]\w+)*")  # a number, a date, a number and symbol ("71/2024/NĐ-CP")


def _numeric(token: str) -> bool:
    return bool(_NUMERIC.fullmatch(token.strip("(),.;:")))


# the enacting formula of a legal document repeats its trích yếu in the body, in regular type and clear of stamps:
# "Thủ tướng Chính phủ ban hành Quyết định về Mạng truyền số liệu chuyên dùng ..."
_ENACTED = re.compile(r"\bban hành (?:Quyết định|Nghị định|Thông tư|Nghị quyết) (.+?)\.(?=\s|$)", re.S)
MENDABLE_CONF = 60  # a word of the trích yếu read under this may be put right from the enacting formula


def enacted(pages: list[HocrPage]) -> list[str]:
    """The words of the trích yếu as the enacting formula of the first two pages says it, if it has one."""
    found = _ENACTED.search(" ".join(ln.text for p in pages[:2] for ln in p.lines))
    return found.group(1).split() if found else []


def _mended(words: list[Word], said: list[str]) -> list[str]:
    """The words of a trích yếu with what the header lost or read unsure put right from ``said``, the same
    trích yếu in the enacting formula: within the stretch where both agree (the formula may word its start
    differently), up to five words the header lacks (a speck read where they were), read under
    ``MENDABLE_CONF`` or read as a part of the formula's word (this also at the end; at the start, also words
    all read under ``MENDABLE_CONF``), when the formula's are syllables or numbers; and the tone or sign of a
    word the header read under ``SURE`` ("Bạn" for "Ban", "số," for "số")."""
    texts = [w.text for w in words]
    if not said:
        return texts

    def bare(token: str) -> str:
        return fold(token).strip(",.;:“”\"'")

    key = list(map(bare, texts))
    matcher = SequenceMatcher(None, key, list(map(bare, said)), autojunk=False)
    codes = matcher.get_opcodes()
    if sum(i2 - i1 for tag, i1, i2, _, _ in codes if tag == "equal") < 0.6 * len(words):
        return texts  # another sentence
    equal = [k for k, code in enumerate(codes) if code[0] == "equal"]
    out: list[str] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        read = [t for t in key[i1:i2] if any(ch.isalnum() for ch in t)]  # without specks and rules
        short = len(read) == j2 - j1 == 1 and read[0] in fold(said[j1])  # letters lost: "hôn," for "“Thôn,"
        lost = short or not read or all(w.conf < MENDABLE_CONF for w in words[i1:i2])  # or unsure, or not read
        if tag == "equal":  # the same words but for a tone or a sign: the formula's where the header was unsure
            out += [w.text if w.conf >= SURE else u for w, u in zip(words[i1:i2], said[j1:j2], strict=True)]
        elif tag == "delete" and k == len(codes) - 1 and lost:
            pass  # unsure words after the trích yếu's end: a stamp's ("… tỉnh Phú Thọ Gi")
        elif (equal[0] < k < equal[-1] or short or k == 0 < i2) and j2 - j1 <= 5 and lost and all(
                is_syllable(t) or _numeric(t) for t in said[j1:j2]):
            # at the start or the end, only a word read short ("uy" for "Quy"); the formula's mid-sentence
            # lower case is no trích yếu's first letter
            mend = said[j1:j2]
            out += [mend[0][:1].upper() + mend[0][1:], *mend[1:]] if mend and i1 == 0 else mend
        else:
            out += texts[i1:i2]
    return out


RUN_GAP = 2.0  # a gap between words wider than this many line heights parts two runs of text on a line


def main_run(line: Line) -> Line:
    """The run of words of a line that holds most of its letters, where wide gaps part the line: the trích yếu
    centred on the page, not a received-stamp's words beside it ("CV TS. 1L2á, |      trên địa bàn tỉnh")."""
    heights = sorted(w.box[3] - w.box[1] for w in line.words)
    height = max(heights[len(heights) // 2], 1)  # a stamp's tall word does not widen the gap allowed
    runs: list[list[Word]] = []
    for word in line.words:
        if runs and word.box[0] - runs[-1][-1].box[2] <= RUN_GAP * height:
            runs[-1].append(word)
        else:
            runs.append([word])
    return Line(max(runs, key=lambda run: sum(len(letters_of(w.text)) for w in run)))


def subject_of(block: list[Line], enacted: list[str] | None = None) -> tuple[str | None, float]:
    """(trích yếu, confidence) of a block of lines, without the garbage a stamp or a signature printed over it
    makes OCR read (words of low confidence that are no syllable: "gỗtenthoTrcsv", "“|", and the words of low
    confidence next to them), mended from the enacting formula's words ``enacted`` (see ``_mended``)."""
    def garbage(w: Word) -> bool:
        return w.conf < GARBAGE_CONF and not (is_syllable(w.text) or _numeric(w.text))

    # and the unsure words beside such garbage: a stamp or a signature leaves runs of them ("gỗtenthoTrcsv gi")
    block = [main_run(ln) for ln in block]
    words = [w for ln in block for i, w in enumerate(ln.words) if not garbage(w) and not (
        w.conf < GARBAGE_CONF and any(garbage(v) for v in ln.words[max(0, i - 1):i + 2]))]
    subject = _strip_subject(" ".join(_mended(words, enacted or []))) or None
    # a word that is no syllable, number, symbol or acronym is a misreading ("Quảng Nøãi", "„m bản"); each
    # syllable whose stacked tone no dictionary word confirms a chance that Tesseract lost it ("đôi" for "đổi")
    # (a greater chance when running Vietnamese writes those letters mostly with another tone: "đôi" is more
    # often "đối", "đổi" or "đội", while "năm" is nearly always "năm")
    text = subject or ""
    tones = [UNCONFIRMED if modern_tones(s.lower()) in commonest() else RARE_TONE for s in unconfirmed(text)]
    # words dropped as garbage may have been the trích yếu's own, read under a stamp ("quý III" read "quý II" at 0)
    dropped = DROPPED if len(words) < sum(len(ln.words) for ln in block) else 1.0
    # a year no document of an archive names ("năm 2908"), a span that ends before it starts ("giai đoạn 2064 -
    # 2009"), or a bracket never closed ("(lần thứ"): a digit misread or the end lost, however sure OCR was of the rest
    spans = _SPAN.findall(text)
    named = _YEAR.findall(text) + [year for span in spans for year in span]
    years = IMPOSSIBLE_YEAR if any(not YEARS[0] <= int(y) <= YEARS[1] for y in named) or any(
        int(a) > int(b) for a, b in spans) or text.count("(") > text.count(")") else 1.0
    return subject, mean_conf(words) * ODD_WORD ** len(odd_words(text)) * math.prod(tones) * dropped * years


ODD_WORD = 0.8  # what a trích yếu's score keeps per word that reads as no Vietnamese word (``odd_words``)
DROPPED = 0.65  # ... when words read as garbage were left out of it (under the calibration's surer steps)
UNCONFIRMED = 0.96  # ... per syllable of unconfirmed tone (``lexicon.unconfirmed``) that is its letters' commonest
RARE_TONE = 0.85  # ... per syllable of unconfirmed tone that is not (``lexicon.commonest``)
IMPOSSIBLE_YEAR = 0.65  # ... when it names a year outside YEARS or is cut short (under the calibration's surer steps)
YEARS = (1900, 2100)
_SPAN = re.compile(r"\b(\d{4}) ?[-–] ?(\d{4})\b")  # "2010 - 2015"
_YEAR = re.compile(r"(?<=\b[Nn]ăm )\d{4}\b")  # "năm 2008"
_ACRONYM = re.compile(r"[A-ZĐ][A-ZĐ&]+\w*")  # "HĐND", "GDQP&AN", "TNHH", "COVID"
_REFERENCE = re.compile(r"\d[\w/.,:-]*|[A-Za-z]+-\d+")  # "2019-2020", "2269/QĐ-TTg", "45", "Covid-19"


def odd_words(text: str) -> list[str]:
    """The words of a trích yếu that read as no syllable of the dictionary, number, reference or acronym (parts
    joined by a dash or a slash taken apart; a lone letter or sign passes)."""
    parts = (part.strip(".,;:()“”\"'!?") for token in text.split() for part in re.split(r"[-–—/]", token)
             if not _reference(token.strip(".,;:()“”\"'")))
    return [part for part in parts if len(part) > 1 and not (is_syllable(part) or _ACRONYM.fullmatch(part)
                                                          or _reference(part))]


def _reference(token: str) -> bool:
    """A number or reference, not a word with a digit read for one of its letters ("1ưu" for "lưu": a digit
    beside a Vietnamese lower-case letter)."""
    return bool(_REFERENCE.fullmatch(token)) and not any(
        a.isdigit() and b.islower() and not b.isascii() or b.isdigit() and a.islower() and not a.isascii()
        for a, b in zip(token, token[1:], strict=False))
