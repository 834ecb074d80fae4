"""Folder management in the webmail: create, rename, move inside another folder, delete with the messages after a
confirmation; special folders and other people's folders refused with a clear message; Vietnamese names stored
NFC and seen identically over IMAP (a real IMAP listener on the same installation)."""

from __future__ import annotations

import asyncio
import re
import ssl
import unicodedata
from collections.abc import Callable

import pytest
from mail_helpers import AGENCY_MAILBOX, People, make_people
from web_helpers import PASSWORD, Browser, Province

from congvu.access.service import Access
from congvu.imapserver import ImapLimits, ImapServices, start_imap_listeners
from congvu.mailstore.aio import AsyncMailStore

PROJECT = "Dự án chuyển đổi số"
LETTERS = "Công văn đến 2026"


@pytest.fixture
def people(province: Province) -> People:
    return make_people(province)


def _signed_in(browser: Callable[..., Browser], address: str) -> Browser:
    person = browser()
    person.sign_in(address, PASSWORD)
    return person


def _after(person: Browser, response) -> str:  # type: ignore[no-untyped-def]
    """Follow the redirect after a form; the page's text (with its flash message)."""
    assert response.status_code == 303, response.text
    return str(person.get(response.headers["location"]).text)


def _names(people: People, address: str) -> dict[str, int]:
    return dict(people.inst.mailstore.folder_ids(people.account_id(address)))


def test_create_rename_move_and_delete_with_messages(browser: Callable[..., Browser], people: People) -> None:
    person = _signed_in(browser, people.clerk)
    page = person.get("/thu/thu-muc")
    assert page.status_code == 200 and "Quản lý thư mục" in page.text
    # Typed in decomposed form (as some keyboards send it): stored and shown NFC.
    text = _after(person, person.post("/thu/thu-muc", {"name": unicodedata.normalize("NFD", f"  {PROJECT} ")}))
    assert f"Đã tạo thư mục «{PROJECT}»." in text
    folders = _names(people, people.clerk)
    assert PROJECT in folders and unicodedata.normalize("NFD", PROJECT) not in folders
    project = folders[PROJECT]
    text = _after(person, person.post("/thu/thu-muc", {"name": LETTERS, "parent": str(project)}))
    assert f"Đã tạo thư mục «{LETTERS}»." in text
    inner = _names(people, people.clerk)[f"{PROJECT}/{LETTERS}"]

    # Move two messages from the inbox into the inner folder (the list's move target shows the full path).
    uids = [people.deliver(people.clerk, f"Công văn số {n}/STTTT") for n in (1, 2)]
    inbox = people.folder(people.clerk)
    listing = person.get(f"/thu/muc/{inbox}")
    assert f'<option value="{inner}">{PROJECT} / {LETTERS}</option>' in listing.text
    moved = person.post(f"/thu/muc/{inbox}/thao-tac", {"action": "move", "target": str(inner),
                                                       "uid": [str(u) for u in uids]})  # type: ignore[dict-item]
    assert "Đã chuyển thư." in _after(person, moved)
    assert len(people.messages(people.clerk, f"{PROJECT}/{LETTERS}")) == 2

    # Rename the parent: the inner folder follows, messages stay.
    text = _after(person, person.post(f"/thu/thu-muc/{project}/doi-ten", {"name": "Dự án 2026", "parent": ""}))
    assert "Đã lưu thư mục «Dự án 2026»." in text
    names = _names(people, people.clerk)
    assert "Dự án 2026" in names and f"Dự án 2026/{LETTERS}" in names and PROJECT not in names
    assert names[f"Dự án 2026/{LETTERS}"] == inner

    # A rename that does not say where keeps the folder where it is.
    _after(person, person.post(f"/thu/thu-muc/{inner}/doi-ten", {"name": "Công văn đi"}))
    assert "Dự án 2026/Công văn đi" in _names(people, people.clerk)
    _after(person, person.post(f"/thu/thu-muc/{inner}/doi-ten", {"name": LETTERS}))
    # Move the inner folder to the top level, then back inside; not into itself.
    _after(person, person.post(f"/thu/thu-muc/{inner}/doi-ten", {"name": LETTERS, "parent": ""}))
    assert LETTERS in _names(people, people.clerk)
    refused = _after(person, person.post(f"/thu/thu-muc/{project}/doi-ten", {"name": "X", "parent": str(project)}))
    assert "Không chuyển được thư mục vào chính nó" in refused
    _after(person, person.post(f"/thu/thu-muc/{inner}/doi-ten", {"name": LETTERS, "parent": str(project)}))
    assert f"Dự án 2026/{LETTERS}" in _names(people, people.clerk)

    # Taken names, "/" in a name and an empty name are refused with a reason.
    assert "đã có" in _after(person, person.post("/thu/thu-muc", {"name": "Dự án 2026"}))
    assert "không được chứa dấu «/»" in _after(person, person.post("/thu/thu-muc", {"name": "a/b"}))
    assert "Hãy nhập tên thư mục." in _after(person, person.post("/thu/thu-muc", {"name": "  "}))

    # Deleting asks first, with the figures; without the confirmation nothing is deleted.
    confirm = person.get(f"/thu/thu-muc/{project}/xoa")
    assert confirm.status_code == 200
    assert "<strong>2 thư</strong>" in confirm.text and f"Dự án 2026 / {LETTERS}" in confirm.text
    unconfirmed = person.post(f"/thu/thu-muc/{project}/xoa", {})
    assert "Hãy xác nhận" in _after(person, unconfirmed)
    assert "Dự án 2026" in _names(people, people.clerk)
    done = _after(person, person.post(f"/thu/thu-muc/{project}/xoa", {"confirm": "1"}))
    assert "Đã xoá thư mục «Dự án 2026» cùng 2 thư trong đó." in done
    names = _names(people, people.clerk)
    assert not any(n.startswith("Dự án 2026") for n in names)
    assert people.inst.mailstore.quota(people.account_id(people.clerk)).messages == 0


