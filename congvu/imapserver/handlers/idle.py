"""IDLE (RFC 2177, RFC 9051 §6.3.13): the session waits for ``DONE`` while telling the client at once what other
sessions and deliveries change in the selected folder.

Change events from the store wake the session; it then asks the store what changed and writes EXISTS,
EXPUNGE/VANISHED and FETCH responses. On an agency mailbox the session re-reads its rights every
:attr:`ImapLimits.shared_rights_check_s` so a clerk removed from the agency is disconnected without having to send
a command. The autologout timer (RFC 9051 §5.4) applies while idling too.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from congvu.errors import NotFound, PermissionDenied
from congvu.imap import response
from congvu.imap.commands import Idle
from congvu.imap.reader import ContinuationLine, ReadEvent
from congvu.imapserver.replies import Reply, Text, bad, ok
from congvu.mailstore.api import INBOX
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.mailstore.usage import UsageKind

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection


async def idle(conn: ImapConnection, command: Idle) -> Reply | None:
    folder = conn.session.selected
    # The client may send DONE as soon as it reads the continuation: it goes out before the store is asked
    # what changed (the updates follow it, as in RFC 2177's example, and DONE waits in the reader meanwhile).
    conn.write(response.continuation("idling"))
    await conn.flush()
    if folder is not None:
        await conn.sync(expunges=True, force=True)
        if folder.folder.name == INBOX and not folder.folder.shared:
            conn.server.record_usage(UsageKind.INBOX_CHECK, conn.session.account_id, {"command": "IDLE"})
        await conn.flush()
    events = await _wait_for_done(conn)
    if events is None:
        return None
    event = events[0]
    if isinstance(event, ContinuationLine) and event.line.strip().upper() == b"DONE":
        return ok("Kết thúc IDLE", "IDLE terminated")
    return bad("Cần DONE để kết thúc IDLE", "Expected DONE to end IDLE")


async def _wait_for_done(conn: ImapConnection) -> list[ReadEvent] | None:
    """The client's next line, reporting changes meanwhile; None if the session ended."""
    loop = asyncio.get_running_loop()
    limits = conn.server.limits
    folder = conn.session.selected
    deadline = loop.time() + limits.autologout_s
    check_rights = folder is not None and folder.folder.shared
    next_check = loop.time() + limits.shared_rights_check_s
    receiving: asyncio.Task[bytes] | None = None
    waiting: asyncio.Task[MailboxEvent | None] | None = None
    subscription_open = True
    events = conn.reader.read_line()
    try:
        while not events:
            if receiving is None:
                receiving = asyncio.ensure_future(conn.channel.receive(None))
            subscription = folder.subscription if folder is not None else None
            if waiting is None and subscription is not None and subscription_open:
                waiting = asyncio.ensure_future(subscription.next(None))
            wake_at = min(deadline, next_check) if check_rights else deadline
            tasks = {task for task in (receiving, waiting) if task is not None}
            done, _ = await asyncio.wait(tasks, timeout=max(wake_at - loop.time(), 0),
                                         return_when=asyncio.FIRST_COMPLETED)
            if receiving in done:
                data = receiving.result()
                receiving = None
                if not data:
                    conn.closing = True
                    return None
                events = conn.reader.feed(data)
                continue
            if waiting is not None and waiting in done and folder is not None:
                event = waiting.result()
                waiting = None
                if event is None:
                    subscription_open = False  # closed: only the client's DONE can wake us now
                elif not folder.is_echo(event):
                    folder.dirty = True
                    folder.lost = folder.lost or event.kind is MailboxEventKind.DELETED
                await conn.sync(expunges=True)
                await conn.flush()
            now = loop.time()
            if now >= deadline:
                conn.write(response.untagged("BYE", Text("Hết thời gian chờ, tự động đăng xuất",
                                                         "Autologout; idle for too long").render(utf8=conn.utf8)))
                conn.closing = True
                return None
            if check_rights and now >= next_check and folder is not None:
                await _check_rights(conn, folder.folder.id)
                next_check = now + limits.shared_rights_check_s
    finally:
        for task in (receiving, waiting):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
    return events


async def _check_rights(conn: ImapConnection, folder_id: int) -> None:
    account = conn.session.account_id
    try:
        info = await conn.server.store.read(lambda s: s.get_folder(account, folder_id))
    except (NotFound, PermissionDenied):
        raise conn.folder_lost() from None
    if "r" not in info.rights:
        raise conn.folder_lost()
