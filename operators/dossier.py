"""The stages that run once per dossier (mapped): clean, ocr, extract_metadata, package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from operators.base import SohoaOperator

SIGNING_CONN_ID = "sohoa_signing"  # where the agency's signing key is kept


class DossierStageOperator(SohoaOperator):
    """Runs one ``sohoa.pipeline`` stage on one dossier's work folder; returns the same folder path."""

    template_fields: Sequence[str] = ("dossier",)
    stage: ClassVar[str]
    reads: ClassVar[tuple[str, ...]]
    writes: ClassVar[tuple[str, ...]]

    CODE = "{{ task.dossier.rstrip('/').rsplit('/', 1)[-1] }}"  # mapped instances are labelled with the code

    def __init__(self, *, dossier: str, **kwargs: Any) -> None:
        kwargs.setdefault("map_index_template", self.CODE)
        super().__init__(**kwargs)
        self.dossier = dossier

    def run_stage(self) -> Callable[..., dict[str, Any]]:
        from sohoa import pipeline

        stage: Callable[..., dict[str, Any]] = getattr(pipeline, f"run_{self.stage}")
        return stage

    def stage_kwargs(self) -> dict[str, Any]:
        return {}

    def execute(self, context: Any) -> str:
        from airflow.sdk.exceptions import AirflowFailException

        from sohoa.disk import DiskFullError
        from sohoa.workspace import DossierError

        try:
            counts = self.run_stage()(self.dossier, **self.stage_kwargs())
        except (DossierError, DiskFullError) as exc:  # the dossier stopped on purpose, or no space: a retry would
            raise AirflowFailException(f"dossier {Path(self.dossier).name}: {exc}") from exc  # do the same
        self.log.info("%s of dossier %s: %s", self.stage, Path(self.dossier).name, counts)
        context["ti"].xcom_push(key="counts", value=counts)
        return self.dossier

    def lineage_inputs(self) -> Sequence[str]:
        return [str(Path(self.dossier) / part) for part in self.reads]

    def lineage_outputs(self) -> Sequence[str]:
        return [str(Path(self.dossier) / part) for part in self.writes]


class CleanOperator(DossierStageOperator):
    """Orientation, border crop, deskew, blank pages; 24-bit masters and OCR working copies."""

    stage, reads, writes = "clean", ("pages",), ("clean",)


class OcrOperator(DossierStageOperator):
    """Tesseract (vie), one engine per worker process and core: hOCR, ALTO and text-only PDF per page.

    ``max_failed_ratio``: above this share of pages whose OCR failed, the dossier is stopped (failed).
    """

    template_fields: Sequence[str] = ("dossier", "max_failed_ratio")
    stage, reads, writes = "ocr", ("clean",), ("ocr",)

    def __init__(self, *, max_failed_ratio: float | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_failed_ratio = max_failed_ratio

    def stage_kwargs(self) -> dict[str, Any]:
        ratio = self.max_failed_ratio
        return {"max_failed_ratio": None if ratio in (None, "", "None") else float(ratio)}


class ExtractMetadataOperator(DossierStageOperator):
    """Documents of the dossier and their TT 05/2025 metadata with confidences."""

    stage, reads, writes = "extract", ("ocr",), ("documents.json", "rescan.json")


class PackageOperator(DossierStageOperator):
    """PDF/A two-layer files signed by the agency (PAdES) and the SIP_hoso package (validated) with its zip.

    ``signing_conn_id``: the Airflow connection (or secrets-backend entry) holding the agency's key: extra
    ``key`` and ``certificate`` (PEM text, or ``key_file``/``certificate_file`` paths), optional ``chain``
    (``chain_file``) and ``agency`` (the name shown; default: the certificate's organization), the key's
    passphrase as the password. Without it the PDFs stay unsigned and the dossier is held for review.

    Runs for every dossier once the quality checks are done; a dossier whose earlier stages failed is
    skipped here and reported as failed by deliver.
    """

    template_fields: Sequence[str] = ("dossier", "signing_conn_id")
    stage, reads, writes = "package", ("clean", "ocr", "documents.json"), ("package",)

    def __init__(self, *, signing_conn_id: str = SIGNING_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.signing_conn_id = signing_conn_id

    def stage_kwargs(self) -> dict[str, Any]:
        return {"signing": signing_identity(self.signing_conn_id, self.log)}

    def execute(self, context: Any) -> str:
        from airflow.sdk.exceptions import AirflowSkipException

        if not (Path(self.dossier) / "documents.json").exists():
            raise AirflowSkipException(f"dossier {Path(self.dossier).name} did not reach extract_metadata")
        return super().execute(context)


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
