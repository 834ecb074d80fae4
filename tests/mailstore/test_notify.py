"""Change notifications reach other sessions (IDLE), through the asyncio facade of the store."""

from __future__ import annotations

import asyncio

from mailstore_samples import People, message

from congvu.mailstore.aio import AsyncMailStore
from congvu.mailstore.api import DELETED, FlagMode
from congvu.mailstore.notify import LocalNotifier, MailboxEvent, MailboxEventKind


async def test_subscriber_sees_additions_flag_changes_and_expunges(people: People) -> None:
    aio = AsyncMailStore(people.store, people.store.notifier, max_workers=2)
    try:
        await aio.ensure_default_folders(people.an)
        inbox = (await aio.find_folder(people.an, "INBOX")).id
        other = aio.subscribe(inbox)
        unrelated = aio.subscribe((await aio.find_folder(people.an, "Sent")).id)
        delivered = await aio.deliver(message("Có thư mới"), [people.an])
        event = await other.next(timeout_s=5)
        assert event == MailboxEvent(inbox, MailboxEventKind.ADDED, (1,), delivered.deliveries[0].modseq)
        update = await aio.store_flags(people.an, inbox, [1], FlagMode.ADD, [DELETED])
        event = await other.next(timeout_s=5)
        assert event is not None and event.kind == MailboxEventKind.FLAGS and event.modseq == update.highestmodseq
        await aio.expunge(people.an, inbox)
        event = await other.next(timeout_s=5)
        assert event is not None and (event.kind, event.uids) == (MailboxEventKind.EXPUNGED, (1,))
        assert await unrelated.next(timeout_s=0.05) is None
        other.close()
        unrelated.close()
        assert await other.next(timeout_s=0.05) is None
        assert isinstance(people.store.notifier, LocalNotifier)
        assert people.store.notifier.subscriber_count(inbox) == 0
    finally:
        aio.close()


async def test_events_from_other_threads_and_drain() -> None:
    notifier = LocalNotifier()
    subscription = notifier.subscribe(7)
    events = [MailboxEvent(7, MailboxEventKind.ADDED, (n,), n) for n in range(1, 4)]
    await asyncio.to_thread(lambda: [notifier.publish(e) for e in events])
    await asyncio.sleep(0)
    assert subscription.drain() == tuple(events)
    assert subscription.drain() == ()
    waiter = asyncio.create_task(subscription.next())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    await asyncio.to_thread(notifier.publish, MailboxEvent(7, MailboxEventKind.DELETED))
    assert (await asyncio.wait_for(waiter, 5)).kind == MailboxEventKind.DELETED  # type: ignore[union-attr]
    subscription.close()
