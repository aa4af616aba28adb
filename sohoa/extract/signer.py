"""The closing block (recipients on the left, the signer on the right: NĐ 30/2020 ô 7): authority, title, name."""

from __future__ import annotations

import re

from sohoa.extract.names import MIDDLE, vocabulary
from sohoa.extract.text import (
    SNAP_UNITS,
    clean_spaces,
    closest,
    header_words,
    is_upper,
    letters_of,
    mean_conf,
    one_edit,
    similar,
    snap,
    split_columns,
    tails,
)
from sohoa.hocr import HocrPage, Line
from sohoa.lexicon import is_syllable, likely_slip
from sohoa.vocab import AUTHORITY_PREFIXES, SIGNER_TITLES, SURNAMES, fold

TITLE_KEYS = [(title, fold(title)) for title in SIGNER_TITLES]
_RECIPIENTS = re.compile(r"\W*[NM]\w{2} ?NHAN\b")  # "Nơi nhận:", also read "Nui nhận", "Mơi nhận"
_KEPT = re.compile(r"\W*LUU\W*V")  # "- Lưu: VT, ..." (kept by the office), the last recipient


def closing_top(page: HocrPage) -> int | None:
    """Top of a page's closing block (recipients left, signer right): its "Nơi nhận:" line, or, where OCR lost
    that line, the line above the list of recipients ("- ...;" lines up from "- Lưu: VT"); None on a page
    without one."""
    lines = sorted((ln for ln in page.lines if ln.box[0] < page.width / 2), key=lambda ln: ln.box[1])
    if line := next((ln for ln in lines if _RECIPIENTS.match(fold(ln.text))), None):
        return max(0, line.box[1] - (line.box[3] - line.box[1]))
    at = next((i for i in range(len(lines) - 1, -1, -1) if _KEPT.match(fold(lines[i].text))), None)
    if at is None:
        return None

    def listed(k: int) -> bool:
        return k >= 0 and lines[k].text.lstrip()[:1] in "-+"

    while listed(at - 1) or listed(at - 2):  # a recipient's second line starts without a dash
        at -= 1
    return max(0, lines[at].box[1] - 2 * (lines[at].box[3] - lines[at].box[1]))


def signer_of(page: HocrPage) -> tuple[list[str], str | None, float]:
    """(title lines top to bottom, signer name, confidence) from the signer block of a page."""
    top = closing_top(page)
    start_y = page.height * 0.4 if top is None else top
    return signer_block([ln for ln in page.lines if ln.box[1] >= start_y], page.width)


def signer_box(page: HocrPage) -> tuple[int, int, int, int] | None:
    """Box of the signer block of a closing page whose OCR found no signer's title or no sure name in it (a seal
    or a signature over them made Tesseract's layout skip or garble them), to be read again on its own; else
    None."""
    top = closing_top(page)
    if top is None:  # most pages: no closing block, nothing more to look at
        return None
    titles, name, _ = signer_of(page)
    if titles and name and sure_name(name):
        return None
    return page.width // 2, top, page.width, min(page.height, top + int(0.35 * page.height))


def signer_block(region: list[Line], width: int) -> tuple[list[str], str | None, float]:
    """(title lines, signer name, confidence) from the lines of a page's closing part: the right column's
    upper-case title lines, then the first line that reads as a person's name."""
    _, right = split_columns(region, width, 0.5)
    titles: list[Line] = []
    name: tuple[str, Line] | None = None
    for line in right:
        text = clean_spaces(line.text)
        if len(letters_of(text)) < 2:
            continue
        if name is None and (known_title(text) or is_upper(text) and sum(
                len(letters_of(w)) >= 2 for w in text.split()) >= 2 or titles and _ends_like(text, titles[-1].text)):
            if titles:
                prev = titles[-1]
                if line.box[1] - prev.box[3] > 1.5 * max(prev.box[3] - prev.box[1], 1):
                    continue  # seal or stamp text under the titles
            titles.append(line)
        elif (said := name_in(text)) and line.conf >= 40 and (titles or _full_name(said, line)):
            name = said, line
    if not titles and not name:
        return [], None, 0.0
    words = [w for ln in titles for w in ln.words] + (name[1].words if name else [])
    return [clean_spaces(t.text) for t in titles], (name[0] if name else None), mean_conf(words)


def sure_name(name: str) -> bool:
    """A name read whole: every word a Vietnamese syllable (not "Trần Nøoe T", a signature read into it)."""
    return all(map(is_syllable, name.split()))


