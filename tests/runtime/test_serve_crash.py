"""A ``250`` after DATA means the message survives: ``congvu serve`` killed outright (SIGKILL, no chance to flush
anything) while 20 sessions deliver keeps every message it accepted, whole, and nothing it did not finish
accepting is half there. Started again on the same data, it serves as before."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from pathlib import Path

import aiosmtplib
from serve_harness import Served, start_serve
from sqlalchemy import func, select

from congvu.cli.main import main
from congvu.config.settings import DataDir
from congvu.installation.opened import open_installation
from congvu.store.schema import message_text_backlog

PASSWORD = "Matkhau@2026"
DOMAIN = "tayninh.gov.vn"
SESSIONS = 20
BODY = ("Báo cáo tình hình triển khai thư điện tử công vụ tại các sở, ban, ngành.\r\n" * 120).encode()


def _message(n: int) -> bytes:
    head = (f"From: Người gửi <nguoigui@example.org>\r\nTo: lethu@{DOMAIN}\r\nSubject: Báo cáo số {n}\r\n"
            f"Message-ID: <bao-cao-{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n").encode()
    return head + BODY


def _kill_all(served: Served) -> None:
    for pid in served.server_pids():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    served.proc.wait(timeout=30)


async def _deliver_until_killed(port: int, served: Served, accepted: set[int]) -> None:
    counter = iter(range(1_000_000))
    stop_at = time.monotonic() + 30

    async def session() -> None:
        while time.monotonic() < stop_at:
            try:
                async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=10) as smtp:
                    while time.monotonic() < stop_at:
                        n = next(counter)
                        await smtp.sendmail("nguoigui@example.org", [f"lethu@{DOMAIN}"], _message(n))
                        accepted.add(n)  # the 250 came back
            except (aiosmtplib.SMTPException, OSError):
                return  # the server is gone

    async def killer() -> None:
        while len(accepted) < 150 and time.monotonic() < stop_at:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(_kill_all, served)

    await asyncio.gather(killer(), *(session() for _ in range(SESSIONS)))


def test_messages_accepted_before_a_kill_are_all_there(tmp_path: Path, database_url: str | None) -> None:
    data = tmp_path / "inst"
    extra = ["--database-url", database_url] if database_url else []
    assert main(["init", "--data", str(data), "--domain", DOMAIN, "--admin-password", PASSWORD, *extra]) == 0
    assert main(["agency", "add", "--code", "H46", "--name", "Ủy ban nhân dân tỉnh Tây Ninh", "--short-name", "UBND",
                 "--level", "province", "--data", str(data)]) == 0
    assert main(["account", "add", "--name", "Lê Thị Thu", "--agency", "H46", "--address", f"lethu@{DOMAIN}",
                 "--password", PASSWORD, "--data", str(data)]) == 0
    with (data / "congvu.toml").open("a", encoding="utf-8") as config:
        config.write("\n[smtp]\nmax_connections_per_ip = 100\nmax_messages_per_ip_per_hour = 1000000\n")
    options = ("--workers", "2", "--smtp-port=auto", "--http-port=0", "--submission-port=0", "--smtps-port=0",
               "--imap-port=0", "--imaps-port=0")
    served = start_serve(data, *options)
    accepted: set[int] = set()
    try:
        asyncio.run(_deliver_until_killed(served.ports["smtp"], served, accepted))
    finally:
        if served.proc.poll() is None:
            _kill_all(served)
    assert len(accepted) >= 150

    inst = open_installation(DataDir(data))
    try:
        account = inst.directory.accounts.show(f"lethu@{DOMAIN}").id
        store = inst.mailstore
        inbox = store.find_folder(account, "INBOX").id
        stored: dict[int, bytes] = {}
        for summary in store.snapshot(account, inbox).messages:
            raw = store.read_raw(account, inbox, summary.uid)  # every row has its bytes
            found = re.search(rb"\r\nMessage-ID: <bao-cao-(\d+)@example\.org>\r\n", raw)
            assert found is not None
            number = int(found.group(1))
            assert raw.endswith(_message(number)), number  # whole, as sent (trace fields added on top)
            stored[number] = raw
        missing = accepted - set(stored)
        assert not missing, f"{len(missing)} accepted messages lost: {sorted(missing)[:10]}"
    finally:
        inst.close()

    again = start_serve(data, *options)
    try:
        async def one_more() -> None:
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=again.ports["smtp"], start_tls=False,
                                       timeout=10) as smtp:
                await smtp.sendmail("nguoigui@example.org", [f"lethu@{DOMAIN}"], _message(999_999))

        asyncio.run(one_more())
        # Long bodies the killed run had not yet indexed for search are indexed now (congvu.mailstore.textbacklog).
        deadline = time.monotonic() + 60
        waiting = -1
        while waiting != 0 and time.monotonic() < deadline:
            inst = open_installation(DataDir(data), upgrade=False)
            try:
                with inst.db.read() as conn:
                    waiting = conn.execute(select(func.count()).select_from(message_text_backlog)).scalar_one()
            finally:
                inst.close()
            time.sleep(0.2)
        assert waiting == 0
    finally:
        again.proc.send_signal(signal.SIGTERM)
        assert again.proc.wait(timeout=60) == 0
