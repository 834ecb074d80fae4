"""PDF files of documents: the check that a file is a readable PDF, PAdES signing and signature verification.

NĐ 30/2020/NĐ-CP Điều 5 and Phụ lục I: an electronic document has the legal value of the paper original when it
is signed digitally by the competent person and by the agency; the Văn thư applies the agency's signature
(Điều 32.2.d, 33.2). On arrival the Văn thư checks authenticity and integrity (Điều 21.2.a). Digitised documents
are PDF 1.4 or later (Phụ lục I Phần II).

Signing uses the agency's PKCS#12 certificate and writes a PAdES baseline signature (ETSI EN 319 142,
``ETSI.CAdES.detached``) as an incremental update, so earlier signatures (the signer's own) stay intact.
Verification checks every signature field against a trust list given by the caller: whether the signed bytes are
unchanged (intact), the signature value is correct (valid), the certificate chains to a trusted root (trusted),
and whether the signature covers the whole file (nothing was appended after it). No network access: revocation is
not fetched.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's DSA key type, which recent cryptography releases mark deprecated; DSA is never
# used here, and the warning would only clutter every command's error output.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

from congvu.errors import ConfigError, InvalidInput

# pyHanko logs a traceback for every untrusted chain; the result object already says so.
logging.getLogger("pyhanko").addHandler(logging.NullHandler())
logging.getLogger("pyhanko_certvalidator").addHandler(logging.NullHandler())

PDF_MAGIC = b"%PDF-"
# ISO 32000-1 §7.5.2: the header is on the first line; readers tolerate up to 1024 bytes of junk before it.
_HEADER_WINDOW = 1024


@dataclass(frozen=True)
class PdfInfo:
    version: str
    pages: int


def check_pdf(data: bytes, name: str) -> PdfInfo:
    """Make sure ``data`` is a PDF that can be read: header, cross-reference, page tree; raise InvalidInput."""
    start = data.find(PDF_MAGIC, 0, _HEADER_WINDOW)
    if start < 0:
        raise InvalidInput(
            f"Tệp '{name}' không phải PDF: thiếu phần đầu %PDF-",
            message_en=f"'{name}' is not a PDF: no %PDF- header", field="file")
    version = data[start + 5:start + 8].decode("ascii", "replace")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        pages = int(reader.root["/Pages"]["/Count"])
    except (PdfError, KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise InvalidInput(
            f"Tệp '{name}' có phần đầu PDF nhưng không đọc được: {error}",
            message_en=f"'{name}' has a PDF header but cannot be read: {error}", field="file") from None
    if pages < 1:
        raise InvalidInput(f"Tệp PDF '{name}' không có trang nào", message_en=f"'{name}' has no pages",
                           field="file")
    return PdfInfo(version, pages)


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer_name: str
    signer_subject: str
    issuer: str
    serial: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def load_certificates(blobs: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM or DER bytes (a PEM file may hold several)."""
    out: list[asn1_x509.Certificate] = []
    for data in blobs:
        if pem.detect(data):
            for _, _, der in pem.unarmor(data, multiple=True):
                out.append(asn1_x509.Certificate.load(der))
        else:
            out.append(asn1_x509.Certificate.load(data))
    return out


def _common_name(name: asn1_x509.Name) -> str:
    value = name.native.get("common_name") if isinstance(name.native, dict) else None
    if isinstance(value, list):
        value = value[-1]
    return str(value) if value else name.human_friendly


def verify_pdf_signatures(data: bytes, trust_roots: Sequence[asn1_x509.Certificate]) -> tuple[SignatureCheck, ...]:
    """Check every signature of a PDF; an empty tuple when it carries none."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"Không đọc được chữ ký trong tệp PDF: {error}",
                           message_en=f"Cannot read the PDF's signatures: {error}", field="file") from None
    results: list[SignatureCheck] = []
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False,
                                revocation_mode="soft-fail") if embedded else None
    for signature in embedded:
        status = validate_pdf_signature(signature, context)
        cert = status.signing_cert
        results.append(SignatureCheck(
            field_name=str(signature.field_name),
            signer_name=_common_name(cert.subject),
            signer_subject=cert.subject.human_friendly,
            issuer=cert.issuer.human_friendly,
            serial=format(cert.serial_number, "x"),
            signing_time=status.signer_reported_dt,
            intact=bool(status.intact),
            valid=bool(status.valid),
            trusted=bool(status.trusted),
            covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            summary=_summary(bool(status.intact), bool(status.valid), bool(status.trusted),
                             status.coverage == SignatureCoverageLevel.ENTIRE_FILE),
        ))
    return tuple(results)


def _summary(intact: bool, valid: bool, trusted: bool, whole: bool) -> str:
    if not intact or not valid:
        return "Chữ ký không hợp lệ: nội dung đã bị thay đổi sau khi ký"
    parts = ["Chữ ký còn nguyên vẹn"]
    parts.append("chứng thư tin cậy" if trusted else "chứng thư không thuộc danh sách tin cậy")
    if not whole:
        parts.append("tệp có phần thêm vào sau khi ký")
    return ", ".join(parts)


def summarise(checks: Sequence[SignatureCheck]) -> str:
    """One word for a file or a document: ``none``, ``trusted``, ``untrusted`` or ``broken``."""
    if not checks:
        return "none"
    if any(not c.intact or not c.valid for c in checks):
        return "broken"
    return "trusted" if all(c.trusted for c in checks) else "untrusted"


@dataclass(frozen=True)
class SigningKey:
    """An agency's signing certificate as a PKCS#12 archive and its passphrase."""

    pkcs12: bytes
    passphrase: bytes | None = None

    def signer(self) -> signers.SimpleSigner:
        try:
            return signers.SimpleSigner.load_pkcs12_data(self.pkcs12, other_certs=[], passphrase=self.passphrase)
        except (ValueError, TypeError) as error:
            raise ConfigError(
                f"Không mở được chứng thư ký số (PKCS#12): sai mật khẩu hoặc tệp hỏng ({error})",
                message_en=f"Cannot open the PKCS#12 signing certificate: {error}") from None


def sign_pdf(data: bytes, key: SigningKey, *, reason: str, location: str,
             field_name: str = "ChuKySoCoQuan") -> bytes:
    """Add the agency's PAdES signature to a PDF (incremental update) and return the signed bytes."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError) as error:
        raise InvalidInput(f"Không ký được tệp PDF: {error}", message_en=f"Cannot sign the PDF: {error}",
                           field="file") from None
    existing = {str(s.field_name) for s in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures}
    name, n = field_name, 2
    while name in existing:
        name, n = f"{field_name}{n}", n + 1
    meta = signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason, location=location)
    output = signers.sign_pdf(writer, meta, signer=key.signer())
    return output.getvalue()
