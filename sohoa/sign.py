"""The agency's digital signature on each PDF/A file (PAdES baseline B-B, pyHanko), and its verification.

TT 05/2025 asks for the digitizing agency's signature on every digitized file, shown as a text block at the
top right of page 1 (form of copy, agency name, signing time in ISO 8601 Vietnam time; Times New Roman 10,
regular, black, no seal image). The signature is added as an incremental update after the PDF/A file is
written, so the PDF/A revision stays byte for byte what was built; the text block is drawn as the outlines
of Liberation Serif's glyphs (metric-compatible with Times New Roman), so no font needs embedding and text
extraction finds only the page's OCR text.

Key and certificate come from the caller (an Airflow connection in production): never from the repository.
`local_identity` makes a self-signed one for the embedded default and tests, named as such.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from sohoa.vocab import nfc

VN = dt.timezone(dt.timedelta(hours=7))
FIELD = "ChuKySo"  # the signature field's name
FORM_OF_COPY = "BẢN SỐ HÓA"
BOX_WIDTH, BOX_HEIGHT, MARGIN = 220.0, 46.0, 14.0  # points; the text block at the top right of page 1
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
LOCAL_SIGNER_NOTE = "self-signed local certificate (embedded default), not an agency certificate"


class SigningError(RuntimeError):
    pass


@dataclass(frozen=True)
class SigningIdentity:
    """PEM key and certificate (plus the chain up to the agency's CA) of the signing agency."""

    key_pem: bytes = field(repr=False)  # never in a log line, a traceback or an error message
    cert_pem: bytes
    chain_pem: bytes = b""
    passphrase: bytes | None = field(default=None, repr=False)
    agency: str = ""  # the name in the visible block; empty: the certificate's O (or CN)

    @property
    def signer(self) -> Any:
        """pyHanko's signer of this key (parsed once per process: forked workers inherit it)."""
        return _signer(self.key_pem, self.cert_pem, self.chain_pem, self.passphrase)

    def agency_name(self) -> str:
        if self.agency:
            return nfc(self.agency)
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        subject = x509.load_pem_x509_certificate(self.cert_pem).subject
        for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
            if names := subject.get_attributes_for_oid(oid):
                return nfc(str(names[0].value))
        return ""


@lru_cache(maxsize=4)
def _signer(key_pem: bytes, cert_pem: bytes, chain_pem: bytes, passphrase: bytes | None) -> Any:
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        key = load_private_key_from_pemder_data(key_pem, passphrase=passphrase)
        cert = next(iter(load_certs_from_pemder_data(cert_pem)))
        chain = list(load_certs_from_pemder_data(chain_pem)) if chain_pem.strip() else []
    except (ValueError, TypeError, StopIteration) as exc:
        raise SigningError(f"the signing key or certificate cannot be read: {exc or 'no certificate'}") from exc
    return _kept_key_signer()(signing_cert=cert, signing_key=key,
                              cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


@cache
def _kept_key_signer() -> type:
    """pyHanko's SimpleSigner with its private key loaded into OpenSSL once: SimpleSigner loads it again for
    every signature, and checking an RSA key on loading takes three times as long as signing with it. RSA
    (PKCS #1 v1.5) and ECDSA are signed here; any other mechanism as pyHanko does."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeptKeySigner(signers.SimpleSigner):
        @cached_property
        def _key(self) -> Any:
            return serialization.load_der_private_key(self.signing_key.dump(), password=None)

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            try:
                mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            except ValueError:
                mechanism = None
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15":
                return self._key.sign(data, PKCS1v15(), hash_algo)
            if mechanism == "ecdsa":
                return self._key.sign(data, ECDSA(hash_algo))
            return super().sign_raw(data, digest_algorithm)

    return KeptKeySigner


def vn_iso(moment: dt.datetime) -> str:
    return moment.astimezone(VN).isoformat(timespec="seconds")


@cache
def _glyphs() -> Any:
    from fontTools.ttLib import TTFont

    if not FONT.is_file():
        raise SigningError(f"{FONT} is missing (Debian package fonts-liberation2): the signature text needs it")
    return TTFont(FONT)


def stamp_drawing(lines: list[str], size: float = 10.0, leading: float = 12.0) -> tuple[bytes, float, float]:
    """PDF drawing operators of the signature block's lines set in Liberation Serif (metric-compatible with
    Times New Roman), black, as the glyphs' outlines; with the block's width and height in points.

    Outlines rather than text: the block is printed on the page but is no part of what was scanned, so a text
    extractor reading the page (search, the text layer an auditor compares with the scan) finds only the OCR
    text; the signature's own dictionary says the same things in machine-readable form."""
    from fontTools.pens.basePen import BasePen
    from fontTools.pens.transformPen import TransformPen

    font = _glyphs()
    cmap, glyph_set, metrics = font.getBestCmap(), font.getGlyphSet(), font["hmtx"].metrics
    scale = size / font["head"].unitsPerEm
    ops: list[str] = []

    class Pen(BasePen):
        def _moveTo(self, pt: tuple[float, float]) -> None:
            ops.append(f"{pt[0]:.2f} {pt[1]:.2f} m")

        def _lineTo(self, pt: tuple[float, float]) -> None:
            ops.append(f"{pt[0]:.2f} {pt[1]:.2f} l")

        def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float], p3: tuple[float, float]) -> None:
            ops.append(" ".join(f"{v:.2f}" for v in (*p1, *p2, *p3)) + " c")

        def _closePath(self) -> None:
            ops.append("h")

    pen, width = Pen(glyph_set), 0.0
    height = leading * (len(lines) - 1) + size
    for i, line in enumerate(lines):
        x, baseline = 0.0, height - size * 0.8 - i * leading
        for ch in nfc(line):
            name = cmap.get(ord(ch), ".notdef")
            glyph_set[name].draw(TransformPen(pen, (scale, 0, 0, scale, x, baseline)))
            x += metrics[name][0] * scale
        width = max(width, x)
    return ("0 g\n" + "\n".join(ops) + "\nf\n").encode("ascii"), width, height


