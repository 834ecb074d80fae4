"""``congvu serve --workers 3`` as real processes: IMAP sessions spread over them, a message submitted in one
process reaches IDLE sessions in every process, failed sign-ins count together (IMAP and SMTP, any process), a
dead worker is replaced, and SIGTERM stops them all."""

from __future__ import annotations

import imaplib
import os
import signal
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from serve_harness import Served, socket_owner, start_serve

from congvu.cli.main import main

PASSWORD = "Matkhau@2026"
DOMAIN = "binhphuoc.gov.vn"
WORKERS = 3


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the installation's self-signed certificate
    return context


@pytest.fixture
def served(tmp_path: Path, database_url: str | None) -> Iterator[Served]:
    data = tmp_path / "inst"
    extra = ["--database-url", database_url] if database_url else []
    assert main(["init", "--data", str(data), "--domain", DOMAIN, "--admin-password", PASSWORD, *extra]) == 0
    d = ["--data", str(data)]
    assert main(["agency", "add", "--code", "H10", "--name", "Ủy ban nhân dân tỉnh Bình Phước", "--short-name",
                 "UBND", "--level", "province", *d]) == 0
    for name in ("Trần Văn Vinh", "Nguyễn Thị Lan"):
        assert main(["account", "add", "--name", name, "--agency", "H10", "--password", PASSWORD, *d]) == 0
    served = start_serve(data, "--workers", str(WORKERS), "--http-port=0", "--smtps-port=0", "--imaps-port=0",
                         *[f"--{n}-port=auto" for n in ("smtp", "submission", "imap")])
    proc, ports, line = served.proc, served.ports, served.ready_line
    try:
        assert len(ports) == 3 and f"{WORKERS} tiến trình" in line, (ports, line)
        deadline = time.monotonic() + 30
        while len(served.worker_pids()) < WORKERS - 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(served.worker_pids()) == WORKERS - 1
        yield served
    finally:
        workers = served.worker_pids()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        for pid in workers:  # every worker stopped with the main process
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def _imap(port: int, user: str) -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    client.starttls(_insecure())
    client.login(f"{user}@{DOMAIN}", PASSWORD)
    return client


def _submit(port: int, subject: str, sender: str = "lannt") -> None:
    message = EmailMessage()
    message["From"] = f"{sender}@{DOMAIN}"
    message["To"] = f"vinhtv@{DOMAIN}"
    message["Subject"] = subject
    message.set_content("Kính gửi anh Vinh, đề nghị anh xem văn bản đính kèm.")
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.starttls(context=_insecure())
        smtp.login(f"{sender}@{DOMAIN}", PASSWORD)
        smtp.send_message(message)


def _wait_idle_line(client: imaplib.IMAP4, lines: list[bytes]) -> None:
    lines.append(client.readline())


def test_sessions_in_every_process_hear_of_changes_sign_ins_are_shared_and_a_dead_worker_is_replaced(
        served: Served) -> None:
    imap_port = served.ports["imap"]
    sessions: list[imaplib.IMAP4] = []
    owners: set[int] = set()
    try:
        while len(sessions) < 16 and (len(sessions) < 6 or len(owners) < 2):
            client = _imap(imap_port, "vinhtv")
            client.select("INBOX")
            sessions.append(client)
            owner = socket_owner(imap_port, client.sock.getsockname()[1], served.server_pids())
            if owner is not None:
                owners.add(owner)
        assert len(owners) >= 2, "the sessions all went to one process"
        tags = []
        for client in sessions:
            tags.append(client._new_tag())
            client.send(tags[-1] + b" IDLE\r\n")
            assert client.readline().startswith(b"+")
        heard: list[list[bytes]] = [[] for _ in sessions]
        readers = [threading.Thread(target=_wait_idle_line, args=(c, h)) for c, h in zip(sessions, heard, strict=True)]
        for reader in readers:
            reader.start()
        _submit(served.ports["submission"], "Giấy mời họp giao ban")
        for reader in readers:
            reader.join(20)
        assert all(lines == [b"* 1 EXISTS\r\n"] for lines in heard), heard
        for client, tag in zip(sessions, tags, strict=True):
            client.send(b"DONE\r\n")
            line = client.readline()
            while not line.startswith(tag):  # "* 0 RECENT" may follow the EXISTS
                line = client.readline()
            assert line.startswith(tag + b" OK"), line
        # A flag set in one session shows in another's NOOP, whichever processes they are in.
        sessions[0].store("1", "+FLAGS", "(\\Flagged)")
        for client in sessions[1:]:
            deadline = time.monotonic() + 10
            fetched: list[bytes | None] = [None]
            while time.monotonic() < deadline:
                client.noop()
                _, fetched = client.response("FETCH")
                if fetched != [None]:
                    break
                time.sleep(0.1)
            assert any(b"\\Flagged" in (item or b"") for item in fetched), fetched
    finally:
        for client in sessions:
            client.logout()


    _failed_sign_ins_count_together_across_processes(served)
    _a_worker_that_dies_is_replaced_and_service_goes_on(served)


def _failed_sign_ins_count_together_across_processes(served: Served) -> None:
    imap_port = served.ports["imap"]
    for _ in range(5):  # new connections, spread over the processes by the kernel
        client = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
        client.starttls(_insecure())
        with pytest.raises(imaplib.IMAP4.error):
            client.login(f"lannt@{DOMAIN}", "sai-mat-khau")
        client.logout()
    client = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
    client.starttls(_insecure())
    with pytest.raises(imaplib.IMAP4.error):
        client.login(f"lannt@{DOMAIN}", PASSWORD)  # the right password, but the account is locked everywhere
    client.logout()
    with smtplib.SMTP("127.0.0.1", served.ports["submission"], timeout=30) as smtp:
        smtp.starttls(context=_insecure())
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login(f"lannt@{DOMAIN}", PASSWORD)
        assert refused.value.smtp_code in (421, 454, 535)


def _a_worker_that_dies_is_replaced_and_service_goes_on(served: Served) -> None:
    victim = min(served.worker_pids())
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = served.worker_pids()
        alive = {pid for pid in pids if "zombie" not in Path(f"/proc/{pid}/status").read_text(errors="replace")}
        if victim not in pids and len(alive) == WORKERS - 1:
            break
        time.sleep(0.1)
    assert victim not in served.worker_pids() and len(served.worker_pids()) == WORKERS - 1
    for n in range(6):  # every connection is served, whichever process takes it
        _submit(served.ports["submission"], f"Thong bao so {n}", sender="vinhtv")
    client = _imap(served.ports["imap"], "vinhtv")
    try:
        client.select("INBOX")
        _, found = client.search(None, "SUBJECT", '"Thong bao so"')
        assert len(found[0].split()) == 6
    finally:
        client.logout()
