"""``sohoa campaign-report`` and ``sohoa campaign-record``: the campaign store of the runs' Airflow (the same
AIRFLOW_HOME as ``sohoa run`` and ``sohoa airflow``), from the command line. Registered through the
``sohoa.commands`` entry point, like ``sohoa run``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _report(args: argparse.Namespace) -> int:
    from dags.runner import prepare_airflow

    prepare_airflow()
    from operators.campaign import store_url
    from sohoa.campaign import store, survey, survey_pdf, survey_xlsx

    url = store_url()
    try:
        found = survey.build(url, args.campaign)
    except LookupError as exc:
        known = ", ".join(map(repr, store.campaign_names(url))) or "none yet"
        print(f"sohoa campaign-report: {exc} (campaigns in the store: {known}).", file=sys.stderr)
        return 2
    out = Path(args.out or f"khao-sat-{args.campaign}.{args.format}")
    if args.format == "xlsx":
        survey_xlsx.write(found, store.rows(url, store.batches, args.campaign), out)
    else:
        survey_pdf.write(found, out)
    t = found.totals
    print(f"campaign {args.campaign}: {t['batches']} batch(es), {t['pages_delivered']} page(s) and "
          f"{t['documents_delivered']} document(s) delivered, dossiers: {t['dossiers_delivered']} delivered, "
          f"{t['dossiers_review']} in review, {t['dossiers_failed']} failed, {t['dossiers_rejected']} rejected")
    print(f"survey:   {out}")
    return 0


def _record(args: argparse.Namespace) -> int:
    """Add batches delivered before the store existed (or re-read one) from their report.json."""
    from dags.runner import prepare_airflow

    prepare_airflow()
    import json

    from operators.base import s3_client
    from operators.campaign import record_batch
    from sohoa.pipeline import work_root
    from sohoa.storage import storage_for

    status = 0
    for target in args.delivered:
        output, _, batch_id = target.rstrip("/").rpartition("/")
        output = output if "://" in output else str(Path(output or ".").resolve())
        raw = storage_for(output, s3_client(output, "aws_default")).read_bytes(f"{batch_id}/report.json")
        if raw is None:
            print(f"sohoa campaign-record: {target}/report.json does not exist.", file=sys.stderr)
            status = 2
            continue
        work = json.loads(raw).get("work") or str(work_root() / batch_id)
        recorded = record_batch(work, output)
        print(f"  {batch_id}: recorded in campaign {recorded['campaign']!r}" if recorded else f"  {batch_id}: nothing")
    return status


def register(subparsers: Any) -> None:
    report = subparsers.add_parser("campaign-report", help="the Ministry's survey of a campaign, from the campaign store")
    report.add_argument("--campaign", required=True, help="the campaign's name (the runs' campaign)")
    report.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
    report.add_argument("--out", help="file to write (default khao-sat-<campaign>.<format>)")
    report.set_defaults(func=_report)
    record = subparsers.add_parser("campaign-record", help="add delivered batches to the campaign store")
    record.add_argument("delivered", nargs="+", help="<output>/<batch_id> of a run (the folder of its report.json)")
    record.set_defaults(func=_record)
