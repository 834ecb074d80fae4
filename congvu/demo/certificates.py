"""A demo certification authority and agency signing certificates, so the sample documents carry real PAdES
signatures that the receiving agencies find intact, valid and trusted.

The authority stands in for the government CA (Ban Cơ yếu Chính phủ issues the agencies' certificates, NĐ
30/2020/NĐ-CP Điều 5); it exists only in the demo's data folder. Certificates follow RFC 5280: the root is a CA
with ``keyCertSign``; an agency certificate has ``digitalSignature`` and ``nonRepudiation`` (contentCommitment)
for document signing, and is valid from a month before the demo's first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = b"congvu-demo"


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=sign, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


@dataclass(frozen=True)
class DemoAuthority:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def agency_pkcs12(self, name: str, code: str, *, since: datetime) -> bytes:
        """A PKCS#12 (protected by :data:`PASSPHRASE`) with a signing certificate for the agency."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, code),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tỉnh Đồng Nai (mẫu)"),
                             x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(since).not_valid_after(since + timedelta(days=3 * 365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_usage(sign=True, ca=False), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(self.key, hashes.SHA256()))
        return pkcs12.serialize_key_and_certificates(
            code.encode("ascii"), key, cert, [self.certificate], serialization.BestAvailableEncryption(PASSPHRASE))


def make_authority(*, since: datetime | None = None) -> DemoAuthority:
    start = since or datetime.now(UTC) - timedelta(days=60)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA mẫu của CôngVụ (chỉ dùng thử)"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=10 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(sign=False, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return DemoAuthority(cert, key)
