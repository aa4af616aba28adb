"""Metadata benchmark: document boundaries, field accuracy and how far the confidences can be trusted.

Not a test: it prints tables for the README. Every set goes through the pipeline's own stages (import, clean,
OCR, extract: ``sohoa.pipeline``), so what is measured is what a run delivers.

- ``synthetic``: a batch from ``sohoa.synth`` per ``--seed`` (every document type, multi-page documents,
  attachments, urgency and secrecy marks, stamps and scan damage), its truth written beside it.
- ``real``: every labelled set under ``../shared/data/`` (a folder with a ``labels.jsonl``; read each README),
  read from there, never copied into the repository. Each labelled document (its ``files``, or its ``file``)
  goes into a dossier of its own; a file is one document with its attachments. Pages too coarse to deliver are
  judged on what the run says of them for rescanning (``rescan.json``), like the others.

Real documents are split once and for all into a **tuning** part and a **validation** part by their file's
SHA-256 (the first file's for a document of several): the split of a document never changes when documents are
added, about 60/40. Rules and thresholds are tuned on the tuning part and the synthetic sets only: the
validation part's wrong fields are not printed (``--validation-misses`` prints them, for the final audit).

Strings are compared after NFC, case folding, whitespace, quote/dash and tone-mark normalisation (the
conventions of the real sets' README); dates as ISO strings. Per group of documents it prints:

- field accuracy (a document the run did not find, or found on another first page, counts wrong in every field);
- **unflagged wrong**: of the fields delivered without a review flag, the share that is wrong. A field is flagged
  when its document is held for review and the review form marks it (empty or unsure: ``sohoa.extract.flagged``);
  a document the run merged into another is flagged only if that one is held;
- **review share**: the documents held for review (a document whose pages were quarantined counts as held: it
  is listed for a person, never delivered);
- boundary F1 (synthetic): over pages 2.. of every dossier, the pages where a document starts;
- a **reliability table**: the fields by the confidence they were delivered with, and the share of them right.
- **why held**: the held documents by reason (pages too coarse to deliver, quarantined, merged) and, per field the
  form marks, the documents it marks, of them those whose value was right, and those held for it alone.

The work areas stay in ``.bench/metadata/<set>``; ``--reuse`` keeps their OCR and only runs extraction again.

Usage: ``.venv/bin/python benchmarks/metadata.py [--set synthetic|real|both] [--seed 11 [--seed 12]] [--reuse]
[--misses]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout (a worktree of it sits one level deeper)
DATA = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parents[1] / "shared" / "data") if p.is_dir()),
            ROOT.parent / "shared" / "data")
FIELDS = ("document_type", "number", "symbol", "issued_date", "place", "issuing_agency", "parent_agency",
          "subject", "signer", "signer_title", "authority", "urgency", "secrecy", "page_count")
REAL_FIELDS = tuple(f for f in FIELDS if f not in ("urgency", "secrecy"))  # not labelled in the real sets
TUNING_SHARE = 6  # of 10: the share of real documents in the tuning part
BUCKETS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)  # reliability table: [low, high) and 1.0 on its own


def norm(value: Any) -> str:
    from sohoa.vocab import modern_tones

    if value is None:
        return ""
    text = modern_tones(str(value)).casefold()
    text = text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"}))
    return re.sub(r"\s+", "", text)


def split_of(sha256: str | list[str]) -> str:
    """"tuning" or "validation" for a real document, from its (first) file's SHA-256: fixed for ever."""
    first = sha256 if isinstance(sha256, str) else sha256[0]
    return "tuning" if int(first[:8], 16) % 10 < TUNING_SHARE else "validation"


