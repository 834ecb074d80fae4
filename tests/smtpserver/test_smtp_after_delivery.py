"""The after-delivery hook: it sees each message once its local copies are durable, and nothing it does can
refuse or lose the message."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import aiosmtplib
from smtp_harness import DOMAIN, ServerFactory, message, token


class Recorder:
    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[tuple[bytes, tuple[int, ...], str]] = []

    def delivered(self, raw: bytes, mailbox_ids: Sequence[int]) -> None:
        self.seen.append((raw, tuple(mailbox_ids), threading.current_thread().name))
        if self.fail:
            raise RuntimeError("the documents side is down")


async def _send(port: int, sender: str, recipients: list[str], raw: bytes) -> str:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=20) as client:
        refused, reply = await client.sendmail(sender, recipients, raw)
    assert refused == {}
    return reply


async def test_the_hook_sees_the_stored_copy_and_its_mailboxes(start_server: ServerFactory) -> None:
    hook = Recorder()
    server = await start_server(after_delivery=hook)
    tag = token()
    raw = message(sender="vanthu@khanhhoa.gov.vn", to=f"stttt@{DOMAIN}, vinhtv@{DOMAIN}", subject=f"Văn bản {tag}")
    await _send(server.mx, "vanthu@khanhhoa.gov.vn", [f"stttt@{DOMAIN}", f"vinhtv@{DOMAIN}"], raw)
    stored, = server.province.find("stttt", tag)
    seen, = [s for s in hook.seen if tag.encode() in s[0]]
    assert seen[0] == stored  # exactly the bytes in the mailbox, Return-Path and Received included
    assert set(seen[1]) == {server.province.id("stttt"), server.province.id("vinhtv")}
    assert seen[2] != threading.main_thread().name  # off the event loop


async def test_a_failing_hook_never_refuses_the_message(start_server: ServerFactory) -> None:
    hook = Recorder(fail=True)
    server = await start_server(after_delivery=hook)
    tag = token()
    raw = message(sender="vanthu@khanhhoa.gov.vn", to=f"snv@{DOMAIN}", subject=f"Văn bản {tag}")
    reply = await _send(server.mx, "vanthu@khanhhoa.gov.vn", [f"snv@{DOMAIN}"], raw)
    assert "accepted" in reply.lower() or reply.startswith("2")
    assert len(server.province.find("snv", tag)) == 1
    assert any(tag.encode() in s[0] for s in hook.seen)
