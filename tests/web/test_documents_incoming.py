"""A clerk's day with incoming documents in the web: register, assign, the assignee reports, the sender sees it;
signature status, PDF preview, refusals across agencies and of forged forms."""

from __future__ import annotations

import re

import pytest
from docweb_harness import DEPARTMENT, DIVISION, FINANCE, OFFICE, DocWorld, form_action, make_world, signing_key_p12
from sqlalchemy import select

from congvu.installation import Installation
from congvu.store.schema import audit_log


@pytest.fixture
def world(installation: Installation) -> DocWorld:
    return make_world(installation)


def test_clerk_registers_assigns_and_the_sender_sees_the_status(world: DocWorld) -> None:
    doc = world.send("V/v triển khai chữ ký số")
    entry = world.entry(doc.document_id or "")
    clerk = world.browser(world.clerk)

    landing = clerk.get("/van-ban")
    assert landing.status_code == 200
    assert "Sở Thông tin và Truyền thông" in landing.text and "Chờ vào sổ" in landing.text

    register = clerk.get(f"/van-ban/{DEPARTMENT}/den")
    assert register.status_code == 200 and "V/v triển khai chữ ký số" in register.text
    assert doc.number in register.text and "Đã đến" in register.text

    page = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    assert page.status_code == 200 and 'class="pdf-preview"' in page.text
    response = clerk.post(form_action(page.text, "/vao-so"))
    assert response.status_code == 303
    registered = world.entry(doc.document_id or "")
    assert registered.arrival_number == 1 and registered.status == "03"

    page = clerk.get(response.headers["location"])
    assert "Đã vào sổ: số đến 1." in page.text
    assert world.specialist in page.text  # offered as a handler (a division's person)
    response = clerk.post(form_action(page.text, "/chuyen"), {
        "to_unit": "Phòng Công nghệ thông tin", "to_person": world.specialist,
        "instruction": "Nghiên cứu, tham mưu", "deadline": "2099-12-31"})
    assert response.status_code == 303
    assigned = world.entry(doc.document_id or "")
    assert assigned.status == "04" and world.specialist in (assigned.handler or "")

    # The specialist has no role at the department, yet sees what was assigned to them and reports on it.
    specialist = world.browser(world.specialist)
    landing = specialist.get("/van-ban")
    assert "Văn bản giao cho tôi xử lý" in landing.text and "V/v triển khai chữ ký số" in landing.text
    assert specialist.get(f"/van-ban/{DEPARTMENT}/den").status_code == 403
    page = specialist.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    assert page.status_code == 200 and "/vao-so" not in page.text and "/chuyen" not in page.text
    assert specialist.post(form_action(page.text, "/xu-ly"), {"note": "Đang nghiên cứu"}).status_code == 303
    page = specialist.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    response = specialist.post(form_action(page.text, "/hoan-thanh"), {"note": "Đã báo cáo lãnh đạo"})
    assert response.status_code == 303
    assert world.entry(doc.document_id or "").status == "06"
    # …but may not take the clerk's steps.
    assert specialist.post(f"/van-ban/{DEPARTMENT}/den/{entry.id}/tu-choi", {"reason": "x"}).status_code == 403

    page = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    for step in ("Đã tiếp nhận", "Phân công", "Đang xử lý", "Hoàn thành", "Đã báo cáo lãnh đạo"):
        assert step in page.text, step

    # The sender's clerk sees each step back at the office.
    sender = world.browser(world.office_clerk)
    outgoing = sender.get(f"/van-ban/{OFFICE}/di")
    assert doc.number in outgoing.text and "1/1" in outgoing.text
    view = sender.get(f"/van-ban/{OFFICE}/di/{doc.id}")
    assert view.status_code == 200 and "Sở Thông tin và Truyền thông" in view.text and "Hoàn thành" in view.text
    assert "Đã báo cáo lãnh đạo" in view.text
    # The actions were audited under the people who took them.
    with world.inst.db.read() as conn:
        actors = dict(conn.execute(select(audit_log.c.action, audit_log.c.actor)
                                   .where(audit_log.c.target == doc.document_id)).all())
    assert actors["doc.incoming.accepted"] == world.clerk and actors["doc.incoming.assigned"] == world.clerk
    assert actors["doc.incoming.done"] == world.specialist


def test_reject_with_reason_and_errors_in_vietnamese(world: DocWorld) -> None:
    doc = world.send("V/v gửi nhầm nơi nhận")
    entry = world.entry(doc.document_id or "")
    clerk = world.browser(world.clerk)
    base = f"/van-ban/{DEPARTMENT}/den/{entry.id}"
    clerk.get(base)
    response = clerk.post(f"{base}/tu-choi", {"reason": ""})
    assert response.status_code == 303
    page = clerk.get(base)
    assert "Cần nêu lý do từ chối" in page.text
    clerk.post(f"{base}/tu-choi", {"reason": "Gửi nhầm, đề nghị gửi Sở Tài chính"})
    assert world.entry(doc.document_id or "").status == "02"
    page = clerk.get(base)
    assert "Gửi nhầm, đề nghị gửi Sở Tài chính" in page.text
    # A second step after the refusal is refused by the life cycle, shown in Vietnamese.
    clerk.post(f"{base}/vao-so")
    assert "Không thể chuyển trạng thái" in clerk.get(base).text


