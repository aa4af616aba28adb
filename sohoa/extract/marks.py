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
        key = re.sub(r"[^A-Z]", "", fold(text))
        for mark in marks:
            if key == re.sub(r"[^A-Z]", "", fold(mark)):
                return mark
        near = [mark for mark in marks if len(folded := re.sub(r"[^A-Z]", "", fold(mark))) >= EDITED
                and one_edit(key, folded)]
        if len(near) == 1:
            return near[0]
    return None
