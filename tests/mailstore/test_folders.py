"""Folders: create with superiors, rename (children, INBOX), delete, UIDVALIDITY on re-creation, subscriptions,
\\Recent hand-over and STATUS."""

from __future__ import annotations

import pytest
from mailstore_samples import People, message

from congvu.errors import Conflict, InvalidInput
from congvu.mailstore.api import SEEN, SpecialUse


def test_create_makes_superiors_and_refuses_duplicates(people: People) -> None:
    store = people.store
    created = store.create_folder(people.an, "Văn bản/Đến/2025")
    assert created.name == "Văn bản/Đến/2025" and created.uidnext == 1 and created.highestmodseq >= 1
    names = [f.name for f in store.list_folders(people.an)]
    assert {"Văn bản", "Văn bản/Đến", "Văn bản/Đến/2025"} <= set(names)
    assert next(f for f in store.list_folders(people.an) if f.name == "Văn bản").has_children
    with pytest.raises(Conflict):
        store.create_folder(people.an, "Văn bản/Đến")
    with pytest.raises(Conflict):
        store.create_folder(people.an, "inbox")
    for bad in ("", "a//b", "/a", "a*", "Shared/x", "tab\there"):
        with pytest.raises(InvalidInput):
            store.create_folder(people.an, bad)
    nfd = "Ve\u0302\u0301t"  # the same name typed on another keyboard: NFC makes it one
    store.create_folder(people.an, nfd)
    with pytest.raises(Conflict):
        store.create_folder(people.an, "Vết")
    special = store.create_folder(people.an, "Lưu trữ 2024", special_use=SpecialUse.ARCHIVE)
    assert special.special_use == "\\Archive"


def test_delete_and_recreate_gets_a_new_uidvalidity(people: People) -> None:
    store = people.store
    first = store.create_folder(people.an, "Dự án")
    store.append(people.an, first.id, message("Trong dự án"))
    assert store.quota(people.an).messages == 1
    store.delete_folder(people.an, first.id)
    assert store.quota(people.an).messages == 0
    again = store.create_folder(people.an, "Dự án")
    assert again.uidvalidity > first.uidvalidity
    with pytest.raises(Conflict):
        store.delete_folder(people.an, store.find_folder(people.an, "INBOX").id)
    store.create_folder(people.an, "Dự án/Con")
    with pytest.raises(Conflict):
        store.delete_folder(people.an, again.id)


def test_rename_moves_children(people: People) -> None:
    store = people.store
    parent = store.create_folder(people.an, "Cũ")
    child = store.create_folder(people.an, "Cũ/Con")
    store.append(people.an, child.id, message("Thư trong con"))
    renamed = store.rename_folder(people.an, parent.id, "Mới/Tên")
    assert renamed.id == parent.id and renamed.uidvalidity == parent.uidvalidity and renamed.has_children
    assert store.get_folder(people.an, child.id).name == "Mới/Tên/Con"
    names = {f.name for f in store.list_folders(people.an)}
    assert "Mới" in names and not any(name.startswith("Cũ") for name in names)
    assert store.fetch(people.an, child.id, [1])[0].content.subject == "Thư trong con"
    with pytest.raises(InvalidInput):
        store.rename_folder(people.an, parent.id, "Mới/Tên/Con/Cháu")


def test_rename_inbox_moves_its_messages(people: People) -> None:
    store = people.store
    store.deliver(message("Một"), [people.an])
    store.deliver(message("Hai"), [people.an])
    inbox = store.find_folder(people.an, "INBOX")
    kept = store.rename_folder(people.an, inbox.id, "Thư cũ")
    assert kept.id != inbox.id
    assert [m.uid for m in store.snapshot(people.an, kept.id).messages] == [1, 2]
    assert store.snapshot(people.an, inbox.id).messages == ()
    assert store.changes_since(people.an, inbox.id, inbox.highestmodseq).vanished == (1, 2)
    assert store.deliver(message("Ba"), [people.an]).deliveries[0].folder_id == inbox.id


def test_subscriptions_and_recent_and_status(people: People) -> None:
    store = people.store
    store.deliver(message("Một"), [people.an], flags=[SEEN])
    store.deliver(message("Hai"), [people.an])
    inbox = store.find_folder(people.an, "INBOX")
    store.set_subscribed(people.an, inbox.id, False)
    assert not store.get_folder(people.an, inbox.id).subscribed
    status = store.folder_status(people.an, inbox.id)
    assert (status.messages, status.recent, status.unseen, status.uidnext) == (2, 2, 1, 3)
    assert status.size == sum(m.size for m in store.snapshot(people.an, inbox.id).messages)
    assert store.claim_recent(people.an, inbox.id) == 1  # this session sees UIDs >= 1 as \Recent
    assert store.claim_recent(people.an, inbox.id) == 3  # the next one sees none of them
    assert store.folder_status(people.an, inbox.id).recent == 0
    store.deliver(message("Ba"), [people.an])
    assert store.folder_status(people.an, inbox.id).recent == 1
