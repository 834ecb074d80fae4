"""Changes made outside the server (another process with its own store: the CLI, another node) reach the server's
sessions through the folder watch, once each, and a deleted folder is reported."""

from __future__ import annotations

import asyncio

from mailstore_samples import People, message

from congvu.config.settings import DataDir
from congvu.installation import Installation, open_installation
from congvu.mailstore.api import FlagMode
from congvu.mailstore.notify import LocalNotifier, MailboxEventKind
from congvu.mailstore.outside_changes import OutsideChangeWatch


async def test_a_delivery_by_another_process_wakes_a_following_session_once(
        installation: Installation, data_dir: DataDir, people: People) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    inbox = store.folder_ids(people.an)["INBOX"]
    notifier = store.notifier
    assert isinstance(notifier, LocalNotifier)
    watch = OutsideChangeWatch(store.ctx, notifier)
    following = notifier.subscribe(inbox)
    outside = open_installation(data_dir, upgrade=False)  # what a `congvu` command opens
    try:
        assert await asyncio.to_thread(watch.check) == []  # the first look only learns where the folder stands
        delivered = await asyncio.to_thread(outside.mailstore.deliver, message("Thư từ dòng lệnh"), [people.an])
        (event,) = await asyncio.to_thread(watch.check)
        assert (event.folder_id, event.kind, event.modseq) == (inbox, MailboxEventKind.ADDED,
                                                               delivered.deliveries[0].modseq)
        assert await following.next(5) == event
        assert await asyncio.to_thread(watch.check) == []  # told once
        await asyncio.to_thread(outside.mailstore.store_flags, people.an, inbox, [1], FlagMode.ADD, ["\\Flagged"])
        (flags,) = await asyncio.to_thread(watch.check)
        assert flags.kind is MailboxEventKind.FLAGS
        # A change this process made itself was announced by its own event: the watch stays quiet.
        await asyncio.to_thread(store.deliver, message("Thư của chính máy chủ"), [people.an])
        assert (await following.next(5)).kind is MailboxEventKind.FLAGS  # type: ignore[union-attr]
        assert (await following.next(5)).kind is MailboxEventKind.ADDED  # type: ignore[union-attr]
        assert await asyncio.to_thread(watch.check) == []
    finally:
        following.close()
        outside.close()


async def test_a_folder_deleted_elsewhere_is_reported(installation: Installation, data_dir: DataDir,
                                                      people: People) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    folder = store.create_folder(people.an, "Dự án")
    notifier = store.notifier
    assert isinstance(notifier, LocalNotifier)
    watch = OutsideChangeWatch(store.ctx, notifier)
    following = notifier.subscribe(folder.id)
    outside = open_installation(data_dir, upgrade=False)
    try:
        await asyncio.to_thread(watch.check)
        await asyncio.to_thread(outside.mailstore.delete_folder, people.an, folder.id)
        (event,) = await asyncio.to_thread(watch.check)
        assert (event.folder_id, event.kind) == (folder.id, MailboxEventKind.DELETED)
        assert await following.next(5) == event
    finally:
        following.close()
        outside.close()
