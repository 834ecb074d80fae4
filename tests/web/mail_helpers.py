"""What the webmail tests share: people with mailboxes (a clerk of the agency mailbox, a colleague elsewhere),
messages delivered straight into the store, and reading back what arrived."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from web_helpers import PASSWORD, Province

from congvu.installation import Installation
from congvu.mail.compose import Attachment, build_message
from congvu.store.schema import usage_events

AGENCY_MAILBOX = "stttt@dongnai.gov.vn"


@dataclass(frozen=True)
class People:
    inst: Installation
    clerk: str  # Đỗ Văn Dũng, clerk of H19.04 (reads and sends as stttt@)
    colleague: str  # Nguyễn Thị Lan at H19.05, no delegation
    admin: str  # Lê Minh Tân, agency administrator of H19.04 but not its clerk

    def account_id(self, address: str) -> int:
        return self.inst.directory.accounts.show(address).id

    def folder(self, address: str, name: str = "INBOX") -> int:
        return self.inst.mailstore.folder_ids(self.account_id(address))[name]

    def deliver(self, to: str, subject: str, text: str = "Nội dung.", *, sender: tuple[str, str] = (
            "Trần Văn Vinh", "vinhtv@dongnai.gov.vn"), html: str | None = None,
            attachments: Sequence[Attachment] = (), raw: bytes | None = None) -> int:
        """Deliver into ``to``'s INBOX; the new UID."""
        data = raw or build_message(from_addr=sender, to=[to], subject=subject, text=text, html=html,
                                    attachments=attachments)
        result = self.inst.mailstore.deliver(data, [self.account_id(to)])
        return result.deliveries[0].uid

    def messages(self, address: str, name: str = "INBOX") -> list[EmailMessage]:
        store = self.inst.mailstore
        account = self.account_id(address)
        folder = store.folder_ids(account)[name]
        found = []
        for summary in store.snapshot(account, folder).messages:
            raw = store.read_raw(account, folder, summary.uid)
            found.append(email.message_from_bytes(raw, policy=email.policy.default))
        return found  # type: ignore[return-value]

    def flags(self, address: str, name: str = "INBOX") -> list[frozenset[str]]:
        account = self.account_id(address)
        snapshot = self.inst.mailstore.snapshot(account, self.inst.mailstore.folder_ids(account)[name])
        return [m.flags for m in snapshot.messages]

    def usage(self, kind: str) -> list[dict[str, object]]:
        self.inst.usage.flush()
        with self.inst.db.read() as conn:
            rows = conn.execute(select(usage_events.c.account_id, usage_events.c.protocol, usage_events.c.detail)
                                .where(usage_events.c.kind == kind))
            return [dict(row._mapping) for row in rows]


def make_people(province: Province) -> People:
    d = province.inst.directory
    for address in (province.staff, province.outsider):
        d.accounts.reset_password(address, password=PASSWORD)
    d.accounts.grant(province.staff, "clerk", agency="H19.04")
    people = People(province.inst, province.staff, province.outsider, province.agency_admin)
    for address in (people.clerk, people.colleague, people.admin, AGENCY_MAILBOX):
        province.inst.mailstore.ensure_default_folders(people.account_id(address))
    return people


def message_links(html: str, folder_id: int) -> list[str]:
    return re.findall(rf'href="(/thu/muc/{folder_id}/\d+)"', html)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&#34;", '"')
