"""How the extractor does on the wide synthetic variety (``make_batch(..., variety="wide")``), per field and per
layout kind. Accuracy only, never speed.

It writes a wide batch (many small dossiers of 1–5 documents, 1975–2025 paper), runs it the way a user does
(``sohoa run BATCH --out OUT``: the digitize_batch DAG in embedded Airflow), and scores the report.json with the
definitions of ``benchmarks/metadata.py`` (its ``Score``, ``FIELDS`` and ``norm``): a document is matched by its
first page; a field is right when both sides are equal after normalisation.

Tables printed:
- per field (metadata.py's table: accuracy, boundary F1);
- per layout kind (the ``layout`` tags of the truth, e.g. ``era:old``, ``vv-lines:3``, ``paper:carbon``) and per
  document type: documents, accuracy over all fields, and the fields most often wrong;
- per field among documents delivered without a review flag: how many were wrong.

Usage: ``.venv/bin/python benchmarks/wide.py [--dossiers 13] [--seed 23] [--reuse] [--misses]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from metadata import FIELDS, Score, norm  # noqa: E402  (the benchmark's own definitions)


def wrong_fields(truth: dict[str, Any], got: dict[str, Any]) -> list[str]:
    meta = got.get("metadata", {})
    out = []
    for f in FIELDS:
        want = len(truth["pages"]) if f == "page_count" else truth["metadata"].get(f)
        have = meta.get(f)
        if norm(want) != norm(have):
            out.append(f)
    return out


def kinds(doc: dict[str, Any]) -> list[str]:
    return [f"type:{doc['metadata']['document_type']}", *doc.get("layout", [])]


def run(batch: Path, out: Path) -> dict[str, Any]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "sohoa"), "run", str(batch), "--out", str(out)], check=True, env=env)
    return json.loads((out / batch.name / "report.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=13)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--hard", action="store_true", help="also rotate pages and add scanner borders")
    parser.add_argument("--reuse", action="store_true", help="score the last run's report again")
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "wide")
    args = parser.parse_args(argv)
    from sohoa.synth import make_batch, truth_path

    batch, out = args.work / "wide", args.work / "out"
    if not args.reuse:
        shutil.rmtree(args.work, ignore_errors=True)
        make_batch(batch, dossiers=args.dossiers, seed=args.seed, hard=args.hard, variety="wide",
                   natural_sort=False)
        run(batch, out)
    truth = json.loads(truth_path(batch).read_text(encoding="utf-8"))
    report = json.loads((out / batch.name / "report.json").read_text(encoding="utf-8"))
    got = {d["dossier_code"]: sorted(d["documents"] + d.get("rescan", []), key=lambda doc: doc["pages"][0])
           for d in report["dossiers"]}

    score = Score(FIELDS)
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # documents, right fields, fields
    misses_by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    unflagged = Counter[str]()
    unflagged_docs = 0
    for dossier in truth["dossiers"]:
        found = got.get(dossier["dossier_code"], [])
        score.documents(dossier["dossier_code"], dossier["documents"], found)
        by_start = {doc["pages"][0]: doc for doc in found}
        for doc in dossier["documents"]:
            match = by_start.get(doc["pages"][0], {})
            wrong = wrong_fields(doc, match)
            for kind in kinds(doc):
                row = per_kind[kind]
                row[0] += 1
                row[1] += len(FIELDS) - len(wrong)
                row[2] += len(FIELDS)
                misses_by_kind[kind].update(wrong)
            if match and not match.get("needs_review", True):
                unflagged_docs += 1
                unflagged.update(wrong)
    if args.misses:
        print("\n".join(score.misses), file=sys.stderr)
    print(score.table(f"wide synthetic set (seed {args.seed}, {args.dossiers} dossiers)") + "\n")
    print("| layout kind | documents | field accuracy | most often wrong |\n|---|---|---|---|")
    for kind in sorted(per_kind, key=lambda k: (not k.startswith("type:"), k)):
        docs, right, total = per_kind[kind]
        top = ", ".join(f"{f} {n}" for f, n in misses_by_kind[kind].most_common(4))
        print(f"| {kind} | {docs} | {right / total:.3f} | {top} |")
    print(f"\n### delivered without a review flag: {unflagged_docs} of {score.total} documents\n")
    print("| field | wrong among unflagged |\n|---|---|")
    for f in FIELDS:
        print(f"| {f} | {unflagged[f]} |")
    total_unflagged = unflagged_docs * len(FIELDS)
    print(f"| **all fields** | **{sum(unflagged.values())} of {total_unflagged} "
          f"({sum(unflagged.values()) / max(total_unflagged, 1):.3f})** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
