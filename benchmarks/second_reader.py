"""Second reader benchmark: asterocr against Tesseract, line by line, on the header and signer lines of real scans.

Not a test: it prints tables for the README. The real documents of ``../shared/data/real_scans*`` (labels in each
set's ``labels.jsonl``; read their READMEs) go through the pipeline's own import, cleaning and OCR
(``sohoa.pipeline``), one dossier per document. On each document's opening page and on its closing page (the
page with a "Nơi nhận" block, else the last one) the lines the OCR worker reads again (``sohoa.linereader``:
header and signer lines) are cut from the OCR working copy by their hOCR boxes and read by asterocr; Tesseract's
reading is the hOCR line itself, what extraction works from.

Each label field is matched to the lines that hold it (by the best of both readings, so that neither reader
chooses its own lines), and each line's segment of it is scored: the character error rate (CER) of the segment
that aligns best with the label value. Fields: issuing agency (and its parent), number and symbol, place, date
digits, document type (its title line), subject words, signer title lines and signer name.

The documents are split into a tuning part and a validation part exactly as ``benchmarks/metadata.py`` splits
them (``split_of``, from their file's SHA-256), so that no benchmark ever shows the misses of a document
another one keeps for validation. Only the tuning part's lines are ever listed (``--misses``); the validation
part is reported as tables only.

Usage: ``.venv/bin/python benchmarks/second_reader.py [--reuse] [--misses]`` (the OCR is kept in
``.bench/second_reader``; ``--reuse`` reads it again without running the stages).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the shared data beside the checkout (``../shared/data``), or beside the folder of worktrees it is in
DATA = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()), ROOT.parent / "shared" / "data")
SETS = (DATA / "real_scans", DATA / "real_scans_2")
sys.path.insert(0, str(ROOT / "benchmarks"))

from metadata import split_of  # noqa: E402  (one split of the real documents for every benchmark)


def labels() -> list[dict[str, Any]]:
    """Every labelled real document, with ``dir`` (its set's folder) and ``files`` (its files, page order)."""
    found = []
    for folder in SETS:
        if not (folder / "labels.jsonl").exists():
            continue
        for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                label = json.loads(line)
                label["dir"], label["files"] = folder, label.get("files") or [label["file"]]
                found.append(label)
    return found


def stem(label: dict[str, Any]) -> str:
    """The dossier code of a document: its (first) file's name without the page suffix and extension."""
    name = Path(label["files"][0]).stem
    return name.rsplit("_p", 1)[0] if len(label["files"]) > 1 else name


def part(label: dict[str, Any]) -> str:
    """"tuning" or "validation": the part ``benchmarks/metadata.py`` puts the document in."""
    return split_of(label["sha256"])


def run_stages(base: Path, docs: list[dict[str, Any]], reuse: bool) -> dict[str, Path]:
    """Import, clean and OCR every document as a dossier of its own; returns dossier code -> work folder."""
    batch, work = base / "batch", base / "work"
    os.environ["SOHOA_WORK_DIR"] = str(work)
    from sohoa import pipeline

    root = work / batch.name / "dossiers"
    if not (reuse and root.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        for label in docs:
            (batch / stem(label)).mkdir(parents=True)
            for name in label["files"]:
                shutil.copyfile(label["dir"] / name, batch / stem(label) / Path(name).name)
        result = pipeline.run_import(str(batch), str(work / "out"))
        for d in map(Path, result["dossiers"]):
            started = time.perf_counter()
            pipeline.run_clean(str(d))
            pipeline.run_ocr(str(d))
            print(f"  {d.name}: cleaned and OCR'd in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return {p.name: p for p in root.iterdir() if (p / "pages.json").exists()}


# ---- matching label fields to lines -------------------------------------------------------------------------

def norm(text: str) -> str:
    """NFC, modern tone placement, one kind of quote and dash, single spaces: what both readers are held to."""
    from sohoa.vocab import modern_tones

    same: dict[str, str | int | None] = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"}
    text = modern_tones(text).translate(str.maketrans(same))
    return " ".join(text.split())


def _span(needle: str, hay: str) -> tuple[float, int, int]:
    """(score 0..100, start, end) of the part of ``hay`` that ``needle`` matches best, both folded (case and marks
    do not decide where a field is, only how well it was read)."""
    from rapidfuzz import fuzz

    from sohoa.vocab import fold

    a, b = fold(needle), fold(hay)
    if not a or not b:
        return 0.0, 0, 0
    if len(a) >= len(b):  # the whole reading matches a part of the value
        return fuzz.partial_ratio(b, a), 0, len(hay)
    found = fuzz.partial_ratio_alignment(a, b)
    return (found.score, found.dest_start, found.dest_end) if found else (0.0, 0, 0)


def cer(truth: str, read: str) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(truth, read) / max(len(truth), 1)


READERS = ("tesseract", "tesseract_line", "asterocr", "combined")
FIELDS = ("agency", "number", "place", "date", "type", "subject", "signer_title", "signer")
KINDS = {"agency": "agency", "number": "number line", "place": "place-date line", "date": "place-date line",
         "type": "type title", "subject": "subject", "signer_title": "signer title", "signer": "signer name"}
MULTI = ("agency", "subject")  # fields printed over several lines


def field_values(label: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, group of lines, value as printed) of a labelled document; a date as its place-date phrase."""
    values: list[tuple[str, str, str]] = []
    for key in ("parent_agency", "issuing_agency"):
        if label.get(key):
            values.append(("agency", "header", label[key]))
    if label.get("number_symbol"):
        values.append(("number", "header", label["number_symbol"]))
    if label.get("place"):
        values.append(("place", "header", label["place"]))
    if label.get("issued_date"):
        values.append(("date", "header", label["issued_date"]))
    if label.get("document_type") and label["document_type"] != "Công văn":
        values.append(("type", "header", label["document_type"].upper()))
    if subject := label.get("subject_as_printed") or label.get("subject"):
        values.append(("subject", "header", subject))
    for title in label.get("signer_block") or []:
        values.append(("signer_title", "signer", title))
    if signer := label.get("signer_as_printed") or label.get("signer"):
        values.append(("signer", "signer", signer))
    return values


def _date_phrases(iso: str) -> list[str]:
    y, m, d = iso.split("-")
    return [f"ngày {dd} tháng {mm} năm {y}" for dd in {d, str(int(d))} for mm in {m, str(int(m))}]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _score(line: dict[str, Any], phrase: str) -> float:
    """How well a line holds a phrase, by the better of the two readings (neither reader picks its own lines)."""
    return max(_span(phrase, line[r])[0] for r in ("tesseract", "asterocr"))


def _part_of(line: dict[str, Any], value: str) -> bool:
    """Whether a line is a part of a value printed over several lines: most of it read within the value."""
    from sohoa.vocab import fold

    sizes = [len(fold(line[r]).strip()) for r in ("tesseract", "asterocr")]
    return _score(line, value) >= 80 and min(sizes) >= min(6, len(value)) and max(sizes) <= len(value) + 12


# the order in which fields take their lines: a line taken is not another field's (the place shares the date's)
ORDER = ("number", "date", "place", "type", "agency", "subject", "signer_title", "signer")


def assign(label: dict[str, Any], lines: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, list[int]]]:
    """(field, value, its lines top to bottom) for each labelled field, [] for a field no line holds."""
    values = field_values(label)
    used: dict[str, set[int]] = {"header": set(), "signer": set()}
    at: dict[str, int] = {}  # the line of the number, the date and the type
    found: dict[int, list[int]] = {}
    for field in ORDER:
        for k, (name, group, value) in enumerate(values):
            if name != field:
                continue
            group_lines = lines.get(group, [])
            free = [i for i in range(len(group_lines)) if i not in used[group]]
            chosen: list[int] = []
            if field in MULTI:
                below = group_lines[at["type"]]["y"] if field == "subject" and "type" in at else (
                    group_lines[at["number"]]["y"] if field == "subject" and "number" in at else -1)
                above = group_lines[at["number"]]["y"] if field == "agency" and "number" in at else 10**9
                chosen = [i for i in free if below < group_lines[i]["y"] <= above and _part_of(group_lines[i], value)]
            elif field == "place" and "date" in at:
                chosen = [at["date"]] if _score(group_lines[at["date"]], value) >= 75 else []
            else:
                phrases = _date_phrases(value) if field == "date" else [value]
                short = [i for i in free if field != "type" or len(group_lines[i]["tesseract"]) <= 2 * len(value) + 6]
                scored = [(max(_score(group_lines[i], p) for p in phrases), -len(group_lines[i]["tesseract"]), i)
                          for i in short]
                best = max(scored, default=(0.0, 0, -1))
                chosen = [best[2]] if best[0] >= 75 else []
            if chosen and field in ("number", "date", "type"):
                at[field] = chosen[0]
            used[group].update(chosen)
            found[k] = sorted(chosen, key=lambda i: group_lines[i]["y"])
    return [(name, value, found.get(k, [])) for k, (name, _, value) in enumerate(values)]


def _widened(read: str, a: int, b: int) -> str:
    """A matched part of a reading widened to whole words, without the punctuation around it."""
    while a > 0 and not read[a - 1].isspace():
        a -= 1
    while b < len(read) and not read[b].isspace():
        b += 1
    return read[a:b].strip(" ,.;:")


def segment_of(value: str, field: str, read: str) -> tuple[str, str]:
    """(truth, what was read of it) on a field's joined lines: the date as its digits, the rest as text."""
    if field == "date":
        phrase = max(_date_phrases(value), key=lambda p: _span(p, read)[0])
        _, a, b = _span(phrase, read)
        return _digits(phrase), _digits(read[a:b])
    _, a, b = _span(value, read)
    if field == "number":  # compared without spaces ("Số: 12 /QĐ-UBND")
        return value.replace(" ", ""), _widened(read, a, b).replace(" ", "")
    return norm(value), norm(_widened(read, a, b))


# ---- reading the lines ---------------------------------------------------------------------------------------

def read_document(folder: Path, engine: Any) -> dict[str, Any] | None:
    """The header lines of the document's opening page and the signer lines of its closing page, each read by
    the three readers (Tesseract's page layout, Tesseract on the line alone, asterocr), with CPU times."""
    from PIL import Image

    from sohoa import hocr, linereader, reread
    from sohoa.workspace import DossierWork

    dw = DossierWork(folder, folder.name)
    pages = [p for p in dw.pages() if p.status == "ok" and p.hocr and p.work_copy]
    if not pages:
        return None
    parsed = [hocr.parse(dw.path(p.hocr or "")) for p in pages]
    closing = next((i for i, page in enumerate(parsed) if reread.closing_top(page) is not None), None)
    groups = {"header": (0, reread.header_lines(parsed[0], text_lines=True))}  # the trích yếu's lines measured too
    if closing is not None:
        groups["signer"] = (closing, reread.signer_lines(parsed[closing]))
    out: dict[str, Any] = {"lines": {}, "pages": {}}
    for group, (index, lines) in groups.items():
        page = pages[index]
        dpi = int(round(page.extra.get("work_dpi") or page.dpi or 200))
        with Image.open(dw.path(page.work_copy or "")) as image:
            image.load()
            read = []
            spent = 0.0  # on the lines the worker reads again
            for line in lines:
                pixels, _ = reread.crop(image, line.box)
                t0 = time.process_time()
                aster = linereader.read(pixels).text
                t1 = time.process_time()
                alone = engine.ocr_text(Image.fromarray(pixels), dpi, psm=7)
                t2 = time.process_time()
                worker = group == "signer" or not reread.running_text(line.text)
                spent += (t1 - t0) if worker else 0.0
                read.append({"tesseract": line.text, "tesseract_line": alone, "asterocr": aster, "y": line.box[1],
                             "worker": worker, "cpu": {"asterocr": t1 - t0, "tesseract_line": t2 - t1}})
        out["lines"][group] = read
        out["pages"][group] = {"lines": sum(line["worker"] for line in read), "asterocr_cpu": spent}
    return out


# ---- scoring ------------------------------------------------------------------------------------------------

class Tally:
    """Edit distances and lengths per reader, exact readings and wins (asterocr against Tesseract's page)."""

    def __init__(self) -> None:
        self.n = 0
        self.unfound = 0  # fields no line was found for (neither reading holds them)
        self.length = 0
        self.dist = dict.fromkeys(READERS, 0)
        self.exact = dict.fromkeys(READERS, 0)
        self.aster_wins = self.tess_wins = 0

    def add(self, pairs: list[tuple[str, dict[str, str]]]) -> None:
        """One line or one field: its segments, each (truth, reading per reader)."""
        from rapidfuzz.distance import Levenshtein

        self.n += 1
        dist = dict.fromkeys(READERS, 0)
        for truth, reads in pairs:
            self.length += len(truth)
            for r in READERS:
                dist[r] += Levenshtein.distance(truth, reads[r])
        for r in READERS:
            self.dist[r] += dist[r]
            self.exact[r] += dist[r] == 0
        self.aster_wins += dist["asterocr"] < dist["tesseract"]
        self.tess_wins += dist["tesseract"] < dist["asterocr"]

    def row(self, name: str) -> str:
        cers = " | ".join(f"{self.dist[r] / max(self.length, 1):.3f}" for r in READERS)
        exact = " | ".join(f"{self.exact[r] / max(self.n, 1):.2f}" for r in ("tesseract", "asterocr", "combined"))
        return f"| {name} | {self.n} ({self.unfound}) | {cers} | {exact} | {self.aster_wins} | {self.tess_wins} |"


HEAD = ("| {} | n (not found) | CER Tesseract (page) | CER Tesseract (line alone) | CER asterocr | CER combined | "
        "exact Tesseract | exact asterocr | exact combined | asterocr better | Tesseract better |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|")


def score_document(label: dict[str, Any], read: dict[str, Any], fields: dict[str, Tally], kinds: dict[str, Tally],
                   misses: list[str] | None) -> None:
    from sohoa.reread import combine

    for group in read["lines"].values():
        for line in group:
            line["combined"] = combine(line["tesseract"], line["asterocr"])
    for field, value, chosen in assign(label, read["lines"]):
        lines = read["lines"].get("signer" if field in ("signer", "signer_title") else "header", [])
        if not chosen:
            fields.setdefault(field, Tally()).unfound += 1
            continue
        joined = {r: " ".join(lines[i][r] for i in chosen) for r in READERS}
        segments = {r: segment_of(value, field, joined[r]) for r in READERS}
        truth = segments["tesseract"][0]
        fields.setdefault(field, Tally()).add([(truth, {r: segments[r][1] for r in READERS})])
        if misses is not None and not segments["asterocr"][1] == truth == segments["tesseract"][1]:
            misses.append(f"{stem(label)} {field}: want {truth!r} | tess {segments['tesseract'][1]!r} | "
                              f"aster {segments['asterocr'][1]!r} | combined {segments['combined'][1]!r}")
        for i in chosen:  # the line's own share of the value: where the readings of it match it
            if field in MULTI:
                spans = [_span(lines[i][r], value) for r in ("tesseract", "asterocr")]
                good = [s for s in spans if s[0] >= 60] or spans
                part = norm(value[min(s[1] for s in good):max(s[2] for s in good)])
                pairs = [(part, {r: norm(lines[i][r]) for r in READERS})]
            else:
                pairs = [(truth, {r: segments[r][1] for r in READERS})]
            kinds.setdefault(KINDS[field], Tally()).add(pairs)


def report(title: str, fields: dict[str, Tally], kinds: dict[str, Tally]) -> str:
    rows = [f"### {title}", "", HEAD.format("field")]
    rows += [fields[f].row(f) for f in FIELDS if f in fields]
    rows += ["", HEAD.format("line kind")]
    rows += [kinds[k].row(k) for k in dict.fromkeys(KINDS.values()) if k in kinds]
    return "\n".join(rows)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep the OCR of the last run")
    parser.add_argument("--misses", action="store_true", help="list the tuning part's lines (never validation's)")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "second_reader")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    docs = labels()
    if not docs:
        raise SystemExit(f"no labelled real scans under {SETS[0].parent}")
    dossiers = run_stages(args.work, docs, args.reuse)
    from sohoa import tesseract

    readings: dict[str, Any] = {}
    with tesseract.Engine() as engine:
        for label in docs:
            if stem(label) in dossiers:
                readings[stem(label)] = read_document(dossiers[stem(label)], engine)
    misses: list[str] = []
    cpu = {r: [c for doc in readings.values() if doc for group in doc["lines"].values() for line in group
               for k, c in line["cpu"].items() if k == r] for r in ("asterocr", "tesseract_line")}
    header_pages = [doc["pages"]["header"] for doc in readings.values() if doc]
    signer_pages = [doc["pages"]["signer"] for doc in readings.values() if doc and "signer" in doc["pages"]]
    for name in ("tuning", "validation"):
        fields: dict[str, Tally] = {}
        kinds: dict[str, Tally] = {}
        chosen = [label for label in docs if part(label) == name]
        unread = [stem(label) for label in chosen if not readings.get(stem(label))]
        for label in chosen:
            if readings.get(stem(label)):
                score_document(label, readings[stem(label)], fields, kinds, misses if name == "tuning" else None)
        print(report(f"{name} part: {len(chosen) - len(unread)} documents read ({len(unread)} not OCR'd by the "
                     f"pipeline: {', '.join(unread) or 'none'})", fields, kinds) + "\n")
    print(f"CPU per line: asterocr {sum(cpu['asterocr']) / max(len(cpu['asterocr']), 1):.3f} s, Tesseract on the "
          f"line alone {sum(cpu['tesseract_line']) / max(len(cpu['tesseract_line']), 1):.3f} s "
          f"({len(cpu['asterocr'])} lines). What the OCR worker reads again: header lines per opening page "
          f"{sum(p['lines'] for p in header_pages) / max(len(header_pages), 1):.1f}, asterocr CPU per opening page "
          f"{sum(p['asterocr_cpu'] for p in header_pages) / max(len(header_pages), 1):.2f} s; signer lines per closing "
          f"page {sum(p['lines'] for p in signer_pages) / max(len(signer_pages), 1):.1f}, asterocr CPU per closing page "
          f"{sum(p['asterocr_cpu'] for p in signer_pages) / max(len(signer_pages), 1):.2f} s")
    if args.misses:
        print("\n".join(misses), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
