"""A month of use of the sample province's mail: sign-ins and inbox checks on working days, so the usage reports
(which accounts use official mail, how often, through which client) have something to show.

Rows go straight into ``usage_events`` with their own times, in the shape the servers record them (``login``
with the sign-in method, ``inbox_check`` with the IMAP command or the web), and each account's
``last_login_at`` is set to its last sign-in. Not everyone uses the system: about a fifth never signs in (the
accounts the review page lists), some only now and then, the rest nearly every working day, mostly in the
morning; leaders and clerks more often than staff.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, update

from congvu.demo.timeline import at
from congvu.store.database import Database
from congvu.store.schema import accounts, usage_events

CLIENTS = (("web", "password", 5), ("imap", "password", 3), ("imap", "app_password", 2))
CHECK_COMMANDS = ("SELECT", "STATUS", "IDLE")


@dataclass(frozen=True)
class User:
    account_id: int
    eager: bool  # a leader or a clerk: signs in every working day


@dataclass(frozen=True)
class ActivitySummary:
    logins: int
    inbox_checks: int
    active_accounts: int
    days: int


def _moment(day: date, rng: random.Random, latest: datetime) -> datetime | None:
    when = at(day, int(rng.triangular(7, 17, 8)), rng.randrange(60), rng.randrange(60))
    return when if when <= latest else None


def record_month(db: Database, users: Sequence[User], days: Sequence[date], rng: random.Random, *,
                 latest: datetime) -> ActivitySummary:
    """Write the month's usage events for ``users``; see the module notes."""
    rows: list[dict[str, object]] = []
    last_login: dict[int, datetime] = {}
    logins = checks = 0
    casual = [user.account_id for user in users if not user.eager]
    # A fifth of those who are not leaders or clerks never sign in (at least one, however small the province).
    never = set(rng.sample(casual, max(1, round(len(casual) / 5)))) if casual else set()
    for user in users:
        habit = rng.random()
        if user.account_id in never:
            continue  # never signs in
        rate = 0.95 if user.eager else (0.25 if habit < 0.4 else 0.75)
        protocol, method, _ = rng.choices(CLIENTS, weights=[c[2] for c in CLIENTS])[0]
        ip = f"10.19.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
        for day in days:
            if rng.random() > rate:
                continue
            when = _moment(day, rng, latest)
            if when is None:
                continue
            rows.append({"at": when, "account_id": user.account_id, "kind": "login", "protocol": protocol,
                         "detail": {"method": method, "ip": ip}})
            logins += 1
            last_login[user.account_id] = max(when, last_login.get(user.account_id, when))
            for n in range(rng.randint(1, 6 if user.eager else 3)):
                check = when + timedelta(minutes=5 + 47 * n + rng.randrange(30))
                if check > latest or check.date() != when.date():
                    break
                detail = {"command": rng.choice(CHECK_COMMANDS)} if protocol == "imap" else None
                rows.append({"at": check, "account_id": user.account_id, "kind": "inbox_check",
                             "protocol": protocol, "detail": detail})
                checks += 1
    rows.sort(key=lambda r: r["at"])  # type: ignore[arg-type, return-value]
    with db.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(usage_events), rows[start:start + 2000])
        for account_id, when in last_login.items():
            conn.execute(update(accounts).where(accounts.c.id == account_id).values(last_login_at=when))
    return ActivitySummary(logins, checks, len(last_login), len(days))
