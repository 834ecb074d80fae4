from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from congvu.directory.models import AccountStatus, Role
from congvu.directory.resolve import AddressState
from congvu.directory.service import Directory
from congvu.errors import Conflict, InvalidInput


def test_address_proposed_by_pattern_and_collisions_resolved(directory: Directory) -> None:
    first = directory.accounts.add(full_name="Trần Văn Vinh", agency="H19", password=None)
    assert first.account.address == "vinhtv@dongnai.gov.vn"
    second = directory.accounts.add(full_name="Trần Văn Vĩnh", agency="H19.04", password=None)
    assert second.account.address != first.account.address
    assert second.account.address.endswith("@dongnai.gov.vn")
    assert second.account.address.startswith("vinh")
    third = directory.accounts.add(full_name="Trần Văn Vinh", agency="H19.04", password=None)
    assert len({first.account.address, second.account.address, third.account.address}) == 3


def test_decomposed_input_is_stored_composed(directory: Directory) -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    new = directory.accounts.add(full_name=decomposed, agency="H19.04", password=None)
    assert new.account.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", new.account.full_name)


def test_reserved_and_taken_addresses_refused(directory: Directory) -> None:
    for reserved in ("postmaster", "abuse", "admin", "vanthu"):
        with pytest.raises(Conflict, match="dành riêng"):
            directory.accounts.add(full_name="Ai Đó", agency="H19", address=f"{reserved}@dongnai.gov.vn")
    directory.accounts.add(full_name="Lê Văn An", agency="H19", address="anlv@dongnai.gov.vn")
    with pytest.raises(Conflict, match="đã được cấp"):
        directory.accounts.add(full_name="Lê Văn Ân", agency="H19", address="anlv@dongnai.gov.vn")
    with pytest.raises(InvalidInput, match="Tên miền"):
        directory.accounts.add(full_name="Lê Văn Ba", agency="H19", address="balv@gmail.com")
    with pytest.raises(InvalidInput):
        directory.accounts.add(full_name="Lê Văn\x00 Ba", agency="H19")


def test_password_and_authentication(directory: Directory) -> None:
    new = directory.accounts.add(full_name="Phạm Minh Châu", agency="H19.04", password="Matkhau@2026")
    assert new.password is None
    assert directory.accounts.authenticate(new.account.address, "Matkhau@2026") is not None
    assert directory.accounts.authenticate(new.account.address, "sai") is None
    generated = directory.accounts.reset_password(new.account.address)
    assert generated and directory.accounts.authenticate(new.account.address, generated) is not None
    with pytest.raises(InvalidInput):
        directory.accounts.reset_password(new.account.address, password="ngan")
    directory.accounts.disable(new.account.address, reason="Nghỉ phép dài hạn")
    assert directory.accounts.authenticate(new.account.address, generated) is None


def test_remove_keeps_address_reserved_for_retention(directory: Directory) -> None:
    person = directory.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.18", password=None).account
    removed = directory.accounts.remove(person.address, reason="Nghỉ hưu")
    assert removed.status == AccountStatus.REMOVED
    assert removed.status_reason == "Nghỉ hưu"
    assert removed.retention_until is not None
    assert removed.retention_until - removed.status_changed_at == timedelta(days=1825)
    with pytest.raises(Conflict, match="được giữ đến"):
        directory.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.18", address=person.address)
    # a newcomer with the same name gets another address
    newcomer = directory.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.18", password=None).account
    assert newcomer.address != person.address
    with pytest.raises(Conflict):
        directory.accounts.enable(person.address)
    assert removed.moved_to is None


def test_remove_with_a_new_address(directory: Directory) -> None:
    """A person who moves on keeps being reachable: mail to the old address is answered with the new one."""
    person = directory.accounts.add(full_name="Lý Thị Thu", agency="H19.18", password=None).account
    with pytest.raises(InvalidInput, match="khác địa chỉ cũ"):
        directory.accounts.remove(person.address, reason="Chuyển công tác", moved_to=person.address.upper())
    with pytest.raises(InvalidInput):
        directory.accounts.remove(person.address, reason="Chuyển công tác", moved_to="không phải địa chỉ")
    assert directory.accounts.show(person.address).status == AccountStatus.ACTIVE  # nothing changed
    removed = directory.accounts.remove(person.address, reason="Chuyển công tác", moved_to=" Thu.LT@BinhDuong.gov.vn ")
    assert removed.moved_to == "Thu.LT@binhduong.gov.vn"  # an outside local part keeps its case (RFC 5321 §2.4)
    with directory.ctx.db.read() as conn:
        found = directory.recipients.resolve(conn, person.address)
    assert found.state == AddressState.REMOVED and found.moved_to == "Thu.LT@binhduong.gov.vn"


def test_roles_and_clerk_delegation(directory: Directory) -> None:
    clerk = directory.accounts.add(full_name="Nguyễn Thị Lan", agency="H19.04", roles=["clerk"],
                                   password=None).account
    assert [(r.role, r.agency_code) for r in clerk.roles] == [(Role.CLERK, "H19.04")]
    with pytest.raises(InvalidInput, match="Vai trò"):
        directory.accounts.grant(clerk.address, "superuser")
    leader = directory.accounts.grant(clerk.address, "leader")
    assert {r.role for r in leader.roles} == {Role.CLERK, Role.LEADER}
    moved = directory.accounts.edit(clerk.address, agency="H19.18", position="Chuyên viên")
    assert moved.agency_code == "H19.18" and moved.roles == ()


def test_list_search_and_order(directory: Directory) -> None:
    for name in ("Trần Thị Ánh", "Nguyễn Văn An", "Lê Bình", "Đỗ Văn Dũng", "Phạm Văn Chi", "Hoàng Đạt"):
        directory.accounts.add(full_name=name, agency="H19.04", password=None)
    names = [a.full_name for a in directory.accounts.list(agency="H19")]
    assert names == ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Bình", "Phạm Văn Chi", "Đỗ Văn Dũng", "Hoàng Đạt"]
    assert [a.full_name for a in directory.accounts.list(query="dung")] == ["Đỗ Văn Dũng"]
    assert [a.full_name for a in directory.accounts.list(query="ANH")] == ["Trần Thị Ánh"]