def _full_name(name: str, line: Line) -> bool:
    """A name read surely without the titles above it (lost under a seal): three syllables or more, the first a
    family name, its own words read at 80 or more (not the seal's or the signature's read before it)."""
    parts = surname(name).split()
    own = line.words[-min(len(line.words), len(name.split())):]
    return mean_conf(own) >= 0.8 and len(parts) >= 3 and parts[0] in SURNAMES and sure_name(" ".join(parts))


def name_in(text: str) -> str | None:
    """The person's name a line of a signer block reads as, if any: its words without the quotes, dots and
    strokes a signature or a seal adds around them; with the family name whose first letters the seal covered
    put back ("uyễn Chí Dũng" is "Nguyễn Chí Dũng"); or, after the end of a recipient's line read into it, its
    last words from a family name on ("hội; Bùi Thanh Sơn")."""
    words = [part for w in text.split() if any(ch.lower() != ch.upper() for ch in w)
             for part in _unjoined(w.strip(".,;:“”\"'`„‘’-_/|\\"))]
    for k in range(len(words), 1, -1):
        name = words[-k:]
        if k >= 3 and (rest := re.search(r"[^\W\d_]+$", name[0])) and rest.group()[0].islower():
            tail = fold(rest.group())
            whole = [s for s in SURNAMES if fold(s).endswith(tail) and 1 <= len(fold(s)) - len(tail) <= 2]
            name = [whole[0], *name[1:]] if len(tail) >= 2 and len(whole) == 1 else name
        if _looks_like_name(" ".join(name)) and (k == len(words) or k >= 3 and name[0] in SURNAMES):
            return " ".join(name)
    return None


def _unjoined(word: str) -> list[str]:
    """A word of a name, or the two words a pen's stroke between them made the reader run together
    ("TrườngHoàng"): a capital inside a word parts it where both parts are syllables."""
    at = next((i for i in range(1, len(word)) if word[i].isupper() and word[i - 1].islower()), None)
    if at is None or not (is_syllable(word[:at]) and is_syllable(word[at:])):
        return [word]
    return [word[:at], word[at:]]


def surname(name: str) -> str:
    """A signer's name whose family name (the first word) reads, without tone marks, as a Vietnamese surname
    with the marks OCR changed put back ("Đỉnh Hồng Yến" is "Đinh Hồng Yến"), or, when it is no syllable at all,
    one letter OCR changed in a surname of four letters or more."""
    first, space, rest = name.partition(" ")
    if first in SURNAMES:
        return name
    found = [s for s in SURNAMES if fold(s) == fold(first)] or ([] if is_syllable(first) else [
        s for s in SURNAMES if len(s) >= 4 and one_edit(fold(s), fold(first))])  # "Ngiyễn" is "Nguyễn"
    if len(found) == 1:
        return found[0] + space + rest
    # no family name: a fragment of the seal or the signature read before it ("S Hà Thanh Toàn", "Vin Đướng Quốc
    # Long"), when the next word is one and a middle and a given name follow
    if len(rest.split()) >= 3 and (again := surname(rest)).split()[0] in SURNAMES:
        return again
    return name


def person_name(name: str) -> tuple[str, float]:
    """A signer's name with its family name put right (``surname``) and its middle and given names too, where one
    name of the lists (``names``) alone has their letters ("Anh Tuần" is "Anh Tuấn"); and how much its
    confidence keeps: all of it when every word is a family, middle or given name of the lists, less when a mark
    was put right, less again when a word is none of them (a rare name, or a misreading)."""
    read, name = name, surname(name)
    first, *rest = name.split()
    # a family name the lists lack is a misreading far more often than a rare given name ("Pương" for "Dương",
    # "Ký" for "Lý"): Vietnamese family names are few; a word read before a known one costs less
    factor = 1.0 if first in SURNAMES and len(name) == len(read) else 0.85 if first in SURNAMES else NO_NAME
    if len(rest) >= 2 and (pair := vocabulary("given").snap(" ".join(rest[-2:]))) and pair[1] == 1 and all(
            map(likely_slip, rest[-2:], pair[0].split())):
        rest[-2:] = pair[0].split()
        factor *= 0.95
    syllables = vocabulary("syllable")
    for i, word in enumerate(rest):
        if word in syllables:
            continue
        found = syllables.snap(word)
        middle = [m for m in MIDDLE if one_edit(fold(m), fold(word))] if i < len(rest) - 1 else []
        if not found and len(middle) == 1:  # too short for the lists' letter edits: "Đặng Chị Yến" is "Thị"
            rest[i] = middle[0]
            factor *= 0.95
            continue
        if found and found[1] == 1 and likely_slip(word, found[0]):
            rest[i] = found[0]
            factor *= 0.95
        else:
            factor *= NO_NAME
    return " ".join([first, *rest]), factor


