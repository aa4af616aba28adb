"""Quality checks with Great Expectations (GX Core 1.x) over the page table and the document table.

The suites are defined in code here (and mirrored to ``include/schemas/gx/`` as JSON for reading);
results and GX Data Docs go into the work area, and their summary into ``report.json``.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from sohoa.ingest import MIN_DPI
from sohoa.workspace import BatchWork, read_json, write_json

log = logging.getLogger(__name__)

REQUIRED_FIELDS = ("document_type", "issued_date", "issuing_agency", "subject")


def page_table(work: BatchWork) -> list[dict[str, Any]]:
    rows = []
    for dw in work.dossiers():
        for p in dw.pages():
            if p.status not in ("ok", "delivered", "review") or p.extra.get("rescan"):
                continue  # a page kept only to be described is quarantined by the report, never delivered
            rows.append({"source": p.source, "dossier": dw.code, "dpi": p.dpi, "width": p.width,
                         "height": p.height, "ocr_confidence": p.ocr_confidence})
    return rows


def document_table(work: BatchWork) -> list[dict[str, Any]]:
    rows = []
    for dw in work.dossiers():
        if not dw.documents_json.exists():
            continue
        for doc in read_json(dw.documents_json):
            row = {"doc_id": doc["doc_id"], "dossier": dw.code}
            row.update({f: doc["metadata"].get(f) for f in REQUIRED_FIELDS})
            rows.append(row)
    return rows


def _suites() -> dict[str, list[Any]]:
    import great_expectations.expectations as gxe

    return {
        "pages": [
            gxe.ExpectColumnValuesToNotBeNull(column="dpi"),
            gxe.ExpectColumnValuesToBeBetween(column="dpi", min_value=MIN_DPI - 0.5),
            gxe.ExpectColumnValuesToBeBetween(column="width", min_value=600),
            gxe.ExpectColumnValuesToBeBetween(column="ocr_confidence", min_value=0, max_value=100),
            gxe.ExpectColumnValuesToBeUnique(column="source"),
        ],
        "documents": [
            *(gxe.ExpectColumnValuesToNotBeNull(column=f) for f in REQUIRED_FIELDS),
            gxe.ExpectColumnValuesToMatchStrftimeFormat(column="issued_date", strftime_format="%Y-%m-%d"),
            gxe.ExpectColumnValuesToBeUnique(column="doc_id"),
        ],
    }


def import_gx() -> Any:
    """Great Expectations, imported with its usage statistics off (no data leave the archive): its import alone
    takes 2 to 4 CPU s."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations

    return great_expectations


def run_checks(work: BatchWork) -> dict[str, Any]:
    """Run both suites, build Data Docs, write quality.json; returns the summary for report.json."""
    gx = import_gx()
    import pandas as pd

    gx_root = work.root / "gx"
    shutil.rmtree(gx_root, ignore_errors=True)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(work.root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("sohoa")
    tables = {"pages": page_table(work), "documents": document_table(work)}
    columns = {"pages": ["source", "dossier", "dpi", "width", "height", "ocr_confidence"],
               "documents": ["doc_id", "dossier", *REQUIRED_FIELDS]}
    summary: dict[str, Any] = {"expectations": 0, "failed": 0, "suites": {}, "failing_dossiers": []}
    failing: set[str] = set()
    for name, expectations in _suites().items():
        frame = pd.DataFrame(tables[name], columns=columns[name])
        asset = source.add_dataframe_asset(name)
        batch_def = asset.add_batch_definition_whole_dataframe(f"{name}_all")
        suite = context.suites.add(gx.ExpectationSuite(name=f"sohoa_{name}"))
        for expectation in expectations:
            suite.add_expectation(expectation)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"sohoa_{name}", data=batch_def, suite=suite))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"sohoa_{name}", validation_definitions=[validation],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")], result_format="COMPLETE"))
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        results = []
        for vr in run.run_results.values():
            for r in vr.results:
                config = r.expectation_config
                assert config is not None
                kwargs = config.kwargs
                bad_rows = r.result.get("unexpected_index_list") or []
                dossiers = sorted({str(frame.iloc[i]["dossier"]) for i in bad_rows if isinstance(i, int)})
                if not r.success:
                    failing.update(dossiers)
                results.append({"expectation": config.type, "column": kwargs.get("column"),
                                "success": bool(r.success), "unexpected": int(r.result.get("unexpected_count") or 0),
                                "dossiers": dossiers})
        summary["suites"][name] = {"rows": len(frame), "results": results}
        summary["expectations"] += len(results)
        summary["failed"] += sum(not r["success"] for r in results)
    summary["failing_dossiers"] = sorted(failing)
    docs = gx_root / "uncommitted" / "data_docs" / "local_site"
    summary["data_docs"] = str(docs / "index.html") if (docs / "index.html").exists() else None
    write_json(work.quality_json, summary)
    log.info("quality: %d expectations, %d failed", summary["expectations"], summary["failed"])
    return summary


def data_docs_dir(work: BatchWork) -> Path:
    return work.root / "gx" / "uncommitted" / "data_docs" / "local_site"
