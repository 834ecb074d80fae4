"""Bulk import on the web: a preview (dry run) lists every rejected row before anything is written; only the
confirmation by the same administrator writes; an agency administrator cannot import people of other agencies."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, Browser, Province

from congvu.store.schema import accounts, import_batches

HEADER = "Họ và tên,Cơ quan,Phòng,Chức vụ,Điện thoại,Email\n"
GOOD_AND_ONE_BAD = (HEADER
                    + "Phạm Thị Hằng,H19.04.01,,Chuyên viên,0251 3822 001,\n"
                    + "Võ Minh Khoa,Sở Thông tin và Truyền thông,Văn phòng,Văn thư,,\n"
                    + "Lý Văn Bình,H19.99,,Chuyên viên,,\n"  # row 4: no such agency
                    + "Đỗ Văn Dũng,H19.04.01,,Chuyên viên,,\n")  # row 5: already in the directory


def person_count(province: Province) -> int:
    with province.inst.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(accounts)
                                .where(accounts.c.kind == "person")).scalar_one())


def upload(person: Browser, body: str, name: str = "canbo.csv"):  # type: ignore[no-untyped-def]
    person.get("/quan-tri/nhap")
    return person.client.post("/quan-tri/nhap", data={"csrf": person.token},
                              files={"file": (name, body.encode("utf-8"), "text/csv")}, follow_redirects=False)


def test_preview_shows_the_bad_row_and_writes_nothing_until_confirmed(browser: Callable[..., Browser],
                                                                      province: Province) -> None:
    admin = browser()
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    before = person_count(province)
    preview = upload(admin, GOOD_AND_ONE_BAD)
    assert preview.status_code == 200
    text = preview.text
    assert re.search(r'<td class="num">4</td><td>không có cơ quan «H19.99»', text)
    assert "hangpt@dongnai.gov.vn" in text and "khoavm@dongnai.gov.vn" in text
    assert "<strong>2</strong><span>tài khoản sẽ tạo" in text.replace("\n", "").replace("  ", "")
    assert person_count(province) == before  # a preview writes nothing
    with province.inst.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(import_batches)).scalar_one() == 0
    action = re.search(r'action="(/quan-tri/nhap/[0-9a-f]{32}/ghi)"', text).group(1)  # type: ignore[union-attr]
    admin.token = re.search(r'name="csrf" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    done = admin.post(action)
    assert done.status_code == 200 and "Đã nhập danh sách" in done.text
    assert person_count(province) == before + 2
    assert province.inst.directory.accounts.show("hangpt").agency_code == "H19.04.01"
    assert admin.post(action).status_code == 404  # the upload is gone once written
    review = admin.get("/quan-tri/ra-soat")
    missing = review.text.split("Không còn trong danh sách nhân sự mới nhất")[1]
    assert "Nguyễn Thị Lan" in missing and "Phạm Thị Hằng" not in missing and "Đỗ Văn Dũng" not in missing


def test_agency_admin_import_with_outside_rows_is_blocked(browser: Callable[..., Browser],
                                                          province: Province) -> None:
    admin = browser()
    admin.sign_in(province.agency_admin, PASSWORD)
    before = person_count(province)
    preview = upload(admin, HEADER + "Phạm Thị Hằng,H19.04.01,,,,\nTrịnh Văn Tài,H19.05,,,,\n")
    assert "Dòng ngoài phạm vi quản trị" in preview.text and "Xác nhận nhập" not in preview.text
    assert "cơ quan H19.05 nằm ngoài phạm vi bạn quản trị" in preview.text
    token = re.search(r"/quan-tri/nhap/([0-9a-f]{32})", preview.text)
    assert token is None  # no confirmation offered
    assert person_count(province) == before


def test_preview_belongs_to_its_uploader_and_bad_files_are_explained(browser: Callable[..., Browser],
                                                                     province: Province) -> None:
    admin = browser()
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    preview = upload(admin, HEADER + "Phạm Thị Hằng,H19.04.01,,,,\n")
    action = re.search(r'action="(/quan-tri/nhap/[0-9a-f]{32}/ghi)"', preview.text).group(1)  # type: ignore[union-attr]
    other = browser()
    other.sign_in(province.agency_admin, PASSWORD)
    other.get("/quan-tri/nhap")
    assert other.post(action).status_code == 403
    wrong_type = upload(admin, "MZ…", name="virus.exe")
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in admin.get(wrong_type.headers["location"]).text
    no_header = upload(admin, "Tên,Chỗ làm\nA,B\n")
    assert "thiếu cột" in admin.get(no_header.headers["location"]).text
    template = admin.get("/quan-tri/nhap/mau.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
