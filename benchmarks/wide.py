"""How the extractor does on the wide synthetic variety (``make_batch(..., variety="wide")``), per field and per
layout kind. Accuracy only, never speed.

The wide sets are sets of ``benchmarks/metadata.py`` (``--wide 23``, to tune on, and ``--wide-validation 29`` and
``89``, never tuned on): the same batch (many small dossiers of 1–5 documents, 1975–2025 paper), run through the
pipeline's own stages in the same work folder (``.bench/metadata/wide-<seed>``, so ``--reuse`` shares its OCR)
and scored with the same definitions (a document is matched by its first page; a field is right when both sides
are equal after normalisation; unflagged: not marked on a held document, or any field of a document not held).

Tables printed:
- per field (metadata.py's table: accuracy, unflagged wrong, review share, boundary F1, reliability);
- per layout kind (the ``layout`` tags of the truth, e.g. ``era:old``, ``vv-lines:3``, ``paper:carbon``) and per
  document type: documents, accuracy over all fields, and the fields most often wrong;
- per field, the wrong values that went out unflagged.

``--misses`` lists the wrong fields, and refuses for the validation seeds (29, 89): their misses are never read.

Usage: ``.venv/bin/python benchmarks/wide.py [--seed 23] [--reuse] [--misses]``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from metadata import FIELDS, WIDE_DOSSIERS, WIDE_VALIDATION, Score, norm, synthetic  # noqa: E402


def wrong_fields(truth: dict[str, Any], got: dict[str, Any]) -> list[str]:
    meta = got.get("metadata", {})
    out = []
    for f in FIELDS:
        want = len(truth["pages"]) if f == "page_count" else truth["metadata"].get(f)
        if norm(want) != norm(meta.get(f)):
            out.append(f)
    return out


def kinds(doc: dict[str, Any]) -> list[str]:
    return [f"type:{doc['metadata']['document_type']}", *doc.get("layout", [])]


def per_kind(score: Score) -> str:
    """The per layout kind table and the unflagged wrong values per field, from a scored wide batch."""
    from sohoa.extract import flagged

    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # documents, right fields, fields
    misses: dict[str, Counter[str]] = defaultdict(Counter)
    unflagged = Counter[str]()
    for dossier in score.truth["dossiers"]:
        found = score.found.get(dossier["dossier_code"])
        by_start = {doc["pages"][0]: doc for doc in (found.documents if found else [])}
        for doc in dossier["documents"]:
            match = by_start.get(doc["pages"][0], {})
            wrong = wrong_fields(doc, match)
            for kind in kinds(doc):
                row = rows[kind]
                row[0] += 1
                row[1] += len(FIELDS) - len(wrong)
                row[2] += len(FIELDS)
                misses[kind].update(wrong)
            marked = flagged(match) if match else set(FIELDS)
            unflagged.update(f for f in wrong if f not in marked)
    out = ["| layout kind | documents | field accuracy | most often wrong |", "|---|---|---|---|"]
    for kind in sorted(rows, key=lambda k: (not k.startswith("type:"), k)):
        docs, right, total = rows[kind]
        top = ", ".join(f"{f} {n}" for f, n in misses[kind].most_common(4))
        out.append(f"| {kind} | {docs} | {right / total:.3f} | {top} |")
    out += ["", "| field | wrong and unflagged |", "|---|---|"]
    out += [f"| {f} | {unflagged[f]} |" for f in FIELDS if unflagged[f]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--dossiers", type=int, default=WIDE_DOSSIERS)
    parser.add_argument("--reuse", action="store_true", help="keep the OCR of the last run; extract again")
    parser.add_argument("--misses", action="store_true", help="list every wrong field (not for the validation seed)")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "metadata")
    args = parser.parse_args(argv)
    if args.misses and args.seed in WIDE_VALIDATION:
        raise SystemExit(f"seed {args.seed} is a wide validation set: its misses are not read")
    score = synthetic(args.work / f"wide-{args.seed}", args.dossiers, args.seed, args.reuse, wide=True)
    if args.misses:
        print("\n".join(score.misses), file=sys.stderr)
    print(score.table(f"wide synthetic set (seed {args.seed}, {args.dossiers} dossiers)") + "\n")
    print(per_kind(score))
    return 0


if __name__ == "__main__":
    sys.exit(main())
