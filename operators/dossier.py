"""The stages that run on chunks of whole dossiers (mapped): digitize (read, clean, OCR and describe their pages)
and package."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from operators.base import SohoaOperator
from operators.workarea import mirrored, pull_inputs

SIGNING_CONN_ID = "sohoa_signing"  # where the agency's signing key is kept
LABEL_MAX = 250  # Airflow keeps a mapped task instance's label in a column of 250 characters


def codes_label(codes: Sequence[str]) -> str:
    """The dossier codes of a chunk as one label, cut to fit Airflow's column: "A, B, C" or "A, B … (+12 more)"."""
    label = ", ".join(codes)
    for shown in range(len(codes) - 1, 0, -1):
        if len(label) <= LABEL_MAX:
            break
        label = f"{', '.join(codes[:shown])} … (+{len(codes) - shown} more)"
    return label[:LABEL_MAX]


class ChunkOperator(SohoaOperator):
    """Runs one ``sohoa.pipeline`` stage on a chunk of dossiers (their work paths, ``dossiers``), each dossier's
    failure apart from the others'. Mapped over the chunks of the batch (``scan_import``), each instance labelled
    with its dossiers' codes (``CODES``: the DAG gives it to ``partial``, where a mapped task's template is read)."""

    template_fields: Sequence[str] = ("dossiers",)
    reads: ClassVar[tuple[str, ...]]
    writes: ClassVar[tuple[str, ...]]

    CODES = "{{ task.codes_label }}"

    def __init__(self, *, dossiers: list[str] | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dossiers = dossiers

    @property
    def codes(self) -> list[str]:
        return [Path(d).name for d in self.dossiers] if isinstance(self.dossiers, list) else []

    @property
    def codes_label(self) -> str:
        return codes_label(self.codes)

    @abstractmethod
    def run(self, context: Any) -> dict[str, dict[str, Any]]:
        """The stage on every dossier of the chunk: each dossier's code and its outcome (counts, or ``stopped``
        or ``error`` with the reason)."""

    def execute(self, context: Any) -> list[str]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        from sohoa.disk import DiskFullError
        from sohoa.storage.mirror import chunk_scope

        try:
            with mirrored(str(Path(self.dossiers[0]).parent.parent), chunk_scope(self.codes)):
                outcomes = self.run(context)
        except DiskFullError as exc:  # no space: a retry would do the same
            raise AirflowFailException(str(exc)) from exc
        for code, outcome in outcomes.items():
            if "stopped" in outcome:
                self.log.warning("dossier %s stopped: %s", code, outcome["stopped"])
            elif "error" in outcome:
                self.log.error("dossier %s failed: %s", code, outcome["error"])
            else:
                self.log.info("dossier %s: %s", code, outcome)
        context["ti"].xcom_push(key="counts", value=outcomes)
        if errors := {code: o["error"] for code, o in outcomes.items() if "error" in o}:
            # the others are done; on a retry those of this run are left as they are and these tried again
            raise AirflowException(f"{len(errors)} dossier(s) of the chunk failed, the others went on: "
                                   + "; ".join(f"{code}: {error}" for code, error in errors.items()))
        return list(self.dossiers)

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(d) / part) for d in self.dossiers for part in self.reads]

    def lineage_outputs(self) -> Sequence[str]:
        return [str(Path(d) / part) for d in self.dossiers for part in self.writes]


class DigitizeOperator(ChunkOperator):
    """Reads the pages of its dossiers from their files, cleans them (orientation, border crop, deskew, blank
    pages; 24-bit masters and OCR working copies), reads them with Tesseract (vie; hOCR, ALTO and a text-only
    PDF per page) and describes each dossier (documents and their TT 05/2025 metadata with confidences): one
    pool of worker processes, one page to a core, for all the chunk's pages (``sohoa.pages``).

    ``max_failed_ratio``: above this share of a dossier's pages whose OCR failed, that dossier is stopped
    (failed). A retry in the same run leaves the dossiers it finished as they are (``run_chunk``'s ``run_key``).
    """

    template_fields: Sequence[str] = ("dossiers", "max_failed_ratio")
    reads, writes = ("planned.json",), ("pages", "clean", "ocr", "documents.json", "rescan.json")

    def __init__(self, *, max_failed_ratio: float | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_failed_ratio = max_failed_ratio

    def run(self, context: Any) -> dict[str, dict[str, Any]]:
        from sohoa.pipeline import run_chunk

        pull_inputs(self.dossiers)  # from an S3 work area: the input files its planned pages are read from
        ratio = self.max_failed_ratio
        return run_chunk(list(self.dossiers), None if ratio in (None, "", "None") else float(ratio),
                         run_key=str(context["run_id"]))


class PackageOperator(ChunkOperator):
    """PDF/A two-layer files signed by the agency (PAdES) and the SIP_hoso package (validated) with its zip, for
    each dossier of the chunk that reached its description (the others are reported failed by deliver).

    ``signing_conn_id``: the Airflow connection (or secrets-backend entry) holding the agency's key: extra
    ``key`` and ``certificate`` (PEM text, or ``key_file``/``certificate_file`` paths), optional ``chain``
    (``chain_file``) and ``agency`` (the name shown; default: the certificate's organization), the key's
    passphrase as the password. Without it the PDFs stay unsigned and the dossier is held for review.
    """

    template_fields: Sequence[str] = ("dossiers", "signing_conn_id")
    reads, writes = ("clean", "ocr", "documents.json"), ("package",)

    def __init__(self, *, signing_conn_id: str = SIGNING_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.signing_conn_id = signing_conn_id

    def run(self, context: Any) -> dict[str, dict[str, Any]]:
        from airflow.sdk.exceptions import AirflowSkipException

        from sohoa.pipeline import run_packages

        if not any((Path(d) / "documents.json").exists() for d in self.dossiers):
            raise AirflowSkipException(f"no dossier of {self.codes_label} reached its description")
        return run_packages(list(self.dossiers), signing_identity(self.signing_conn_id, self.log))


def signing_identity(conn_id: str, log: Any) -> Any:
    """The SigningIdentity stored in the connection ``conn_id``, or None (with a warning) when there is none."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

    from sohoa.sign import SigningError, SigningIdentity

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        log.warning("no connection %r: the PDFs will not be signed and the dossier is held for review", conn_id)
        return None
    extra = conn.extra_dejson

    def pem(name: str) -> bytes:
        try:
            return Path(extra[f"{name}_file"]).read_bytes() if extra.get(f"{name}_file") else \
                str(extra.get(name) or "").encode()
        except OSError as exc:
            raise AirflowFailException(f"connection {conn_id!r}: {name}_file cannot be read: {exc}") from exc

    identity = SigningIdentity(key_pem=pem("key"), cert_pem=pem("certificate"), chain_pem=pem("chain"),
                               passphrase=conn.password.encode() if conn.password else None,
                               agency=str(extra.get("agency") or ""))
    if not identity.key_pem.strip() or not identity.cert_pem.strip():
        raise AirflowFailException(f"connection {conn_id!r} needs a key and a certificate (extra key/key_file, "
                                   "certificate/certificate_file)")
    try:
        identity.signer  # noqa: B018  # a key that cannot be read fails now, without retries
    except SigningError as exc:
        raise AirflowFailException(f"connection {conn_id!r}: {exc}") from exc
    log.info("signing with the certificate of %s from connection %r", identity.agency_name(), conn_id)
    return identity
