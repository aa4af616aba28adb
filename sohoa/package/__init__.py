"""TT 05/2025 packages: SIP_hoso and AIP_hoso folders (METS, simpledc "EAD", PREMIS), their validation and ZIP."""

from .build import build_draft, build_package, data_name, schema_dir, validate_package, zip_package
from .model import AIP_HOSO, PACKAGE_TYPES, SIP_HOSO, DocumentDescription, DossierDescription, PackageError
from .premis import Agent

__all__ = [
    "AIP_HOSO",
    "PACKAGE_TYPES",
    "SIP_HOSO",
    "Agent",
    "DocumentDescription",
    "DossierDescription",
    "PackageError",
    "build_draft",
    "build_package",
    "data_name",
    "schema_dir",
    "validate_package",
    "zip_package",
]
