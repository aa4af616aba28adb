"""The agency's PAdES signature: visible block, intact after signing, tampering and foreign roots detected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from sohoa import poppler, sign
from sohoa.pdfa import check_pdfa
from sohoa.sign import SigningIdentity, make_certificate, sign_pdf, verify_pdf
from tests.conftest import stamp_lines, two_layer_pdf

WHEN = dt.datetime(2025, 7, 1, 8, 5, 9, tzinfo=dt.UTC)


@pytest.fixture
def pdfa(tmp_path: Path, page_lines: list) -> Path:
    return two_layer_pdf(tmp_path, page_lines, WHEN, producer=sign.producer())[0]


def test_signed_pdfa_is_intact_trusted_and_still_pdfa(pdfa: Path, signing_ca: dict[str, Any]) -> None:
    unsigned = pdfa.read_bytes()
    shown = sign_pdf(pdfa, pdfa, signing_ca["identity"], reason="Số hóa hồ sơ H30.01", when=WHEN)
    assert shown == {"agency": signing_ca["agency"], "signed_at": "2025-07-01T15:05:09+07:00"}
    data = pdfa.read_bytes()
    assert data.startswith(unsigned)  # an incremental update: the PDF/A revision is kept byte for byte
    check = verify_pdf(pdfa, signing_ca["root"])
    assert (check.signed, check.intact, check.whole_file, check.trusted, check.ok) == (True, True, True, True, True)
    assert "TRUNG TÂM LƯU TRỮ LỊCH SỬ TỈNH HẬU GIANG" in check.signer
    assert check_pdfa(pdfa) == []
    with pikepdf.open(pdfa) as pdf:
        widget = pdf.pages[0].Annots[0]
        assert widget.FT == "/Sig" and int(widget.F) & 4  # printed
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        assert x0 > width / 2 and y0 > height * 0.85 and x1 <= width and y1 <= height  # top right of page 1
        assert "/Annots" not in pdf.pages[1].obj
    assert stamp_lines(pdfa) == ["BẢN SỐ HÓA", "TRUNG TÂM LƯU TRỮ LỊCH SỬ TỈNH HẬU GIANG", "2025-07-01T15:05:09+07:00"]
    text = poppler.pdf_text(pdfa)  # the block is drawn, not text: extraction finds the OCR layer alone
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BẢN SỐ HÓA" not in text and "2025-07-01" not in text


def test_changed_bytes_appended_revisions_and_foreign_roots_are_caught(
    pdfa: Path, signing_ca: dict[str, Any], tmp_path: Path
) -> None:
    sign_pdf(pdfa, pdfa, signing_ca["identity"], when=WHEN)
    data = pdfa.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0x01  # inside the page image, which the signature covers
    (tmp_path / "flipped.pdf").write_bytes(bytes(flipped))
    check = verify_pdf(tmp_path / "flipped.pdf", signing_ca["root"])
    assert not check.intact and check.problem == "the signed bytes were changed"
    with pikepdf.open(pdfa) as pdf:  # someone edits the signed file and saves it as a new revision
        pdf.docinfo["/Title"] = "đã sửa"
        pdf.save(tmp_path / "edited.pdf")
    check = verify_pdf(tmp_path / "edited.pdf", signing_ca["root"])
    assert not check.ok and check.problem
    _, stranger = make_certificate("Other CA", "Another", ca=True)
    check = verify_pdf(pdfa, stranger)
    assert check.intact and check.trusted is False and not check.ok
    assert check.problem == "the signer's certificate does not chain to the trusted roots"


def test_unsigned_and_unreadable_identities(pdfa: Path) -> None:
    assert verify_pdf(pdfa).problem == "no digital signature"
    with pytest.raises(sign.SigningError, match="cannot be read"):
        sign_pdf(pdfa, pdfa, SigningIdentity(b"not a key", b"not a certificate"))


def test_local_identity_is_made_once_and_private(tmp_path: Path) -> None:
    key, cert = sign.local_identity(tmp_path / "signing")
    assert key.stat().st_mode & 0o077 == 0
    again = sign.local_identity(tmp_path / "signing")
    assert again == (key, cert) and key.read_bytes() == again[0].read_bytes()
    identity = SigningIdentity(key.read_bytes(), cert.read_bytes())
    assert identity.agency_name() == "sohoa (chữ ký thử nghiệm)"


def test_an_agency_key_on_an_elliptic_curve_signs_too(pdfa: Path) -> None:
    """The key is loaded into OpenSSL once per signer (sohoa's signer); RSA and ECDSA keys both sign with it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SỞ NỘI VỤ TỈNH QUẢNG NGÃI")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    identity = SigningIdentity(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()), cert_pem)
    for _ in range(2):  # the second signature with the key already loaded
        shown = sign_pdf(pdfa, pdfa.with_name("signed.pdf"), identity, when=WHEN)
        check = verify_pdf(pdfa.with_name("signed.pdf"), cert_pem)
        assert shown["agency"] == "SỞ NỘI VỤ TỈNH QUẢNG NGÃI" and (check.intact, check.trusted) == (True, True)
