"""Validate an E-ARK information package with PyPI's eark-validator, offline; print the result as JSON.

Run with the validator's own venv (made by `make setup`, scripts/eark-venv.sh):

    .venv-eark/bin/python tools/eark/validate.py PACKAGE [--spec V2.1.0]

PACKAGE is a package folder, its root METS.xml, or a ZIP/TAR of the package folder. Exit status: 0 when no
message has ERROR severity, 1 when one has, 2 when PACKAGE cannot be read.

eark-validator 1.1.3 downloads four CSIP vocabularies with `urllib.request.urlopen` when
`eark_validator.ipxml.schematron` is imported (it builds its Schematron vocabulary tests from them). This
wrapper installs an offline `urlopen` before that import which serves exactly those four URLs from
tools/eark/vocabularies/ and refuses every other URL; every other network connection from Python
(socket.connect / connect_ex / create_connection to an IP address) raises `OfflineError` too. (lxml, which
eark_validator parses with, never fetches: its parsers default to no_network=True.)

What is checked is eark-validator's own coverage: the package structure and the root METS.xml (CSIP schema,
CSIP + SIP/AIP Schematron rules); it does not read representation METS files.
"""

from __future__ import annotations

import argparse
import io
import json
import socket
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.response import addinfourl

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabularies"
VOCABULARY_BASE = "https://earkcsip.dilcis.eu/schema/"
# The four URLs eark_validator.ipxml.schematron.SchematronTests fetches (eark-validator 1.1.3).
VOCABULARIES: dict[str, Path] = {
    VOCABULARY_BASE + name: VOCABULARY_DIR / name
    for name in (
        "CSIPVocabularyContentCategory.xml",
        "CSIPVocabularyContentInformationType.xml",
        "CSIPVocabularyOAISPackageType.xml",
        "CSIPVocabularyStatus.xml",
    )
}
SEVERITY_NAMES = {"Error": "ERROR", "Warn": "WARNING", "Info": "INFORMATION", "Unknown": "UNKNOWN"}
EXIT_NO_ERRORS, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


class OfflineError(RuntimeError):
    """Network access that the offline guard refuses."""


class UnreadablePackage(ValueError):
    """The path given is no package folder, METS.xml or archive."""


_served: set[str] = set()


def offline_urlopen(url: str | urllib.request.Request, *args: Any, **kwargs: Any) -> addinfourl:
    """`urllib.request.urlopen` for eark_validator: the CSIP vocabularies from local files, nothing else."""
    address = url.full_url if isinstance(url, urllib.request.Request) else str(url)
    local = VOCABULARIES.get(address)
    if local is None:
        raise OfflineError(f"network access refused (offline E-ARK validation): urlopen({address!r})")
    data = local.read_bytes()
    headers = Message()
    headers["Content-Type"] = "application/xml"
    headers["Content-Length"] = str(len(data))
    _served.add(address)
    return addinfourl(io.BytesIO(data), headers, address, 200)


def _is_network(family: int) -> bool:
    return family in (socket.AF_INET, socket.AF_INET6)


def _refuse_connect(self: socket.socket, address: Any) -> None:
    if _is_network(self.family):
        raise OfflineError(f"network access refused (offline E-ARK validation): connect to {address!r}")
    _original_connect(self, address)


def _refuse_connect_ex(self: socket.socket, address: Any) -> int:
    if _is_network(self.family):
        raise OfflineError(f"network access refused (offline E-ARK validation): connect to {address!r}")
    return _original_connect_ex(self, address)


def _refuse_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
    raise OfflineError(f"network access refused (offline E-ARK validation): create_connection({address!r})")


_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def install_offline_guard() -> None:
    """Make every Python-level network connection of this process fail with OfflineError."""
    socket.socket.connect = _refuse_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _refuse_connect_ex  # type: ignore[method-assign,assignment]
    socket.create_connection = _refuse_create_connection


@contextmanager
def _urlopen_offline() -> Iterator[None]:
    saved = urllib.request.urlopen
    urllib.request.urlopen = offline_urlopen
    try:
        yield
    finally:
        urllib.request.urlopen = saved


