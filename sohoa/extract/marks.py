"""Urgency and secrecy marks (NĐ 30/2020 ô 10, 11), printed or stamped near the header."""

from __future__ import annotations

import re

from sohoa.vocab import fold


def mark_of(texts: list[str], marks: tuple[str, ...]) -> str | None:
    """The first mark (urgency or secrecy) printed alone on a line or stamp, tone marks tolerated."""
    for text in texts:
        key = re.sub(r"[^A-Z ]", "", fold(text)).strip()
        for mark in marks:
            if key == fold(mark):
                return mark
    return None
