"""The inventory of a batch: its catalogue, its dossier folders and what each holds, before any page is read.

Every dossier folder and catalogue row becomes one dossier; a folder or code that cannot name a package on
every file system (``sohoa.names``), that leaves the batch, or that differs from another only by Unicode
normalization or letter case is a dossier that fails with its reason, its files listed and quarantined.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sohoa.campaign.inbox import MARKER
from sohoa.catalogue import (
    CSV_NAME,
    UNREADABLE_NAMES,
    XLSX_NAME,
    CatalogueError,
    read_catalogue,
    resolve_codes,
)
from sohoa.names import unusable
from sohoa.parallel import workers
from sohoa.vocab import nfc
from sohoa.workspace import Page, sha256_file

SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"}
SYSTEM_DIRS = {"__macosx", "$recycle.bin", "system volume information"}
CATALOGUE = CSV_NAME  # or XLSX_NAME: the batch holds at most one of them


class BatchError(Exception):
    """The batch itself cannot be read (missing folder, no dossiers, a catalogue that cannot be read)."""


@dataclass
class Dossier:
    code: str
    folder: str | None  # relative folder name in the batch, None when missing
    catalogue: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why the dossier cannot be processed at all
    # TT 05 codes resolved from the catalogue row (sohoa.catalogue.resolve_codes): mode, maintenance, language
    codes: dict[str, str] = field(default_factory=dict)
    defaults: list[str] = field(default_factory=list)  # codes the catalogue did not set: the safe default used
    holds: list[str] = field(default_factory=list)  # catalogue values an archivist must set or confirm
    secret: bool = False  # the catalogue gives a secrecy level: nothing of the dossier may leave the machine

    @classmethod
    def listed(cls, code: str, folder: str | None, row: dict[str, str], source: str,
               problem: str | None = None) -> Dossier:
        """A dossier with the codes its catalogue row (``{}`` when it has none) resolves to."""
        resolved = resolve_codes(row, source)
        return cls(code, folder, row, problem, resolved.codes, resolved.defaults, list(resolved.holds),
                   resolved.secret)


@dataclass
class Inventory:
    batch_id: str
    batch_uri: str
    started: str
    catalogue_columns: list[str]
    dossiers: list[Dossier]
    problems: list[str]  # batch-level notes (a dossier listed twice, ...)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def is_hidden(name: str) -> bool:
    return name.startswith(".") or name.casefold() in SYSTEM_FILES or name.startswith("~$")


def inside(path: Path, root: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(root)
        return True
    except ValueError:
        return False


def _unsafe_code(code: str) -> bool:
    return not code or code in {".", ".."} or "/" in code or "\\" in code or code.startswith("~") or ".." in code


def _unusable(code: str, why: str) -> str:
    return (f"dossier code {code!r} cannot name a package on every file system ({why}): its package folder, "
            "zip and files are named after it; rename the folder (and its catalogue row)")


def _folder_problems(folders: dict[str, str]) -> dict[str, str]:
    """Why each dossier folder that cannot be a package's name cannot: a name Windows cannot hold, or one that
    differs from an earlier folder's only in letter case (one folder on Windows)."""
    problems: dict[str, str] = {}
    seen: dict[str, str] = {}
    for code in folders:
        if why := unusable(code):
            problems[code] = _unusable(code, why)
        elif code.casefold() in seen:
            problems[code] = (f"dossier folder {code!r} differs from the dossier folder {seen[code.casefold()]!r} "
                              "only in letter case: on Windows both would be one folder; rename one of them")
        else:
            seen[code.casefold()] = code
    return problems


def refused_files(batch: Path, folder: str, source: str, reason: str) -> list[Page]:
    """Every file of a dossier folder that is not processed, each quarantined with ``reason`` (hidden ones
    ignored), under the source ``source/<file>``."""
    pages = []
    for rel, path, note in walk(batch / folder):
        if note == "hidden" or is_hidden(path.name):
            pages.append(Page(source=f"{source}/{rel}", sha256=None, status="ignored", reason="hidden or system file"))
        else:
            regular = path.is_file() and not path.is_symlink()
            pages.append(Page(source=f"{source}/{rel}", sha256=sha256_file(path) if regular else None,
                              status="quarantined", reason=reason))
    return pages


def _catalogue(found: list[Path]) -> tuple[list[str], list[dict[str, str]], str]:
    """Columns, rows and name of the batch's catalogue (none: no columns, no rows). A catalogue that is found
    but cannot be read stops the batch: its access codes are what keeps a dossier from being delivered."""
    if not found:
        return [], [], CATALOGUE
    if len(found) > 1:
        raise BatchError(f"The batch holds {len(found)} catalogues ({', '.join(p.name for p in found)}), so which "
                         "one describes its dossiers cannot be told; keep one and run the batch again.")
    path = found[0]
    try:
        columns, rows = read_catalogue(path)
    except CatalogueError as exc:
        raise BatchError(f"The catalogue {exc}.") from exc
    except OSError as exc:
        raise BatchError(f"The catalogue {path.name} cannot be read: {exc}.") from exc
    return columns, rows, nfc(path.name)


def _listed_twice(dossier: Dossier, row: dict[str, str], source: str, problems: list[str]) -> None:
    """A second row of the same dossier: the first is used; a second that says otherwise holds the dossier,
    and a secrecy level in either makes it secret."""
    problems.append(f"{source} lists dossier {dossier.code!r} more than once; the first row is used")
    if row == dossier.catalogue:
        return
    differ = sorted(k for k in {*row, *dossier.catalogue} if row.get(k, "") != dossier.catalogue.get(k, ""))
    dossier.holds.append(f"{source} lists it twice with different {', '.join(differ)}: held until an archivist "
                         "keeps one row")
    other = resolve_codes(row, source)
    if other.secret and not dossier.secret:
        dossier.secret = True
        dossier.codes["mode"] = "03"
        dossier.holds += [h for h in other.holds if h not in dossier.holds]


