"""Names that become folder and file names in what sohoa delivers, valid on every file system archives use.

A dossier code names its package folder, its zip and every file in it (``<code>.<STT7>.pdf``); packages and
quarantined inputs are opened on Windows as often as on Linux. A name Windows cannot hold (a reserved device
name such as ``CON`` or ``COM1``, with or without an extension; ``< > : " | ? *``; a trailing dot or space),
a path separator or a control character would make the package impossible to unpack there, or would name
something else. Names are compared and written in Unicode NFC.
"""

from __future__ import annotations

import unicodedata

from sohoa.vocab import nfc

RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                      *(f"{port}{n}" for port in ("COM", "LPT") for n in "123456789¹²³")})
FORBIDDEN = frozenset('<>:"|?*')
SEPARATORS = frozenset("/\\")


def _stem(name: str) -> str:
    """What Windows compares with its device names: the name before its first dot, spaces dropped."""
    return name.split(".", 1)[0].strip().upper()


def unusable(name: str) -> str | None:
    """Why ``name`` cannot name a folder or file on Windows, Linux and macOS alike, in words; None when it can."""
    if not name.strip() or name in (".", ".."):
        return "it is empty or a relative path"
    if controls := sorted({c for c in name if unicodedata.category(c) == "Cc"}):
        return "it holds control character(s) " + ", ".join(f"U+{ord(c):04X}" for c in controls)
    if SEPARATORS & set(name):
        return "it holds a path separator (/ or \\)"
    if bad := sorted(FORBIDDEN & set(name)):
        return f"it holds {' '.join(bad)}, which Windows does not allow in names"
    if _stem(name) in RESERVED:
        return (f"{_stem(name)} is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9), with any "
                "extension")
    if name.endswith((".", " ")):
        return "it ends with a dot or a space, which Windows drops"
    return None


def _escape(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


def portable(name: str) -> str:
    """``name`` (NFC) made usable everywhere, reversibly: every character Windows refuses, every path separator
    and control character, ``%`` itself, the first letter of a reserved device name and a trailing dot or space
    written as ``%XX`` (its UTF-8 bytes). A name that needs none of it is returned as it is."""
    name = nfc(name)
    chars = [_escape(c) if c == "%" or c in FORBIDDEN | SEPARATORS or unicodedata.category(c) == "Cc" else c
             for c in name]
    if _stem(name) in RESERVED and chars:
        chars[0] = _escape(name[0])
    if name.endswith((".", " ")):
        chars[-1] = _escape(name[-1])
    return "".join(chars) or "%00"


def portable_path(relative: str) -> str:
    """Each part of a POSIX relative path made ``portable``."""
    return "/".join(portable(part) for part in relative.split("/"))
