"""The work area of one batch: where stages leave their results for the next one.

Layout under ``<work root>/<batch_id>/``::

    batch.json                   parameters, catalogue, every input and its state (written by import)
    dossiers/<code>/pages.json   the pages of one dossier, updated by each stage
    dossiers/<code>/pages/       page images at import: JPEG/PNG inputs copied as they are, others as PNG (RGB)
    dossiers/<code>/clean/       archival masters (JPEG, 24-bit) and OCR working copies
    dossiers/<code>/ocr/         hOCR, ALTO and text-only PDF per page
    dossiers/<code>/stopped.json why a stage stopped the dossier (it is reported failed)
    dossiers/<code>/documents.json   segmentation and metadata
    dossiers/<code>/package/     the built package and its zip
    quality.json                 the Great Expectations result

Every JSON file is written atomically (temporary name, then rename), so a retried task never reads
half a file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    finally:  # a write that failed (a full disk) leaves no half-written temporary file
        Path(tmp).unlink(missing_ok=True)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the block: processes that change the same
    batch's shared results (its quality checks, report and ledger) take turns instead of interleaving."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


class DossierError(Exception):
    """A stage stopped the dossier: retrying will not help; it is reported failed with this reason."""


# Final states of an input (DESIGN.md, input contract). "ok" is the working state of a page still in flight.
STATES = ("delivered", "review", "blank", "duplicate", "ignored", "quarantined")


@dataclass
class Page:
    """One page (or one input file that yielded no page) and what the stages learnt about it."""

    source: str  # "<dossier>/<file>[#<page>]", NFC
    sha256: str | None  # of the input file, taken at first touch
    status: str = "ok"
    reason: str | None = None
    dossier: str | None = None
    document: str | None = None
    ocr_confidence: float | None = None
    index: int = 0  # position in the dossier, natural order
    image: str | None = None  # work-relative path of the page image extracted at import
    dpi: float | None = None
    width: int | None = None
    height: int | None = None
    colour_mode: str | None = None  # mode of the input ("RGB", "L", "1", ...)
    rotation: int | None = None  # degrees turned clockwise by cleaning
    skew: float | None = None  # degrees corrected by deskew
    master: str | None = None  # work-relative archival master (JPEG)
    work_copy: str | None = None  # work-relative OCR working copy (grey TIFF)
    hocr: str | None = None
    text_pdf: str | None = None
    words: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def quarantine(self, reason: str) -> None:
        self.status, self.reason = "quarantined", reason

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def save_pages(path: Path, pages: list[Page]) -> None:
    write_json(path, [asdict(p) for p in pages])


def load_pages(path: Path) -> list[Page]:
    return [Page.from_dict(d) for d in read_json(path)]


@dataclass(frozen=True)
class BatchWork:
    """Paths of one batch's work area."""

    root: Path

    @property
    def batch_json(self) -> Path:
        return self.root / "batch.json"

    @property
    def quality_json(self) -> Path:
        return self.root / "quality.json"

    def dossier(self, code: str) -> DossierWork:
        return DossierWork(self.root / "dossiers" / code, code)

    def dossiers(self) -> list[DossierWork]:
        base = self.root / "dossiers"
        if not base.is_dir():
            return []
        return [DossierWork(p, p.name) for p in sorted(base.iterdir()) if (p / "pages.json").exists()]


@dataclass(frozen=True)
class DossierWork:
    root: Path
    code: str

    @property
    def batch(self) -> BatchWork:
        return BatchWork(self.root.parent.parent)

    @property
    def pages_json(self) -> Path:
        return self.root / "pages.json"

    @property
    def documents_json(self) -> Path:
        return self.root / "documents.json"

    @property
    def rescan_json(self) -> Path:
        """Documents read from pages too coarse to deliver, described so that their paper can be found."""
        return self.root / "rescan.json"

    @property
    def package_dir(self) -> Path:
        return self.root / "package"

    def path(self, relative: str) -> Path:
        return self.root / relative

    def pages(self) -> list[Page]:
        return load_pages(self.pages_json)

    def save(self, pages: list[Page]) -> None:
        save_pages(self.pages_json, pages)

    @property
    def stopped_json(self) -> Path:
        return self.root / "stopped.json"

    def stop(self, reason: str) -> None:
        """Record why the dossier cannot go on, and raise DossierError."""
        write_json(self.stopped_json, {"reason": reason})
        raise DossierError(reason)
