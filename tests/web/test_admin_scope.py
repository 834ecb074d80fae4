"""Administration is scoped: an agency administrator manages their agency and what is under it, nothing else —
whether the person is named by address or by account number — and every change is audited with their address."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, Browser, Province

from congvu.store.schema import audit_log


def agency_admin(browser: Callable[..., Browser], province: Province) -> Browser:
    person = browser()
    assert person.sign_in(province.agency_admin, PASSWORD).status_code == 303
    return person


def test_agency_admin_sees_only_their_subtree(browser: Callable[..., Browser], province: Province) -> None:
    admin = agency_admin(browser, province)
    people = admin.get("/quan-tri/can-bo")
    assert people.status_code == 200
    assert "Đỗ Văn Dũng" in people.text and "Nguyễn Thị Lan" not in people.text
    tree = admin.get("/quan-tri/co-quan")
    assert "Phòng Công nghệ thông tin" in tree.text and "Sở Tài chính" not in tree.text
    assert admin.get("/quan-tri/can-bo?agency=H19.05").status_code == 403
    assert admin.get("/quan-tri/nhom").status_code == 403  # groups are the province's
    assert admin.get("/quan-tri/dot-trien-khai").status_code == 403


def test_out_of_scope_person_refused_by_address_and_by_id(browser: Callable[..., Browser],
                                                          province: Province) -> None:
    admin = agency_admin(browser, province)
    outsider = province.inst.directory.accounts.show(province.outsider)
    by_address = admin.get(f"/quan-tri/can-bo/{province.outsider}")
    by_id = admin.get(f"/quan-tri/can-bo/{outsider.id}")
    for response in (by_address, by_id):
        assert response.status_code == 403
        assert f"Tài khoản «{province.outsider}» thuộc cơ quan ngoài phạm vi bạn quản trị." in response.text
    admin.get("/quan-tri/can-bo")  # a fresh token from a page of their own
    for action, data in (("khoa", {"reason": "thử"}), ("xoa", {"reason": "thử"}), ("dat-lai-mat-khau", {}),
                         ("chuyen", {"agency": "H19.04"}), ("vai-tro", {"role": "clerk", "action": "grant"})):
        for ref in (province.outsider, str(outsider.id)):
            assert admin.post(f"/quan-tri/can-bo/{ref}/{action}", data).status_code == 403
    assert province.inst.directory.accounts.show(province.outsider).status == "active"
    assert admin.get("/quan-tri/can-bo/khongco@dongnai.gov.vn").status_code == 404
    assert admin.get("/quan-tri/co-quan/H19.05").status_code == 403


def test_agency_admin_cannot_move_people_or_agencies_out_of_scope(browser: Callable[..., Browser],
                                                                  province: Province) -> None:
    admin = agency_admin(browser, province)
    admin.get(f"/quan-tri/can-bo/{province.staff}")
    moved = admin.post(f"/quan-tri/can-bo/{province.staff}/chuyen", {"agency": "H19.05"})
    assert "ngoài phạm vi" in admin.get(moved.headers["location"]).text
    assert province.inst.directory.accounts.show(province.staff).agency_code == "H19.04.01"
    own = admin.post("/quan-tri/co-quan/H19.04/chuyen", {"parent": "H19.05"})
    assert own.status_code == 403  # their own agency stays where the province put it
    added = admin.post("/quan-tri/co-quan/them", {"code": "H19.05.09", "name": "Phòng Lạ", "short_name": "PL",
                                                  "level": "division", "parent": "H19.05"})
    assert added.status_code == 400 and "ngoài phạm vi" in added.text


def test_agency_admin_manages_their_people_and_actions_are_audited(browser: Callable[..., Browser],
                                                                   province: Province) -> None:
    admin = agency_admin(browser, province)
    admin.get("/quan-tri/can-bo/them")
    created = admin.post("/quan-tri/can-bo/them", {"full_name": "Trần Thị Hoa", "agency": "H19.04.01",
                                                   "position": "Chuyên viên"})
    assert created.status_code == 200 and "hoatt@dongnai.gov.vn" in created.text
    address = "hoatt@dongnai.gov.vn"
    admin.get(f"/quan-tri/can-bo/{address}")
    admin.post(f"/quan-tri/can-bo/{address}/sua", {"full_name": "Trần Thị Hoa", "position": "Phó Trưởng phòng",
                                                   "unit": "", "phone": "0251 3822 123"})
    admin.post(f"/quan-tri/can-bo/{address}/vai-tro", {"role": "clerk", "action": "grant"})
    assert admin.post(f"/quan-tri/can-bo/{address}/vai-tro",
                      {"role": "province_admin", "action": "grant"}).status_code == 303
    reset = admin.post(f"/quan-tri/can-bo/{address}/dat-lai-mat-khau")
    assert reset.status_code == 200 and "Đã đặt lại mật khẩu" in reset.text
    admin.get(f"/quan-tri/can-bo/{address}")
    admin.post(f"/quan-tri/can-bo/{address}/khoa", {"reason": "Nghỉ phép dài hạn"})
    admin.post(f"/quan-tri/can-bo/{address}/xoa", {"reason": "Chuyển công tác", "moved_to": "moi@longan.gov.vn"})
    account = province.inst.directory.accounts.show(address)
    assert account.status == "removed" and account.position == "Phó Trưởng phòng"
    assert account.moved_to == "moi@longan.gov.vn" and "moi@longan.gov.vn" in admin.get(
        f"/quan-tri/can-bo/{address}").text
    assert all(g.role.value != "province_admin" for g in account.roles)
    with province.inst.db.read() as conn:
        actions = {r.action for r in conn.execute(select(audit_log.c.action).where(
            audit_log.c.actor == province.agency_admin, audit_log.c.target == address))}
    assert {"account.add", "account.edit", "account.grant", "account.reset_password", "account.disabled",
            "account.removed"} <= actions
    log = admin.get("/quan-tri/nhat-ky")
    assert "account.removed" in log.text and province.outsider not in log.text
    assert admin.post(f"/quan-tri/can-bo/{province.agency_admin}/khoa", {}).status_code == 303
    assert province.inst.directory.accounts.show(province.agency_admin).status == "active"  # not themselves


def test_province_admin_sees_everything_and_reviews_accounts(browser: Callable[..., Browser],
                                                             province: Province) -> None:
    admin = browser()
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    people = admin.get("/quan-tri/can-bo?q=nguyen thi lan")
    assert "Nguyễn Thị Lan" in people.text and "Đỗ Văn Dũng" not in people.text
    assert admin.get(f"/quan-tri/can-bo/{province.outsider}").status_code == 200
    review = admin.get("/quan-tri/ra-soat")
    assert review.status_code == 200 and "Đỗ Văn Dũng" in review.text and "Chưa nhập danh sách nhân sự" in review.text
    admin.get("/quan-tri/co-quan/them")
    added = admin.post("/quan-tri/co-quan/them", {"code": "H19.05.01", "name": "Phòng Ngân sách", "short_name": "PNS",
                                                  "level": "division", "parent": "H19.05"})
    assert added.status_code == 303
    admin.get("/quan-tri/co-quan/H19.05.01")
    admin.post("/quan-tri/co-quan/H19.05.01/chuyen", {"parent": "H19.04"})
    assert province.inst.directory.agencies.show("H19.05.01").parent_code == "H19.04"
    admin.get("/quan-tri/bi-danh")
    taken = admin.post("/quan-tri/bi-danh", {"address": "stc", "targets": "stttt"})
    assert "stc@dongnai.gov.vn" in admin.get(taken.headers["location"]).text  # already the agency's mailbox
    admin.post("/quan-tri/bi-danh", {"address": "taichinh", "targets": "stc"})
    assert province.inst.directory.aliases.show("taichinh").targets == ("stc@dongnai.gov.vn",)
    admin.get("/quan-tri/nhom")
    admin.post("/quan-tri/nhom", {"address": "cacso", "name": "Các sở", "kind": "rule", "level": "department"})
    assert province.inst.directory.groups.show("cacso@dongnai.gov.vn").members == ("stc@dongnai.gov.vn",
                                                                                    "stttt@dongnai.gov.vn")


def test_agency_admin_cannot_take_over_a_province_admin_in_their_agency(browser: Callable[..., Browser],
                                                                        province: Province) -> None:
    province.inst.directory.accounts.grant(province.staff, "province_admin")
    admin = agency_admin(browser, province)
    assert admin.get(f"/quan-tri/can-bo/{province.staff}").status_code == 200  # they may look
    refused = admin.post(f"/quan-tri/can-bo/{province.staff}/dat-lai-mat-khau")
    assert refused.status_code == 403 and "là quản trị cấp tỉnh" in refused.text
