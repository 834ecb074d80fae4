"""The asyncio face of the mail store: small reads on the embedded database stay on the loop's thread, large ones
and every other database go to a worker, and errors come back the same way."""

from __future__ import annotations

import threading

import pytest
from mailstore_samples import People, message

from congvu.errors import NotFound
from congvu.mailstore.aio import INLINE_ROWS, AsyncMailStore
from congvu.mailstore.api import MailStoreApi


def _thread_and_inbox(store: MailStoreApi, viewer: int) -> tuple[int, int]:
    return threading.get_ident(), store.find_folder(viewer, "INBOX").uidnext


async def test_small_reads_run_where_the_database_allows(people: People) -> None:
    store = people.store
    store.deliver(message("Công văn"), [people.an])
    aio = AsyncMailStore(store, store.notifier, max_workers=2)
    try:
        here = threading.get_ident()
        assert aio.inline_reads == store.ctx.is_sqlite
        thread, uidnext = await aio.read(lambda s: _thread_and_inbox(s, people.an), rows=10)
        assert uidnext == 2
        assert (thread == here) == store.ctx.is_sqlite
        thread, _ = await aio.read(lambda s: _thread_and_inbox(s, people.an), rows=INLINE_ROWS + 1)
        assert thread != here  # a large read never holds the loop
        thread, _ = await aio.call(lambda s: _thread_and_inbox(s, people.an))
        assert thread != here
        with pytest.raises(NotFound):
            await aio.read(lambda s: s.find_folder(people.an, "Không có"))
    finally:
        aio.close()


async def test_reads_can_be_kept_off_the_loop(people: People) -> None:
    store = people.store
    aio = AsyncMailStore(store, store.notifier, max_workers=1, inline_reads=False)
    try:
        thread, _ = await aio.read(lambda s: _thread_and_inbox(s, people.an))
        assert thread != threading.get_ident()
    finally:
        aio.close()
