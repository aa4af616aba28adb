"""Wrapper around veraPDF's command line, the reference PDF/A validator (a Java tool), used when installed.

sohoa's own checker (``sohoa.pdfa.check_pdfa``) covers the rules a two-layer file most often breaks; veraPDF
covers all of ISO 19005. It is not a Python package, so it is found on PATH (or named by ``SOHOA_VERAPDF``)
and run as ``verapdf --flavour 2b --format xml FILE``; its XML report names each failed rule by clause.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from lxml import etree

ENV = "SOHOA_VERAPDF"


class VeraPdfError(RuntimeError):
    pass


def launcher() -> str | None:
    """The veraPDF launcher to run: ``$SOHOA_VERAPDF`` or ``verapdf`` found on PATH; None when there is none.

    Raises VeraPdfError when ``$SOHOA_VERAPDF`` names no executable (a check asked for must not be skipped)."""
    configured = os.environ.get(ENV)
    found = shutil.which(configured or "verapdf")
    if configured and not found:
        raise VeraPdfError(f"{ENV}={configured!r} is not an executable veraPDF launcher")
    return found


def validate(pdf: Path, command: str, *, flavour: str = "2b", timeout: float = 600) -> list[str]:
    """The PDF/A rules ``pdf`` fails according to veraPDF; [] when it is compliant.

    Raises VeraPdfError when veraPDF does not produce a verdict (crash, timeout, unreadable file)."""
    try:
        proc = subprocess.run([command, "--flavour", flavour, "--format", "xml", str(pdf)], capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise VeraPdfError(f"veraPDF timed out after {timeout:.0f} s") from exc
    except OSError as exc:
        raise VeraPdfError(f"veraPDF cannot be started: {exc}") from exc
    try:
        return parse_report(proc.stdout)
    except VeraPdfError as exc:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise VeraPdfError(f"{exc} (exit {proc.returncode}{': ' + stderr[-500:] if stderr else ''})") from None


def parse_report(xml: bytes) -> list[str]:
    """Failed rules of a veraPDF XML report (one job), as ``<specification> <clause>-<test>: <description>``."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise VeraPdfError(f"veraPDF wrote no readable report: {exc}") from None
    job = root.find("jobs/job")
    report = None if job is None else job.find("validationReport")
    if report is None:
        message = root.findtext("jobs/job/taskResult/exceptionMessage") or "the report has no validationReport"
        raise VeraPdfError(f"veraPDF could not validate the file: {message.strip()}")
    if report.get("isCompliant") == "true":
        return []
    problems = [
        f"{rule.get('specification')} {rule.get('clause')}-{rule.get('testNumber')}: "
        f"{' '.join((rule.findtext('description') or '').split())} ({rule.get('failedChecks')} failed checks)"
        for rule in report.iterfind("details/rule")
        if rule.get("status") == "failed"
    ]
    return problems or [report.get("statement") or "not compliant (veraPDF names no rule)"]
