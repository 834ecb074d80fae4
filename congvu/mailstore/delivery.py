"""Local delivery and APPEND: new messages entering folders.

Order of work, for durability (a ``250`` after DATA promises the message survives a crash):
1. the message is indexed (:func:`congvu.mail.index_message`, never raises) and its content row computed
   (search folds, sort keys) outside any transaction — in the caller's thread, or for a large message in a
   worker process (:mod:`congvu.mailstore.indexpool`) while step 2 runs;
2. its bytes go to the blob store, which returns only once they are fsynced (file and folder);
3. one transaction adds the content row (once per distinct content), one message row per recipient with a
   fresh UID and MODSEQ, and the quota usage; SQLite commits with ``synchronous=FULL``, PostgreSQL with its WAL.
A crash between 2 and 3 leaves an unreferenced blob, which collection removes later; never a row without bytes.
Notifications go out after the commit.

:func:`prepare` does steps 1 and 2; :func:`write_batch` does step 3 for any number of prepared deliveries in
one transaction (the :class:`congvu.mailstore.batcher.DeliveryBatcher` gathers deliveries arriving together so
that they share one commit), with the same rows, UIDs and MODSEQs as committing them one after the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, or_, select

from congvu.errors import InvalidInput, NotFound
from congvu.mailstore import indexpool
from congvu.mailstore.access import open_folder
from congvu.mailstore.api import INBOX, Appended, Delivered, DeliveryResult, SpecialUse
from congvu.mailstore.contents import TEXT_DEFERRED, store_contents
from congvu.mailstore.context import MailContext, as_utc
from congvu.mailstore.counters import adjust_usage, allocate
from congvu.mailstore.flags import SEEN_BIT, FlagSet
from congvu.mailstore.flagstore import restricted
from congvu.mailstore.folders import ensure_defaults
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.store.blobs import BlobRef
from congvu.store.schema import accounts, folders, mail_accounts, message_seen, message_text_backlog, messages

MAX_RECIPIENTS = 10_000


@dataclass(frozen=True)
class PreparedDelivery:
    """A delivery whose blob is durable and whose content row is computed; only the transaction is left."""

    account_ids: tuple[int, ...]  # sorted, distinct
    folder: str | SpecialUse | None
    flags: FlagSet
    internal_date: datetime
    blob: BlobRef
    content: dict[str, object]  # content_values
    text_deferred: bool = False  # body left for congvu.mailstore.textbacklog

    @property
    def sha256(self) -> str:
        return self.blob.sha256


def _store_blob(ctx: MailContext, raw: bytes) -> tuple[BlobRef, dict[str, object], bool]:
    if not raw:
        raise InvalidInput("Thư rỗng.", message_en="Empty message")
    now = ctx.now()
    pool = indexpool.SHARED
    pending = pool.submit(raw, now)  # a large message is indexed in another process while its blob is written
    ref = ctx.blobs.put(raw)
    content = pool.content(raw, now, pending)
    content["sha256"] = ref.sha256
    deferred = bool(content.pop(TEXT_DEFERRED, False))
    return ref, content, deferred


def _when(ctx: MailContext, internal_date: datetime | None) -> datetime:
    if internal_date is None:
        return ctx.now()
    if internal_date.tzinfo is None:
        raise InvalidInput("Thời điểm nhận thư phải có múi giờ.", message_en="Internal date needs a time zone")
    return as_utc(internal_date).replace(microsecond=0)


# Statements built once: building one and computing its cache key cost more than running it, for every delivery.
_ACCOUNT_IDS = bindparam("account_ids", expanding=True)
_KNOWN_ACCOUNTS = (select(accounts.c.id, mail_accounts.c.account_id.is_not(None))
                   .select_from(accounts.outerjoin(mail_accounts, mail_accounts.c.account_id == accounts.c.id))
                   .where(accounts.c.id.in_(_ACCOUNT_IDS)))
_FOLDER_COLUMNS = (folders.c.id, folders.c.account_id, folders.c.name, folders.c.special_use)
_INBOXES = (select(*_FOLDER_COLUMNS).where(folders.c.account_id.in_(_ACCOUNT_IDS), folders.c.name == INBOX)
            .order_by(folders.c.id))
_INBOXES_OR_SPECIAL = (select(*_FOLDER_COLUMNS)
                       .where(folders.c.account_id.in_(_ACCOUNT_IDS),
                              or_(folders.c.name == INBOX, folders.c.special_use == bindparam("special_use")))
                       .order_by(folders.c.id))
_INBOXES_OR_NAMED = (select(*_FOLDER_COLUMNS)
                     .where(folders.c.account_id.in_(_ACCOUNT_IDS),
                            or_(folders.c.name == INBOX, folders.c.name == bindparam("folder_name")))
                     .order_by(folders.c.id))
_INSERT_MESSAGES = insert(messages)


def _targets(conn: Connection, account_ids: list[int], folder: str | SpecialUse | None) -> dict[int, int]:
    """account → folder id: the named (or special-use) folder when the account has it, else INBOX."""
    if isinstance(folder, SpecialUse):
        rows = conn.execute(_INBOXES_OR_SPECIAL, {"account_ids": account_ids, "special_use": folder.value})
    elif folder:
        rows = conn.execute(_INBOXES_OR_NAMED, {"account_ids": account_ids, "folder_name": folder})
    else:
        rows = conn.execute(_INBOXES, {"account_ids": account_ids})
    chosen: dict[int, int] = {}
    for row in rows:
        named = row.name != INBOX or folder in (INBOX, None)
        if row.account_id not in chosen or named:
            chosen[row.account_id] = row.id
    return chosen


def prepare(ctx: MailContext, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
            folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> PreparedDelivery:
    """Check the arguments, index the message and store its blob (steps 1 and 2)."""
    account_ids = tuple(sorted(set(mailbox_ids)))
    if not account_ids or len(account_ids) > MAX_RECIPIENTS:
        raise InvalidInput("Số hộp thư nhận không hợp lệ.", message_en="Bad number of recipient mailboxes")
    flagset = FlagSet.parse(flags)
    when = _when(ctx, internal_date)
    ref, content, deferred = _store_blob(ctx, raw)
    return PreparedDelivery(account_ids, folder, flagset, when, ref, content, deferred)


def _missing_accounts(missing: Sequence[int]) -> NotFound:
    listed = ", ".join(str(a) for a in missing)
    return NotFound(f"Không có hộp thư: {listed}", message_en=f"No such mailbox account(s): {listed}")


def write_batch(ctx: MailContext, conn: Connection,
                batch: Sequence[PreparedDelivery]) -> list[DeliveryResult | NotFound]:
    """Step 3 for every delivery of ``batch`` in the caller's transaction. A delivery to
    an account that does not exist writes nothing and gets its :class:`NotFound` in place of a result."""
    wanted = sorted({account for item in batch for account in item.account_ids})
    # Which accounts exist and which of them the mail store has seen (those have their folders), in one query.
    seen = dict(conn.execute(_KNOWN_ACCOUNTS, {"account_ids": wanted}).all())
    known = set(seen)
    outcomes: list[DeliveryResult | NotFound] = []
    live: list[int] = []
    for position, item in enumerate(batch):
        missing = [account for account in item.account_ids if account not in known]
        outcomes.append(_missing_accounts(missing) if missing else DeliveryResult(item.sha256, 0, 0, ()))
        if not missing:
            live.append(position)
    if not live:
        return outcomes
    ensure_defaults(ctx, conn, {account for position in live for account in batch[position].account_ids
                                if not seen[account]}, always=True)
    inserted: set[str] = set()
    content_ids = store_contents(ctx, conn, [batch[position].content for position in live], inserted=inserted)
    backlog(ctx, conn, {content_ids[batch[position].sha256] for position in live
                        if batch[position].text_deferred and batch[position].sha256 in inserted})
    targets: dict[int, dict[int, int]] = {}  # position → account → folder
    by_folder: dict[str | SpecialUse | None, list[int]] = {}
    for position in live:
        by_folder.setdefault(batch[position].folder, []).append(position)
    for folder, positions in by_folder.items():
        chosen = _targets(conn, sorted({a for p in positions for a in batch[p].account_ids}), folder)
        for position in positions:
            targets[position] = {account: chosen[account] for account in batch[position].account_ids
                                 if account in chosen}
    counts = Counter(folder_id for position in live for folder_id in targets[position].values())
    allocated = allocate(ctx, conn, counts, modseq_each=True)
    taken: Counter[int] = Counter()
    rows: list[dict[str, object]] = []
    usage: dict[int, tuple[int, int]] = {}
    for position in live:  # in arrival order: UIDs and MODSEQs as if committed one by one
        item = batch[position]
        size = item.blob.size
        delivered = []
        for account, folder_id in targets[position].items():
            first_uid, first_modseq = allocated[folder_id]
            uid, modseq = first_uid + taken[folder_id], first_modseq + taken[folder_id]
            taken[folder_id] += 1
            delivered.append(Delivered(account, folder_id, uid, modseq))
            rows.append({"folder_id": folder_id, "uid": uid, "modseq": modseq, "content_id": content_ids[item.sha256],
                         "internal_date": item.internal_date, "size": size, "system_flags": item.flags.bits,
                         "keywords": item.flags.keywords_text()})
            octets, count = usage.get(account, (0, 0))
            usage[account] = (octets + size, count + 1)
        outcomes[position] = DeliveryResult(item.sha256, size, content_ids[item.sha256], tuple(delivered))
    conn.execute(_INSERT_MESSAGES, rows)
    adjust_usage(conn, usage)
    return outcomes


def backlog(ctx: MailContext, conn: Connection, content_ids: Iterable[int]) -> None:
    """List newly stored contents whose body text was not folded (:mod:`congvu.mailstore.textbacklog`)."""
    now = ctx.now()
    rows = [{"content_id": content_id, "queued_at": now} for content_id in sorted(content_ids)]
    if rows:
        conn.execute(_INSERT_BACKLOG, rows)


_INSERT_BACKLOG = insert(message_text_backlog)


def publish_delivered(ctx: MailContext, committed: Iterable[tuple[PreparedDelivery, DeliveryResult]]) -> None:
    """Once deliveries have committed: tell IDLE sessions and the webmail, and queue the folding of the bodies
    left for later."""
    committed = list(committed)
    ctx.publish(MailboxEvent(item.folder_id, MailboxEventKind.ADDED, (item.uid,), item.modseq)
                for _prepared, result in committed for item in result.deliveries)
    deferred = [result.content_id for prepared, result in committed if prepared.text_deferred]
    if deferred:
        ctx.text_deferred(deferred)


def deliver(ctx: MailContext, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
            folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> DeliveryResult:
    """One delivery in its own transaction (:class:`congvu.mailstore.batcher.DeliveryBatcher` shares them)."""
    prepared = prepare(ctx, raw, mailbox_ids, internal_date=internal_date, folder=folder, flags=flags)
    with ctx.db.begin() as conn:
        (outcome,) = write_batch(ctx, conn, [prepared])
    if isinstance(outcome, NotFound):
        raise outcome
    publish_delivered(ctx, [(prepared, outcome)])
    return outcome


def append(ctx: MailContext, viewer_id: int, folder_id: int, raw: bytes, *, flags: Iterable[str] = (),
           internal_date: datetime | None = None) -> Appended:
    requested = FlagSet.parse(flags)
    when = _when(ctx, internal_date)
    with ctx.db.read() as conn:
        open_folder(conn, viewer_id, folder_id, "i")  # fail before writing a blob
    ref, content, deferred = _store_blob(ctx, raw)
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "i")
        granted = restricted(requested, access)
        inserted: set[str] = set()
        content_id = store_contents(ctx, conn, [content], inserted=inserted)[ref.sha256]
        if deferred and inserted:
            backlog(ctx, conn, [content_id])
        uid, modseq = allocate(ctx, conn, {folder_id: 1})[folder_id]
        bits = granted.bits if access.own else granted.bits & ~SEEN_BIT
        message_id = conn.execute(insert(messages).values(
            folder_id=folder_id, uid=uid, modseq=modseq, content_id=content_id, internal_date=when,
            size=ref.size, system_flags=bits, keywords=granted.keywords_text()).returning(messages.c.id)).scalar_one()
        if not access.own and granted.bits & SEEN_BIT:
            conn.execute(insert(message_seen).values(message_id=message_id, account_id=viewer_id))
        adjust_usage(conn, {access.owner_id: (ref.size, 1)})
    ctx.publish([MailboxEvent(folder_id, MailboxEventKind.ADDED, (uid,), modseq)])
    if deferred:
        ctx.text_deferred([content_id])
    return Appended(folder_id=folder_id, uidvalidity=access.uidvalidity, uid=uid, modseq=modseq)
