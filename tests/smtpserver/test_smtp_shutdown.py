"""``SmtpListeners.close()``: idle clients are told 421, a transaction still receiving DATA is abandoned (nothing
delivered), a delivery already committing finishes and gets its 250 before the connection closes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime

from smtp_harness import DOMAIN, Province, RawClient, ServerFactory, token

from congvu.mailstore.aio import AsyncMailStore
from congvu.mailstore.api import DeliveryResult, SpecialUse


class GatedStore(AsyncMailStore):
    """The real store, but each delivery waits for the test to open the gate (to catch it mid-commit)."""

    def __init__(self, province: Province) -> None:
        super().__init__(province.inst.mailstore, province.inst.mailstore.notifier, max_workers=2)
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def deliver(self, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
                      folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> DeliveryResult:
        self.entered.set()
        await self.gate.wait()
        return await super().deliver(raw, mailbox_ids, internal_date=internal_date, folder=folder, flags=flags)


async def _in_transaction(port: int) -> RawClient:
    client = await RawClient.connect(port)
    await client.reply()
    await client.command("EHLO closing.example")
    await client.command("MAIL FROM:<a@example.org>")
    await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")
    assert (await client.command("DATA")).startswith("354")
    return client


async def test_close_finishes_commits_and_drops_the_rest(start_server: ServerFactory, province: Province) -> None:
    store = GatedStore(province)
    server = await start_server(mailstore=store)
    idle = await RawClient.connect(server.mx)
    await idle.reply()
    receiving = await _in_transaction(server.mx)
    half, whole = token(), token()
    await receiving.send(f"Subject: {half}\r\n\r\nnot finished".encode())
    committing = await _in_transaction(server.mx)
    await committing.send(f"Subject: {whole}\r\n\r\ndone\r\n.\r\n".encode())
    await asyncio.wait_for(store.entered.wait(), 10)

    closing = asyncio.create_task(server.listeners.close())
    assert (await idle.reply()).startswith("421 4.3.2")
    assert await idle.at_eof() and await receiving.at_eof()
    assert not closing.done()  # waiting for the delivery in progress
    store.gate.set()
    assert (await committing.reply()).startswith("250 2.0.0")
    assert (await committing.reply()).startswith("421 4.3.2")
    await asyncio.wait_for(closing, 10)
    for client in (idle, receiving, committing):
        await client.close()
    assert len(province.find("vinhtv", whole)) == 1
    assert province.find("vinhtv", half) == []
    try:
        await RawClient.connect(server.mx)
    except OSError:
        pass
    else:
        raise AssertionError("the listener still accepts connections after close()")