def test_special_and_foreign_folders_are_refused(browser: Callable[..., Browser], people: People) -> None:
    person = _signed_in(browser, people.clerk)
    own = _names(people, people.clerk)
    page = person.get("/thu/thu-muc")
    for name in ("INBOX", "Sent", "Drafts", "Junk", "Trash", "Archive"):
        folder = own[name]
        assert f"/thu/thu-muc/{folder}/xoa" not in page.text  # no delete button for special folders
        renamed = _after(person, person.post(f"/thu/thu-muc/{folder}/doi-ten", {"name": "Của tôi"}))
        assert "là thư mục đặc biệt của hộp thư: không đổi tên, chuyển hay xoá được." in renamed, name
        deleted = _after(person, person.post(f"/thu/thu-muc/{folder}/xoa", {"confirm": "1"}))
        assert "là thư mục đặc biệt" in deleted, name
        assert "là thư mục đặc biệt" in _after(person, person.get(f"/thu/thu-muc/{folder}/xoa",
                                                                    follow_redirects=False))
    assert "«Hộp thư đến» là thư mục đặc biệt" in _after(person, person.post(
        f"/thu/thu-muc/{own['INBOX']}/xoa", {"confirm": "1"}))
    assert _names(people, people.clerk) == own
    assert "Không đặt thư mục bên trong thư mục đặc biệt «Thùng rác»." in _after(
        person, person.post("/thu/thu-muc", {"name": "Cũ", "parent": str(own["Trash"])}))
    assert "đã có" in _after(person, person.post("/thu/thu-muc", {"name": "inbox"}))

    # In English, in English.
    person.get("/thu/thu-muc?lang=en")
    english = _after(person, person.post(f"/thu/thu-muc/{own['Sent']}/xoa", {"confirm": "1"}))
    assert "Sent is a special folder of the mailbox: it cannot be renamed, moved or deleted." in english
    person.get("/thu/thu-muc?lang=vi")

    # Another person's folder: as if it did not exist; the agency mailbox's folders: not from a delegate.
    other = people.inst.mailstore.create_folder(people.account_id(people.colleague), "Riêng tư")
    assert "Không có" in _after(person, person.post(f"/thu/thu-muc/{other.id}/xoa", {"confirm": "1"}))
    assert "Riêng tư" in _names(people, people.colleague)
    agency = people.inst.mailstore.create_folder(people.account_id(AGENCY_MAILBOX), "Hồ sơ")
    refused = _after(person, person.post(f"/thu/thu-muc/{agency.id}/doi-ten", {"name": "Khác"}))
    assert "hộp thư cơ quan do quản trị viên quản lý" in refused
    assert "Hồ sơ" in _names(people, AGENCY_MAILBOX)
    assert f"/thu/thu-muc/{agency.id}" not in person.get("/thu/thu-muc").text
    # A forged form is refused before anything happens.
    forged = person.client.post("/thu/thu-muc", data={"name": "Giả", "csrf": "sai"}, follow_redirects=False)
    assert forged.status_code == 403 and "Giả" not in _names(people, people.clerk)


async def test_vietnamese_names_are_the_same_over_imap(browser: Callable[..., Browser], people: People) -> None:
    inst = people.inst
    services = ImapServices(mailstore=AsyncMailStore(inst.mailstore, inst.mailstore.notifier, max_workers=2),
                            signin=Access(inst.directory).signin, usage=inst.usage,
                            limits=ImapLimits(auth_failure_delay_s=0.0))
    listeners = await start_imap_listeners(inst, host="127.0.0.1", imap_port=0, imaps_port=-1, services=services)
    tls = ssl.create_default_context(cafile=str(inst.settings.tls_cert))
    tls.check_hostname = False  # the certificate names mail.<domain>; the test connects to 127.0.0.1
    try:
        person = await asyncio.to_thread(_signed_in, browser, people.clerk)
        made = await asyncio.to_thread(person.post, "/thu/thu-muc",
                                       {"name": unicodedata.normalize("NFD", "Hồ sơ Đảng ủy")})
        assert made.status_code == 303

        def over_imap() -> list[str]:
            from imapclient import IMAPClient

            with IMAPClient("127.0.0.1", port=listeners.imaps_port, ssl=True, ssl_context=tls, timeout=20) as client:
                client.login(people.clerk, PASSWORD)
                names = [name for _, _, name in client.list_folders()]
                client.create_folder("Lưu trữ riêng/Năm 2025")
                client.rename_folder("Hồ sơ Đảng ủy", "Hồ sơ Đảng ủy xã")
                return names

        names = await asyncio.to_thread(over_imap)
        assert "Hồ sơ Đảng ủy" in names
        assert all(unicodedata.is_normalized("NFC", name) for name in names)
        page = await asyncio.to_thread(person.get, "/thu/thu-muc")
        assert "Hồ sơ Đảng ủy xã" in page.text and "Năm 2025" in page.text
        assert re.search(r"Lưu trữ riêng</a>", page.text)
        assert "Hồ sơ Đảng ủy xã" in _names(people, people.clerk)
    finally:
        await listeners.close()
        await asyncio.to_thread(services.mailstore.close)
