from __future__ import annotations

import pytest

from congvu.directory.models import AgencyLevel
from congvu.directory.service import Directory
from congvu.errors import Conflict, InvalidInput, NotFound


def test_tree_order_and_mailboxes(directory: Directory) -> None:
    tree = directory.agencies.list()
    assert [(a.code, a.depth) for a in tree] == [
        ("H19", 0), ("H19.18", 1), ("H19.04", 1), ("H19.31", 1), ("H19.31.03", 2), ("H19.31.11", 2)]
    by_code = {a.code: a for a in tree}
    assert by_code["H19.04"].mailbox == "stttt@dongnai.gov.vn"
    assert by_code["H19.31"].mailbox == "ubndthongnhat@dongnai.gov.vn"
    assert by_code["H19.31.03"].mailbox == "ptnmt.thongnhat@dongnai.gov.vn"
    assert by_code["H19.31.11"].mailbox == "ubndgiakiem@dongnai.gov.vn"
    assert by_code["H19.04"].level == AgencyLevel.DEPARTMENT
    assert by_code["H19.04"].wave == 1


def test_lookup_by_code_name_without_diacritics_and_legacy_code(directory: Directory) -> None:
    directory.agencies.add(code="000.00.11.H53", name="Sở Tài chính", short_name="STC", level="department",
                           parent="H19")
    with directory.ctx.db.read() as conn:
        assert directory.agencies.get(conn, "so thong tin va truyen thong").code == "H19.04"
        assert directory.agencies.get(conn, "h19.04").code == "H19.04"
        assert directory.agencies.get(conn, "000.00.11.H53").legacy_code == "000.00.11.H53"
        with pytest.raises(NotFound):
            directory.agencies.get(conn, "Sở Không Có")


@pytest.mark.parametrize("code", ["h19..1", "Z19", "H1", "H19.04 ", "H19.0-4", "X" * 40, "123.45.67.H5"])
def test_malformed_codes_are_refused(directory: Directory, code: str) -> None:
    if code == "H19.04 ":
        with pytest.raises(Conflict):  # stripped, then a duplicate
            directory.agencies.add(code=code, name="Trùng", short_name="TR", level="department", parent="H19")
        return
    with pytest.raises(InvalidInput):
        directory.agencies.add(code=code, name="Sai mã", short_name="SM", level="department", parent="H19")


def test_duplicate_code_and_bad_parent_level(directory: Directory) -> None:
    with pytest.raises(Conflict, match=r"H19\.04"):
        directory.agencies.add(code="H19.04", name="Sở khác", short_name="SK", level="department", parent="H19")
    with pytest.raises(InvalidInput, match="trực thuộc"):
        directory.agencies.add(code="H19.40", name="UBND xã Lạc", short_name="UBND", level="commune",
                               parent="H19.04")
    with pytest.raises(InvalidInput, match="ký tự điều khiển"):
        directory.agencies.add(code="H19.41", name="Sở\x07 Lạ", short_name="SL", level="department",
                               parent="H19")
    with pytest.raises(NotFound):
        directory.agencies.add(code="H19.42", name="Sở Mới", short_name="SM", level="department",
                               parent="H99")
    # nothing half-written
    assert {a.code for a in directory.agencies.list()} == {"H19", "H19.04", "H19.18", "H19.31", "H19.31.03",
                                                           "H19.31.11"}


def test_move_refuses_cycles_and_checks_levels(directory: Directory) -> None:
    directory.agencies.add(code="H19.32", name="UBND huyện Trảng Bom", short_name="UBND", level="district",
                           parent="H19")
    moved = directory.agencies.move("H19.31.11", "H19.32")
    assert moved.parent_code == "H19.32"
    with pytest.raises(InvalidInput):
        directory.agencies.move("H19", "H19.31")
    with pytest.raises(InvalidInput):
        directory.agencies.move("H19.31.11", "H19.04")


def test_remove_keeps_history_and_refuses_when_in_use(directory: Directory) -> None:
    with pytest.raises(Conflict, match="trực thuộc"):
        directory.agencies.remove("H19.31", reason="Sáp nhập")
    directory.accounts.add(full_name="Lê Văn Tám", agency="H19.18", password=None)
    with pytest.raises(Conflict, match="tài khoản"):
        directory.agencies.remove("H19.18", reason="Sáp nhập")
    removed = directory.agencies.remove("H19.31.11", reason="Sáp nhập xã")
    assert removed.status == "removed"
    assert "H19.31.11" not in {a.code for a in directory.agencies.list()}
    assert "H19.31.11" in {a.code for a in directory.agencies.list(include_removed=True)}
    mailbox = directory.accounts.show("ubndgiakiem@dongnai.gov.vn")
    assert mailbox.status == "removed" and mailbox.retention_until is not None


def test_edit_and_waves(directory: Directory) -> None:
    directory.agencies.set_wave(2, name="Đợt 2", starts_on=None)
    edited = directory.agencies.edit("H19.18", wave=2, name="Sở Nội vụ tỉnh Đồng Nai")
    assert edited.wave == 2 and edited.name == "Sở Nội vụ tỉnh Đồng Nai"
    with pytest.raises(NotFound):
        directory.agencies.edit("H19.18", wave=9)
    assert [w.number for w in directory.agencies.waves()] == [1, 2]
