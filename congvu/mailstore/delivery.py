"""Local delivery and APPEND: new messages entering folders.

Order of work, for durability (a ``250`` after DATA promises the message survives a crash):
1. the message is indexed in the caller's thread (:func:`congvu.mail.index_message`, never raises);
2. its bytes go to the blob store, which returns only once they are fsynced;
3. one transaction adds the content row (once per distinct content), one message row per recipient with a
   fresh UID and MODSEQ, and the quota usage; SQLite commits with ``synchronous=FULL``, PostgreSQL with its WAL.
A crash between 2 and 3 leaves an unreferenced blob, which collection removes later; never a row without bytes.
Notifications go out after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select

from congvu.errors import InvalidInput, NotFound
from congvu.mail.index import MessageIndex, index_message
from congvu.mailstore.access import open_folder
from congvu.mailstore.api import INBOX, Appended, Delivered, DeliveryResult, SpecialUse
from congvu.mailstore.contents import store_content
from congvu.mailstore.context import MailContext, as_utc
from congvu.mailstore.counters import adjust_usage, allocate
from congvu.mailstore.flags import SEEN_BIT, FlagSet
from congvu.mailstore.flagstore import restricted
from congvu.mailstore.folders import ensure_defaults
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.store.blobs import BlobRef
from congvu.store.schema import accounts, folders, message_seen, messages

MAX_RECIPIENTS = 10_000


def _prepare(ctx: MailContext, raw: bytes) -> tuple[MessageIndex, BlobRef]:
    if not raw:
        raise InvalidInput("Thư rỗng.", message_en="Empty message")
    index = index_message(raw)
    return index, ctx.blobs.put(raw)


def _when(ctx: MailContext, internal_date: datetime | None) -> datetime:
    if internal_date is None:
        return ctx.now()
    if internal_date.tzinfo is None:
        raise InvalidInput("Thời điểm nhận thư phải có múi giờ.", message_en="Internal date needs a time zone")
    return as_utc(internal_date).replace(microsecond=0)


def _targets(conn: Connection, account_ids: list[int], folder: str | SpecialUse | None) -> dict[int, int]:
    """account → folder id: the named (or special-use) folder when the account has it, else INBOX."""
    wanted = [folders.c.name == INBOX]
    if isinstance(folder, SpecialUse):
        wanted.append(folders.c.special_use == folder.value)
    elif folder:
        wanted.append(folders.c.name == folder)
    rows = conn.execute(select(folders.c.id, folders.c.account_id, folders.c.name, folders.c.special_use)
                        .where(folders.c.account_id.in_(account_ids), or_(*wanted)).order_by(folders.c.id))
    chosen: dict[int, int] = {}
    for row in rows:
        named = row.name != INBOX or folder in (INBOX, None)
        if row.account_id not in chosen or named:
            chosen[row.account_id] = row.id
    return chosen


def deliver(ctx: MailContext, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
            folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> DeliveryResult:
    account_ids = sorted(set(mailbox_ids))
    if not account_ids or len(account_ids) > MAX_RECIPIENTS:
        raise InvalidInput("Số hộp thư nhận không hợp lệ.", message_en="Bad number of recipient mailboxes")
    flagset = FlagSet.parse(flags)
    when = _when(ctx, internal_date)
    index, ref = _prepare(ctx, raw)
    with ctx.db.begin() as conn:
        known = set(conn.execute(select(accounts.c.id).where(accounts.c.id.in_(account_ids))).scalars())
        if len(known) != len(account_ids):
            missing = ", ".join(str(a) for a in account_ids if a not in known)
            raise NotFound(f"Không có hộp thư: {missing}", message_en=f"No such mailbox account(s): {missing}")
        ensure_defaults(ctx, conn, account_ids)
        content_id = store_content(ctx, conn, index, ref.sha256)
        targets = _targets(conn, account_ids, folder)
        allocated = allocate(ctx, conn, {folder_id: 1 for folder_id in targets.values()})
        conn.execute(insert(messages), [
            {"folder_id": folder_id, "uid": allocated[folder_id][0], "modseq": allocated[folder_id][1],
             "content_id": content_id, "internal_date": when, "size": ref.size, "system_flags": flagset.bits,
             "keywords": flagset.keywords_text()}
            for folder_id in targets.values()])
        adjust_usage(conn, {account: (ref.size, 1) for account in targets})
    delivered = tuple(Delivered(account, folder_id, *allocated[folder_id]) for account, folder_id in targets.items())
    ctx.publish(MailboxEvent(item.folder_id, MailboxEventKind.ADDED, (item.uid,), item.modseq) for item in delivered)
    return DeliveryResult(ref.sha256, ref.size, content_id, delivered)


def append(ctx: MailContext, viewer_id: int, folder_id: int, raw: bytes, *, flags: Iterable[str] = (),
           internal_date: datetime | None = None) -> Appended:
    requested = FlagSet.parse(flags)
    when = _when(ctx, internal_date)
    with ctx.db.read() as conn:
        open_folder(conn, viewer_id, folder_id, "i")  # fail before writing a blob
    index, ref = _prepare(ctx, raw)
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "i")
        granted = restricted(requested, access)
        content_id = store_content(ctx, conn, index, ref.sha256)
        uid, modseq = allocate(ctx, conn, {folder_id: 1})[folder_id]
        bits = granted.bits if access.own else granted.bits & ~SEEN_BIT
        message_id = conn.execute(insert(messages).values(
            folder_id=folder_id, uid=uid, modseq=modseq, content_id=content_id, internal_date=when,
            size=ref.size, system_flags=bits, keywords=granted.keywords_text()).returning(messages.c.id)).scalar_one()
        if not access.own and granted.bits & SEEN_BIT:
            conn.execute(insert(message_seen).values(message_id=message_id, account_id=viewer_id))
        adjust_usage(conn, {access.owner_id: (ref.size, 1)})
    ctx.publish([MailboxEvent(folder_id, MailboxEventKind.ADDED, (uid,), modseq)])
    return Appended(folder_id=folder_id, uidvalidity=access.uidvalidity, uid=uid, modseq=modseq)
