"""The sign-in throttle's records in the database: shared by every process (and node) of an installation, kept
across restarts, forgotten when they expire."""

from __future__ import annotations

from sqlalchemy import func, select

from congvu.installation import Installation
from congvu.security.throttle import SignInThrottle, ThrottlePolicy, ThrottleState
from congvu.security.throttle_db import DatabaseThrottleStore
from congvu.store.database import Database
from congvu.store.schema_throttle import signin_throttle


class Clock:
    def __init__(self) -> None:
        self.now = 2_000_000.0

    def __call__(self) -> float:
        return self.now


def _throttle(db: Database, clock: Clock) -> SignInThrottle:
    return SignInThrottle(DatabaseThrottleStore(db, clock=clock), clock=clock,
                          account_policy=ThrottlePolicy(3, window_s=600, lockout_s=60, max_lockout_s=240),
                          network_policy=ThrottlePolicy(10, window_s=600, lockout_s=300, max_lockout_s=600))


def _rows(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(signin_throttle)).scalar_one())


def test_failures_counted_by_one_process_lock_the_account_in_another(installation: Installation) -> None:
    clock = Clock()
    first = _throttle(installation.db, clock)
    second = _throttle(Database(installation.settings.database_url), clock)  # another process's handle
    try:
        assert first.failure("lan@dongnai.gov.vn", "203.0.113.1").allowed
        assert second.failure("lan@dongnai.gov.vn", "203.0.113.2").allowed
        verdict = first.failure("LAN@dongnai.gov.vn", "203.0.113.3")
        assert not verdict.allowed and 55 <= verdict.retry_after_s <= 61
        assert not second.check("lan@dongnai.gov.vn", "198.51.100.9").allowed
        assert second.check("vinh@dongnai.gov.vn", "198.51.100.9").allowed
        clock.now += 61
        assert second.check("lan@dongnai.gov.vn", "198.51.100.9").allowed
    finally:
        second.store.db.dispose()  # type: ignore[attr-defined]


def test_success_clears_the_account_and_writes_nothing_without_failures(installation: Installation) -> None:
    clock = Clock()
    throttle = _throttle(installation.db, clock)
    throttle.success("vinh@dongnai.gov.vn", "203.0.113.1")
    assert _rows(installation.db) == 0
    throttle.failure("vinh@dongnai.gov.vn", "203.0.113.1")
    assert _rows(installation.db) == 2  # the account and the network
    throttle.success("vinh@dongnai.gov.vn", "203.0.113.1")
    store = throttle.store
    assert store.get("acct:vinh@dongnai.gov.vn") is None
    assert store.get("net:203.0.113.1") is not None  # a success does not clear the network's record


def test_records_expire_and_are_purged(installation: Installation) -> None:
    clock = Clock()
    store = DatabaseThrottleStore(installation.db, clock=clock)
    store.put("acct:a@x.vn", ThrottleState(failures=(clock.now,)), ttl_s=30)
    assert store.get("acct:a@x.vn") == ThrottleState(failures=(clock.now,))
    clock.now += 31
    assert store.get("acct:a@x.vn") is None
    clock.now += 300  # expired rows are deleted by a write at most every five minutes
    store.put("acct:b@x.vn", ThrottleState(locked_until=clock.now + 60, lockouts=2), ttl_s=600)
    assert _rows(installation.db) == 1  # the expired row went with the write
    assert store.get("acct:b@x.vn") == ThrottleState(locked_until=clock.now + 60, lockouts=2)
