"""What the document page tests share: a province whose agencies exchange documents inside one installation, the
people who work on them, real PDFs, and a signed-in browser on the web application of that installation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, Browser

from congvu.demo.pdf import make_pdf as pdf_of_lines
from congvu.documents.models import DraftInput, FileInput, IncomingEntry, OutgoingDocument, Signer
from congvu.documents.service import DocumentService
from congvu.installation import Installation
from congvu.web.app import create_app

OFFICE = "H19.01"  # Văn phòng UBND tỉnh: sends documents
DEPARTMENT = "H19.04"  # Sở Thông tin và Truyền thông: receives them
DIVISION = "H19.04.01"  # a division of the department
FINANCE = "H19.05"  # Sở Tài chính: another agency, kept out


def make_pdf(text: str = "Cong van so 01") -> bytes:
    return pdf_of_lines([text, "Noi dung van ban"])


@dataclass(frozen=True)
class DocWorld:
    inst: Installation
    app: FastAPI
    clerk: str  # văn thư of H19.04
    leader: str  # lãnh đạo of H19.04
    specialist: str  # chuyên viên at H19.04.01, no role
    office_clerk: str  # văn thư of H19.01, the sender
    outsider: str  # văn thư of H19.05

    @property
    def docs(self) -> DocumentService:
        return self.app.state.web.docs  # type: ignore[no-any-return]

    def browser(self, address: str) -> Browser:
        b = Browser(TestClient(self.app, base_url="http://testserver"))
        response = b.sign_in(address, PASSWORD)
        assert response.status_code == 303, response.text
        return b

    def send(self, subject: str = "V/v tăng cường sử dụng thư điện tử công vụ", *, to: tuple[str, ...] = (
            DEPARTMENT,), due: dt.date | None = None, **changes: object) -> OutgoingDocument:
        """The office issues a công văn to ``to``; inside the installation it arrives at once."""
        draft = DraftInput(agency=OFFICE, doc_type="cong_van", drafting_unit="TTTH", subject=subject,
                           signer=Signer("Trần Văn Vĩnh", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
                           main_file=FileInput("cong-van.pdf", make_pdf(subject.encode("ascii", "ignore").decode())),
                           kinh_gui=to, due_date=due)
        return self.docs.issue(replace(draft, **changes), actor=self.office_clerk)  # type: ignore[arg-type]

    def entry(self, document_id: str, agency: str = DEPARTMENT) -> IncomingEntry:
        return self.docs.incoming.find(agency, document_id)


def make_world(inst: Installation) -> DocWorld:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code=OFFICE, name="Văn phòng Ủy ban nhân dân tỉnh", short_name="VPUBND", level="department",
                   parent="H19")
    d.agencies.add(code=DEPARTMENT, name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code=DIVISION, name="Phòng Công nghệ thông tin", short_name="PCNTT", level="division",
                   parent=DEPARTMENT)
    d.agencies.add(code=FINANCE, name="Sở Tài chính", short_name="STC", level="department", parent="H19")
    people = {}
    for key, name, agency, position, roles in (
            ("clerk", "Nguyễn Thị Lan", DEPARTMENT, "Văn thư", ["clerk"]),
            ("leader", "Phạm Văn Hùng", DEPARTMENT, "Giám đốc", ["leader"]),
            ("specialist", "Đỗ Văn Dũng", DIVISION, "Chuyên viên", []),
            ("office_clerk", "Lê Thị Hoa", OFFICE, "Văn thư", ["clerk"]),
            ("outsider", "Trần Thị Mai", FINANCE, "Văn thư", ["clerk"])):
        people[key] = d.accounts.add(full_name=name, agency=agency, position=position, password=PASSWORD,
                                     roles=roles).account.address
    app = create_app(inst)
    world = DocWorld(inst, app, **people)
    world.docs.profiles.set_place(OFFICE, "Biên Hòa")
    world.docs.profiles.set_place(DEPARTMENT, "Biên Hòa")
    return world


def form_action(html: str, suffix: str) -> str:
    found = re.findall(r'<form method="post" action="([^"]+)"', html)
    matching = [a for a in found if a.endswith(suffix)]
    assert matching, f"no form ending in {suffix}: {found}"
    return matching[0]


def signing_key_p12(common_name: str = "Sở Thông tin và Truyền thông") -> tuple[bytes, bytes]:
    """A self-made CA's certificate (PEM) and a PKCS#12 signed by it, to test signing at issue."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA thử nghiệm")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(b"key", key, cert, [ca],
                                                serialization.BestAvailableEncryption(b"matkhau"))
    return ca.public_bytes(serialization.Encoding.PEM), p12
