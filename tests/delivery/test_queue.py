"""The durable outbound queue: what enqueue stores, and the administration and worker operations on it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from congvu.delivery.clock import FakeClock
from congvu.delivery.queue import OutboundQueue
from congvu.errors import InvalidInput, NotFound
from congvu.installation import Installation
from congvu.installation.keys import dkim_dns_value
from congvu.mail.compose import build_message
from congvu.mail.fields import split_header
from congvu.security.dkimverify import DkimResult, verify_dkim
from congvu.security.dns import StaticResolver

BARE = (b"From: Tran Van Vinh <vinhtv@dongnai.gov.vn>\r\nTo: an@example.test\r\n"
        b"Subject: =?utf-8?b?Q8O0bmcgdsSDbg==?=\r\n\r\nN\xe1\xbb\x99i dung.\r\n")


async def test_enqueue_is_durable_completes_and_signs_the_message(queue: OutboundQueue,
                                                                  routed: Installation) -> None:
    qid = queue.enqueue(mail_from="vinhtv@dongnai.gov.vn", recipients=["an@example.test", "an@Example.TEST",
                                                                      "binh@other.example"],
                        raw=BARE, submitted_by=None)
    message = queue.get(qid)
    assert [r.recipient for r in message.recipients] == ["an@example.test", "binh@other.example"]
    assert {r.domain for r in message.recipients} == {"example.test", "other.example"}
    assert all(r.status == "queued" and r.attempts == 0 for r in message.recipients)
    # The blob is on disk under its hash before the rows point at it; another connection sees the rows.
    assert routed.blobs.exists(message.blob_sha256)
    other = OutboundQueue(routed)
    assert other.get(qid).blob_sha256 == message.blob_sha256
    raw = queue.read(message)
    header = split_header(raw)
    names = [f.key for f in header.fields]
    assert names[:2] == ["dkim-signature", "received"]
    assert "date" in names and "message-id" in names
    assert message.message_id and message.message_id.endswith("@dongnai.gov.vn>")
    assert b"by mail.dongnai.gov.vn (CongVu) with ESMTPSA" in raw
    assert raw.endswith(BARE.split(b"\r\n\r\n", 1)[1])
    # The signature verifies with the key `congvu dns records` publishes.
    key = routed.settings.dkim_key
    assert key is not None
    zone = StaticResolver(txt_records={"congvu._domainkey.dongnai.gov.vn": [dkim_dns_value(key)]})
    [outcome] = await verify_dkim(raw, zone)
    assert outcome.result == DkimResult.PASS and outcome.domain == "dongnai.gov.vn"


def test_existing_headers_are_kept_and_bad_envelopes_refused(queue: OutboundQueue) -> None:
    for sender, recipients in (("not an address", ["a@example.test"]), ("a@dongnai.gov.vn", []),
                               ("a@dongnai.gov.vn", ["<x y>@example.test"])):
        with pytest.raises(InvalidInput):
            queue.enqueue(mail_from=sender, recipients=recipients, raw=BARE, submitted_by=None)
    assert queue.list() == ()
    raw = build_message(from_addr="vinhtv@dongnai.gov.vn", to=["an@example.test"], subject="Giấy mời",
                        text="Kính mời", message_id="<abc@dongnai.gov.vn>")
    raw = (b"Received: from pc (pc [10.0.0.5]) by mail.dongnai.gov.vn with ESMTPSA;\r\n"
           b" Mon, 5 Jan 2026 08:00:00 +0000\r\n") + raw
    stored = queue.read(queue.get(queue.enqueue(mail_from="vinhtv@dongnai.gov.vn", recipients=["an@example.test"],
                                                raw=raw, submitted_by=None)))
    header = split_header(stored)
    assert len(header.all("received")) == 1  # our own trace already on top: not added twice
    assert len(header.all("message-id")) == 1 and header.value("message-id") == b"<abc@dongnai.gov.vn>"
    assert len(header.all("date")) == 1


async def test_null_sender_list_retry_delete(queue: OutboundQueue, clock: FakeClock) -> None:
    woken = asyncio.Event()
    loop = asyncio.get_running_loop()
    queue.add_listener(lambda: loop.call_soon_threadsafe(woken.set))
    first = await asyncio.to_thread(queue.enqueue, mail_from="<>", recipients=["an@example.test"], raw=BARE,
                                    submitted_by=None)
    await asyncio.wait_for(woken.wait(), 5)  # the worker's wake-up, called from the enqueuing thread
    second = queue.enqueue(mail_from="vinhtv@dongnai.gov.vn", recipients=["b@example.test"], raw=BARE,
                           submitted_by=None)
    assert queue.get(first).mail_from == ""
    assert [m.id for m in queue.list()] == [first, second]
    assert [m.id for m in queue.list(limit=1)] == [first]
    assert queue.claim_due() != ()
    clock.advance(30)
    assert queue.claim_due() == ()  # leased
    assert queue.retry(second) == 1
    assert [b.message.id for b in queue.claim_due()] == [second]
    queue.delete(first)
    with pytest.raises(NotFound):
        queue.get(first)
    with pytest.raises(NotFound):
        queue.retry(first)
    assert [m.id for m in queue.list(status="queued")] == [second]


def test_claims_are_exclusive_until_the_lease_ends(queue: OutboundQueue, routed: Installation,
                                                   clock: FakeClock) -> None:
    qid = queue.enqueue(mail_from="vinhtv@dongnai.gov.vn", recipients=["a@example.test", "b@example.test",
                                                                      "c@other.example"],
                        raw=BARE, submitted_by=None)
    rival = OutboundQueue(routed, clock=clock)
    batches = queue.claim_due(lease_s=600)
    assert sorted((b.domain, len(b.recipients)) for b in batches) == [("example.test", 2), ("other.example", 1)]
    assert all(b.message.id == qid for b in batches)
    assert rival.claim_due() == ()
    assert queue.next_due() == clock.now() + timedelta(seconds=600)
    clock.advance(601)
    assert len(rival.claim_due()) == 2  # the first worker died: its lease ran out
