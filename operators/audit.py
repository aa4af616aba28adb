"""audit_fixity: re-read delivered objects and re-check them against their manifests and the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from operators.base import SohoaOperator, s3_client


class AuditFixityOperator(SohoaOperator):
    """Recomputes the SHA-256 of every delivered object under ``output_uri`` and checks the ledger's hash
    chain; fails (without retrying) naming every object or ledger line that was altered, deleted, added or
    reordered."""

    template_fields: Sequence[str] = ("output_uri", "aws_conn_id")

    def __init__(self, *, output_uri: str, aws_conn_id: str | None = "aws_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.output_uri = output_uri
        self.aws_conn_id = aws_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from sohoa.ledger import audit
        from sohoa.storage import storage_for

        if not self.output_uri:
            raise AirflowFailException("no output to audit: set the Param output_uri or the Variable "
                                       "sohoa_output_uri")
        result = audit(storage_for(self.output_uri, s3_client(self.output_uri, self.aws_conn_id)))
        for problem in result["problems"]:
            self.log.error("fixity: %s", problem)
        if result["problems"]:
            raise AirflowFailException(f"{len(result['problems'])} fixity problem(s) under {self.output_uri}: "
                                       + "; ".join(result["problems"][:20]))
        self.log.info("fixity of %s: %d object(s) and %d ledger line(s) verified", self.output_uri,
                      result["objects"], result["entries"])
        return {"objects": result["objects"], "entries": result["entries"]}

    def lineage_inputs(self) -> Sequence[str]:
        return [self.output_uri] if self.output_uri else []