NO_NAME = 0.7  # what a name's score keeps per word that is no middle or given name of the lists ("Bùi Văn Hả")


def _looks_like_name(text: str) -> bool:
    parts = text.split()
    return 2 <= len(parts) <= 6 and all(p[:1].isupper() and (len(p) == 1 or not p[1:].isupper()) for p in parts)


def authority_of(titles: list[str]) -> tuple[str | None, str | None, bool]:
    """(authority prefixes in order, the signer's own title, whether that title is a guess) from the title lines
    of a signer block.

    The title is the last line that reads as a known title. When that line is "KT. X" (the lines under it lost
    under a seal or unreadable), or X under X (the seal hid "KT." and "PHÓ"), the title is X's deputy's ("PHÓ X",
    "THỨ TRƯỞNG" for "BỘ TRƯỞNG"): who signs in place of (ký thay) the head is the head's deputy. So it is, but
    a guess, when X without a prefix has under it a line that reads as no title but ends like X ("KT." and "PHÓ
    GI" lost under a seal: "GIÁM ĐỐC" over "tề NÁM ĐỐC"). "TL. X" or "TUQ. X" as the last title read is a guess
    too: who signs by order (thừa lệnh) or by delegation of X has a title of their own under it, lost. A prefix a
    seal hid is put back where NĐ 30 leaves no choice: "TM." before the name of a collective body, "KT." before
    the head's title above a deputy's ("THỦ TƯỚNG" over "PHÓ THỦ TƯỚNG"). When the seal left only the collective
    body's line readable, the title is its head's: the head signs on behalf of the body (a deputy signs "KT."
    under it, a line more to lose)."""
    prefixes: list[str | None] = []
    bare: list[str] = []
    guessed = False
    for t in titles:
        m = _PREFIX.match(fold(t))
        prefixes.append(f"{m.group(1)}." if m else None)
        bare.append(t[m.end():] if m else t)
    title = bare[-1] if bare else None
    for k in range(len(bare) - 1, -1, -1):
        if known := known_title(bare[k]):
            # the head's title twice: "KT. THỦ TƯỚNG" over "PHÓ THỦ TƯỚNG", their first words lost under a seal
            # (a unit's head's title with its unit read twice is a line OCR repeated: no deputy's title has it)
            twice = k > 0 and prefixes[k] is None and known in SIGNER_TITLES and known_title(bare[k - 1]) == known
            if twice and prefixes[k - 1] is None:
                prefixes[k - 1] = "KT."
            deputy_below = (prefixes[k] is None and not twice and known in SIGNER_TITLES
                            and any(_ends_like(line, known) for line in bare[k + 1:]))
            if deputy_below:
                prefixes[k] = "KT."
            title = _DEPUTIES.get(known, f"PHÓ {known}") if prefixes[k] == "KT." or twice else known
            title = title if title in SIGNER_TITLES else known
            guessed = deputy_below and title != known or prefixes[k] in ("TL.", "TUQ.") and title == known
            break
    else:
        if title and (body := _collective(title)):  # the title under "TM. ỦY BAN NHÂN DÂN" lost: the head's
            title = _COLLECTIVES[body]
    for i, line in enumerate(bare):
        if prefixes[i] is None and _collective(line):
            prefixes[i] = "TM."
        elif prefixes[i] is None and title and title.startswith("PHÓ ") and known_title(line) == title[4:] and (
                "KT." not in prefixes):
            prefixes[i] = "KT."
    # NĐ 30: each prefix once at most
    return " ".join(dict.fromkeys(p for p in prefixes if p)) or None, title, guessed


def _ends_like(line: str, above: str) -> bool:
    """A line that reads as no title but whose last two words (of two letters or more) are like the last two of
    the known title ``above`` reads as: the same title with its first letters lost under a seal ("tề NÁM ĐỐC"
    under "GIÁM ĐỐC"; not "x TRƯỞNG", whose one word ends too many titles)."""
    tail, title = _tail(line), known_title(above)
    return bool(title and is_upper(tail) and not known_title(line)
                and similar(fold(tail), fold(" ".join(title.split()[-2:]))) >= 0.75)


