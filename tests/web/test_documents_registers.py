"""The registers in the web: search without diacritics, filters and paging, the overdue list, the printable
register and the spreadsheet; issuing from the web form (upload, secret refused), recall and publishing."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from docweb_harness import DEPARTMENT, OFFICE, DocWorld, form_action, make_pdf, make_world
from openpyxl import load_workbook

from congvu.installation import Installation


@pytest.fixture
def world(installation: Installation) -> DocWorld:
    return make_world(installation)


def test_search_without_diacritics_and_filters(world: DocWorld) -> None:
    first = world.send("V/v tăng cường sử dụng thư điện tử công vụ")
    world.send("V/v báo cáo tình hình kinh tế - xã hội quý IV")
    clerk = world.browser(world.clerk)
    base = f"/van-ban/{DEPARTMENT}/den"
    page = clerk.get(f"{base}?q=tang cuong THU DIEN TU")
    assert "tăng cường sử dụng thư điện tử" in page.text and "kinh tế - xã hội" not in page.text
    assert "1 văn bản" in page.text
    page = clerk.get(f"{base}?q=van phong uy ban")  # the sender's name, folded
    assert "tăng cường" in page.text and "kinh tế" in page.text
    page = clerk.get(f"{base}?q={first.number}")
    assert "tăng cường" in page.text and "kinh tế" not in page.text
    assert "kinh tế" not in clerk.get(f"{base}?q=xyz khong co").text
    # Status, year and date filters
    entry = world.entry(first.document_id or "")
    world.docs.register(entry.id, actor=world.clerk)
    page = clerk.get(f"{base}?status=03")
    assert "tăng cường" in page.text and "kinh tế" not in page.text
    year = world.docs.ctx.today().year
    assert "tăng cường" in clerk.get(f"{base}?year={year}").text
    assert "tăng cường" not in clerk.get(f"{base}?year={year - 3}").text
    today = world.docs.ctx.today()
    assert "kinh tế" in clerk.get(f"{base}?from={today.isoformat()}&to={today.isoformat()}").text
    assert "kinh tế" not in clerk.get(f"{base}?to={(today - dt.timedelta(days=5)).isoformat()}").text
    bad = clerk.get(f"{base}?from=31-02-x")
    assert bad.status_code == 400 and "không hợp lệ" in bad.text
    # The outgoing register searches the same way.
    sender = world.browser(world.office_clerk)
    page = sender.get(f"/van-ban/{OFFICE}/di?q=bao cao tinh hinh")
    assert "kinh tế - xã hội" in page.text and "tăng cường" not in page.text


def test_paging(world: DocWorld) -> None:
    for i in range(52):
        world.send(f"V/v văn bản thứ {i + 1:02d}")
    clerk = world.browser(world.clerk)
    first = clerk.get(f"/van-ban/{DEPARTMENT}/den")
    assert "52 văn bản" in first.text and "Trang 1 / 2" in first.text
    second = clerk.get(f"/van-ban/{DEPARTMENT}/den?page=2")
    rows = re.findall(r'<tr class="[^"]*">', second.text)
    assert len(rows) == 2


def test_overdue_list(world: DocWorld) -> None:
    late = world.send("V/v việc đã quá hạn")
    world.send("V/v việc còn hạn")
    entry = world.entry(late.document_id or "")
    world.docs.register(entry.id, actor=world.clerk)
    world.docs.assign(entry.id, to_unit="Văn phòng", deadline=world.docs.ctx.today() - dt.timedelta(days=2),
                      actor=world.clerk)
    clerk = world.browser(world.clerk)
    page = clerk.get(f"/van-ban/{DEPARTMENT}/qua-han")
    assert page.status_code == 200 and "việc đã quá hạn" in page.text and "việc còn hạn" not in page.text
    register = clerk.get(f"/van-ban/{DEPARTMENT}/den")
    assert re.search(r'<tr class="late">\s*<td class="num">1</td>', register.text)
    home = clerk.get(f"/van-ban/{DEPARTMENT}")
    assert re.search(r"<strong>1</strong><span>Quá hạn</span>", home.text)
    english = clerk.get(f"/van-ban/{DEPARTMENT}/qua-han?lang=en")
    assert "Overdue documents" in english.text and "Incoming register" in english.text
    clerk.get(f"/van-ban/{DEPARTMENT}/qua-han?lang=vi")
    # Done, it is no longer late.
    world.docs.done(entry.id, actor=world.clerk)
    assert "việc đã quá hạn" not in clerk.get(f"/van-ban/{DEPARTMENT}/qua-han").text


def test_print_and_xlsx_of_the_registers(world: DocWorld) -> None:
    doc = world.send("V/v hướng dẫn lập sổ văn bản")
    entry = world.entry(doc.document_id or "")
    world.docs.register(entry.id, actor=world.clerk)
    clerk = world.browser(world.clerk)
    printed = clerk.get(f"/van-ban/{DEPARTMENT}/den/in")
    assert printed.status_code == 200 and "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in printed.text
    assert "documents-print.css" in printed.text and "hướng dẫn lập sổ" in printed.text
    css = clerk.get("/static/documents-print.css")
    assert css.status_code == 200 and "@media print" in css.text
    sheet = clerk.get(f"/van-ban/{DEPARTMENT}/den.xlsx?q=huong dan")
    assert sheet.status_code == 200 and "so-van-ban-den-H19.04.xlsx" in sheet.headers["content-disposition"]
    book = load_workbook(BytesIO(sheet.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:4] == ("Số đến", "Ngày đến", "Tác giả", "Số, ký hiệu")
    assert rows[2][0] == 1 and rows[2][3] == doc.number and "hướng dẫn lập sổ" in rows[2][5]
    sender = world.browser(world.office_clerk)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in sender.get(f"/van-ban/{OFFICE}/di/in").text
    out = load_workbook(BytesIO(sender.get(f"/van-ban/{OFFICE}/di.xlsx").content))
    out_rows = list(out.active.iter_rows(values_only=True))
    assert out_rows[2][0] == doc.number and "Sở Thông tin và Truyền thông" in out_rows[2][4]
    # Another agency's spreadsheet is refused.
    assert sender.get(f"/van-ban/{DEPARTMENT}/den.xlsx").status_code == 403


def _issue_fields(**changes: str) -> dict[str, str]:
    fields = {"doc_type": "cong_van", "drafting_unit": "TTTH", "subject": "V/v phối hợp triển khai thư công vụ",
              "signer_name": "Phạm Văn Hùng", "signer_position": "Giám đốc", "signer_competence": "",
              "to": "H19.01, H19.05", "noi_nhan": "Như trên;\nLưu: VT, TTTH.", "secrecy": "", "urgency": "Khẩn",
              "due": "", "content": "", "action": "issue"}
    fields.update(changes)
    return fields


def test_issue_from_the_web_form_with_upload(world: DocWorld) -> None:
    clerk = world.browser(world.clerk)
    form = clerk.get(f"/van-ban/{DEPARTMENT}/di/moi")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert '<option value="H19.05">' in form.text  # the recipients' datalist
    response = clerk.post(f"/van-ban/{DEPARTMENT}/di/moi", _issue_fields(), files=[
        ("main_file", ("cong-van-phoi-hop.pdf", make_pdf("Cong van phoi hop"), "application/pdf")),
        ("appendix", ("phu-luc.pdf", make_pdf("Phu luc"), "application/pdf"))])
    assert response.status_code == 303, response.text
    page = clerk.get(response.headers["location"])
    issued = world.docs.outgoing.list(DEPARTMENT)[0]
    assert issued.number == "01/STTTT-TTTH" and len(issued.files) == 2
    assert f"Đã ban hành văn bản số {issued.number}" in page.text
    assert "Văn phòng Ủy ban nhân dân tỉnh" in page.text and "Sở Tài chính" in page.text
    # It arrived in both registers; the sender sees each recipient's status.
    assert world.docs.incoming.find(OFFICE, issued.document_id or "").status == "01"
    assert world.docs.incoming.find("H19.05", issued.document_id or "").urgency == 1
    pdf = clerk.get(re.search(r'class="pdf-preview" name="xem-truoc" src="([^"]+)"', page.text).group(1))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Recall: every recipient is asked.
    response = clerk.post(form_action(page.text, "/thu-hoi"), {"reason": "Ban hành nhầm, sẽ thay thế"})
    assert response.status_code == 303
    assert world.docs.outgoing.get_by_id(issued.id).state.value == "recalled"
    assert world.docs.incoming.find(OFFICE, issued.document_id or "").status == "13"


def test_secret_is_refused_with_the_explanation(world: DocWorld) -> None:
    clerk = world.browser(world.clerk)
    clerk.get(f"/van-ban/{DEPARTMENT}/di/moi")
    response = clerk.post(f"/van-ban/{DEPARTMENT}/di/moi", _issue_fields(secrecy="Mật"), files=[
        ("main_file", ("mat.pdf", make_pdf("Mat"), "application/pdf"))])
    assert response.status_code == 403
    assert "bí mật nhà nước" in response.text and "29/2018/QH14" in response.text
    assert "V/v phối hợp triển khai thư công vụ" in response.text  # the form keeps what was typed
    assert world.docs.outgoing.list(DEPARTMENT) == []
    # Not a PDF, or no recipient: refused with the reason, nothing issued.
    response = clerk.post(f"/van-ban/{DEPARTMENT}/di/moi", _issue_fields(), files=[
        ("main_file", ("gia.pdf", b"not a pdf", "application/pdf"))])
    assert response.status_code == 400 and "PDF" in response.text
    response = clerk.post(f"/van-ban/{DEPARTMENT}/di/moi", _issue_fields(to=""), files=[
        ("main_file", ("a.pdf", make_pdf(), "application/pdf"))])
    assert response.status_code == 400 and "nơi nhận" in response.text
    assert world.docs.outgoing.list(DEPARTMENT) == []


def test_draft_then_issue_and_publish(world: DocWorld) -> None:
    clerk = world.browser(world.clerk)
    clerk.get(f"/van-ban/{DEPARTMENT}/di/moi")
    response = clerk.post(f"/van-ban/{DEPARTMENT}/di/moi", _issue_fields(action="draft", doc_type="thong_bao"),
                          files=[("main_file", ("thong-bao.pdf", make_pdf("Thong bao"), "application/pdf"))])
    assert response.status_code == 303
    page = clerk.get(response.headers["location"])
    assert "Đã lưu dự thảo" in page.text and "(chưa cấp số)" in page.text
    response = clerk.post(form_action(page.text, "/ban-hanh"))
    page = clerk.get(response.headers["location"])
    doc = world.docs.outgoing.list(DEPARTMENT)[0]
    assert doc.state.value == "issued" and doc.number and doc.number.startswith("01/TB-")
    response = clerk.post(form_action(page.text, "/cong-bo"))
    page = clerk.get(response.headers["location"])
    assert "Văn bản đang được công bố." in page.text
    assert [n.document_id for n in world.docs.publisher.notices()] == [doc.document_id]
