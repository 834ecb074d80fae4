"""Recipient look-ups of the SMTP server: on SQLite an address last found to be one mailbox is looked up again on
the loop's thread, but every answer still comes from the directory as it stands; aliases that expand to several
mailboxes, and every look-up on PostgreSQL, go to a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from congvu.directory.resolve import AddressState
from congvu.installation import Installation
from congvu.mailstore.aio import AsyncMailStore
from congvu.smtpserver import addressbook
from congvu.smtpserver.addressbook import AddressBook

PASSWORD = "Matkhau@2026"


@pytest.fixture
async def book(installation: Installation) -> AsyncIterator[AddressBook]:
    d = installation.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    domain = d.ctx.domain
    for name, local in (("Trần Văn Vinh", "vinhtv"), ("Nguyễn Thị Lan", "lannt")):
        d.accounts.add(full_name=name, agency="H19", address=f"{local}@{domain}", password=PASSWORD)
    d.aliases.add(f"lanhdao@{domain}", [f"vinhtv@{domain}", f"lannt@{domain}"], allow_reserved=True)
    store = AsyncMailStore(installation.mailstore, installation.mailstore.notifier, max_workers=2)
    try:
        yield AddressBook(installation.db, d, store)
    finally:
        await asyncio.to_thread(store.close)


@pytest.fixture
def thread_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    trips: list[str] = []
    real = asyncio.to_thread

    async def counting(function: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(str(args[0]) if args else "")
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(addressbook.asyncio, "to_thread", counting)
    return trips


async def test_a_person_is_looked_up_inline_after_the_first_time_and_never_from_memory(
        installation: Installation, book: AddressBook, thread_trips: list[str]) -> None:
    address = f"vinhtv@{book.primary_domain}"
    first = await book.resolve(address)
    again = await book.resolve(address.upper())
    assert first.state == again.state == AddressState.DELIVERABLE
    assert first.mailbox_ids == again.mailbox_ids and len(first.mailbox_ids) == 1
    expected_trips = 1 if installation.db.is_sqlite else 2
    assert len(thread_trips) == expected_trips
    # The directory changes between two messages: the next look-up sees it at once.
    installation.directory.accounts.disable(address, reason="Nghỉ phép")
    assert (await book.resolve(address)).state == AddressState.DISABLED
    assert len(thread_trips) == expected_trips + (0 if installation.db.is_sqlite else 1)


async def test_an_alias_of_several_mailboxes_always_goes_to_a_thread(book: AddressBook,
                                                                     thread_trips: list[str]) -> None:
    address = f"lanhdao@{book.primary_domain}"
    for _ in range(3):
        found = await book.resolve(address)
        assert found.state == AddressState.DELIVERABLE and len(found.mailbox_ids) == 2
    assert thread_trips == [address] * 3
