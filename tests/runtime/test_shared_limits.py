"""SMTP and IMAP limits counted together by the processes of one server: three in-process "processes" (a hub
and two workers) joined by a real bus, each with its own counters."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from congvu.imapserver.limits import ConnectionCounter, ImapLimits
from congvu.runtime import shared_limits
from congvu.runtime.bus import ProcessBus
from congvu.runtime.shared_limits import SharedLimits
from congvu.smtpserver.limits import AccountSessions, ConnectionGate, MessageRates, network_key
from congvu.smtpserver.settings import SmtpLimits

CLIENT = "203.0.113.7"


@dataclass
class Process:
    origin: str
    bus: ProcessBus
    shared: SharedLimits
    gate: ConnectionGate
    sessions: AccountSessions
    rates: MessageRates
    imap: ConnectionCounter
    sent: list[list[object]] = field(default_factory=list)


def _process(bus: ProcessBus, origin: str, clock: Callable[[], float] = time.monotonic) -> Process:
    loop = asyncio.get_running_loop()
    shared = SharedLimits(bus, origin, loop=loop, clock=clock)
    limits = SmtpLimits(max_connections=5, max_connections_per_ip=3, max_sessions_per_account=2,
                        max_messages_per_ip_per_hour=4, max_messages_per_account_per_hour=3)
    process = Process(origin, bus, shared, ConnectionGate(max_total=5, max_per_network=3),
                      AccountSessions(max_per_account=2), MessageRates.create(limits, clock=clock),
                      ConnectionCounter(ImapLimits(max_connections_per_address=2, max_connections_per_account=2)))
    process.gate.share(shared)
    process.sessions.share(shared)
    process.rates.share(shared)
    process.imap.share(shared)
    shared.start()
    return process


def _worker(hub: ProcessBus, index: int) -> ProcessBus:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    hub.attach(ours, name=str(index))
    worker = ProcessBus(hub=False)
    worker.attach(theirs)
    return worker


async def _eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the processes did not agree in time"
        await asyncio.sleep(0.005)


def _seen(processes: list[Process], key: str, count: int) -> Callable[[], bool]:
    """Every process sees ``count`` connections of ``key`` in all (its own and the others')."""
    return lambda: all(p.gate._per_network.get(key, 0) + p.gate.peers.others(key) == count  # type: ignore[union-attr]
                       for p in processes)


@pytest.fixture
def buses() -> Iterator[list[ProcessBus]]:
    hub = ProcessBus(hub=True)
    buses = [hub, _worker(hub, 1), _worker(hub, 2)]
    yield buses
    for bus in reversed(buses):
        bus.close()


async def test_a_per_network_limit_holds_across_processes(buses: list[ProcessBus]) -> None:
    main, first, second = (_process(bus, str(n)) for n, bus in enumerate(buses))
    everyone = [main, first, second]
    key = network_key(CLIENT)
    for n, process in enumerate((first, main, second), start=1):
        assert process.gate.admit(CLIENT) is None
        await _eventually(_seen(everyone, key, n))
    for process in everyone:  # the fourth is refused wherever it lands
        refused = process.gate.admit(CLIENT)
        assert refused is not None and refused.code == 421 and "at most 3" in refused.text
    assert main.gate.admit("198.51.100.1") is None  # another client is not concerned
    first.gate.release(CLIENT)
    await _eventually(_seen(everyone, key, 2))
    assert second.gate.admit(CLIENT) is None  # the place freed in one process is taken in another
    await _eventually(lambda: all(p.gate.total + p.gate.peers.total == 4 for p in everyone))  # type: ignore[union-attr]
    assert main.gate.admit("198.51.100.2") is None
    await _eventually(lambda: all(p.gate.total + p.gate.peers.total == 5 for p in everyone))  # type: ignore[union-attr]
    busy = first.gate.admit("198.51.100.3")  # 5 in all across the server
    assert busy is not None and "Too many connections to this server" in busy.text


async def test_sessions_per_account_and_imap_connections_hold_across_processes(buses: list[ProcessBus]) -> None:
    main, first, second = (_process(bus, str(n)) for n, bus in enumerate(buses))
    assert first.sessions.claim(17) is None
    assert second.sessions.claim(17) is None
    await _eventually(lambda: main.sessions.peers.others("17") == 2)  # type: ignore[union-attr]
    assert main.sessions.claim(17) is not None
    assert main.sessions.claim(18) is None
    second.sessions.release(17)
    await _eventually(lambda: main.sessions.peers.others("17") == 1)  # type: ignore[union-attr]
    assert main.sessions.claim(17) is None

    assert main.imap.open("192.0.2.9") and first.imap.open("192.0.2.9")
    await _eventually(lambda: second.imap.peers_address.others("192.0.2.9") == 2)  # type: ignore[union-attr]
    assert not second.imap.open("192.0.2.9")
    assert second.imap.sign_in(5) and main.imap.sign_in(5)
    await _eventually(lambda: first.imap.peers_account.others("5") == 2)  # type: ignore[union-attr]
    assert not first.imap.sign_in(5)
    main.imap.sign_out(5)
    main.imap.close("192.0.2.9")
    await _eventually(lambda: first.imap.peers_account.others("5") == 1)  # type: ignore[union-attr]
    assert first.imap.sign_in(5)
    await _eventually(lambda: second.imap.peers_address.others("192.0.2.9") == 1)  # type: ignore[union-attr]
    assert second.imap.open("192.0.2.9")


async def test_messages_in_the_hour_count_together_and_age_out(buses: list[ProcessBus]) -> None:
    now = [1000.0]
    main, first, second = (_process(bus, str(n), clock=lambda: now[0]) for n, bus in enumerate(buses))
    key = network_key(CLIENT)

    def seen(count: int) -> Callable[[], bool]:
        return lambda: all(p.rates.per_network.count(key) + p.rates.peers_network.others(key) == count  # type: ignore[union-attr]
                           for p in (main, first, second))

    for n, process in enumerate((main, first, second, first), start=1):
        assert process.rates.check(ip=CLIENT, account_id=None) is None
        process.rates.record(ip=CLIENT, account_id=None)
        await _eventually(seen(n))
        now[0] += 10
    refused = second.rates.check(ip=CLIENT, account_id=None)
    assert refused is not None and "at most 4" in refused.text
    first.rates.record(ip=None, account_id=3)
    main.rates.record(ip=None, account_id=3)
    second.rates.record(ip=None, account_id=3)
    await _eventually(lambda: first.rates.peers_account.others("3") == 2)  # type: ignore[union-attr]
    assert first.rates.check(ip=None, account_id=3) is not None
    now[0] += 3600 - 35  # the first message leaves the window in every process
    assert second.rates.check(ip=CLIENT, account_id=None) is None


async def test_a_worker_that_dies_is_forgotten_and_a_restarted_one_learns_the_counts(
        buses: list[ProcessBus]) -> None:
    hub, first_bus, second_bus = buses
    main, first, second = _process(hub, "0"), _process(first_bus, "1"), _process(second_bus, "2")
    key = network_key(CLIENT)
    assert main.gate.admit(CLIENT) is None
    assert first.gate.admit(CLIENT) is None
    assert first.gate.admit(CLIENT) is None
    first.rates.record(ip=CLIENT, account_id=None)
    await _eventually(_seen([main, first, second], key, 3))
    await _eventually(lambda: second.rates.peers_network.others(key) == 1)  # type: ignore[union-attr]
    assert second.gate.admit(CLIENT) is not None

    first_bus.close()  # the worker process ends: its connections went with it, its message stays counted
    await _eventually(_seen([main, second], key, 1))
    assert second.gate.admit(CLIENT) is None
    assert second.rates.peers_network.others(key) == 1  # type: ignore[union-attr]

    restarted = _process(_worker(hub, 1), "1")  # announces itself and hears what the others have
    buses.append(restarted.bus)
    await _eventually(_seen([main, second, restarted], key, 2))
    assert restarted.gate.admit(CLIENT) is None
    await _eventually(_seen([main, second, restarted], key, 3))
    assert main.gate.admit(CLIENT) is not None


async def test_a_restarted_worker_hears_the_messages_of_the_hour(buses: list[ProcessBus]) -> None:
    hub, first_bus, second_bus = buses
    main, second = _process(hub, "0"), _process(second_bus, "2")
    key = network_key(CLIENT)
    main.rates.record(ip=CLIENT, account_id=None)
    second.rates.record(ip=CLIENT, account_id=None)
    second.rates.record(ip=CLIENT, account_id=None)
    await _eventually(lambda: main.rates.peers_network.others(key) == 2)  # type: ignore[union-attr]
    first_bus.close()
    await _eventually(lambda: hub.link_count == 1)
    newcomer = _process(_worker(hub, 1), "1")
    buses.append(newcomer.bus)
    # Accepted before the main process heard the newcomer: it reaches the newcomer both on its own and in the
    # answer to its announcement, and is counted once.
    main.rates.record(ip=CLIENT, account_id=None)
    await _eventually(lambda: newcomer.rates.peers_network.others(key) == 4)  # type: ignore[union-attr]
    await asyncio.sleep(0.05)
    assert newcomer.rates.peers_network.others(key) == 4  # type: ignore[union-attr]
    assert main.rates.peers_network.others(key) == 2  # type: ignore[union-attr] # not counted twice
    assert second.rates.peers_network.others(key) == 2  # type: ignore[union-attr]
    assert newcomer.rates.check(ip=CLIENT, account_id=None) is not None  # 4 in the hour, the limit


async def test_a_lost_update_is_corrected_by_the_next_snapshot(buses: list[ProcessBus],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    hub, first_bus, second_bus = buses
    main, first, second = _process(hub, "0"), _process(first_bus, "1"), _process(second_bus, "2")
    clients = [f"10.0.{n // 250}.{n % 250}" for n in range(600)]
    for client in clients:
        assert first.imap.open(client)
    await _eventually(lambda: main.imap.peers_address.total == 600)  # type: ignore[union-attr]
    sent: list[bytes] = []
    real_publish = first_bus.publish

    def dropping(topic: str, body: bytes = b"") -> None:
        sent.append(body)
        if json.loads(body)[0] != "u":  # the closing updates are lost on the way
            real_publish(topic, body)

    monkeypatch.setattr(first_bus, "publish", dropping)
    monkeypatch.setattr(shared_limits, "PART_BYTES", 2000)
    first.shared.resync()  # 600 open: sent in parts
    assert len([body for body in sent if json.loads(body)[0] == "s"]) > 5
    sent.clear()
    for client in clients[:590]:
        first.imap.close(client)
    await asyncio.sleep(0.05)
    assert main.imap.peers_address.total == 600  # type: ignore[union-attr]
    first.shared.resync()  # what the server does every RESYNC_S
    await _eventually(lambda: main.imap.peers_address.total == 10)  # type: ignore[union-attr]
    await _eventually(lambda: second.imap.peers_address.total == 10)  # type: ignore[union-attr]
    assert second.imap.peers_address.others(clients[-1]) == 1  # type: ignore[union-attr]
    assert second.imap.peers_address.others(clients[0]) == 0  # type: ignore[union-attr]
    parts = [json.loads(body) for body in sent if json.loads(body)[0] == "s"]
    assert len(parts) == 1 and parts[0][4] == 1
    for client in clients[590:]:
        first.imap.close(client)
    first.shared.resync()
    await _eventually(lambda: main.imap.peers_address.total == 0)  # type: ignore[union-attr]
    first.shared.resync()  # nothing open, and the others know it: nothing sent
    assert [json.loads(body)[0] for body in sent].count("s") == 2


async def test_a_snapshot_in_parts_with_one_missing_is_not_applied() -> None:
    hub = ProcessBus(hub=True)
    main = _process(hub, "0")
    try:
        main.shared._handle(b'["s","4",7,0,3,[["imap.address","a",2]]]')
        main.shared._handle(b'["s","4",7,2,3,[["imap.address","c",1]]]')  # part 1 never came
        assert main.imap.peers_address.total == 0  # type: ignore[union-attr]
        main.shared._handle(b'["s","4",8,0,2,[["imap.address","a",2]]]')
        main.shared._handle(b'["s","4",8,1,2,[["imap.address","b",1],["smtp.net","x",4]]]')
        assert main.imap.peers_address.total == 3  # type: ignore[union-attr]
        assert main.gate.peers.others("x") == 4  # type: ignore[union-attr]
        main.shared._handle(b'["u","4",[["smtp.net","x",0]],[]]')
        main.shared._handle(b'not json')  # ignored with a warning
        assert main.gate.peers.total == 0  # type: ignore[union-attr]
    finally:
        hub.close()


def test_alone_nothing_is_shared() -> None:
    gate = ConnectionGate(max_total=0, max_per_network=1)
    assert gate.peers is None
    assert gate.admit(CLIENT) is None
    assert gate.admit(CLIENT) is not None
