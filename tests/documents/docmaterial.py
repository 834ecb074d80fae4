"""Test material made on the spot: small real PDFs and a certification authority with agency certificates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from congvu.demo.pdf import PAGE_LINES
from congvu.demo.pdf import make_pdf as pdf_of_lines
from congvu.documents.models import DraftInput, FileInput, Signer
from congvu.installation import Installation


def make_pdf(text: str = "Cong van so 01", *, pages: int = 1) -> bytes:
    """A valid PDF with ``pages`` pages, each showing ``text`` and its page number (the demo's PDF maker)."""
    lines: list[str] = []
    for i in range(pages):
        lines += [f"{text} - trang {i + 1}"] + [""] * (PAGE_LINES - 1)
    return pdf_of_lines(lines)


@dataclass(frozen=True)
class Authority:
    """A certification authority made for a test: its certificate and key."""

    name: str
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue_pkcs12(self, common_name: str, organisation: str, passphrase: bytes = b"matkhau") -> bytes:
        """A PKCS#12 with a signing certificate for ``common_name`` issued by this authority."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                             x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=False, crl_sign=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(self.key, hashes.SHA256()))
        return pkcs12.serialize_key_and_certificates(
            common_name.encode(), key, cert, [self.certificate],
            serialization.BestAvailableEncryption(passphrase))


def make_authority(name: str = "CA thử nghiệm tỉnh Đồng Nai") -> Authority:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=2)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Authority(name, cert, key)


def province_tree(inst: Installation) -> None:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.01", name="Văn phòng Ủy ban nhân dân tỉnh", short_name="VPUBND",
                   level="department", parent="H19")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code="H19.18", name="Sở Nội vụ", short_name="SNV", level="department", parent="H19")
    d.agencies.add(code="H19.31", name="UBND huyện Thống Nhất", short_name="UBND", level="district", parent="H19")
    d.groups.add("cacso@dongnai.gov.vn", name="Các sở, ban, ngành", rule="level=department")


def cong_van(**changes: object) -> DraftInput:
    """A công văn of the provincial office to the Department of Information and Communications."""
    draft = DraftInput(
        agency="H19.01", doc_type="cong_van", drafting_unit="TTTH",
        subject="V/v tăng cường sử dụng thư điện tử công vụ",
        signer=Signer("Trần Văn Vĩnh", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
        main_file=FileInput("6806-UBND-TTTH.pdf", make_pdf("Cong van 6806")),
        kinh_gui=("H19.04",))
    return replace(draft, **changes)  # type: ignore[arg-type]
