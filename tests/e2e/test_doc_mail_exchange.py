"""Two provinces, each a real `congvu serve`, exchanging an official document over SMTP.

Đồng Nai (A) issues a document to an agency of Khánh Hòa (B) that it reaches only at its official address; A's
delivery worker carries the mail to B's MX (a ``[delivery.routes]`` entry in each ``congvu.toml`` points the other
domain at the other's SMTP port on loopback); B's SMTP server delivers it into the agency mailbox and its
documents side registers the package on arrival; B's clerk registers and assigns it with ``congvu doc``; the
statuses travel back the same way and A sees them per recipient. The workers poll every 0.2 s, so the waits
below end as soon as the mail has gone through.
"""

from __future__ import annotations

import json
import signal
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from nsd_peer import free_port
from two_provinces import Province, configure, eventually, pg_schema, serve

from congvu.cli.main import main
from congvu.demo.pdf import make_pdf
from congvu.documents.models import IncomingEntry, QuarantineItem, RecipientView
from congvu.documents.service import documents_for
from congvu.mailstore.api import INBOX

PASSWORD = "Matkhau@2026"


@pytest.fixture
def provinces(tmp_path: Path, database_url: str | None, backend: str,
              request: pytest.FixtureRequest) -> Iterator[tuple[Province, Province]]:
    a = Province(tmp_path / "dongnai", "dongnai.gov.vn", free_port())
    b = Province(tmp_path / "khanhhoa", "khanhhoa.gov.vn", free_port())
    urls = {a: database_url, b: pg_schema(request) if backend == "postgresql" else None}
    for p in (a, b):
        extra = ["--database-url", urls[p]] if urls[p] else []
        assert main(["init", *p.flag, "--domain", p.domain, "--admin-password", PASSWORD, *extra]) == 0
    dead_dns = free_port()  # DNS that answers nothing, at once
    configure(a, b, dns_port=dead_dns, dns_timeout_s=0.3)
    configure(b, a, dns_port=dead_dns, dns_timeout_s=0.3)
    assert main(["agency", "add", "--code", "H19", "--name", "Ủy ban nhân dân tỉnh Đồng Nai", "--short-name",
                 "UBND", "--level", "province", *a.flag]) == 0
    assert main(["agency", "add", "--code", "H19.01", "--name", "Văn phòng Ủy ban nhân dân tỉnh", "--short-name",
                 "VPUBND", "--level", "department", "--parent", "H19", *a.flag]) == 0
    assert main(["doc", "profile", "--agency", "H19.01", "--place", "Biên Hòa", *a.flag]) == 0
    assert main(["agency", "add", "--code", "H47", "--name", "Ủy ban nhân dân tỉnh Khánh Hòa", "--short-name",
                 "UBND", "--level", "province", *b.flag]) == 0
    assert main(["agency", "add", "--code", "H47.05", "--name", "Sở Nội vụ tỉnh Khánh Hòa", "--short-name",
                 "SNV", "--level", "department", "--parent", "H47", *b.flag]) == 0
    assert main(["doc", "mail-agency", "--add", "H47.05", "--address", "snv@khanhhoa.gov.vn", "--name",
                 "Sở Nội vụ tỉnh Khánh Hòa", *a.flag]) == 0
    servers = [serve(a), serve(b)]
    try:
        yield a, b
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGTERM)
        for proc in servers:
            assert proc.wait(timeout=60) == 0


def recipient_status(a: Province, document_id: str, agency: str) -> RecipientView:
    inst = a.open()
    try:
        return next(r for r in documents_for(inst).outgoing.status(document_id) if r.agency == agency)
    finally:
        inst.close()


def incoming(b: Province, agency: str) -> list[IncomingEntry]:
    inst = b.open()
    try:
        return documents_for(inst).incoming.list(agency)
    finally:
        inst.close()


def quarantined(b: Province) -> list[QuarantineItem]:
    inst = b.open()
    try:
        return documents_for(inst).quarantine.list()
    finally:
        inst.close()


