"""Where a person lands after signing in (their mail; administrators see the administration link there), the
home page of a signed-in person (unread counts of their mailboxes, links to mail, documents and administration),
and the free-webmail notice a web sender sees on screen."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from mail_helpers import AGENCY_MAILBOX, People, make_people
from sqlalchemy import select
from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, Browser, Province

from congvu.store.schema_delivery import outbound_recipients


@pytest.fixture
def people(province: Province) -> People:
    return make_people(province)


def _sign_in_plainly(person: Browser, address: str, password: str) -> str:
    """The sign-in form as opened from the top bar (no page to return to); where the answer sends the person."""
    form = person.get("/dang-nhap")
    assert 'name="next" value="/thu"' in form.text
    response = person.post("/dang-nhap", {"address": address, "password": password, "next": "/thu"})
    assert response.status_code == 303
    return str(response.headers["location"])


def test_everyone_lands_in_their_mail(browser: Callable[..., Browser], people: People) -> None:
    staff = browser()
    assert _sign_in_plainly(staff, people.clerk, PASSWORD) == "/thu"
    mail = staff.get("/thu", follow_redirects=True)
    assert mail.status_code == 200 and f"/thu/muc/{people.folder(people.clerk)}" in str(mail.url)
    assert 'href="/quan-tri"' not in mail.text
    assert staff.get("/dang-nhap", follow_redirects=False).headers["location"] == "/thu"

    admin = browser()
    assert _sign_in_plainly(admin, people.admin, PASSWORD) == "/thu"  # an agency administrator
    assert 'href="/quan-tri"' in admin.get("/thu", follow_redirects=True).text
    province_admin = browser()
    assert _sign_in_plainly(province_admin, ADMIN, ADMIN_PASSWORD) == "/thu"
    assert 'href="/quan-tri"' in province_admin.get("/thu", follow_redirects=True).text
    # A page asked for before signing in still wins.
    later = browser()
    later.get("/dang-nhap?next=/quan-tri")
    assert later.post("/dang-nhap", {"address": people.admin, "password": PASSWORD,
                                     "next": "/quan-tri"}).headers["location"] == "/quan-tri"


def test_home_page_sums_up_the_mailboxes(browser: Callable[..., Browser], people: People) -> None:
    for n in range(3):
        people.deliver(people.clerk, f"Giấy mời họp số {n}")
    people.deliver(AGENCY_MAILBOX, "Công văn đến Sở")
    anonymous = browser().get("/")
    assert 'href="/dang-nhap"' in anonymous.text and "hop-thu-cua-toi" not in anonymous.text

    clerk = browser()
    clerk.sign_in(people.clerk, PASSWORD)
    home = clerk.get("/").text
    inbox = people.folder(people.clerk)
    assert re.search(rf'<a href="/thu/muc/{inbox}" class="unread-link"><span class="unread">3</span> thư chưa đọc',
                     home)
    agency_inbox = people.folder(AGENCY_MAILBOX)
    assert re.search(rf'<a href="/thu/muc/{agency_inbox}">Hộp thư cơ quan {AGENCY_MAILBOX}</a><span>1 chưa đọc',
                     home)
    assert 'href="/thu"' in home and 'href="/van-ban"' in home and 'href="/quan-tri"' not in home
    # Reading one message lowers the count.
    first = re.findall(rf'href="(/thu/muc/{inbox}/\d+)"', clerk.get(f"/thu/muc/{inbox}").text)[0]
    clerk.get(first)
    assert '<span class="unread">2</span>' in clerk.get("/").text
    english = clerk.get("/?lang=en").text
    assert "unread in the Inbox" in english and "Open my mail" in english

    admin = browser()
    admin.sign_in(people.admin, PASSWORD)
    home = admin.get("/").text
    assert '<span class="unread">0</span>' in home and 'href="/quan-tri"' in home


def test_free_webmail_notice_on_screen(browser: Callable[..., Browser], people: People) -> None:
    """The province's default policy for official mail to free webmail is ``warn``: the message goes out and the
    sender is told so on the page they land on (SMTP senders get the same notice in their inbox, see
    tests/smtpserver/test_smtp_policy.py)."""
    clerk = browser()
    clerk.sign_in(people.clerk, PASSWORD)
    clerk.get("/thu/soan")
    sent = clerk.post("/thu/soan", {"intent": "send", "from": people.clerk, "to": "ban.cu@gmail.com",
                                    "subject": "Gửi lại tài liệu", "body": "Gửi anh tài liệu."})
    assert sent.status_code == 303, sent.text
    landing = clerk.get(sent.headers["location"]).text
    assert ("Đã gửi thư. Lưu ý: thư đã gửi tới hộp thư miễn phí (gmail.com); trao đổi công việc nên dùng hộp thư "
            "công vụ.") in landing
    with people.inst.db.read() as conn:
        queued = list(conn.execute(select(outbound_recipients.c.recipient)).scalars())
    assert queued == ["ban.cu@gmail.com"]
    assert len(people.messages(people.clerk, "Sent")) == 1
