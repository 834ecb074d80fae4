"""The lead of the group commit passes from caller to caller: when the leader's own delivery is committed while
others still wait (a transaction holds at most ``max_mailboxes`` recipients), the oldest waiting caller leads
next, and every caller returns once its own delivery is durable."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from mailstore_samples import People, message
from sqlalchemy import select

from congvu.installation import Installation
from congvu.mailstore.api import DeliveryResult
from congvu.store.schema import folders


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_lead_passes_on_until_every_delivery_is_committed(installation: Installation, people: People) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    batcher = store.deliveries
    batcher.max_mailboxes = 1  # one delivery per transaction: each leader commits its own, then hands over
    raws = [message(f"Công văn số {n}/STTTT", f"Nội dung {n}.") for n in range(6)]
    outcomes: list[DeliveryResult | BaseException | None] = [None] * len(raws)

    def run(position: int) -> None:
        try:
            outcomes[position] = store.deliver(raws[position], [people.an])
        except BaseException as error:  # collected for the assertions
            outcomes[position] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(raws))]
    inbox = store.find_folder(people.an, "INBOX").id
    started = batcher.transactions
    with installation.db.begin() as conn:  # hold the INBOX: the first delivery leads and waits, the others queue
        conn.execute(select(folders.c.id).where(folders.c.id == inbox).with_for_update())
        threads[0].start()
        _wait_for(lambda: batcher.transactions > started)
        for thread in threads[1:]:
            thread.start()
        _wait_for(lambda: batcher.queued == len(raws) - 1)
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    results = [outcome for outcome in outcomes if isinstance(outcome, DeliveryResult)]
    assert len(results) == len(raws), outcomes
    assert batcher.transactions - started == len(raws)
    assert batcher.queued == 0
    snap = store.snapshot(people.an, inbox)
    assert [m.uid for m in snap.messages] == list(range(1, len(raws) + 1))
    assert sorted(d.uid for r in results for d in r.deliveries) == list(range(1, len(raws) + 1))
    # The batcher is free again: a later delivery leads at once.
    assert store.deliver(message("Công văn sau cùng"), [people.an]).deliveries[0].uid == len(raws) + 1
