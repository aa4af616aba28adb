"""TT 05/2025 packages: SIP_hoso folders (METS + simpledc "EAD" metadata), their validation and ZIP."""

from .build import build_sip, data_name, schema_dir, validate_package, zip_package
from .model import DocumentDescription, DossierDescription, PackageError

__all__ = [
    "DocumentDescription",
    "DossierDescription",
    "PackageError",
    "build_sip",
    "data_name",
    "schema_dir",
    "validate_package",
    "zip_package",
]