def scan_batch(batch: Path, batch_id: str, batch_uri: str | None = None) -> tuple[Inventory, list[Page]]:
    """Inventory of a batch folder and the records of the files outside any dossier.

    Raises BatchError when the batch itself cannot be read.
    """
    if not batch.exists():
        raise BatchError(f"The batch folder {batch} does not exist.")
    if not batch.is_dir():
        raise BatchError(f"The batch {batch} is not a folder.")
    root = Path(os.path.realpath(batch))
    loose: list[Page] = []
    folders: dict[str, str] = {}
    problems: list[str] = []
    catalogues: list[Path] = []
    for entry in sorted(os.scandir(batch), key=lambda e: (natural_key(e.name), e.name)):  # case twins: one order
        name = nfc(entry.name)
        path = Path(entry.path)
        if is_hidden(name) or name.casefold() in SYSTEM_DIRS:
            loose.append(Page(source=name, sha256=None, status="ignored", reason="hidden or system file"))
        elif entry.is_symlink() and not inside(path, root):
            loose.append(Page(source=name, sha256=None, status="quarantined",
                              reason="link leaving the batch: not followed"))
        elif entry.is_dir() and name in folders:  # the same name written in another Unicode normalization
            loose += refused_files(batch, entry.name, name, (
                f"in a second folder named {name!r} (its name written in another Unicode normalization than the "
                f"folder {folders[name]!r}): one dossier cannot have two folders; merge them"))
        elif entry.is_dir():
            folders[name] = entry.name
        elif name.casefold() in (CSV_NAME, XLSX_NAME, *UNREADABLE_NAMES):
            catalogues.append(path)
        elif name == MARKER and entry.is_file():
            loose.append(Page(source=name, sha256=sha256_file(path), status="ignored",
                              reason="campaign marker: the scanning station finished copying the batch"))
        else:
            loose.append(Page(source=name, sha256=sha256_file(path), status="quarantined",
                              reason="outside any dossier folder: inputs belong in <batch>/<dossier_code>/"))
    columns, rows, source = _catalogue(catalogues)
    dossiers: list[Dossier] = []
    first: dict[str, Dossier] = {}
    refused = _folder_problems(folders)
    for row in rows:
        code = nfc(row.get("dossier_code", "").strip())
        if code in first:
            _listed_twice(first[code], row, source, problems)
            continue
        if _unsafe_code(code):
            dossier = Dossier.listed(code, None, row, source, problem=(
                f"dossier code {code!r} in {source} leaves the batch or is not a folder name; not followed"))
        elif code not in folders:
            why = unusable(code)
            dossier = Dossier.listed(code, None, row, source, problem=_unusable(code, why) if why else (
                f"listed in {source} but its folder {code!r} is missing from the batch"))
        else:
            dossier = Dossier.listed(code, folders[code], row, source, problem=refused.get(code))
        first[code] = dossier
        dossiers.append(dossier)
    for code, folder in folders.items():
        if code not in first:
            dossiers.append(Dossier.listed(code, folder, {}, source, problem=refused.get(code)))
    if not folders:
        raise BatchError(f"The batch {batch} holds no dossier folders (expected <batch>/<dossier_code>/<pages>).")
    inventory = Inventory(
        batch_id=batch_id,
        batch_uri=batch_uri or str(batch),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        catalogue_columns=columns,
        dossiers=dossiers,
        problems=problems,
    )
    return inventory, loose


def walk(folder: Path) -> Iterator[tuple[str, Path, str | None]]:
    """(relative path, path, state reason) of every file under a dossier folder, natural order.

    Symbolic links are never followed out of the dossier's batch; hidden folders are reported whole.
    """
    entries: list[tuple[str, Path, str | None]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for d in list(dirnames):
            sub = base / d
            if sub.is_symlink():
                dirnames.remove(d)
                entries.append((str(sub.relative_to(folder)), sub, "link"))
            elif is_hidden(d) or d.casefold() in SYSTEM_DIRS:
                dirnames.remove(d)
                for hp in sorted(p for p in sub.rglob("*") if p.is_file() or p.is_symlink()):
                    entries.append((str(hp.relative_to(folder)), hp, "hidden"))
        for f in filenames:
            p = base / f
            entries.append((str(p.relative_to(folder)), p, None))
    entries.sort(key=lambda e: [natural_key(part) for part in Path(e[0]).parts])
    for rel, path, note in entries:
        yield nfc(rel), path, note


def file_digests(batch: Path, dossiers: list[Dossier]) -> dict[Path, str]:
    """SHA-256 of the regular files of ``dossiers``, read in parallel (hashlib works outside the GIL); a file that
    cannot be read is left out (``import_dossier`` reads it again and says why)."""
    paths = [path for d in dossiers if d.folder is not None and not d.problem
             for _, path, note in walk(batch / d.folder)
             if note is None and not is_hidden(path.name) and path.is_file() and not path.is_symlink()]

    def digest(path: Path) -> str | None:
        try:
            return sha256_file(path)
        except OSError:
            return None

    with ThreadPoolExecutor(workers()) as threads:
        return {path: sha for path, sha in zip(paths, threads.map(digest, paths), strict=True) if sha}
