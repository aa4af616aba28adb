"""Tests of sohoa.verapdf and its use by the package checks.

veraPDF is a Java tool that cannot be installed on this machine (no registry ships it), so a stand-in launcher
prints reports in veraPDF's XML format (the shape of veraPDF 1.28's `--format xml` output) and records how it was
called; the real validator is used the same way wherever it is on PATH or named by SOHOA_VERAPDF.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sohoa import verapdf
from sohoa.package import validate_package
from tests.conftest import PAGE_LINES, two_layer_pdf
from tests.test_package import build

FAILED = """<?xml version="1.0" encoding="utf-8"?>
<report>
  <buildInformation>
    <releaseDetails id="core" version="1.28.2" buildDate="2025-07-15T16:07:00+03:00"></releaseDetails>
  </buildInformation>
  <jobs>
    <job>
      <item size="5632"><name>/tmp/d.pdf</name></item>
      <validationReport jobEndStatus="normal" profileName="PDF/A-2B validation profile"
          statement="PDF file is not compliant with Validation Profile requirements." isCompliant="false">
        <details passedRules="143" failedRules="2" passedChecks="1520" failedChecks="3">
          <rule specification="ISO 19005-2:2011" clause="6.2.11.4.1" testNumber="1" status="failed"
              failedChecks="2">
            <description>The font programs for all fonts used for rendering within a conforming file
              shall be embedded within that file</description>
            <object>PDFont</object>
            <test>fontFile_size == 1</test>
            <check status="failed"><context>root/document[0]/pages[0]</context></check>
          </rule>
          <rule specification="ISO 19005-2:2011" clause="6.6.2.1" testNumber="1" status="failed" failedChecks="1">
            <description>The Catalog dictionary of a conforming file shall contain the Metadata key</description>
            <object>CosDocument</object>
            <test>containsMetadata == true</test>
          </rule>
        </details>
      </validationReport>
    </job>
  </jobs>
</report>
"""
PASSED = FAILED.replace('isCompliant="false"', 'isCompliant="true"').replace('status="failed"', 'status="passed"')
NOT_PARSED = """<?xml version="1.0" encoding="utf-8"?>
<report><jobs><job><item size="12"><name>/tmp/d.pdf</name></item>
<taskResult type="PARSE" isExecuted="true" isSuccess="false">
  <exceptionMessage>Exception: Couldn't parse stream caused by exception: Document doesn't contain startxref
  keyword</exceptionMessage>
</taskResult></job></jobs></report>
"""
FAULTS = [
    "ISO 19005-2:2011 6.2.11.4.1-1: The font programs for all fonts used for rendering within a conforming file "
    "shall be embedded within that file (2 failed checks)",
    "ISO 19005-2:2011 6.6.2.1-1: The Catalog dictionary of a conforming file shall contain the Metadata key "
    "(1 failed checks)",
]


def test_failed_rules_are_named_by_clause() -> None:
    assert verapdf.parse_report(FAILED.encode()) == FAULTS
    assert verapdf.parse_report(PASSED.encode()) == []


def test_no_verdict_is_an_error_not_a_pass() -> None:
    with pytest.raises(verapdf.VeraPdfError, match="could not validate the file: Exception: Couldn't parse stream"):
        verapdf.parse_report(NOT_PARSED.encode())
    with pytest.raises(verapdf.VeraPdfError, match="no readable report"):
        verapdf.parse_report(b"Exception in thread \"main\" java.lang.OutOfMemoryError")


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A `verapdf` launcher that prints the report in `report` (nothing and exit 1 when it is missing) and
    appends its arguments to `calls`."""
    folder = tmp_path / "verapdf-bin"
    folder.mkdir()
    files = {"report": tmp_path / "report.xml", "calls": tmp_path / "calls.txt"}
    script = folder / "verapdf"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        f"calls, report = pathlib.Path({str(files['calls'])!r}), pathlib.Path({str(files['report'])!r})\n"
        "with calls.open('a') as out:\n"
        "    out.write(' '.join(sys.argv[1:]) + '\\n')\n"
        "if not report.exists():\n"
        "    sys.exit('java.lang.OutOfMemoryError: Java heap space')\n"
        "sys.stdout.write(report.read_text())\n"
        "sys.exit(0 if 'isCompliant=\"true\"' in report.read_text() else 1)\n"
    )
    script.chmod(0o755)
    monkeypatch.delenv(verapdf.ENV, raising=False)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return files


@pytest.fixture(scope="module")
def pdfa_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdfa")
    pdf, _ = two_layer_pdf(folder, list(PAGE_LINES),
                           datetime(2025, 5, 14, 9, 30, tzinfo=timezone(timedelta(hours=7))))
    pdfs = [pdf, shutil.copy(pdf, folder / "second.pdf")]
    return build(pdfs, folder / "out" / "pkg")


def test_package_check_runs_verapdf_on_every_pdf(pdfa_package: Path, stand_in: dict[str, Path]) -> None:
    assert validate_package(pdfa_package) == []
    assert not stand_in["calls"].exists()  # only asked for when PDF/A is checked
    stand_in["report"].write_text(PASSED)
    assert validate_package(pdfa_package, pdfa=True) == []
    data = sorted((pdfa_package / "representations/rep1/data").iterdir())
    # once for each PDF; the PDFs are checked in a process pool, so in no fixed order
    assert sorted(stand_in["calls"].read_text().splitlines()) == [f"--flavour 2b --format xml {pdf}" for pdf in data]

    stand_in["report"].write_text(FAILED)
    problems = validate_package(pdfa_package, pdfa=True)
    assert problems == [f"representations/rep1/data/{pdf.name}: veraPDF: {fault}" for pdf in data for fault in FAULTS]


def test_package_check_fails_when_verapdf_gives_no_verdict(pdfa_package: Path, stand_in: dict[str, Path]) -> None:
    problems = validate_package(pdfa_package, pdfa=True)
    assert len(problems) == 2
    assert all("veraPDF wrote no readable report" in p and "exit 1: java.lang.OutOfMemoryError" in p
               for p in problems)


def test_without_verapdf_only_sohoa_checks(pdfa_package: Path, stand_in: dict[str, Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert verapdf.launcher() is None
    assert validate_package(pdfa_package, pdfa=True) == []
    assert not stand_in["calls"].exists()

    monkeypatch.setenv(verapdf.ENV, "/opt/verapdf/verapdf")  # asked for but missing: an error, not a skip
    assert validate_package(pdfa_package, pdfa=True) == [
        f"representations/rep1/data/{pdf.name}: SOHOA_VERAPDF='/opt/verapdf/verapdf' is not an executable veraPDF "
        "launcher" for pdf in sorted((pdfa_package / "representations/rep1/data").iterdir())
    ]
