"""Key material made at ``congvu init``: a self-signed TLS certificate for ``mail.DOMAIN`` and a DKIM key."""

from __future__ import annotations

import base64
import datetime as dt
import os
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

TLS_VALID_DAYS = 825


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def make_tls_certificate(cert_path: Path, key_path: Path, hostname: str, domain: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, domain)])
    now = dt.datetime.now(dt.UTC)
    sans = [x509.DNSName(hostname), x509.DNSName(domain), x509.DNSName("localhost")]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=TLS_VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def make_dkim_key(key_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.TraditionalOpenSSL,
                                               serialization.NoEncryption()))


def dkim_dns_value(key_path: Path) -> str:
    """The TXT record value publishing the DKIM public key (RFC 6376 §3.6.1)."""
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode("ascii")


SRS_SECRET_BYTES = 32


def srs_secret(path: Path) -> bytes:
    """The secret of the sender rewriting scheme (:mod:`congvu.mail.srs`), made on first use and kept: a new one
    would make the bounces of mail forwarded before it unreturnable. Several processes may ask at once."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            data = path.read_bytes()  # another process made it meanwhile
        else:
            data = os.urandom(SRS_SECRET_BYTES)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    for _ in range(100):  # another process may still be writing the file it has just made
        if len(data) >= SRS_SECRET_BYTES:
            return data
        time.sleep(0.01)
        data = path.read_bytes()
    raise ValueError(f"{path}: the SRS secret is too short")
