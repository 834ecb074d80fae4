"""Usage events: recording never waits for the database; a background flush writes them in batches."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from congvu.installation import Installation
from congvu.mailstore.usage import UsageKind, UsageRecorder
from congvu.store.schema import usage_events


def _stored(installation: Installation) -> int:
    with installation.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(usage_events)).scalar_one())


def test_events_are_written_in_batches(installation: Installation) -> None:
    recorder = UsageRecorder(installation.db, batch_size=10, flush_interval_s=60)
    for n in range(25):
        recorder.record(UsageKind.LOGIN, account_id=1, protocol="imap", detail={"n": n})
    assert _stored(installation) + recorder.pending <= 25
    recorder.flush()  # the background thread may have written some batches already
    assert _stored(installation) == 25 and recorder.pending == 0
    assert recorder.batches_written >= 3  # never more than batch_size rows per insert
    with installation.db.read() as conn:
        kinds = {tuple(row) for row in conn.execute(select(usage_events.c.kind, usage_events.c.protocol))}
    assert kinds == {("login", "imap")}
    recorder.close()


def test_background_flush_and_bounded_memory(installation: Installation) -> None:
    recorder = UsageRecorder(installation.db, batch_size=1000, flush_interval_s=0.05, max_pending=5)
    for _ in range(8):
        recorder.record(UsageKind.SEND, account_id=None, protocol="smtp")
    deadline = time.monotonic() + 10
    while _stored(installation) + recorder.dropped < 8 and time.monotonic() < deadline:
        time.sleep(0.02)  # the background thread flushes without being asked
    assert _stored(installation) + recorder.dropped == 8 and recorder.dropped >= 1
    recorder.record(UsageKind.INBOX_CHECK, account_id=2, protocol="web")
    recorder.close()
    assert recorder.pending == 0
    with installation.db.read() as conn:
        assert conn.execute(select(func.count()).where(usage_events.c.kind == "inbox_check")).scalar_one() == 1


def test_installation_has_a_recorder(installation: Installation) -> None:
    installation.usage.record(UsageKind.LOGIN, account_id=None, protocol="imap")
    installation.usage.flush()
    assert _stored(installation) == 1
