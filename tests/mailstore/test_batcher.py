"""Group commit of local deliveries: deliveries that wait while another commits share one transaction, every
caller returns only once its delivery is committed, and a failing delivery fails alone, leaving no rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from mailstore_samples import People, message
from sqlalchemy import Connection, func, select, text

from congvu.errors import NotFound
from congvu.installation import Installation
from congvu.mailstore.api import DeliveryResult
from congvu.store.schema import folders, message_contents, messages

Outcome = DeliveryResult | BaseException


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _count(installation: Installation, table, **where: object) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with installation.db.read() as conn:
        return int(conn.execute(query).scalar_one())


@contextmanager
def _inbox_held(installation: Installation, people: People) -> Iterator[Connection]:
    """A writer that holds the INBOX of ``people.an`` (SQLite: the write lock; PostgreSQL: the folder's row lock)
    until the block ends, so that deliveries arriving meanwhile pile up behind the first one."""
    inbox = people.store.find_folder(people.an, "INBOX").id
    with installation.db.begin() as conn:
        conn.execute(select(folders.c.id).where(folders.c.id == inbox).with_for_update())
        yield conn


def _deliver_together(people: People, jobs: list[Callable[[], DeliveryResult]],
                      installation: Installation) -> list[Outcome]:
    """Run ``jobs`` in threads while the INBOX is held: the first leads alone and waits for the lock, the
    others queue behind it; the lock is released once all of them are waiting, so they share the next commit."""
    outcomes: list[Outcome | None] = [None] * len(jobs)

    def run(position: int) -> None:
        try:
            outcomes[position] = jobs[position]()
        except BaseException as error:  # collected for the assertions
            outcomes[position] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    batcher = people.store.deliveries
    started = batcher.transactions
    with _inbox_held(installation, people):
        threads[0].start()
        _wait_for(lambda: batcher.transactions > started)
        for thread in threads[1:]:
            thread.start()
        _wait_for(lambda: batcher.queued == len(jobs) - 1)
    for thread in threads:
        thread.join(timeout=60)
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def test_deliveries_waiting_together_share_one_commit_and_all_are_durable(installation: Installation,
                                                                         people: People) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    before = store.deliveries.transactions
    raws = [message(f"Công văn số {n}/UBND", f"Nội dung công văn {n}.") for n in range(12)]
    outcomes = _deliver_together(people, [lambda raw=raw: store.deliver(raw, [people.an]) for raw in raws],
                                 installation)
    results = [outcome for outcome in outcomes if isinstance(outcome, DeliveryResult)]
    assert len(results) == len(raws)
    # One transaction for the first, one for the eleven that queued behind it.
    assert store.deliveries.transactions - before == 2
    inbox = store.find_folder(people.an, "INBOX").id
    snap = store.snapshot(people.an, inbox)
    # As if committed one by one: consecutive UIDs, one MODSEQ each, every message readable from its blob.
    assert [m.uid for m in snap.messages] == list(range(1, len(raws) + 1))
    assert len({m.modseq for m in snap.messages}) == len(raws)
    assert {d.uid for r in results for d in r.deliveries} == {m.uid for m in snap.messages}
    for result, raw in zip(results, raws, strict=True):
        assert store.read_raw(people.an, inbox, result.deliveries[0].uid) == raw
    assert store.quota(people.an).messages == len(raws)
    assert store.quota(people.an).bytes == sum(len(raw) for raw in raws)


def test_an_unknown_mailbox_fails_alone(installation: Installation, people: People) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    good = [message(f"Thư tốt {n}") for n in range(4)]
    jobs: list[Callable[[], DeliveryResult]] = [lambda raw=raw: store.deliver(raw, [people.an]) for raw in good]
    jobs.insert(2, lambda: store.deliver(message("Thư lạc"), [people.an, 999_999]))
    outcomes = _deliver_together(people, jobs, installation)
    assert isinstance(outcomes[2], NotFound)
    assert all(isinstance(outcome, DeliveryResult) for n, outcome in enumerate(outcomes) if n != 2)
    assert _count(installation, messages) == len(good)
    assert store.quota(people.an).messages == len(good)


@pytest.fixture
def poison_trigger(installation: Installation) -> Iterator[None]:
    """The database refuses a content row whose subject is "poison" (as it would a row breaking a constraint)."""
    with installation.db.begin() as conn:
        if installation.db.is_sqlite:
            conn.execute(text("CREATE TRIGGER poison BEFORE INSERT ON message_contents WHEN NEW.subject = 'poison' "
                              "BEGIN SELECT RAISE(ABORT, 'poison refused'); END"))
        else:
            conn.execute(text("CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                              "IF NEW.subject = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF; "
                              "RETURN NEW; END $$"))
            conn.execute(text("CREATE TRIGGER poison BEFORE INSERT ON message_contents FOR EACH ROW "
                              "EXECUTE FUNCTION refuse_poison()"))
    yield


def test_a_delivery_the_database_refuses_fails_alone_without_rows(installation: Installation, people: People,
                                                                  poison_trigger: None) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    good = [message(f"Thư tốt {n}", f"Nội dung {n}") for n in range(5)]
    poison = message("poison", "Thư này bị cơ sở dữ liệu từ chối.")
    jobs: list[Callable[[], DeliveryResult]] = [lambda raw=raw: store.deliver(raw, [people.an]) for raw in good]
    jobs.insert(3, lambda: store.deliver(poison, [people.an]))
    before = store.deliveries.transactions
    outcomes = _deliver_together(people, jobs, installation)
    # The first alone, then the other five together, which failed and were committed one by one.
    assert store.deliveries.transactions - before == 1 + 1 + 5
    failed = outcomes.pop(3)
    assert isinstance(failed, Exception) and "poison refused" in str(failed)
    assert all(isinstance(outcome, DeliveryResult) for outcome in outcomes)
    # The good ones are all there; of the refused one, neither a message nor a content row, nor quota.
    assert _count(installation, messages) == len(good)
    assert _count(installation, message_contents) == len(good)
    assert _count(installation, message_contents, subject="poison") == 0
    assert store.quota(people.an).messages == len(good)
    inbox = store.find_folder(people.an, "INBOX").id
    uids = [m.uid for m in store.snapshot(people.an, inbox).messages]
    assert len(uids) == len(set(uids)) == len(good)
    # Later deliveries carry on normally.
    assert store.deliver(message("Sau đó"), [people.an]).deliveries[0].uid > max(uids)