def _tail(line: str) -> str:
    """The last two words of two letters or more of a line ("" without two): what a seal leaves of a title."""
    words = _title_words(line)
    return " ".join(words[-2:]) if len(words) >= 2 else ""


def _title_words(text: str) -> list[str]:
    """The words of two letters or more of a title line, signs between letters taken for spaces ("PHÓ}ÊHỦ")."""
    return [w for w in re.sub(r"[\W\d_]+", " ", text).split() if len(w) >= 2]


# an authority prefix, also read with a comma or glued to the next word ("TM.ỦY BAN")
_PREFIXES = "|".join(sorted((p.rstrip(".") for p in AUTHORITY_PREFIXES), key=len, reverse=True))
_PREFIX = re.compile(rf"^\W*({_PREFIXES})\s*[.,:;]\s*")  # "TL:" too
# who signs in place of (ký thay) a head whose deputy is not "PHÓ" + the head's title
_DEPUTIES = {"BỘ TRƯỞNG": "THỨ TRƯỞNG"}
# collective bodies (one signs "TM.", on behalf of them) and the title of their head
_COLLECTIVES = {"ỦY BAN NHÂN DÂN": "CHỦ TỊCH", "HỘI ĐỒNG NHÂN DÂN": "CHỦ TỊCH", "CHÍNH PHỦ": "THỦ TƯỚNG",
                "BAN THƯỜNG VỤ": "BÍ THƯ", "BAN CHẤP HÀNH": "BÍ THƯ", "HỘI ĐỒNG": "CHỦ TỊCH"}


def is_deputy(title: str | None) -> bool:
    """Whether a signer's title is a deputy's ("PHÓ CHỦ TỊCH", "THỨ TRƯỞNG"), who signs for the head."""
    return title is not None and (title.startswith("PHÓ ") or title in _DEPUTIES.values())


def _collective(text: str) -> str | None:
    """The collective body a signer block's line names (for which one signs "TM.", on behalf of), if any."""
    key = fold(header_words(text))
    return next((c for c in _COLLECTIVES if key.startswith(fold(c)) or similar(key, fold(c)) >= 0.85), None)


def known_title(text: str) -> str | None:
    """The known title a title line reads as, without the lone letters and signs a seal or a signature adds; or
    that its last words read as, when what the seal made of its first ones is longer ("ư ưng CHU TỊCH"); or the
    title of a unit's head with the unit's name (``unit_head``)."""
    words = _title_words(text)
    if headed := unit_head(words):
        return headed
    for part in map(" ".join, tails(words)):
        if is_upper(part) and (known := closest(fold(part), TITLE_KEYS, 0.85)):  # a name ("Thu Hương") is no title
            return known
    # all but the last word lost under a seal, the space before it too ("ỦTƯỞNG"): "THỦ TƯỚNG" (or its deputy's)
    last = fold(next((w for w in reversed(words) if len(w) >= 4 and is_upper(w)), ""))
    heads = [t for t in SIGNER_TITLES if len(end := fold(t.rsplit(" ", 1)[-1])) >= 4 and last.endswith(end)]
    head = min(heads, key=len, default="")
    return head if heads and all(t.endswith(head) for t in heads) else None


# the titles of a unit's head, printed with the unit's name by one who signs "TL." or "TUQ." for the body's head
# ("TL. HIỆU TRƯỞNG" over "TRƯỞNG PHÒNG ĐÀO TẠO", "TL. BỘ TRƯỞNG" over "VỤ TRƯỞNG VỤ PHÁP CHẾ"), longest first
UNIT_HEADS = sorted(("TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG",
                     "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TRƯỞNG KHOA", "PHÓ TRƯỞNG KHOA"),
                    key=len, reverse=True)
_UNIT_NAME_WORDS = 6  # words of the longest unit's name after the title


def unit_head(words: list[str]) -> str | None:
    """The title a unit's head signs with, the unit's name after it (each word a syllable, its marks put right
    against the unit words), from a title line's words; None for any other line."""
    for head in UNIT_HEADS:
        k = len(head.split())
        rest = words[k:]
        if (1 <= len(rest) <= _UNIT_NAME_WORDS and is_upper(" ".join(words)) and all(map(is_syllable, rest))
                and similar(fold(" ".join(words[:k])), fold(head)) >= 0.85):
            return f"{head} {snap(' '.join(rest), SNAP_UNITS, upper=True)}"
    return None


def is_title(text: str) -> bool:
    """A signer's title as the extraction gives it: a known one, or a unit's head's with the unit."""
    return text in SIGNER_TITLES or unit_head(text.split()) == text