def agency_inbox(b: Province, address: str) -> list[bytes]:
    inst = b.open()
    try:
        account = inst.directory.accounts.show(address)
        folder = inst.mailstore.find_folder(account.id, INBOX)
        return [inst.mailstore.read_raw(account.id, folder.id, m.uid)
                for m in inst.mailstore.snapshot(account.id, folder.id).messages]
    finally:
        inst.close()


def test_document_by_mail_between_two_installations(provinces: tuple[Province, Province], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    a, b = provinces
    pdf = tmp_path / "1468-UBND-VHXH.pdf"
    pdf.write_bytes(make_pdf(["Công văn số 1468/UBND-VHXH", "Về gửi, nhận văn bản điện tử"]))
    capsys.readouterr()
    assert main(["doc", "issue", "--agency", "H19.01", "--type", "cong_van", "--unit", "VHXH", "--subject",
                 "V/v gửi, nhận văn bản điện tử qua hộp thư công vụ", "--signer-name", "Trần Văn Vĩnh",
                 "--signer-position", "Phó Chủ tịch", "--signer-authority", "KT. CHỦ TỊCH", "--to", "H47.05",
                 "--file", str(pdf), "--json", *a.flag]) == 0
    issued = json.loads(capsys.readouterr().out)
    document_id = issued["document_id"]
    assert issued["recipients"][0]["transport"] == "mail"

    # B registers it on arrival (status 01 goes back to A by mail)
    entry, = eventually(lambda: incoming(b, "H47.05"), "the document at Khánh Hòa")
    assert entry.document_id == document_id and entry.status == "01"
    assert eventually(lambda: recipient_status(a, document_id, "H47.05").status == "01" or None, "status 01")
    # the clerk sees the message in the agency mailbox
    message, = agency_inbox(b, "snv@khanhhoa.gov.vn")
    assert b"edxml" in message and b"vpubnd@dongnai.gov.vn" in message

    assert main(["doc", "register", str(entry.id), *b.flag]) == 0
    assert main(["doc", "assign", str(entry.id), "--unit", "Phòng Cải cách hành chính", "--instruction",
                 "Chủ trì thực hiện", *b.flag]) == 0
    final = eventually(lambda: (r := recipient_status(a, document_id, "H47.05")).status == "04" and r,
                       "status 04 at Đồng Nai")
    assert "Chủ trì" in (final.description or "")
    inst = a.open()
    try:
        history = [e.status for e in documents_for(inst).statuses.history(document_id) if e.direction == "received"]
    finally:
        inst.close()
    assert history == ["01", "03", "04"]

    # the same mail arriving twice is not registered twice
    with smtplib.SMTP("127.0.0.1", b.smtp_port, timeout=30) as smtp:
        smtp.sendmail("vpubnd@dongnai.gov.vn", ["snv@khanhhoa.gov.vn"], message)
    dup, = eventually(lambda: quarantined(b), "the duplicate set aside")
    assert dup.reason == "duplicate" and dup.transport == "mail"
    assert len(incoming(b, "H47.05")) == 1 and incoming(b, "H47.05")[0].status == "04"

    # ordinary mail to the agency mailbox is delivered as it is and nothing else happens
    plain = EmailMessage()
    plain["From"] = "Trần Văn Vinh <vinhtv@dongnai.gov.vn>"
    plain["To"] = "snv@khanhhoa.gov.vn"
    plain["Subject"] = "Trao đổi về lịch tập huấn"
    plain.set_content("Kính gửi Sở Nội vụ, xin gửi lịch tập huấn.\n")
    with smtplib.SMTP("127.0.0.1", b.smtp_port, timeout=30) as smtp:
        assert smtp.send_message(plain) == {}
    arrived = eventually(lambda: (box := agency_inbox(b, "snv@khanhhoa.gov.vn")) and len(box) == 3 and box,
                         "the ordinary mail")
    body_sent = plain.as_bytes().split(b"\n\n", 1)[1]
    assert arrived[-1].replace(b"\r\n", b"\n").endswith(body_sent)  # delivered as sent, nothing added or removed
    assert len(incoming(b, "H47.05")) == 1 and len(quarantined(b)) == 1
