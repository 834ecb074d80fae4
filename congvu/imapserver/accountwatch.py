"""Ending the sessions of accounts that may no longer use mail.

When an administrator disables or removes an account (in the web, the CLI or another process), its open IMAP
sessions, IDLE included, end with ``* BYE`` and a reason within :attr:`ImapLimits.account_check_s`. One task per
set of listeners asks the mail store, in one query for all of them, which signed-in accounts are no longer
active; the database is the only thing every process shares, so the check works whichever process made the
change.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from congvu.imapserver.replies import Text

if TYPE_CHECKING:
    from congvu.imapserver.services import ImapServer

log = logging.getLogger("congvu.imapserver")


class Endable(Protocol):
    def terminate(self, text: Text) -> None: ...


class SignedInSessions:
    """The open sessions by signed-in account (one event loop, no locks)."""

    def __init__(self) -> None:
        self._by_account: dict[int, set[Endable]] = {}

    def add(self, account_id: int, session: Endable) -> None:
        self._by_account.setdefault(account_id, set()).add(session)

    def discard(self, account_id: int, session: Endable) -> None:
        sessions = self._by_account.get(account_id)
        if sessions is not None:
            sessions.discard(session)
            if not sessions:
                del self._by_account[account_id]

    def account_ids(self) -> list[int]:
        return list(self._by_account)

    def of(self, account_id: int) -> tuple[Endable, ...]:
        return tuple(self._by_account.get(account_id, ()))


def reason(status: str) -> Text:
    if status == "disabled":
        return Text("Tài khoản đã bị khoá; phiên làm việc kết thúc", "Account disabled; session ended")
    return Text("Tài khoản đã bị xoá; phiên làm việc kết thúc", "Account removed; session ended")


async def end_inactive(server: ImapServer) -> int:
    """One pass: end every session of an account that is no longer active; how many were ended."""
    ids = server.sessions.account_ids()
    if not ids:
        return 0
    gone = await server.store.read(lambda store: store.inactive_accounts(ids), rows=len(ids))
    ended = 0
    for account_id, status in gone.items():
        for session in server.sessions.of(account_id):
            session.terminate(reason(status))
            ended += 1
    return ended


async def watch_accounts(server: ImapServer) -> None:
    """Run :func:`end_inactive` every :attr:`ImapLimits.account_check_s` until cancelled."""
    while True:
        await asyncio.sleep(server.limits.account_check_s)
        try:
            ended = await end_inactive(server)
        except Exception:
            log.warning("could not check the status of signed-in accounts", exc_info=True)
            continue
        if ended:
            log.info("ended %d IMAP session(s) of disabled or removed accounts", ended)
