"""The directory as the SMTP server asks it: where mail for an address goes, and whether a signed-in account may
use an address as its sender.

An account may send as its own address, as an alias that delivers to it alone (an old address kept after a
merger, ``postmaster@`` for the administrator), and as a mailbox delegated to it with the ``p`` (post) right
(RFC 4314 §2.1), which is how a clerk (văn thư) sends as the agency's official address; the delegation is read on
every check, so a clerk who leaves loses it at once. Look-ups run on a thread: they read the database.
"""

from __future__ import annotations

import asyncio

from congvu.directory.resolve import AddressState, Resolution
from congvu.directory.service import Directory
from congvu.mailstore.aio import AsyncMailStore
from congvu.store.database import Database

SEND_AS_RIGHT = "p"


class AddressBook:
    def __init__(self, db: Database, directory: Directory, mailstore: AsyncMailStore) -> None:
        self.db = db
        self.directory = directory
        self.mailstore = mailstore

    @property
    def primary_domain(self) -> str:
        return self.directory.ctx.domain

    def is_local(self, address: str) -> bool:
        return self.directory.recipients.is_local_domain(address)

    def _resolve(self, address: str) -> Resolution:
        with self.db.read() as conn:
            return self.directory.recipients.resolve(conn, address)

    async def resolve(self, address: str) -> Resolution:
        return await asyncio.to_thread(self._resolve, address)

    async def may_send_as(self, account_id: int, account_address: str, address: str) -> bool:
        wanted = address.strip().lower()
        if wanted == account_address.lower():
            return True
        if not self.is_local(wanted):
            return False
        found = await self.resolve(wanted)
        if found.state != AddressState.DELIVERABLE or len(found.mailbox_ids) != 1 or found.remote:
            return False
        owner = found.mailbox_ids[0]
        if owner == account_id:
            return True
        rights = await self.mailstore.rights(account_id, owner)
        return SEND_AS_RIGHT in rights