def test_another_agency_is_refused_and_nothing_leaks(world: DocWorld) -> None:
    doc = world.send("V/v nội bộ của Sở Thông tin và Truyền thông")
    entry = world.entry(doc.document_id or "")
    outsider = world.browser(world.outsider)
    register = outsider.get(f"/van-ban/{DEPARTMENT}/den")
    assert register.status_code == 403 and "không có quyền xem văn bản" in register.text
    assert "V/v nội bộ" not in register.text
    for url in (f"/van-ban/{DEPARTMENT}/den/{entry.id}", f"/van-ban/{FINANCE}/den/{entry.id}",
                f"/van-ban/{DEPARTMENT}/den/{entry.id}/tep/{entry.id}", f"/van-ban/{OFFICE}/di/{doc.id}",
                f"/van-ban/{FINANCE}/di/{doc.id}"):
        response = outsider.get(url)
        assert response.status_code in (403, 404), url
        assert "V/v nội bộ" not in response.text, url
    files = world.docs.incoming.get(entry.id).files
    response = outsider.get(f"/van-ban/{FINANCE}/den/{entry.id}/tep/{files[0].id}")
    assert response.status_code == 404 and "%PDF" not in response.text
    outsider.get(f"/van-ban/{FINANCE}/den")
    assert outsider.post(f"/van-ban/{DEPARTMENT}/den/{entry.id}/vao-so").status_code == 404
    assert outsider.post(f"/van-ban/{FINANCE}/den/{entry.id}/vao-so").status_code == 404
    assert world.entry(doc.document_id or "").status == "01"
    assert outsider.get("/van-ban/H99").status_code == 404
    # Not signed in: to the sign-in page.
    from fastapi.testclient import TestClient
    anonymous = TestClient(world.app).get(f"/van-ban/{DEPARTMENT}/den", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/dang-nhap")


def test_forged_forms_are_refused(world: DocWorld) -> None:
    doc = world.send()
    entry = world.entry(doc.document_id or "")
    clerk = world.browser(world.clerk)
    url = f"/van-ban/{DEPARTMENT}/den/{entry.id}/vao-so"
    no_token = clerk.client.post(url, data={}, follow_redirects=False)
    assert no_token.status_code == 403
    wrong = clerk.client.post(url, data={"csrf": "x" * 30}, follow_redirects=False)
    assert wrong.status_code == 403
    clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    other_site = clerk.client.post(url, data={"csrf": clerk.token}, headers={"Origin": "https://evil.example"},
                                   follow_redirects=False)
    assert other_site.status_code == 403
    assert world.entry(doc.document_id or "").status == "01"


def test_pdf_is_served_inline_for_the_preview(world: DocWorld) -> None:
    doc = world.send('V/v "tệp" ../../etc')
    entry = world.docs.incoming.get(world.entry(doc.document_id or "").id)
    clerk = world.browser(world.clerk)
    page = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    src = re.search(r'<iframe class="pdf-preview" name="xem-truoc" src="([^"]+)"', page.text)
    assert src
    pdf = clerk.get(src.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith('inline; filename="cong-van.pdf"')
    assert "frame-ancestors 'self'" in pdf.headers["content-security-policy"]
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN"
    download = clerk.get(src.group(1) + "?tai=1")
    assert download.headers["content-disposition"].startswith("attachment;")


def test_signature_status_is_shown(world: DocWorld) -> None:
    ca_pem, p12 = signing_key_p12("Văn phòng UBND tỉnh")
    world.docs.profiles.set_signing_key(OFFICE, p12, b"matkhau")
    world.docs.trust.add(ca_pem, name="CA thử nghiệm")
    doc = world.send("V/v văn bản có chữ ký số")
    assert doc.signed
    entry = world.docs.incoming.get(world.entry(doc.document_id or "").id)
    assert entry.signatures and entry.signatures[0].intact
    clerk = world.browser(world.clerk)
    page = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    assert "Văn phòng UBND tỉnh" in page.text and "Toàn vẹn" in page.text
    assert entry.signatures[0].summary in page.text


def test_the_leader_and_the_agency_admin_of_a_parent_agency_see_the_register(world: DocWorld) -> None:
    world.inst.directory.accounts.grant(world.specialist, "agency_admin", agency=DIVISION)
    doc = world.send("V/v lãnh đạo xem")
    leader = world.browser(world.leader)
    assert "V/v lãnh đạo xem" in leader.get(f"/van-ban/{DEPARTMENT}/den").text
    assert doc.number in leader.get(f"/van-ban/{DEPARTMENT}/den?q=lanh dao xem").text
    # An administrator of the division (below the department) does not see the department's register.
    admin_below = world.browser(world.specialist)
    assert admin_below.get(f"/van-ban/{DEPARTMENT}/den").status_code == 403
    assert admin_below.get(f"/van-ban/{DIVISION}/den").status_code == 200


def test_registered_document_previews_the_stamped_copy_and_links_the_original(world: DocWorld) -> None:
    doc = world.send("V/v dấu Đến")
    entry = world.entry(doc.document_id or "")
    clerk = world.browser(world.clerk)
    page = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    clerk.post(form_action(page.text, "/vao-so"))
    detail = world.docs.incoming.get(entry.id)
    main = next(f for f in detail.files if f.role == "main")
    stamped = next(f for f in detail.files if f.role == "stamped")
    page = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}")
    src = re.search(r'<iframe class="pdf-preview" name="xem-truoc" src="([^"]+)"', page.text)
    assert src and src.group(1).endswith(f"/tep/{stamped.id}")
    assert "Bản có dấu Đến" in page.text and f'href="/van-ban/{DEPARTMENT}/den/{entry.id}/tep/{main.id}"' in page.text
    original = clerk.get(f"/van-ban/{DEPARTMENT}/den/{entry.id}/tep/{main.id}").content
    copy = clerk.get(src.group(1)).content
    assert copy.startswith(original) and len(copy) > len(original)