def import_validator() -> Any:
    """Import eark_validator with its vocabulary downloads served from tools/eark/vocabularies/.

    `eark_validator.ipxml.schematron` does `from urllib.request import urlopen` and fetches the vocabularies
    while it is imported; `urllib.request.urlopen` is replaced only for that import, and the module keeps
    the offline function as its `urlopen`. Returns the `eark_validator.packages` module."""
    install_offline_guard()
    missing = [str(path) for path in VOCABULARIES.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"local CSIP vocabularies missing: {', '.join(missing)}")
    loaded = sys.modules.get("eark_validator.ipxml.schematron")
    if loaded is not None:
        if getattr(loaded, "urlopen", None) is not offline_urlopen:
            raise RuntimeError("eark_validator.ipxml.schematron was imported before the offline urlopen")
        from eark_validator import packages

        return packages
    with _urlopen_offline():
        from eark_validator.ipxml import schematron
    wanted = set(getattr(schematron.SchematronTests, "_SchematronTests__vocabulary_definitions", {}).values())
    if wanted != set(VOCABULARIES) or _served != set(VOCABULARIES):
        raise RuntimeError(
            f"eark_validator fetched {sorted(_served)} and declares {sorted(wanted)}; this wrapper serves "
            f"{sorted(VOCABULARIES)} (was eark-validator upgraded?)"
        )
    empty = [name for name, test in schematron.schematron_tests.tests.items() if not test]
    if empty:
        raise RuntimeError(f"vocabulary tests came out empty: {empty}")
    from eark_validator import packages

    return packages


def _message(file: str, check: str, result: Any) -> dict[str, Any]:
    severity = getattr(result.severity, "value", str(result.severity))
    return {
        "file": file,
        "check": check,
        "rule_id": result.rule_id,
        "severity": SEVERITY_NAMES.get(severity, str(severity).upper()),
        "location": result.location,
        "message": result.message,
    }


def _crash(file: str, check: str, error: Exception) -> dict[str, Any]:
    return {
        "file": file,
        "check": check,
        "rule_id": None,
        "severity": "ERROR",
        "location": file,
        "message": f"eark-validator raised {type(error).__name__}: {error}",
    }


def _root_messages(packages: Any, folder: Path, version: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """eark-validator's own validation of the package (structure and root METS.xml)."""
    try:
        report = packages.PackageValidator.validate(version, folder)
    except Exception as error:  # a crash of the validator on our package is a finding, not a wrapper failure
        return [_crash("METS.xml", "package", error)], {"crashed": True}
    messages = [_message("", "structure", result) for result in report.structure.messages]
    summary: dict[str, Any] = {"structure": report.structure.status.value}
    if report.metadata is not None:
        summary["schema"] = report.metadata.schema_results.status.value
        summary["schematron"] = report.metadata.schematron_results.status.value
        messages += [_message("METS.xml", "schema", result) for result in report.metadata.schema_results.messages]
        messages += [
            _message("METS.xml", "schematron", result) for result in report.metadata.schematron_results.messages
        ]
    return messages, summary


def validate(path: Path, version_name: str = "V2.1.0") -> dict[str, Any]:
    """The JSON-ready result for one package folder, root METS.xml or archive."""
    packages = import_validator()
    from eark_validator import structure
    from eark_validator.infopacks.package_handler import PackageError, PackageHandler
    from eark_validator.specifications.specification import SpecificationVersion

    version = SpecificationVersion(version_name)
    with tempfile.TemporaryDirectory(prefix="eark-") as unpack_dir:
        if path.is_dir():
            folder = path.resolve()
        elif path.name == "METS.xml" and path.is_file():
            folder = path.resolve().parent
        elif PackageHandler.is_archive(path):
            try:
                folder = Path(PackageHandler(Path(unpack_dir)).unpack_package(path))
            except PackageError:  # not one folder inside: eark-validator reports CSIPSTR1
                results = structure.get_bad_path_results(path).messages
                return _result(path, version.value, {"structure": "NotWellFormed"},
                               [_message("", "structure", result) for result in results])
        else:
            raise UnreadablePackage(f"{path}: not a package folder, a METS.xml or a ZIP/TAR archive")
        messages, summary = _root_messages(packages, folder, version)
    return _result(path, version.value, summary, messages)


def _result(path: Path, version: str, summary: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for message in messages:
        counts[message["severity"]] = counts.get(message["severity"], 0) + 1
    return {
        "package": str(path),
        "validator": f"eark-validator {_version()}",
        "specification": version,
        "valid": counts.get("ERROR", 0) == 0,
        "eark_validator_status": summary,
        "counts": counts,
        "messages": messages,
    }


def _version() -> str:
    from importlib.metadata import version

    return version("eark-validator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("package", type=Path, help="package folder, its METS.xml, or a ZIP/TAR of the folder")
    parser.add_argument("--spec", default="V2.1.0", choices=["V2.0.4", "V2.1.0"],
                        help="E-ARK specification version to validate against (default %(default)s)")
    args = parser.parse_args(argv)
    if not args.package.exists():
        print(json.dumps({"package": str(args.package), "error": "does not exist"}))
        return EXIT_UNREADABLE
    try:
        result = validate(args.package, args.spec)
    except UnreadablePackage as error:
        print(json.dumps({"package": str(args.package), "error": str(error)}, ensure_ascii=False))
        return EXIT_UNREADABLE
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return EXIT_NO_ERRORS if result["valid"] else EXIT_ERRORS


if __name__ == "__main__":
    sys.exit(main())
