"""What the free-webmail policy produces besides the reply: held copies for the administrators and notices to
senders.

Held mail goes into the ``Held`` folder of every mailbox the hold address (``mail_policy.hold_mailbox``, by
default ``postmaster@<domain>``, an alias of the administrators) delivers to, with the intended envelope kept in
``X-CongVu-Held-*`` fields so an administrator can release it to the right people. A notice to a sender who
wrote to free webmail is a short message in Vietnamese delivered into their own INBOX.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from congvu.errors import Conflict
from congvu.mail.compose import build_message
from congvu.smtpserver.settings import Direction
from congvu.smtpserver.trace import add_field, add_return_path

if TYPE_CHECKING:
    from congvu.smtpserver.runtime import ServerState

log = logging.getLogger("congvu.smtp")
HELD_FOLDER = "Held"
SYSTEM_NAME = "Hệ thống thư điện tử công vụ"


@dataclass(frozen=True)
class HeldMail:
    raw: bytes
    direction: Direction
    domains: tuple[str, ...]
    mail_from: str
    recipients: list[str]
    queue_id: str


class PolicyNotices:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._held_folders: set[int] = set()

    async def _holders(self) -> tuple[int, ...]:
        address = self.state.services.policy.hold_mailbox or f"postmaster@{self.state.addressbook.primary_domain}"
        found = await self.state.addressbook.resolve(address)
        if not found.mailbox_ids:
            raise RuntimeError(f"the hold mailbox {address} delivers to no active mailbox")
        return found.mailbox_ids

    async def _ensure_folder(self, account_id: int) -> None:
        if account_id in self._held_folders:
            return
        with contextlib.suppress(Conflict):  # already there
            await self.state.services.mailstore.create_folder(account_id, HELD_FOLDER)
        self._held_folders.add(account_id)

    async def hold(self, held: HeldMail) -> None:
        """Durable when it returns, like any delivery."""
        holders = await self._holders()
        for account_id in holders:
            await self._ensure_folder(account_id)
        raw = add_field(held.raw, "X-CongVu-Held-For", ", ".join(held.recipients))
        raw = add_field(raw, "X-CongVu-Held", f"{held.direction.value}; free webmail "
                                              f"{', '.join(held.domains)}; queue {held.queue_id}")
        raw = add_return_path(raw, held.mail_from)
        await self.state.services.mailstore.deliver(raw, holders, folder=HELD_FOLDER)

    async def warn_sender(self, account_id: int, address: str, domains: tuple[str, ...], queue_id: str) -> None:
        """Best effort: a notice that cannot be delivered is logged; the message itself has gone."""
        domain = self.state.addressbook.primary_domain
        listed = ", ".join(domains)
        text = (
            f"Thư của bạn (mã {queue_id}) đã được gửi tới địa chỉ thuộc dịch vụ thư điện tử miễn phí ({listed}).\n\n"
            "Theo quy định sử dụng thư điện tử công vụ của tỉnh, việc trao đổi công việc cần dùng hộp thư công vụ; "
            "không dùng hộp thư cá nhân miễn phí (Gmail, Yahoo, Outlook…) để gửi, nhận văn bản. Nếu thư có nội "
            "dung công vụ, vui lòng gửi tới địa chỉ thư điện tử công vụ của người nhận.\n\n"
            "Đây là thư tự động, không cần trả lời.\n"
        )
        try:
            raw = build_message(from_addr=(SYSTEM_NAME, f"postmaster@{domain}"), to=[address],
                                subject=f"Lưu ý: thư đã gửi tới hộp thư miễn phí ({listed})", text=text,
                                extra_headers=[("Auto-Submitted", "auto-generated")])  # RFC 3834 §5
            await self.state.services.mailstore.deliver(add_return_path(raw, ""), [account_id])
        except Exception:
            log.exception("could not deliver the free-mail notice for %s to %s", queue_id, address)
