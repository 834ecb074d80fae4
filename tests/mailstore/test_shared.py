"""Agency mailboxes shared with delegates (RFC 4314): rights, per-user \\Seen, and immediate loss of access."""

from __future__ import annotations

import pytest
from mailstore_samples import People, message

from congvu.errors import NotFound, PermissionDenied
from congvu.installation import Installation
from congvu.mailstore.api import ALL_RIGHTS, DELETED, SEEN, FlagMode


def test_delegate_sees_the_agency_mailbox_with_its_rights(people: People) -> None:
    store = people.store
    store.deliver(message("Công văn đến"), [people.agency])
    shared = [f for f in store.list_folders(people.binh) if f.shared]
    assert shared[0].path == f"Shared/{people.agency_address}/INBOX"
    assert shared[0].owner_id == people.agency
    assert set("lrswitek") <= set(shared[0].rights.letters)
    assert store.rights(people.binh, people.agency) == shared[0].rights
    assert store.rights(people.agency, people.agency).letters == ALL_RIGHTS
    found = store.find_folder(people.binh, f"Shared/{people.agency_address}/inbox")
    assert found.id == shared[0].id
    assert store.fetch(people.binh, found.id, [1])[0].content.subject == "Công văn đến"


def test_others_see_nothing(people: People) -> None:
    store = people.store
    store.deliver(message("Mật"), [people.agency])
    inbox = store.find_folder(people.agency, "INBOX")
    assert not any(f.shared for f in store.list_folders(people.an))
    assert not store.rights(people.an, people.agency)
    with pytest.raises(NotFound):
        store.find_folder(people.an, f"Shared/{people.agency_address}/INBOX")
    with pytest.raises(NotFound):
        store.snapshot(people.an, inbox.id)
    with pytest.raises(NotFound):
        store.read_raw(people.an, inbox.id, 1)


def test_seen_is_per_user_on_a_shared_mailbox(installation: Installation, people: People) -> None:
    store = people.store
    d = installation.directory
    chi = d.accounts.add(full_name="Phạm Thị Chi", agency="H19.04", address="ptchi@dongnai.gov.vn",
                         password="Matkhau@2026").account
    d.accounts.grant(chi.address, "clerk", agency="H19.04")
    store.deliver(message("Thư 1"), [people.agency])
    store.deliver(message("Thư 2"), [people.agency])
    inbox = store.find_folder(people.binh, f"Shared/{people.agency_address}/INBOX").id
    result = store.store_flags(people.binh, inbox, [1], FlagMode.ADD, [SEEN, DELETED])
    assert result.messages[0].flags == {SEEN, DELETED}
    assert [m.flags for m in store.snapshot(people.binh, inbox).messages] == [{SEEN, DELETED}, frozenset()]
    # Another clerk and the mailbox itself see \Deleted (shared) but not Bình's \Seen.
    assert [m.flags for m in store.snapshot(chi.id, inbox).messages] == [{DELETED}, frozenset()]
    assert [m.flags for m in store.snapshot(people.agency, inbox).messages] == [{DELETED}, frozenset()]
    assert store.folder_status(people.binh, inbox).unseen == 1
    assert store.folder_status(chi.id, inbox).unseen == 2
    from congvu.mailstore.criteria import HasFlag

    assert store.search(people.binh, inbox, HasFlag(SEEN)) == (1,)
    assert store.search(chi.id, inbox, HasFlag(SEEN)) == ()
    store.store_flags(people.binh, inbox, [1], FlagMode.REMOVE, [SEEN])
    assert store.snapshot(people.binh, inbox).messages[0].flags == {DELETED}


def test_removed_delegate_loses_access_at_once(installation: Installation, people: People) -> None:
    store = people.store
    store.deliver(message("Trước khi thôi việc"), [people.agency])
    inbox = store.find_folder(people.binh, f"Shared/{people.agency_address}/INBOX").id
    assert store.snapshot(people.binh, inbox).messages
    installation.directory.accounts.revoke(people.binh_address, "clerk", agency="H19.04")
    with pytest.raises(NotFound):
        store.snapshot(people.binh, inbox)
    with pytest.raises(NotFound):
        store.store_flags(people.binh, inbox, [1], FlagMode.ADD, [SEEN])
    assert not any(f.shared for f in store.list_folders(people.binh))


def test_limited_rights_are_enforced(installation: Installation, people: People) -> None:
    from sqlalchemy import update

    from congvu.store.schema import mailbox_delegates

    store = people.store
    store.deliver(message("Chỉ đọc"), [people.agency])
    with installation.db.begin() as conn:
        conn.execute(update(mailbox_delegates).where(mailbox_delegates.c.delegate_account_id == people.binh)
                     .values(rights="lrs"))
    inbox = store.find_folder(people.binh, f"Shared/{people.agency_address}/INBOX").id
    assert store.store_flags(people.binh, inbox, [1], FlagMode.ADD, [SEEN]).changed == {1}
    ignored = store.store_flags(people.binh, inbox, [1], FlagMode.ADD, [DELETED, SEEN])
    assert ignored.changed == frozenset()  # no "t": \Deleted left alone
    with pytest.raises(PermissionDenied):
        store.expunge(people.binh, inbox)
    with pytest.raises(PermissionDenied):
        store.append(people.binh, inbox, message("Không được thêm"))
    with pytest.raises(PermissionDenied):
        store.create_folder(people.binh, f"Shared/{people.agency_address}/Mới")
    own_archive = store.find_folder(people.binh, "Archive").id
    with pytest.raises(PermissionDenied):
        store.move(people.binh, inbox, [1], own_archive)
    copied = store.copy(people.binh, inbox, [1], own_archive)  # reading is enough to copy out
    assert store.snapshot(people.binh, own_archive).messages[0].flags == {SEEN}
    assert copied.mapping == ((1, 1),)


def test_delegate_moves_within_the_agency_mailbox_keep_everyones_seen(installation: Installation,
                                                                      people: People) -> None:
    store = people.store
    store.deliver(message("Lưu trữ"), [people.agency])
    inbox = store.find_folder(people.binh, f"Shared/{people.agency_address}/INBOX").id
    archive = store.find_folder(people.binh, f"Shared/{people.agency_address}/Archive").id
    store.store_flags(people.binh, inbox, [1], FlagMode.ADD, [SEEN])
    store.move(people.binh, inbox, [1], archive)
    assert store.snapshot(people.binh, archive).messages[0].flags == {SEEN}
    assert store.snapshot(people.agency, archive).messages[0].flags == frozenset()
    assert store.quota(people.agency).messages == 1
