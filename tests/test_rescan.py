"""A phone's photo of a page, far under the 200 dpi TT 05 wants, is never delivered but read and described in
report.json, so that the archive finds the paper to scan again (DESIGN: every input ends in one state, with a
reason; nothing vanishes)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from PIL import Image

from sohoa.synth.documents import random_document
from sohoa.synth.render import render_document
from tests.conftest import run_stages


def test_a_phone_photo_at_60_dpi_is_described_for_rescanning_in_the_report(
        tmp_path: Path, signing_ca: dict[str, Any]) -> None:
    rng = random.Random(7)
    doc = random_document(rng, document_type="Quyết định", pages=1)
    page = render_document(doc, 300, rng)[0]
    photo = page.convert("RGB").resize((496, 701), Image.Resampling.LANCZOS)  # A4 at 60 dpi
    exif = Image.Exif()  # what a phone writes: its make and model, 72 dpi, and exposure tags only cameras write
    exif[0x010F], exif[0x0110], exif[0x011A], exif[0x011B], exif[0x0128] = "Phone", "X1", 72.0, 72.0, 2
    exif.get_ifd(0x8769).update({0x829A: 1 / 60, 0x829D: 1.8, 0x8827: 200, 0x920A: 4.2})
    folder = tmp_path / "batch" / "HS.09"
    folder.mkdir(parents=True)
    photo.save(folder / "anh_chup.jpg", "JPEG", quality=80, exif=exif)
    run_stages(tmp_path / "batch", tmp_path / "out", tmp_path / "work", signing_ca["identity"])
    report = json.loads(next((tmp_path / "out").glob("*/report.json")).read_text(encoding="utf-8"))

    [record] = [p for p in report["pages"] if p["source"] == "HS.09/anh_chup.jpg"]
    assert record["status"] == "quarantined" and record["reason"] == (
        "camera photo, not a scan: 496×701 px taken as one A4 page filling the frame: about 60 dpi at most, never "
        "delivered: to be scanned again; read to describe HS.09.R1 (see rescan)")
    [dossier] = report["dossiers"]
    assert dossier["status"] == "review" and dossier["documents"] == []
    [described] = dossier["rescan"]
    assert described["doc_id"] == "HS.09.R1" and described["pages"] == ["HS.09/anh_chup.jpg"]
    meta = described["metadata"]
    assert meta["document_type"] == "Quyết định" and meta["issued_date"][:4] == str(doc.issued_date.year)
    # read from a page no calibration measured: every value read is marked for a person to check
    assert described["needs_review"] and all(described["confidence"][f] < 0.8 for f in ("document_type", "issued_date"))
    assert {"dossier_code": "HS.09", "documents": ["HS.09.R1"]}.items() <= next(
        r for r in report["to_rescan"] if r["dossier_code"] == "HS.09").items()
