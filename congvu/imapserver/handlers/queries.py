"""SEARCH (RFC 9051 §6.4.4 with ESEARCH of RFC 4731, SEARCHRES of RFC 5182 and MODSEQ of RFC 7162 §3.1.5),
SORT (RFC 5256 with ESORT of RFC 5267 and SORT=DISPLAY of RFC 5957) and THREAD (RFC 5256 REFERENCES and
ORDEREDSUBJECT), by message number or UID.

The store evaluates the criteria (text through its diacritic-insensitive index); only messages the client has
been told about are reported, so results never name a message the client has not seen in EXISTS.
"""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING

from congvu.imap import response
from congvu.imap.commands import Search, Sort, Thread
from congvu.imap.threading import ThreadMessage, thread_messages
from congvu.imapserver.handlers.targets import selected
from congvu.imapserver.replies import Reply, ok
from congvu.imapserver.searching import (
    esearch_line,
    esort_line,
    saved_result,
    sort_orders,
    to_criterion,
    uses_modseq,
    visible,
)
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.api import MailStoreApi, StoredMessage
from congvu.mailstore.criteria import Criterion, needs_body_text

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection


def _rows(folder: SelectedFolder, criterion: Criterion) -> int:
    """The bound for ``AsyncMailStore.read``: a search of body text may first index the folder's waiting bodies
    (a write), so it never runs on the session's own thread."""
    return sys.maxsize if needs_body_text(criterion) else folder.count


def _numbers(folder: SelectedFolder, uids: list[int], *, uid: bool) -> list[int]:
    return uids if uid else [folder.seq_of(u) or 0 for u in uids]


async def _highest_modseq(conn: ImapConnection, folder: SelectedFolder, uids: list[int]) -> int | None:
    """RFC 7162 §3.1.5: the highest MODSEQ among the results of a search that named MODSEQ."""
    if not uids:
        return None
    wanted = set(uids)
    account, folder_id = conn.session.account_id, folder.folder.id
    snapshot = await conn.server.store.read(lambda store: store.snapshot(account, folder_id), rows=folder.count)
    return max((m.modseq for m in snapshot.messages if m.uid in wanted), default=None)


async def search(conn: ImapConnection, command: Search) -> Reply:
    session = conn.session
    folder = selected(conn)
    modseq_key = uses_modseq(command.key)
    if modseq_key:
        session.enabled.add("CONDSTORE")
    criterion = to_criterion(command.key, folder, session.saved_uids)
    account, folder_id = session.account_id, folder.folder.id
    found = await conn.server.store.read(lambda store: store.search(account, folder_id, criterion),
                                         rows=_rows(folder, criterion))
    uids = visible(found, folder)
    numbers = _numbers(folder, uids, uid=command.uid)
    modseq = await _highest_modseq(conn, folder, uids) if modseq_key else None
    options = command.return_options
    if options is None and session.rev2:
        options = frozenset({"ALL"})  # RFC 9051 §6.4.4: IMAP4rev2 answers with ESEARCH
    if options is None:
        conn.write(response.search(numbers, modseq=modseq))
    else:
        if "SAVE" in options:
            session.saved_uids = saved_result(uids, options - {"SAVE"})
        if options != {"SAVE"}:  # RFC 5182 §2.1: SAVE alone returns no ESEARCH
            conn.write(esearch_line(command.tag, numbers, options, uid=command.uid, modseq=modseq))
    return ok("Xong SEARCH", "SEARCH completed")


async def sort(conn: ImapConnection, command: Sort) -> Reply:
    session = conn.session
    folder = selected(conn)
    modseq_key = uses_modseq(command.key)
    if modseq_key:
        session.enabled.add("CONDSTORE")
    criterion = to_criterion(command.key, folder, session.saved_uids)
    account, folder_id, orders = session.account_id, folder.folder.id, sort_orders(command.criteria)
    found = await conn.server.store.read(lambda store: store.sort(account, folder_id, orders, criterion),
                                         rows=_rows(folder, criterion))
    uids = visible(found, folder)
    numbers = _numbers(folder, uids, uid=command.uid)
    modseq = await _highest_modseq(conn, folder, uids) if modseq_key else None
    options = command.return_options
    if options is None:
        conn.write(response.sort(numbers, modseq=modseq))
    else:
        if "SAVE" in options:
            session.saved_uids = saved_result(sorted(uids), options - {"SAVE"})
        if options != {"SAVE"}:
            conn.write(esort_line(command.tag, numbers, options, uid=command.uid, modseq=modseq))
    return ok("Xong SORT", "SORT completed")


def _messages(store: MailStoreApi, account: int, folder_id: int, uids: list[int]) -> tuple[StoredMessage, ...]:
    return store.fetch(account, folder_id, uids)


async def thread(conn: ImapConnection, command: Thread) -> Reply:
    session = conn.session
    folder = selected(conn)
    store = conn.server.store
    criterion = to_criterion(command.key, folder, session.saved_uids)
    account, folder_id = session.account_id, folder.folder.id
    uids = visible(await store.read(lambda s: s.search(account, folder_id, criterion),
                                    rows=_rows(folder, criterion)), folder)
    records: list[ThreadMessage] = []
    batch_size = conn.server.limits.fetch_batch
    for start in range(0, len(uids), batch_size):
        chunk = uids[start : start + batch_size]
        for message in await store.read(partial(_messages, account=account, folder_id=folder_id, uids=chunk),
                                        rows=len(chunk)):
            content = message.content
            number = message.uid if command.uid else folder.seq_of(message.uid)
            if number is None:
                continue
            references = content.references or ((content.in_reply_to,) if content.in_reply_to else ())
            records.append(ThreadMessage(number, content.message_id, references, content.subject,
                                         content.date or message.summary.internal_date))
    conn.write(response.thread(thread_messages(command.algorithm, records)))
    return ok("Xong THREAD", "THREAD completed")
