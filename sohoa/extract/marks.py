"""Urgency and secrecy marks (NĐ 30/2020 ô 10, 11), printed or stamped near the header."""

from __future__ import annotations

import re

from sohoa.extract.text import one_edit
from sohoa.vocab import fold

EDITED = 5  # letters of the shortest mark that may be read with one letter off ("TỔỐIMẬT" for "TỐI MẬT")


def mark_of(texts: list[str], marks: tuple[str, ...]) -> str | None:
    """The first mark (urgency or secrecy) printed alone on a line or stamp, tone marks and spaces tolerated, and
    in a mark of ``EDITED`` letters or more one letter read twice, lost or misread when no other mark is so near."""
    for text in texts:
        key = _letters(text)
        for mark in marks:
            if key == _letters(mark):
                return mark
        near = [mark for mark in marks if len(_letters(mark)) >= EDITED and one_edit(key, _letters(mark))]
        if len(near) == 1:
            return near[0]
    return None


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", fold(text))