def run_stages(batch: Path, work: Path, reuse: bool) -> list[Path]:
    """Run import, clean, OCR (unless reused) and extract; returns the dossier work folders."""
    os.environ["SOHOA_WORK_DIR"] = str(work)
    from sohoa import pipeline

    root = work / batch.name / "dossiers"
    if reuse and root.is_dir():
        dossiers = sorted(p for p in root.iterdir() if (p / "pages.json").exists())
    else:
        result = pipeline.run_import(str(batch), str(work / "out"))
        dossiers = [Path(d) for d in result["dossiers"]]
        for d in dossiers:
            started = time.perf_counter()
            pipeline.run_clean(str(d))
            pipeline.run_ocr(str(d))
            print(f"  {d.name}: OCR in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for d in dossiers:
        pipeline.run_extract(str(d))
    return dossiers


@dataclass
class Found:
    """What a run made of one dossier: its documents in page order (those to deliver and those read from pages
    too coarse to deliver, rescan.json), and its page sources in order."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


def found_documents(dossiers: list[Path]) -> dict[str, Found]:
    out = {}
    for d in dossiers:
        found = [{**doc, "coarse": name == "rescan.json"} for name in ("documents.json", "rescan.json")
                 if (d / name).exists() for doc in json.loads((d / name).read_text(encoding="utf-8"))]
        pages = [page["source"] for page in json.loads((d / "pages.json").read_text(encoding="utf-8"))]
        order = {source: i for i, source in enumerate(pages)}
        out[d.name] = Found(sorted(found, key=lambda doc: order.get(doc["pages"][0], 0)), pages)
    return out


@dataclass
class Truth:
    """A labelled document: its first page's source, its page count, its labels."""

    start: str
    pages: int
    metadata: dict[str, Any]


class Score:
    def __init__(self, fields: tuple[str, ...], kind: str = "real") -> None:
        self.fields = fields
        self.kind = kind  # "real" or "synthetic"
        self.samples: list[tuple[str, str, str | None, float, bool]] = []  # document, field, evidence, raw, right
        self.forced: set[str] = set()  # documents held whatever their confidences (a required field empty…)
        self.right = dict.fromkeys(fields, 0)
        self.total = 0
        self.undescribed = 0  # documents of which the run said nothing (pages quarantined, found no document)
        self.reviewed = 0
        self.unflagged = self.unflagged_wrong = 0
        self.tp = self.fp = self.fn = 0
        self.boundaries = False
        self.misses: list[str] = []
        self.reliability: dict[int, list[int]] = {}  # bucket -> [fields, right]
        self.found: dict[str, Found] = {}  # what the run made of each dossier (synthetic sets)
        self.truth: dict[str, Any] = {}  # the synthetic batch's truth file
        self.holds: list[tuple[str, dict[str, bool]]] = []  # held documents: why (see ``why_held``), marks → right

    def add(self, other: Score) -> None:
        for f in self.fields:
            self.right[f] += other.right[f]
        for name in ("total", "undescribed", "reviewed", "unflagged", "unflagged_wrong", "tp", "fp", "fn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for bucket, (n, ok) in other.reliability.items():
            row = self.reliability.setdefault(bucket, [0, 0])
            row[0] += n
            row[1] += ok
        self.misses += other.misses
        self.samples += other.samples
        self.forced |= other.forced
        self.holds += other.holds
        self.boundaries = self.boundaries or other.boundaries

    def dossier(self, name: str, truth: list[Truth], found: Found, boundaries: bool = False) -> None:
        """Score one dossier's documents."""
        from sohoa.extract import flagged

        self.boundaries = self.boundaries or boundaries
        got = found.documents
        if boundaries:
            true_starts = {doc.start for doc in truth[1:]}
            got_starts = {doc["pages"][0] for doc in got[1:]}
            self.tp += len(true_starts & got_starts)
            self.fp += len(got_starts - true_starts)
            self.fn += len(true_starts - got_starts)
        by_start = {doc["pages"][0]: doc for doc in got}
        by_page = {page: doc for doc in got for page in doc["pages"]}
        for doc in truth:
            self.total += 1
            found_doc = by_start.get(doc.start)
            holder = found_doc or by_page.get(doc.start)  # the document the run put this one's first page in
            if holder is None:  # its pages were quarantined (too coarse to read, unreadable): a person sees them
                self.undescribed += 1
            held = holder is None or bool(holder["needs_review"])
            self.reviewed += held
            marked = flagged(found_doc) if found_doc and held else set()
            meta = (found_doc or {}).get("metadata", {})
            confidence = (found_doc or {}).get("confidence", {})
            for f in self.fields:
                want = doc.pages if f == "page_count" else doc.metadata.get(f)
                have = meta.get(f)
                right = norm(want) == norm(have)
                self.right[f] += right
                if not right:
                    said = ", ".join(str(x) for x in (confidence.get(f), (found_doc or {}).get("evidence", {}).get(f)) if x)
                    self.misses.append(f"{name} {doc.start} {f}: got {have!r} ({said}), want {want!r}"
                                       f"{' [flagged]' if held and (f in marked or not found_doc) else ''}")
                if not (held and (f in marked or not found_doc)):
                    self.unflagged += 1
                    self.unflagged_wrong += not right
                # a document read from pages too coarse to deliver is all marked unsure: no sample of the calibration
                if found_doc and not found_doc.get("coarse") and f in found_doc.get("raw_confidence", {}):
                    self.samples.append((f"{name} {doc.start}", f, found_doc.get("evidence", {}).get(f),
                                         found_doc["raw_confidence"][f], right))
                if found_doc:
                    bucket = _bucket(float(confidence.get(f) or 0.0))
                    row = self.reliability.setdefault(bucket, [0, 0])
                    row[0] += 1
                    row[1] += right
            if found_doc and _forced(found_doc["metadata"]):
                self.forced.add(f"{name} {doc.start}")
            if held:
                self.holds.append(_why(found_doc, holder, marked & set(self.fields), meta, doc))

    def summary(self) -> dict[str, float]:
        cells = max(self.total * len(self.fields), 1)
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return {"accuracy": sum(self.right.values()) / cells,
                "unflagged_wrong": self.unflagged_wrong / max(self.unflagged, 1),
                "review_share": self.reviewed / max(self.total, 1),
                "f1": 2 * p * r / (p + r) if p + r else 0.0}

    def table(self, title: str) -> str:
        s = self.summary()
        rows = [f"### {title}: {self.total} documents", "", "| field | accuracy |", "|---|---|"]
        rows += [f"| {f} | {self.right[f] / max(self.total, 1):.3f} |" for f in self.fields]
        rows += [f"| **all fields** | **{s['accuracy']:.3f}** |",
                 f"| unflagged wrong ({self.unflagged_wrong} of {self.unflagged} fields) | {s['unflagged_wrong']:.3f} |",
                 f"| review share ({self.reviewed} of {self.total} documents) | {s['review_share']:.3f} |"]
        if self.undescribed:
            rows.append(f"| documents the run described nowhere | {self.undescribed} |")
        if self.boundaries:
            rows.append(f"| boundary F1 (TP {self.tp}, FP {self.fp}, FN {self.fn}) | {s['f1']:.3f} |")
        rows += ["", "| confidence | fields | right |", "|---|---|---|"]
        for bucket in sorted(self.reliability):
            n, ok = self.reliability[bucket]
            rows.append(f"| {_bucket_name(bucket)} | {n} | {ok / n:.3f} |")
        return "\n".join(rows + ["", self.evidence_table(), "", self.why_held()])

    def why_held(self) -> str:
        """Why the held documents were held: pages too coarse to deliver or quarantined, merged into another
        document, or the fields the form marks: per field, the documents it marks, of them the ones where the
        value was right all the same, and the documents held for that field alone (released if it were read
        surely)."""
        reasons = {"coarse pages", "quarantined", "merged"}
        counts = {r: sum(1 for why, _ in self.holds if why == r) for r in sorted(reasons)}
        rows = [f"held: {len(self.holds)} documents; " + ", ".join(f"{r} {n}" for r, n in counts.items()), "",
                "| marked field | documents | of them right | held for it alone |", "|---|---:|---:|---:|"]
        marks = [m for why, m in self.holds if why not in reasons]
        for f in sorted({f for m in marks for f in m}, key=lambda f: -sum(f in m for m in marks)):
            rows.append(f"| {f} | {sum(f in m for m in marks)} | {sum(m.get(f, False) for m in marks)} | "
                        f"{sum(list(m) == [f] for m in marks)} |")
        return "\n".join(rows)

    def evidence_table(self) -> str:
        """Per field, the values by what they rest on (``Extraction.evidence``: "agree" when the two readers read
        the same, "hand" for hand-written digits…; "–" for none of its own): how many, and the share right."""
        counts: dict[str, dict[str, list[int]]] = {}
        for _, f, evidence, _, right in self.samples:
            row = counts.setdefault(f, {}).setdefault(evidence or "–", [0, 0])
            row[0] += 1
            row[1] += right
        kinds = sorted({e for by in counts.values() for e in by})
        rows = ["| field | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
        for f in (f for f in self.fields if f in counts):
            cells = [f"{n} → {ok / n:.2f}" if (n := counts[f].get(e, [0, 0])[0]) else ""
                     for e in kinds for ok in [counts[f].get(e, [0, 0])[1]]]
            rows.append(f"| {f} | " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def line(self, title: str) -> str:
        s = self.summary()
        f1 = f"{s['f1']:.3f}" if self.boundaries else "–"
        return (f"| {title} | {self.total} | {s['accuracy']:.3f} | {s['unflagged_wrong']:.3f} | "
                f"{s['review_share']:.3f} | {f1} |")


def _why(found_doc: dict[str, Any] | None, holder: dict[str, Any] | None, marked: set[str], meta: dict[str, Any],
         truth: Truth) -> tuple[str, dict[str, bool]]:
    """Why a held document was held (see ``Score.why_held``), and its marked fields (of those scored) → whether
    they were right."""
    if holder is None:
        return "quarantined", {}
    if found_doc is None:
        return "merged", {}
    if found_doc.get("coarse"):
        return "coarse pages", {}
    fields = sorted(marked - {"page_count"})
    if fields or not _forced(meta):
        return "fields", {f: norm(truth.metadata.get(f)) == norm(meta.get(f)) for f in fields} or {
            "(a mark not scored)": True}
    # held with no field marked: a date without its day (an empty required field is marked); right when the
    # label's date lacks it too
    return "fields", {"(date without its day)": norm(truth.metadata.get("issued_date")) == norm(meta.get("issued_date"))}


def _forced(meta: dict[str, Any]) -> bool:
    """A document held whatever its confidences: a field TT 05 requires empty, or a date without its day."""
    from sohoa.extract import REQUIRED

    return any(meta.get(f) is None for f in REQUIRED) or len(meta.get("issued_date") or "") != len("YYYY-MM-DD")


def _bucket(conf: float) -> int:
    return next(i for i in range(len(BUCKETS) - 1, -1, -1) if conf >= BUCKETS[i])


def _bucket_name(i: int) -> str:
    return "1.00" if i == len(BUCKETS) - 1 else f"[{BUCKETS[i]:.2f}, {BUCKETS[i + 1]:.2f})"


def synthetic(base: Path, dossiers: int, seed: int, reuse: bool, wide: bool = False) -> Score:
    """The score of a synthetic batch: the default variety (``dossiers`` of 3 to 5 documents, hard scans), or
    the wide one (``sohoa.synth``'s ``variety="wide"``: many small dossiers of 1 to 5 documents, 1975–2025 paper,
    every NĐ 30 layout and the older ones)."""
    from sohoa.synth import make_batch, truth_path

    batch = base / "batch"
    if not (reuse and batch.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        if wide:
            make_batch(batch, dossiers=dossiers, seed=seed, variety="wide", natural_sort=False)
        else:
            make_batch(batch, dossiers=dossiers, docs_per_dossier=(3, 5), seed=seed, hard=True, variety=True)
    truth = json.loads(truth_path(batch).read_text(encoding="utf-8"))
    got = found_documents(run_stages(batch, base / "work", reuse))
    score = Score(FIELDS, "synthetic")
    for dossier in truth["dossiers"]:
        docs = [Truth(d["pages"][0], len(d["pages"]), d["metadata"]) for d in dossier["documents"]]
        score.dossier(dossier["dossier_code"], docs, got.get(dossier["dossier_code"], Found()), boundaries=True)
    score.found, score.truth = got, truth
    return score


WIDE_DOSSIERS = 13  # dossiers of a wide synthetic batch (1 to 5 documents each)
WIDE_TUNING = 23  # the wide seed to tune on (more are read for exploration: see docs/extraction.md)
WIDE_VALIDATION = (29, 89)  # the wide seeds whose misses are never read


def real_sets(data: Path) -> list[Path]:
    """Every labelled set of real documents under ``data`` (a folder with labels.jsonl)."""
    return sorted(p for p in data.iterdir() if (p / "labels.jsonl").is_file()) if data.is_dir() else []


def _labels(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _files(label: dict[str, Any]) -> list[str]:
    return list(label.get("files") or [label["file"]])


def _code(label: dict[str, Any]) -> str:
    """The dossier a labelled document goes into: its first file's name without the page suffix."""
    return re.sub(r"_p0*1$", "", Path(_files(label)[0]).stem)


def real(folder: Path, base: Path, reuse: bool) -> dict[str, Score]:
    """{"tuning": score, "validation": score} of one labelled set."""
    labels = _labels(folder)
    batch = base / "batch"
    if not (reuse and batch.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        for label in labels:
            (batch / _code(label)).mkdir(parents=True)
            for name in _files(label):
                shutil.copyfile(folder / name, batch / _code(label) / Path(name).name)
    got = found_documents(run_stages(batch, base / "work", reuse))
    scores = {"tuning": Score(REAL_FIELDS), "validation": Score(REAL_FIELDS)}
    for label in labels:
        code = _code(label)
        found = got.get(code, Found())
        first = Path(_files(label)[0]).name
        start = next((p for p in found.pages if p.split("/", 1)[1].split("#")[0] == first), f"{code}/{first}")
        scores[split_of(label["sha256"])].dossier(code, [Truth(start, label["pages"], label)], found)
    return scores


def calibrate(scores: list[Score], out: Path) -> dict[str, Any]:
    """Fit the calibration table (``sohoa.extract.confidence``) on the samples of ``scores`` (the synthetic sets
    and the real tuning part only) and write it to ``out``: per field (and per evidence seen at least
    ``EVIDENCE_MIN`` times) the monotone steps of the share right by raw score, real and synthetic samples weighted
    to count alike; the review thresholds of all fields chosen together (``confidence.thresholds``) so that at
    most ``WRONG_REAL`` of the real values and ``WRONG_SYNTHETIC`` of the synthetic ones going out unflagged are
    wrong, with the fewest documents held, and none under ``FLOOR``."""
    from sohoa.extract import CHECKED, confidence
    from sohoa.extract.confidence import calibrated, fit, key, thresholds

    samples = {kind: [s for score in scores if score.kind == kind for s in score.samples if s[1] in CHECKED]
               for kind in ("real", "synthetic")}
    weight = {"real": max(len(samples["synthetic"]) / max(len(samples["real"]), 1), 1.0), "synthetic": 1.0}
    table: dict[str, Any] = {"fitted_on": {kind: len(found) for kind, found in samples.items()},
                             "date": time.strftime("%Y-%m-%d"), "fields": {}, "review_below": {}}
    keys: dict[str, list[tuple[float, bool, float]]] = {}
    for kind, found in samples.items():
        for _, f, evidence, raw, right in found:
            keys.setdefault(key(f, evidence), []).append((raw, right, weight[kind]))
    for name in [k for k, points in keys.items() if ":" in k and len(points) < EVIDENCE_MIN]:
        keys.setdefault(key(name.split(":")[0], "*"), []).extend(keys.pop(name))  # rare evidence: pooled
    for name, points in sorted(keys.items()):
        table["fields"][name] = fit(points)
    out.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    confidence._table.cache_clear()
    scored = [(kind, f"{kind} {doc}", f, calibrated(f, raw, evidence), right)
              for kind, found in samples.items() for doc, f, evidence, raw, right in found]
    held = {f"{score.kind} {doc}" for score in scores for doc in score.forced}
    table["review_below"] = thresholds(scored, held, {"real": WRONG_REAL, "synthetic": WRONG_SYNTHETIC}, FLOOR)
    out.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    confidence._table.cache_clear()
    return table


EVIDENCE_MIN = 12  # samples of a kind of evidence under which it is calibrated with its field's other values
# what may go out unflagged wrong on the tuning samples: half the targets (2 %, 1 %), since documents nobody tuned
# on have gone out wrong more often than the ones the table is fitted on (validation parts: 1.5 to 3 times)
WRONG_REAL, WRONG_SYNTHETIC = 0.01, 0.005
FLOOR = 0.8  # no value the calibration gives less than this goes out unflagged, whatever the budget allows


def pooled(scores: Iterable[Score], fields: tuple[str, ...]) -> Score:
    total = Score(fields)
    for score in scores:
        total.add(score)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("synthetic", "wide", "real", "both", "all"), default="all",
                        help="both: the default synthetic variety and the real sets; all: the wide sets too")
    parser.add_argument("--dossiers", type=int, default=8, help="synthetic dossiers (3 to 5 documents each)")
    parser.add_argument("--seed", type=int, action="append", help="synthetic seed (repeat for more; default 11)")
    parser.add_argument("--wide", type=int, action="append",
                        help=f"wide synthetic seed to tune on (repeat for more; default {WIDE_TUNING})")
    parser.add_argument("--wide-validation", type=int, action="append",
                        help=f"wide synthetic seed never tuned on (repeat for more; default {' and '.join(map(str, WIDE_VALIDATION))})")
    parser.add_argument("--reuse", action="store_true", help="keep the OCR of the last run; extract again")
    parser.add_argument("--misses", action="store_true", help="list the wrong fields (synthetic and tuning only)")
    parser.add_argument("--validation-misses", action="store_true",
                        help="also list the validation part's wrong fields (the final audit only: never tune on it)")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "metadata")
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of the labelled real sets")
    parser.add_argument("--calibrate", action="store_true",
                        help="fit sohoa/data/calibration.json on the synthetic sets and the real tuning part")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    results: list[tuple[str, Score]] = []
    if args.set in ("synthetic", "both", "all"):
        for seed in args.seed or [11]:
            results.append((f"synthetic, seed {seed}",
                            synthetic(args.work / f"synthetic-{seed}", args.dossiers, seed, args.reuse)))
    if args.set in ("wide", "all"):
        for part, seeds in (("tuning", args.wide or [WIDE_TUNING]),
                            ("validation", args.wide_validation or list(WIDE_VALIDATION))):
            for seed in seeds:
                results.append((f"wide synthetic, seed {seed}, {part}", synthetic(
                    args.work / f"wide-{seed}", WIDE_DOSSIERS, seed, args.reuse, wide=True)))
    if args.set in ("real", "both", "all"):
        sets = real_sets(args.data)
        if not sets:
            raise SystemExit(f"no labelled real documents under {args.data}")
        by_split: dict[str, list[Score]] = {"tuning": [], "validation": []}
        for folder in sets:
            for part, score in real(folder, args.work / folder.name, args.reuse).items():
                results.append((f"{folder.name}, {part}", score))
                by_split[part].append(score)
        for part, scores in by_split.items():
            results.append((f"real pooled, {part}", pooled(scores, REAL_FIELDS)))
    if args.calibrate:
        from sohoa.extract.confidence import TABLE

        fitted = calibrate([score for title, score in results if "validation" not in title and "pooled" not in title],
                           TABLE)
        print(f"calibration written to {TABLE} ({fitted['fitted_on']}): run again with --reuse to measure with it",
              file=sys.stderr)
    for title, score in results:
        if args.misses and (args.validation_misses or "validation" not in title) and "pooled" not in title:
            print("\n".join(score.misses), file=sys.stderr)
        print(score.table(title) + "\n")
    print("| set | documents | all fields | unflagged wrong | review share | boundary F1 |")
    print("|---|---:|---:|---:|---:|---:|")
    for title, score in results:
        print(score.line(title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