def sign_pdf(src: Path, dst: Path, identity: SigningIdentity, *, reason: str = "", location: str = "",
             when: dt.datetime | None = None) -> dict[str, str]:
    """Sign ``src`` into ``dst`` (through a temporary name); returns what the visible block says."""
    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    signer = identity.signer
    when = when or dt.datetime.now(VN)
    agency, signed_at = identity.agency_name(), vn_iso(when)
    drawing, width, height = stamp_drawing([FORM_OF_COPY, agency, signed_at])
    style = StaticStampStyle(background=RawContent(drawing, box=BoxConstraints(width=width, height=height)),
                             background_opacity=1.0, border_width=0)
    tmp = dst.with_name(f".{dst.name}.signing")
    with open(src, "rb") as inf:
        writer = IncrementalPdfFileWriter(inf, strict=False)
        box = writer.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]
        right, top = float(box[2]), float(box[3])
        rect = (right - MARGIN - BOX_WIDTH, top - MARGIN - BOX_HEIGHT, right - MARGIN, top - MARGIN)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=nfc(reason) or None, location=nfc(location) or None, name=agency or None,
        )
        pdf_signer = signers.PdfSigner(
            meta, signer=signer, stamp_style=style,
            new_field_spec=fields.SigFieldSpec(FIELD, on_page=0, box=tuple(round(v) for v in rect)),  # type: ignore[arg-type]
        )
        with open(tmp, "wb") as out:
            # room for the CMS container, in hex digits: the certificates (their PEM is longer than their DER)
            # plus 4 KiB for the signed attributes and the signature; pyHanko would otherwise find it by
            # signing a first time, which doubled the cost of signing
            reserved = 2 * (len(identity.cert_pem) + len(identity.chain_pem) + 4096)
            pdf_signer.sign_pdf(writer, output=out, bytes_reserved=reserved)
    tmp.replace(dst)
    return {"agency": agency, "signed_at": signed_at}


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool  # the signed bytes are unchanged and the signature value matches them
    whole_file: bool  # nothing was appended after the signature
    trusted: bool | None  # chain to the given trust roots (None: no roots given)
    signer: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.whole_file and self.trusted is not False


def verify_pdf(path: Path, trust_roots_pem: bytes | None = None) -> SignatureCheck:
    """Check the last signature of ``path``: intact, covering the whole file, and (given roots) trusted."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        with open(path, "rb") as fh:
            signatures = PdfFileReader(fh, strict=False).embedded_signatures
            if not signatures:
                return SignatureCheck(False, False, False, None, problem="no digital signature")
            # without roots to trust, none: the machine's own store would be read for every file, to no end
            roots = list(load_certs_from_pemder_data(trust_roots_pem)) if trust_roots_pem else []
            context = ValidationContext(trust_roots=roots)
            quiet = logging.getLogger("pyhanko")  # it logs a traceback for an untrusted chain; we report it
            level, quiet.level = quiet.level, logging.CRITICAL
            try:
                status = validate_pdf_signature(signatures[-1], context, skip_diff=True)
            finally:
                quiet.setLevel(level)
    except (PdfReadError, ValueError, OSError) as exc:
        return SignatureCheck(False, False, False, None, problem=f"the signature cannot be read: {exc}")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    trusted = bool(status.trusted) if trust_roots_pem else None
    problem = ("the signed bytes were changed" if not status.intact or not status.valid
               else "the file was changed after it was signed" if not whole
               else "the signer's certificate does not chain to the trusted roots" if trusted is False else "")
    return SignatureCheck(True, bool(status.intact and status.valid), whole, trusted,
                          signer=status.signing_cert.subject.human_friendly, problem=problem)


def make_certificate(common_name: str, organization: str, *, issuer: tuple[bytes, bytes] | None = None,
                     ca: bool = False, days: int = 3650) -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM): self-signed, or issued by ``issuer`` = (key PEM, certificate PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, nfc(organization)),
                      x509.NameAttribute(NameOID.COMMON_NAME, nfc(common_name))])
    issuer_key, issuer_name = key, name
    if issuer is not None:
        issuer_key = serialization.load_pem_private_key(issuer[0], password=None)  # type: ignore[assignment]
        issuer_name = x509.load_pem_x509_certificate(issuer[1]).subject
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(issuer_key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def local_identity(folder: Path, agency: str = "sohoa (chữ ký thử nghiệm)") -> tuple[Path, Path]:
    """Key and certificate files of a self-signed local signer in ``folder``, made once; the key is readable
    by its owner only (0600, in a 0700 folder), from the moment it is created."""
    key_path, cert_path = folder / "signing-key.pem", folder / "signing-cert.pem"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    if not (key_path.is_file() and cert_path.is_file()):
        key_pem, cert_pem = make_certificate("sohoa self-signed local certificate", agency)
        key_path.unlink(missing_ok=True)
        with os.fdopen(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            fh.write(key_pem)
        cert_path.write_bytes(cert_pem)
    key_path.chmod(0o600)
    return key_path, cert_path


def producer() -> str:
    """What pyHanko writes as the producer of the revision it adds (see `sohoa.pdfa.build_pdfa`)."""
    from pyhanko.pdf_utils.metadata.model import VENDOR

    return str(VENDOR)
