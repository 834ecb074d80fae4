"""The mail administration pages: the message trace, held mail (release, discard) and the mail policy with this
month's free-webmail counts — each scoped, so an agency administrator never sees or acts on another agency's
mail."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable

from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, TEST_DOMAIN, Browser, Province

from congvu.delivery.held import HeldMail
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.trace_log import TraceEvent, TraceQuery, TraceRecord
from congvu.mail.compose import build_message


def signed_in(browser: Callable[..., Browser], address: str, password: str) -> Browser:
    person = browser()
    assert person.sign_in(address, password).status_code == 303
    return person


def hold(province: Province, queue_id: str, sender: str, recipient: str, subject: str) -> None:
    """A held copy as the SMTP server files it: the envelope on top, into the hold mailbox's Held folder."""
    inst = province.inst
    raw = build_message(from_addr=("Người gửi", sender), to=[recipient], subject=subject, text="Nội dung.")
    top = (f"Return-Path: <{sender}>\r\nX-CongVu-Held: outbound; free webmail gmail.com; queue {queue_id}\r\n"
           f"X-CongVu-Held-For: {recipient}\r\n").encode()
    holders = HeldMail(inst).holders()
    for holder in holders:
        if "Held" not in inst.mailstore.folder_ids(holder):
            inst.mailstore.create_folder(holder, "Held")
    inst.mailstore.deliver(top + raw, list(holders), folder="Held")
    inst.trace.record(TraceRecord(queue_id, TraceEvent.HELD, sender, recipient=recipient, folder="Held"))


def test_trace_page_is_scoped(browser: Callable[..., Browser], province: Province) -> None:
    province.inst.trace.record_many([
        TraceRecord("A1B2C3", TraceEvent.ACCEPTED, province.staff, message_id="mine@dongnai.gov.vn", code=250,
                    text="queued as A1B2C3", client_ip="10.0.0.5", listener="submission"),
        TraceRecord("A1B2C3", TraceEvent.STORED, province.staff, recipient=province.agency_admin,
                    message_id="mine@dongnai.gov.vn", folder="INBOX"),
        TraceRecord("D4E5F6", TraceEvent.REFUSED, province.outsider, recipient="ketoan@example.test", stage="RCPT",
                    code=550, enhanced="5.7.1", text="<ketoan@example.test>: relaying denied"),
    ])
    admin = signed_in(browser, ADMIN, ADMIN_PASSWORD)
    page = admin.get("/quan-tri/theo-doi-thu")
    assert page.status_code == 200 and 'href="/quan-tri/theo-doi-thu" aria-current="page"' in page.text
    assert "/quan-tri/thu-giu-lai" in page.text and "/quan-tri/chinh-sach-thu" in page.text
    refused = admin.get("/quan-tri/theo-doi-thu", params={"nguoi_nhan": "ketoan@example.test"})
    assert "Bị từ chối" in refused.text and "550 5.7.1 &lt;ketoan@example.test&gt;: relaying denied" in refused.text
    agency = signed_in(browser, province.agency_admin, PASSWORD)
    own = agency.get("/quan-tri/theo-doi-thu", params={"ma_thu": "<mine@dongnai.gov.vn>"})
    assert "Đã vào hộp thư" in own.text and "A1B2C3" in own.text and "Thư mục: INBOX" in own.text
    other = agency.get("/quan-tri/theo-doi-thu", params={"nguoi_gui": province.outsider})
    assert "Không tìm thấy thư nào trong phạm vi bạn quản trị." in other.text and "D4E5F6" not in other.text
    assert agency.get("/quan-tri/theo-doi-thu", params={"ma_thu": "D4E5F6"}).text.count("relaying denied") == 0
    dates = agency.get("/quan-tri/theo-doi-thu", params={"tu": "2026-13-01"})
    assert dates.status_code == 400 and "Ngày không hợp lệ" in dates.text
    english = agency.get("/quan-tri/theo-doi-thu", params={"lang": "en", "nguoi_gui": province.staff})
    assert "Message trace" in english.text and "Stored in mailbox" in english.text


