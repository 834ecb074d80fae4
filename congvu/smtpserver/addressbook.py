"""The directory as the SMTP server asks it: where mail for an address goes, and whether a signed-in account may
use an address as its sender.

An account may send as its own address, as an alias that delivers to it alone (an old address kept after a
merger, ``postmaster@`` for the administrator), and as a mailbox delegated to it with the ``p`` (post) right
(RFC 4314 §2.1), which is how a clerk (văn thư) sends as the agency's official address; the delegation is read on
every check, so a clerk who leaves loses it at once. Look-ups run on a thread: they read the database.

On SQLite, whose readers never wait for a writer (WAL), an address whose last look-up found at most one mailbox (a
person, an unknown address) is looked up at once on the loop's thread: a few indexed rows cost less than the trip
to a worker and back. Only that hint is kept, never the answer: every look-up reads the directory as it stands;
aliases and groups, whose expansion may read thousands of rows, keep going to a thread.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from congvu.directory.resolve import Resolution
from congvu.directory.service import Directory
from congvu.mailstore.aio import AsyncMailStore
from congvu.store.database import Database
from congvu.webmail.senders import may_send_as

SIMPLE_ADDRESSES_KEPT = 10_000


class AddressBook:
    def __init__(self, db: Database, directory: Directory, mailstore: AsyncMailStore) -> None:
        self.db = db
        self.directory = directory
        self.mailstore = mailstore
        self.inline = db.is_sqlite
        self._simple: OrderedDict[str, None] = OrderedDict()  # addresses last found to be one mailbox or none

    @property
    def primary_domain(self) -> str:
        return self.directory.ctx.domain

    def is_local(self, address: str) -> bool:
        return self.directory.recipients.is_local_domain(address)

    def _resolve(self, address: str) -> Resolution:
        with self.db.read() as conn:
            return self.directory.recipients.resolve(conn, address)

    async def resolve(self, address: str) -> Resolution:
        if not self.inline:
            return await asyncio.to_thread(self._resolve, address)
        key = address.strip().lower()
        if key in self._simple:
            found = self._resolve(address)
        else:
            found = await asyncio.to_thread(self._resolve, address)
        if len(found.mailbox_ids) <= 1 and not found.remote and not found.skipped:
            self._simple[key] = None
            self._simple.move_to_end(key)
            if len(self._simple) > SIMPLE_ADDRESSES_KEPT:
                self._simple.popitem(last=False)
        else:
            self._simple.pop(key, None)
        return found

    async def may_send_as(self, account_id: int, account_address: str, address: str) -> bool:
        """The rule shared with the webmail (:func:`congvu.webmail.senders.may_send_as`), run on a thread."""
        return await asyncio.to_thread(may_send_as, self.directory, self.mailstore.store, account_id,
                                       account_address, address)
