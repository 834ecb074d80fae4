"""``congvu serve --workers 2`` as real processes: a per-address connection limit (SMTP and IMAP) holds for the
whole server, although the kernel spreads one client's connections over both processes."""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from serve_harness import Served, socket_owner, start_serve

from congvu.cli.main import main

PASSWORD = "Matkhau@2026"
DOMAIN = "binhphuoc.gov.vn"
LIMIT = 3


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    data = tmp_path / "inst"
    assert main(["init", "--data", str(data), "--domain", DOMAIN, "--admin-password", PASSWORD]) == 0
    with (data / "congvu.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n[smtp]\nmax_connections_per_ip = {LIMIT}\n\n[imap]\nmax_connections_per_address = {LIMIT}\n")
    served = start_serve(data, "--workers", "2", "--http-port=0", "--submission-port=0", "--smtps-port=0",
                         "--imaps-port=0", "--smtp-port=auto", "--imap-port=auto")
    proc, ports, line = served.proc, served.ports, served.ready_line
    try:
        assert set(ports) == {"smtp", "imap"} and "2 tiến trình" in line, (ports, line)
        yield served
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


@dataclass
class Client:
    sock: socket.socket
    greeting: bytes
    owner: int | None


@dataclass
class Clients:
    served: Served
    port: int
    open: list[Client] = field(default_factory=list)

    def connect(self) -> Client:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        greeting = sock.makefile("rb").readline()
        owner = socket_owner(self.port, sock.getsockname()[1], self.served.server_pids())
        return Client(sock, greeting, owner)

    def fill_over_both_processes(self, welcome: bytes) -> None:
        """Hold :data:`LIMIT` connections, some in each process."""
        for _ in range(60):
            if len(self.open) == LIMIT and len({c.owner for c in self.open}) == 2:
                return
            if len(self.open) == LIMIT:  # all in one process: give one back and try for the other
                self.open.pop(0).sock.close()
                time.sleep(0.1)  # the other process hears of the closed one
            client = self.connect()
            if client.greeting.startswith(welcome):
                self.open.append(client)
            else:  # the close had not reached the process that took this one yet
                client.sock.close()
                time.sleep(0.1)
        raise AssertionError(f"could not spread {LIMIT} connections over both processes")

    def close(self) -> None:
        for client in self.open:
            client.sock.close()


def _refused_everywhere(clients: Clients, refusal: bytes) -> None:
    time.sleep(0.2)  # the last admission reaches the other process
    for _ in range(8):  # the kernel spreads them over both processes: each is refused
        extra = clients.connect()
        extra.sock.close()
        assert extra.greeting.startswith(refusal), extra.greeting
    clients.open.pop().sock.close()
    time.sleep(0.2)
    again = clients.connect()
    clients.open.append(again)
    assert not again.greeting.startswith(refusal), again.greeting  # the place given back is free again


def test_a_per_address_connection_limit_holds_for_all_processes(served: Served) -> None:
    for protocol, greeting, refusal in (("smtp", b"220 ", b"421 "), ("imap", b"* OK", b"* BYE")):
        clients = Clients(served, served.ports[protocol])
        try:
            clients.fill_over_both_processes(greeting)
            _refused_everywhere(clients, refusal)
        finally:
            clients.close()
