"""A synthetic input batch (DESIGN.md "Input batch contract") and its truth file next to it."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from sohoa.synth.agencies import AGENCIES, CATALOGUE_COLUMNS, Agency
from sohoa.synth.agencies_wide import WIDE_AGENCIES
from sohoa.synth.aging import age
from sohoa.synth.degradation import degrade
from sohoa.synth.documents import SynthDocument, random_document
from sohoa.synth.files import _pdf_bytes, _save_image, _write_multipage_tiff
from sohoa.synth.phrases import TOPICS
from sohoa.synth.render import render_with_text
from sohoa.synth.wide import (
    ONE_PAGE_TYPES,
    layout_tags,
    topics_of,
    vary_wide,
    wide_document,
    wide_types,
    wide_year,
)
from sohoa.vocab import SECRECY_MARKS, nfc


@dataclass(eq=False)
class _PagePlan:
    skew: float = 0.0
    rotation: int = 0
    border: bool = False


@dataclass
class _DocPlan:
    doc: SynthDocument
    container: str = "pages"  # pages | tiff | pdf
    pages: list[_PagePlan] = field(default_factory=list)


_DOSSIER_NOTATIONS = ("HC", "TCCB", "VP", "TH", "KT", "VX")
_RETENTIONS = ("Vĩnh viễn", "Vĩnh viễn", "50 năm", "20 năm", "10 năm")
_ACCESS = ("Công khai", "Công khai", "Sử dụng có điều kiện")
_DOSSIER_TITLES = (
    "Hồ sơ về {topic} của {agency} năm {year}",
    "Tập văn bản về {topic} năm {year}",
    "Hồ sơ tổ chức thực hiện {topic} năm {year}",
)


def _file_names(count: int, exts: Sequence[str]) -> list[str]:
    if count >= 10:
        return [f"trang_{i}{ext}" for i, ext in enumerate(exts, start=1)]
    return [f"{i:03d}{ext}" for i, ext in enumerate(exts, start=1)]


def _vary(doc: SynthDocument, rng: random.Random) -> SynthDocument:
    """Give some documents a secrecy stamp or an attachment (the pages it adds are counted in doc.pages), a
    number and day written by hand."""
    # drawn from the document's own seed, so that the batch's other draws stay as they were without it
    doc.hand_filled = random.Random(f"hand {doc.body_seed}").random() < 0.3
    if rng.random() < 0.1:
        doc.secrecy = rng.choice(SECRECY_MARKS)
    if doc.document_type in ("Quyết định", "Kế hoạch", "Báo cáo", "Tờ trình", "Nghị quyết") and rng.random() < 0.35:
        doc.attachment = "quy định" if doc.document_type == "Quyết định" and rng.random() < 0.6 else "phụ lục"
        doc.attachment_pages = rng.randint(1, 2)
        doc.pages += doc.attachment_pages
    return doc


def make_batch(
    batch_dir: Path,
    *,
    dossiers: int = 3,
    docs_per_dossier: tuple[int, int] | None = None,
    seed: int = 0,
    hard: bool = False,
    dpi_choices: Sequence[int] = (200, 300),
    natural_sort: bool = True,
    variety: bool | str = False,
) -> dict[str, Any]:
    """Write a synthetic input batch (DESIGN.md "Input batch contract") and its truth file next to it.

    The first dossier holds one whole document as a multi-page TIFF, the second (or the first when there is
    only one) one whole document as a multi-page PDF. With natural_sort the last dossier gets at least ten
    page files (adding documents beyond docs_per_dossier if needed), named trang_1 … trang_N. With variety
    some documents carry a secrecy stamp or an attachment (phụ lục, or a quy định with its own header), or a
    number and day written by hand.

    ``variety="wide"`` draws the wide variety instead (``sohoa.synth.wide``: every NĐ 30/2020 layout and the
    older ones, 1975–2025, typewriter fonts, photocopies and carbon copies, …) in the shape archives have:
    many small dossiers of 1 to 5 documents (``docs_per_dossier`` defaults to (1, 5), else (2, 3)) of 1 to 4
    pages each. Its truth adds per document ``layout`` (the layout kinds it exercises) and the printed forms
    of subject and signer; per page ``paper``.
    """
    if variety not in (False, True, "wide"):
        raise ValueError(f"variety must be False, True or 'wide', not {variety!r}")
    wide = variety == "wide"
    batch_dir = Path(batch_dir)
    batch_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    agencies = list(WIDE_AGENCIES if wide else AGENCIES)
    rng.shuffle(agencies)
    lo, hi = docs_per_dossier or ((1, 5) if wide else (2, 3))

    def new_document(agency: Agency, year: int, topic: str, doc_type: str | None,
                     pages: int | None) -> SynthDocument:
        if wide:
            return vary_wide(wide_document(rng, agency=agency, year=year, topic=topic, document_type=doc_type,
                                           pages=pages), rng)
        doc = random_document(rng, agency=agency, year=year, topic=topic, document_type=doc_type, pages=pages)
        return _vary(doc, rng) if variety else doc

    plans: list[dict[str, Any]] = []
    used_codes: set[str] = set()
    for d in range(dossiers):
        agency = agencies[d % len(agencies)]
        year = wide_year(agency, rng) if wide else rng.randint(2015, 2025)
        topic = rng.choice(topics_of(year) if wide else TOPICS)
        dpi = rng.choice(list(dpi_choices))
        count = rng.randint(lo, hi)
        needs = []
        if d == 0:
            needs.append("tiff")
        if d == min(1, dossiers - 1):
            needs.append("pdf")
        count = max(count, len(needs))
        docs: list[_DocPlan] = []
        for i in range(count):
            container = needs[i] if i < len(needs) else "pages"
            doc_type = None
            if container != "pages":
                types = wide_types(agency, year) if wide else agency.types
                doc_type = rng.choice([t for t in types if t != "Giấy mời" and t not in ONE_PAGE_TYPES])
            docs.append(_DocPlan(new_document(agency, year, topic, doc_type,
                                              rng.randint(2, 3) if container != "pages" else None), container))
        if natural_sort and d == dossiers - 1:
            while sum(p.doc.pages if p.container == "pages" else 1 for p in docs) < 10:
                docs.append(_DocPlan(new_document(agency, year, topic, None, rng.randint(2, 3)), "pages"))
        order = sorted(range(len(docs)), key=lambda k: (docs[k].doc.issued_date, k))
        docs = [docs[k] for k in order]
        seq = rng.randint(1, 40)
        notation = rng.choice(_DOSSIER_NOTATIONS)
        code = f"{agency.organ_id}.{year}.{seq:02d}.{notation}"
        while code in used_codes:
            seq += 1
            code = f"{agency.organ_id}.{year}.{seq:02d}.{notation}"
        used_codes.add(code)
        title = rng.choice(_DOSSIER_TITLES).format(topic=topic, agency=agency.name, year=year)
        plans.append({"code": code, "title": nfc(title), "dpi": dpi, "agency": agency, "year": year,
                      "docs": docs, "retention": rng.choice(_RETENTIONS), "access": rng.choice(_ACCESS),
                      "shelf": f"Kho {rng.randint(1, 4)}, giá {rng.randint(1, 30)}, hộp {rng.randint(1, 120)}"})

    # Scan effects: decided over the whole batch so that the "hard" extras occur exactly once.
    all_pages: list[_PagePlan] = []
    single: list[_PagePlan] = []
    for plan in plans:
        for dp in plan["docs"]:
            dp.pages = [_PagePlan() for _ in range(dp.doc.pages)]
            all_pages += dp.pages
            if dp.container == "pages":
                single += dp.pages
    limit = 3.0 if hard else 1.0
    for pp in all_pages:
        pp.skew = round(rng.uniform(-limit, limit), 2)
    if hard:
        picks = rng.sample(single, k=min(2, len(single)))
        others = [pp for pp in all_pages if all(pp is not q for q in picks)]
        picks += rng.sample(others, k=min(2 - len(picks), len(others)))
        for pp, turn in zip(picks, (180, 90), strict=False):
            pp.rotation = turn
        for pp in all_pages:
            pp.border = rng.random() < 0.35
        if not any(pp.border for pp in all_pages) and all_pages:
            rng.choice(all_pages).border = True
    elif all_pages and rng.random() < 0.5:
        rng.choice(all_pages).border = True

    truth: dict[str, Any] = {"batch": nfc(batch_dir.name), "seed": seed, "hard": hard, "dossiers": [], "pages": {}}
    formats = ("png", "jpg", "tif", "tiff")
    for plan in plans:
        folder = batch_dir / plan["code"]
        folder.mkdir(exist_ok=True)
        dpi = plan["dpi"]
        exts: list[str] = []
        fmt_cycle = list(formats)
        rng.shuffle(fmt_cycle)
        slot = 0
        slots: list[tuple[_DocPlan, str]] = []
        for dp in plan["docs"]:
            if dp.container == "tiff":
                exts.append(".tif")
                slots.append((dp, "multitiff"))
            elif dp.container == "pdf":
                exts.append(".pdf")
                slots.append((dp, "pdf"))
            else:
                for _ in range(dp.doc.pages):
                    fmt = fmt_cycle[slot % len(fmt_cycle)]
                    slot += 1
                    exts.append({"png": ".png", "jpg": ".jpg", "tif": ".tif", "tiff": ".tiff"}[fmt])
                    slots.append((dp, fmt))
        names = _file_names(len(exts), exts)
        name_iter = iter(zip(names, slots, strict=True))
        dossier_truth: dict[str, Any] = {
            "dossier_code": plan["code"], "title": plan["title"], "dpi": dpi, "fond": plan["agency"].fond,
            "year": plan["year"], "retention": plan["retention"], "access": plan["access"], "documents": [],
        }
        for dp in plan["docs"]:
            rendered = render_with_text(dp.doc, dpi, random.Random(rng.getrandbits(64)))
            if len(rendered.pages) != dp.doc.pages:
                dp.doc.pages = len(rendered.pages)
                dp.pages = (dp.pages + [_PagePlan() for _ in rendered.pages])[: len(rendered.pages)]
            look = dp.doc.look
            backs: list[Image.Image | None] = [None] * len(rendered.pages)
            if look is not None:  # wide: the paper aged, the other side of a sheet may show through
                if look.era == "old" and len(rendered.pages) > 1 and rng.random() < 0.5:
                    backs = [rendered.pages[(i + 1) % len(rendered.pages)] for i in range(len(rendered.pages))]
                rendered.pages = [age(img, look.paper, rng, dpi, back) for img, back in zip(rendered.pages, backs,
                                                                                            strict=True)]
            scanned = [degrade(img, rng, skew_deg=pp.skew, rotate=pp.rotation, border=pp.border)
                       for img, pp in zip(rendered.pages, dp.pages, strict=True)]
            sources: list[str] = []
            page_formats: list[str] = []
            if dp.container == "pages":
                for img in scanned:
                    name, (_, fmt) = next(name_iter)
                    _save_image(img, folder / name, fmt, dpi)
                    sources.append(f"{plan['code']}/{name}")
                    page_formats.append(fmt)
            else:
                name, (_, kind) = next(name_iter)
                if kind == "multitiff":
                    _write_multipage_tiff(scanned, folder / name, dpi)
                else:
                    (folder / name).write_bytes(_pdf_bytes(scanned, dpi))
                sources += [f"{plan['code']}/{name}#{n}" for n in range(1, len(scanned) + 1)]
                page_formats += [kind] * len(scanned)
            for source, pp, fmt, back in zip(sources, dp.pages, page_formats, backs, strict=True):
                truth["pages"][source] = {"status": "delivered", "rotation": pp.rotation, "skew": pp.skew,
                                          "border": pp.border, "format": fmt, "dpi": dpi}
                if look is not None:
                    truth["pages"][source].update(paper=look.paper, bleed_through=back is not None)
            entry = {"pages": sources, "metadata": dp.doc.metadata(), "words": rendered.words}
            if look is not None:
                entry["layout"] = layout_tags(dp.doc, rendered.vv_lines, any(backs))
            dossier_truth["documents"].append(entry)
        truth["dossiers"].append(dossier_truth)

    with open(batch_dir / "dossiers.csv", "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CATALOGUE_COLUMNS)
        for plan in plans:
            writer.writerow([plan["code"], plan["title"], plan["agency"].fond, plan["year"], plan["retention"],
                             plan["access"], plan["shelf"]])
    _write_truth(batch_dir, truth)
    return truth


def truth_path(batch_dir: Path) -> Path:
    """Where the truth file of a batch lives: next to the batch, outside it."""
    batch_dir = Path(batch_dir)
    return batch_dir.parent / f"{batch_dir.name}.truth.json"


def _write_truth(batch_dir: Path, truth: dict[str, Any]) -> None:
    with open(truth_path(batch_dir), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