def test_held_mail_release_and_discard_are_scoped(browser: Callable[..., Browser], province: Province) -> None:
    hold(province, "AB12CD", province.staff, "banbe@gmail.com", "Báo cáo tháng")
    hold(province, "EF34AB", province.outsider, "ketoan@gmail.com", "Bảng lương")
    agency = signed_in(browser, province.agency_admin, PASSWORD)
    listed = agency.get("/quan-tri/thu-giu-lai")
    assert listed.status_code == 200
    assert "AB12CD" in listed.text and "Báo cáo tháng" in listed.text and "banbe@gmail.com" in listed.text
    assert "EF34AB" not in listed.text and "Bảng lương" not in listed.text
    # Another agency's message, named by its id: refused, and it stays held.
    refused = agency.post("/quan-tri/thu-giu-lai/EF34AB/cho-di")
    assert "không thuộc cơ quan bạn quản trị" in agency.get(refused.headers["location"]).text
    agency.post("/quan-tri/thu-giu-lai/EF34AB/huy", {"reason": "thử"})
    assert {m.id for m in HeldMail(province.inst).list()} == {"AB12CD", "EF34AB"}
    # A reason is required to discard.
    empty = agency.post("/quan-tri/thu-giu-lai/AB12CD/huy", {"reason": " "})
    assert "Hãy ghi lý do huỷ thư." in agency.get(empty.headers["location"]).text
    released = agency.post("/quan-tri/thu-giu-lai/AB12CD/cho-di")
    assert released.status_code == 303
    assert "Đã cho thư AB12CD đi tiếp." in agency.get(released.headers["location"]).text
    queued = [m for m in OutboundQueue(province.inst).list() if m.mail_from == province.staff]
    assert [[r.recipient for r in m.recipients] for m in queued] == [["banbe@gmail.com"]]
    [traced] = province.inst.trace.search(TraceQuery(message_id="AB12CD"))
    assert [h.event for h in traced.hops] == ["held", "released", "queued"]
    # The province administrator discards the other one; its sender is told why.
    admin = signed_in(browser, ADMIN, ADMIN_PASSWORD)
    admin.get("/quan-tri/thu-giu-lai")
    done = admin.post("/quan-tri/thu-giu-lai/EF34AB/huy", {"reason": "Không dùng hộp thư cá nhân"})
    assert "Đã huỷ thư EF34AB" in admin.get(done.headers["location"]).text
    assert HeldMail(province.inst).list() == []
    store = province.inst.mailstore
    outsider = province.inst.directory.accounts.show(province.outsider)
    inbox = store.find_folder(outsider.id, "INBOX")
    [notice] = [store.read_raw(outsider.id, inbox.id, m.uid) for m in store.snapshot(outsider.id, inbox.id).messages]
    body = email.message_from_bytes(notice, policy=email.policy.default).get_body().get_content()  # type: ignore[union-attr]
    assert "Lý do: Không dùng hộp thư cá nhân" in body and "EF34AB" in body
    audit = admin.get("/quan-tri/nhat-ky", params={"q": "held"})
    assert "held.discard" in audit.text and "held.release" in audit.text


def test_policy_page_shows_the_configuration_and_counts_per_agency(browser: Callable[..., Browser],
                                                                  province: Province) -> None:
    inst = province.inst
    staff = inst.directory.accounts.show(province.staff)
    outsider = inst.directory.accounts.show(province.outsider)
    for account_id, action in ((staff.id, "warn"), (staff.id, "hold"), (outsider.id, "warn")):
        inst.usage.record("free_mail", account_id=account_id, protocol="smtp",
                          detail={"direction": "outbound", "action": action, "domain": "gmail.com", "recipients": 2})
    inst.usage.record("free_mail", account_id=None, protocol="smtp",
                      detail={"direction": "inbound", "action": "allow", "domain": "yahoo.com", "recipients": 1})
    admin = signed_in(browser, ADMIN, ADMIN_PASSWORD)
    page = admin.get("/quan-tri/chinh-sach-thu")
    assert page.status_code == 200
    assert 'outbound_free_mail = "warn"' in page.text and 'inbound_free_mail = "allow"' in page.text
    assert "gmail.com" in page.text and f"postmaster@{TEST_DOMAIN}" in page.text
    assert "congvu.toml" in page.text and "max_recipients" in page.text and "[trace] retention_days" in page.text
    assert "Phòng Công nghệ thông tin" in page.text and "Sở Tài chính" in page.text
    assert "Thư từ hộp thư miễn phí gửi vào tỉnh" in page.text
    agency = signed_in(browser, province.agency_admin, PASSWORD)
    scoped = agency.get("/quan-tri/chinh-sach-thu")
    assert "Phòng Công nghệ thông tin" in scoped.text and "Sở Tài chính" not in scoped.text
    assert "<td><strong>2</strong></td><td>0</td><td>1</td><td>1</td><td>0</td><td>4</td>" in scoped.text
