"""The whole product in one process, as `congvu serve` runs it: submission → local delivery → IMAP, and the web."""

from __future__ import annotations

import imaplib
import json
import re
import signal
import smtplib
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from congvu.cli.main import main

PASSWORD = "Matkhau@2026"


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the installation's self-signed certificate
    return context


@pytest.fixture
def served(tmp_path: Path, database_url: str | None) -> Iterator[dict[str, int]]:
    data = tmp_path / "inst"
    extra = ["--database-url", database_url] if database_url else []
    assert main(["init", "--data", str(data), "--domain", "dongnai.gov.vn", "--admin-password", PASSWORD,
                 *extra]) == 0
    d = ["--data", str(data)]
    assert main(["agency", "add", "--code", "H19", "--name", "Ủy ban nhân dân tỉnh Đồng Nai", "--short-name",
                 "UBND", "--level", "province", *d]) == 0
    assert main(["agency", "add", "--code", "H19.04", "--name", "Sở Thông tin và Truyền thông", "--short-name",
                 "STTTT", "--level", "department", "--parent", "H19", *d]) == 0
    for name in ("Trần Văn Vinh", "Nguyễn Thị Lan"):
        assert main(["account", "add", "--name", name, "--agency", "H19.04", "--password", PASSWORD, *d]) == 0
    assert main(["account", "grant", "lannt@dongnai.gov.vn", "clerk", "--agency", "H19.04", *d]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", *d, "--host", "127.0.0.1",
                             *[f"--{n}-port=auto" for n in ("http", "smtp", "submission", "smtps", "imap",
                                                             "imaps")]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ports: dict[str, int] = {}
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while len(ports) < 6 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.search(r"congvu: (\w+) đang nghe tại [\d.]+:(\d+)", line)
        if match:
            ports[match.group(1)] = int(match.group(2))
    try:
        assert len(ports) == 6, (ports, proc.stderr.read() if proc.poll() is not None else "")
        yield ports
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def test_submission_delivers_to_imap_and_agency_group(served: dict[str, int]) -> None:
    message = EmailMessage()
    message["From"] = "Trần Văn Vinh <vinhtv@dongnai.gov.vn>"
    message["To"] = "lannt@dongnai.gov.vn, stttt@dongnai.gov.vn"
    message["Subject"] = "Công văn số 6806/UBND-TTTH về thư điện tử công vụ"
    message.set_content("Đề nghị các đơn vị sử dụng hộp thư @dongnai.gov.vn.\n")
    with smtplib.SMTP("127.0.0.1", served["submission"], timeout=30) as smtp:
        smtp.starttls(context=_insecure())
        smtp.login("vinhtv@dongnai.gov.vn", PASSWORD)
        refused = smtp.send_message(message)
    assert refused == {}

    imap = imaplib.IMAP4_SSL("127.0.0.1", served["imaps"], ssl_context=_insecure(), timeout=30)
    try:
        imap.login("lannt@dongnai.gov.vn", PASSWORD)
        status, data = imap.select("INBOX")
        assert status == "OK" and data[0] == b"1"
        status, found = imap.uid("SEARCH", "CHARSET", "UTF-8", "SUBJECT", '"cong van"')
        assert status == "OK" and found[0].split() == [b"1"]
        status, fetched = imap.uid("FETCH", "1", "(BODY.PEEK[])")
        raw = fetched[0][1]
        assert b"Received:" in raw and "Đề nghị".encode() in raw
        # the clerk also sees the agency mailbox, where the same message arrived
        status, folders = imap.list()
        shared = [f for f in folders if b"stttt@dongnai.gov.vn" in f and b"INBOX" in f]
        assert shared, folders
    finally:
        imap.logout()

    with urllib.request.urlopen(f"http://127.0.0.1:{served['http']}/healthz", timeout=10) as response:
        assert json.loads(response.read())["status"] == "ok"


def test_submission_with_notify_success_puts_a_delivery_report_in_the_senders_inbox(
        served: dict[str, int]) -> None:
    message = EmailMessage()
    message["From"] = "Trần Văn Vinh <vinhtv@dongnai.gov.vn>"
    message["To"] = "lannt@dongnai.gov.vn"
    message["Subject"] = "Giấy mời họp giao ban tuần"
    message.set_content("Kính mời chị dự họp.\n")
    with smtplib.SMTP("127.0.0.1", served["submission"], timeout=30) as smtp:
        smtp.starttls(context=_insecure())
        smtp.ehlo()
        assert smtp.has_extn("dsn")
        smtp.login("vinhtv@dongnai.gov.vn", PASSWORD)
        refused = smtp.send_message(message, mail_options=["RET=HDRS", "ENVID=GM-2026-01"],
                                    rcpt_options=["NOTIFY=SUCCESS", "ORCPT=rfc822;LanNT@dongnai.gov.vn"])
    assert refused == {}
    imap = imaplib.IMAP4_SSL("127.0.0.1", served["imaps"], ssl_context=_insecure(), timeout=30)
    try:
        imap.login("vinhtv@dongnai.gov.vn", PASSWORD)
        status, data = imap.select("INBOX")
        assert status == "OK" and data[0] == b"1"
        status, fetched = imap.uid("FETCH", "1", "(BODY.PEEK[])")
        report = fetched[0][1].replace(b"\r\n", b"\n")
    finally:
        imap.logout()
    assert b"multipart/report; report-type=delivery-status" in report
    assert b"Original-Envelope-Id: GM-2026-01" in report
    assert b"Original-Recipient: rfc822; LanNT@dongnai.gov.vn\nFinal-Recipient: rfc822; lannt@dongnai.gov.vn\n" \
           b"Action: delivered\nStatus: 2.0.0" in report
