"""The counters of the mail store: UIDs and MODSEQs per folder, UIDVALIDITY and quota usage per account.

Every allocation is an ``UPDATE … RETURNING`` on the counter row inside the writer's transaction: PostgreSQL
row-locks it until commit and SQLite writers are serialised by ``BEGIN IMMEDIATE``, so UIDs are strictly
increasing per folder and never handed out twice, whatever the number of threads or processes (RFC 9051
§2.3.1.1). Locks are always taken in the same order — folder rows by id, then account rows by id — so that
concurrent writers on PostgreSQL cannot deadlock.

One operation (a delivery, a STORE, an EXPUNGE) takes one new MODSEQ per folder it changes and gives it to
every message it changes there (RFC 7162 §3.1: only the order of MODSEQs matters, and values may be shared by
changes made by one command). Deliveries committed together take one MODSEQ each, as if committed one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import BigInteger, Connection, bindparam, case, select, update

from congvu.mailstore.context import MailContext
from congvu.store.schema import folders, mail_accounts

# Statements built once (building one costs more than running it; every APPEND, STORE and EXPUNGE runs some).
_ALLOCATE = (update(folders).where(folders.c.id.in_(bindparam("ids", expanding=True)))
             .values(uidnext=folders.c.uidnext + bindparam("count", type_=BigInteger),
                     highestmodseq=folders.c.highestmodseq + bindparam("step", type_=BigInteger))
             .returning(folders.c.id, folders.c.uidnext, folders.c.highestmodseq))
_ADJUST_USAGE = (update(mail_accounts).where(mail_accounts.c.account_id == bindparam("account"))
                 .values(bytes_used=mail_accounts.c.bytes_used + bindparam("octets", type_=BigInteger),
                         messages_used=mail_accounts.c.messages_used + bindparam("count", type_=BigInteger)))


def lock_folders(ctx: MailContext, conn: Connection, folder_ids: Iterable[int]) -> None:
    """Row-lock folders in id order (PostgreSQL; SQLite already holds the database write lock)."""
    ids = sorted(set(folder_ids))
    if ids and not ctx.is_sqlite:
        conn.execute(select(folders.c.id).where(folders.c.id.in_(ids)).order_by(folders.c.id).with_for_update())


def allocate(ctx: MailContext, conn: Connection, counts: Mapping[int, int], *,
             modseq_each: bool = False) -> dict[int, tuple[int, int]]:
    """Reserve ``counts[folder]`` new UIDs and one new MODSEQ in each folder: ``{folder: (first uid, modseq)}``.
    With ``modseq_each``, as many new MODSEQs as UIDs, consecutive from the one returned."""
    lock_folders(ctx, conn, counts)
    by_count: dict[int, list[int]] = {}
    for folder_id, count in counts.items():
        by_count.setdefault(count, []).append(folder_id)
    result: dict[int, tuple[int, int]] = {}
    for count, ids in sorted(by_count.items()):
        step = count if modseq_each else 1
        rows = conn.execute(_ALLOCATE, {"ids": sorted(ids), "count": count, "step": step})
        for row in rows:
            result[row.id] = (row.uidnext - count, row.highestmodseq - step + 1)
    return result


_NEXT_MODSEQ = (update(folders).where(folders.c.id == bindparam("folder"))
                .values(highestmodseq=folders.c.highestmodseq + 1).returning(folders.c.highestmodseq))


def next_modseq(conn: Connection, folder_id: int) -> int:
    """A new MODSEQ for a change in the folder (the caller holds the folder's lock or takes it here)."""
    return int(conn.execute(_NEXT_MODSEQ, {"folder": folder_id}).scalar_one())


def ensure_mail_account(ctx: MailContext, conn: Connection, account_id: int) -> bool:
    """Create the account's counter row; True when it was missing."""
    result = conn.execute(ctx.insert_ignore(mail_accounts, ["account_id"]).values(
        account_id=account_id, bytes_used=0, messages_used=0, last_uidvalidity=0, created_at=ctx.now()))
    return bool(result.rowcount)


def uidvalidities(conn: Connection, account_id: int, count: int, now: datetime) -> list[int]:
    """``count`` new UIDVALIDITY values for the account's new folders: the current time in seconds, but always
    larger than any handed out before, so a folder created again under an old name never repeats one."""
    seconds = int(now.timestamp())
    last = mail_accounts.c.last_uidvalidity
    top = conn.execute(
        update(mail_accounts).where(mail_accounts.c.account_id == account_id)
        .values(last_uidvalidity=case((last + count > seconds + count - 1, last + count),
                                      else_=seconds + count - 1))
        .returning(mail_accounts.c.last_uidvalidity)).scalar_one()
    return list(range(int(top) - count + 1, int(top) + 1))


def adjust_usage(conn: Connection, deltas: Mapping[int, tuple[int, int]]) -> None:
    """Add ``(octets, messages)`` to each account's usage, in account order."""
    rows = [{"account": account, "octets": octets, "count": count}
            for account, (octets, count) in sorted(deltas.items()) if octets or count]
    if not rows:
        return
    for row in rows:
        # One statement per account keeps the lock order; accounts per operation are few.
        conn.execute(_ADJUST_USAGE, row)


def insert_folder_rows(ctx: MailContext, conn: Connection, account_id: int, names: list[tuple[str, str | None]],
                       now: datetime) -> None:
    """Insert new folders with fresh UIDVALIDITY values; a name created meanwhile by another writer is kept."""
    if not names:
        return
    values = uidvalidities(conn, account_id, len(names), now)
    conn.execute(ctx.insert_ignore(folders, ["account_id", "name"]), [
        {"account_id": account_id, "name": name, "special_use": special, "uidvalidity": validity, "uidnext": 1,
         "highestmodseq": 1, "first_recent_uid": 1, "subscribed": True, "created_at": now}
        for (name, special), validity in zip(names, values, strict=True)])
