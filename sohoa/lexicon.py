"""Tone marks Tesseract dropped or mistook, put back where a dictionary word says which they were.

Tesseract's ``vie`` model often reads a tone mark stacked on a circumflex or horn (ổ, ấ, ề, ử) as the bare
letter or the wrong tone, even on clean 300 dpi type: "sửa đôi, bô sung" for "sửa đổi, bổ sung", "tô chức"
for "tổ chức". The shapes of the letters (â ê ô ơ ư ă đ) survive; the tone is what goes. So a run of
syllables that is not a Vietnamese word but, with other tones on the same letters, is exactly one is
rewritten to that word. Words come from ``include/lexicon/vi_words.txt`` (31 157 words, 25 415 of two
syllables or more; see the README beside it) and, to propose words only, underthesea's Viet74K. A syllable outside
such a word is left as read, unless its spelling forbids its tone (``stop_tone``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from sohoa.vocab import PLACES, REGIONS, fold, modern_tones, nfc

WORDS = Path(__file__).resolve().parents[1] / "include" / "lexicon" / "vi_words.txt"
MORE_WORDS = "underthesea/corpus/data/Viet74K.txt"  # in the underthesea wheel pinned by requirements-hashed.txt


@cache
def dictionary(restoring: bool = False) -> tuple[str, ...]:
    """The dictionary's words, NFC: pyvi's list, the provinces' names and the regions' (``vocab.PLACES``,
    ``vocab.REGIONS``: "Lâm Đồng" as written confirms its tones, "Lâm Đông" is put right); to restore tones with
    (``restoring``), also the 73 901 entries of underthesea's Viet74K, read from its wheel, which hold common words
    pyvi's lacks ("kéo dài", "nguyên đán"). Viet74K's rare words ("dỉ", "dỉ tai") are what OCR's slips often spell,
    so it only proposes words: a reading it holds is not thereby confirmed (``is_word``, ``unconfirmed``,
    ``is_syllable`` use pyvi's list)."""
    lines = [*WORDS.read_text(encoding="utf-8").splitlines(), *PLACES, *REGIONS]
    if restoring:
        from importlib.metadata import distribution

        lines += nfc(Path(str(distribution("underthesea").locate_file(MORE_WORDS))).read_text(encoding="utf-8")
                     ).splitlines()
    return tuple(dict.fromkeys(line.strip() for line in lines if line.strip()))


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook above, dot below
_SYLLABLE = re.compile(r"^([^\w]*)(\w+)([^\w]*)$")
_LONGEST = 4  # syllables of the longest word tried
Word = tuple[str, ...]  # its syllables


@lru_cache(maxsize=1 << 16)
def toneless(syllable: str) -> str:
    """Lower-case ``syllable`` without its tone mark, its letter shapes kept ("Tổng" -> "tông")."""
    return nfc("".join(c for c in unicodedata.normalize("NFD", syllable.lower()) if c not in _TONES))


@cache
def _words(restoring: bool = False) -> tuple[frozenset[Word], dict[Word, tuple[Word, ...]]]:
    """(every word of ``dictionary(restoring)`` of two or more syllables, modern tone placement; the words of each
    toneless form)."""
    known: set[Word] = set()
    by_form: dict[Word, set[Word]] = {}
    for line in modern_tones("\n".join(dictionary(restoring)).lower()).splitlines():  # one pass: 105 000 lines
        word = tuple(line.split())
        if 2 <= len(word) <= _LONGEST and all(s.isalpha() for s in word):
            known.add(word)
            by_form.setdefault(tuple(_form(s) for s in word), set()).add(word)
    return frozenset(known), {form: tuple(sorted(words)) for form, words in by_form.items()}


@cache
def _syllables() -> frozenset[str]:
    """Every syllable of the dictionary's words, folded (upper case, without marks, "đ" as "D")."""
    return frozenset(fold(s) for line in dictionary() for s in line.split()
                     if s.isalpha())


def is_syllable(token: str) -> bool:
    """``token`` is a syllable of the dictionary, whatever its marks, with punctuation only at its ends."""
    letters = fold(token.strip(".,;:!?()\"'“”‘’"))
    return letters.isalpha() and any(ch in "AEIOUY" for ch in letters) and letters in _syllables()


_SPLIT_MIN, _SPLIT_MAX = 2, 7  # letters of the syllables a glued token is split into
_GLUED = 7  # letters of the shortest token split: a shorter one is more often a syllable with a stray letter


def _two_toned(token: str) -> bool:
    """Two tone marks with a consonant between them: two syllables."""
    shape = "".join("t" if ch in _TONES else "v" if ch.lower() in _VOWELS else "c" if ch.isalpha() else ""
                    for ch in unicodedata.normalize("NFD", token))  # the circumflex, breve and horn dropped
    return bool(re.search("t.*c.*t", shape))


def unglue(token: str) -> str:
    """A token of syllables that OCR read without the spaces between them (bold, underlined capitals:
    "TỈNHQUẢNGNINH") split into those syllables, with the fewest of them; any other token as it is. A token under
    ``_GLUED`` letters is split only when it carries two tones with a consonant between them, which no syllable
    does ("PHỐHỒ"; not "HẢÁI", a tone read twice)."""
    bare = fold(token)
    known = _syllables()
    if not token.isalpha() or len(token) < _GLUED and not _two_toned(token) or bare in known:
        return token
    cuts: list[list[int] | None] = [[]] + [None] * len(bare)
    for end in range(_SPLIT_MIN, len(bare) + 1):
        ways = [before for start in range(max(0, end - _SPLIT_MAX), end - _SPLIT_MIN + 1)
                if (before := cuts[start]) is not None and bare[start:end] in known]
        cuts[end] = [*min(ways, key=len), end] if ways else None
    ends = cuts[-1]
    if not ends:
        return token
    return " ".join(token[a:b] for a, b in zip([0, *ends], ends, strict=False))


def is_word(*syllables: str) -> bool:
    """The syllables, as written, make a word of the dictionary (two to four syllables, any tone placement)."""
    return tuple(modern_tones(s.lower()) for s in syllables) in _words()[0]


def restore_tones(text: str) -> str:
    """``text`` with the tones of its syllables changed where that makes them dictionary words, letter case,
    punctuation and spacing kept.

    The syllables are split into words by dynamic programming: a word of n syllables as read scores n; read
    with other tones, n minus the cost of each syllable changed, and only when one word of the dictionary has
    that form. Changing a tone on a letter with a circumflex, breve or horn (the marks Tesseract loses) costs
    0.9; on a plain letter, where it rarely errs, 2.5 — so "thi" is not made "thị" to form "kỳ thị"; seven tenths
    of that when one of the two tones is the hook above. A "đ" read for "d", or the reverse, costs ``D_SWAP``.
    A syllable in no word whose final forbids its tone gets the one ``stop_tone`` gives it."""
    tokens = text.split(" ")
    parts = [_SYLLABLE.match(token) for token in tokens]
    known, by_form = _words()
    more_by_form = _words(restoring=True)[1]
    best: list[tuple[float, int, tuple[str, ...] | None]] = [(0.0, 0, None)] * (len(tokens) + 1)
    for end in range(1, len(tokens) + 1):
        best[end] = (best[end - 1][0], 1, None)
        for n in range(2, min(_LONGEST, end) + 1):
            window = parts[end - n:end]
            if not _joinable(window):
                continue
            read = tuple(modern_tones(m.group(2).lower()) for m in window)  # type: ignore[union-attr]
            gain, word = (float(n), None) if read in known else _retoned(read, by_form, more_by_form)
            if gain > 0 and best[end - n][0] + gain > best[end][0]:
                best[end] = (best[end - n][0] + gain, n, word)
    end = len(tokens)
    while end > 0:
        _, n, word = best[end]
        for k, syllable in enumerate(word or ()):
            m = parts[end - n + k]
            assert m is not None
            tokens[end - n + k] = m.group(1) + _same_case(syllable, m.group(2)) + m.group(3)
        if n == 1 and (m := parts[end - 1]):
            tokens[end - 1] = m.group(1) + stop_tone(placed(m.group(2))) + m.group(3)
        end -= n
    return " ".join(tokens)


def _retoned(read: Word, by_form: dict[Word, tuple[Word, ...]], more_by_form: dict[Word, tuple[Word, ...]]
             ) -> tuple[float, Word | None]:
    """(score, word) of the best dictionary word with the letters of ``read`` and other tones (or "đ" for "d", or
    the reverse), from pyvi's list, or from Viet74K when pyvi's has none with those letters (its rare words do not
    stand in the way of pyvi's common ones: "viên thông" is read "viễn thông"); (0, None) when there is none or
    two score the same."""
    form = tuple(_form(s) for s in read)
    scored = sorted((len(read) - sum(_cost(r, w) for r, w in zip(read, word, strict=True)), word)
                    for word in by_form.get(form) or more_by_form.get(form, ()))
    if not scored or (len(scored) > 1 and scored[-2][0] == scored[-1][0]):
        return 0.0, None
    return float(scored[-1][0]), scored[-1][1]


def likely_slip(read: str, word: str) -> bool:
    """Whether OCR reading ``word`` as ``read`` is a slip it often makes: the same letters with another tone on a
    letter with a circumflex, breve or horn ("Tuần" for "Tuấn"), or the hook above taken for another tone; not a
    tone changed on a plain letter ("Nhã" for "Nhạ"), which Tesseract rarely gets wrong."""
    return toneless(read) == toneless(word) and _cost(read.lower(), word.lower()) < 1


def _form(syllable: str) -> str:
    """What a syllable has in common with the ways OCR reads it: its letters without the tone, "đ" as "d"."""
    return toneless(syllable).replace("đ", "d")


D_SWAP = 1.0  # the cost of "đ" read for "d" or the reverse ("dóng góp" for "đóng góp", "GIÁO ĐỤC" for "GIÁO DỤC")


def _cost(read: str, word: str) -> float:
    if read == word:
        return 0.0
    if {read[:1], word[:1]} == {"d", "đ"}:  # the bar, which italic and bold type blur
        return D_SWAP + _cost(word[:1] + read[1:], word)
    cost = 0.9 if any(c in "âêôơưă" for c in toneless(read)) else 2.5
    # the hook above, the smallest mark, is the one OCR loses or takes for another most: for a tilde ("phân bỗ" is
    # "phân bổ" rather than "phân bố"), and on a plain letter too ("Chú tịch", "chỉ tiết" on 200 dpi copies)
    return 0.7 * cost if "\u0309" in (_tone(read), _tone(word)) else cost


def _tone(syllable: str) -> str:
    return next((c for c in unicodedata.normalize("NFD", syllable) if c in _TONES), "")


def _joinable(window: list[re.Match[str] | None]) -> bool:
    """Syllables of letters that no punctuation separates (some may open the first or close the last)."""
    if any(m is None or not m.group(2).isalpha() for m in window):
        return False
    return not any(m.group(3) for m in window[:-1]) and not any(m.group(1) for m in window[1:])  # type: ignore[union-attr]


def _same_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word

_SHAPES = set("âêôơưă")  # letters whose stacked tone Tesseract loses or changes


def _covered(tokens: list[str]) -> list[bool]:
    """For each token, whether it is a syllable of a dictionary word of two syllables or more, as written."""
    parts = [_SYLLABLE.match(token) for token in tokens]
    known, _ = _words()
    covered = [False] * len(tokens)
    for start in range(len(tokens)):
        for n in range(2, min(_LONGEST, len(tokens) - start) + 1):
            window = parts[start:start + n]
            if _joinable(window) and tuple(modern_tones(m.group(2).lower()) for m in window) in known:  # type: ignore[union-attr]
                covered[start:start + n] = [True] * n
    return covered


def in_words(text: str) -> float:
    """The share of the syllables of ``text`` that, as written, belong to a dictionary word of two syllables or
    more ("QUY HOẠCH" does, "QUỶ HOẠCH" does not): of two readings of a line, the likelier has more."""
    tokens = text.split()
    syllables = [bool(m and m.group(2).isalpha()) for m in map(_SYLLABLE.match, tokens)]
    covered = _covered(tokens)
    return sum(c for c, s in zip(covered, syllables, strict=True) if s) / max(sum(syllables), 1)


def unconfirmed(text: str) -> list[str]:
    """The syllables of ``text`` whose tone nothing confirms: a letter with a circumflex, breve or horn (where
    Tesseract loses or changes the stacked tone: "đôi" for "đổi") and no word of two syllables or more of the
    dictionary, as written, that holds it ("sửa đổi" does; "đôi tên" does not)."""
    tokens = text.split(" ")
    parts = [_SYLLABLE.match(token) for token in tokens]
    return [m.group(2) for m, seen in zip(parts, _covered(tokens), strict=True)
            if m and not seen and m.group(2).isalpha() and _SHAPES & set(toneless(m.group(2)))]


COMMON_SHARE = 0.8  # of the uses of a syllable's letters, whatever their tone, that its own tone must have
COMMON_MIN = 1e-4  # of all words, how often a syllable must be written (100 times in a million) to be that sure


@cache
def frequency() -> dict[str, float]:
    """How often running Vietnamese writes each syllable (lower case, modern tone placement), as a share of all
    words, by the Vietnamese word list of ``wordfreq`` (pinned in requirements.txt; its data ships in the
    package)."""
    from wordfreq import get_frequency_dict

    shares: dict[str, float] = {}
    for word, share in get_frequency_dict("vi", wordlist="best").items():
        if word.isalpha():
            key = modern_tones(nfc(word))
            shares[key] = shares.get(key, 0.0) + share
    return shares


@cache
def _by_letters() -> dict[str, dict[str, float]]:
    """``frequency``'s syllables by their letters without the tone ("nam": "năm", "nằm", "nắm" and their shares)."""
    letters: dict[str, dict[str, float]] = {}
    for word, share in frequency().items():
        letters.setdefault(toneless(word), {})[word] = share
    return letters


@cache
def commonest() -> frozenset[str]:
    """Syllables (lower case, modern tone placement) written far more often than any other tone on their letters
    ("năm" against "nằm" and "nắm", "về" against "vệ"; not "đôi", which "đối", "đổi" and "đội" outnumber): at least
    ``COMMON_SHARE`` of their letters' uses and ``COMMON_MIN`` of all words (``frequency``)."""
    return frozenset(word for same in _by_letters().values() for word, share in same.items()
                     if share >= COMMON_MIN and share >= COMMON_SHARE * sum(same.values()))


def placed(syllable: str) -> str:
    """``syllable`` with its tone mark moved to the vowel that carries it, where OCR put it on another vowel of the
    syllable ("họach" for "hoạch") and exactly one other place makes a syllable running Vietnamese writes
    (``frequency``); anything else as read."""
    lower = modern_tones(syllable.lower())
    tone = _tone(lower)
    if not tone or not lower.isalpha() or lower in frequency():
        return syllable
    bare = toneless(lower)
    moved = {nfc(bare[:k + 1] + tone + bare[k + 1:]) for k, ch in enumerate(bare) if ch in _VOWELS}
    found = [word for word in moved if word in frequency()]
    return _same_case(found[0], syllable) if len(found) == 1 else syllable


_VOWELS = set("aăâeêioôơuưy")
_STOP_FINAL = re.compile(r"(?:[ptc]|ch)$")  # the finals after which a syllable carries the acute or the dot below
_STOP_TONES = ("\u0301", "\u0323")
STOP_MARGIN = 2.0  # how many times more often the tone chosen must be written than the other


def stop_tone(syllable: str) -> str:
    """``syllable`` with the tone a syllable ending in p, t, c or ch can carry: only the acute or the dot below
    (Vietnamese spelling), so one read with another tone or none ("câp", "Têt") lost or changed its mark. It gets
    the one of the two that running Vietnamese writes ``STOP_MARGIN`` times as often on its letters or more
    ("cấp", not "cập"; "Tết"); anything else is returned as read."""
    lower = modern_tones(syllable.lower())
    if not lower.isalpha() or not _STOP_FINAL.search(lower) or _tone(lower) in _STOP_TONES:
        return syllable
    shares = sorted(((share, word) for word, share in _by_letters().get(toneless(lower), {}).items()
                     if _tone(word) in _STOP_TONES), reverse=True)
    if not shares or (len(shares) > 1 and shares[0][0] < STOP_MARGIN * shares[1][0]):
        return syllable
    return _same_case(shares[0][1], syllable)
