"""Listening sockets of ``congvu serve``: bound once by the main process, one more per worker on the same
address, inherited by file descriptor; a port another server holds is refused."""

from __future__ import annotations

import socket

import pytest

from congvu.runtime.listen import ANY_FREE_PORT, ListenSockets, bind_tcp, parse_inherited


def test_a_port_that_another_server_listens_on_is_refused() -> None:
    other = bind_tcp("127.0.0.1", ANY_FREE_PORT)
    try:
        with pytest.raises(OSError):
            ListenSockets().get("smtp", "127.0.0.1", other.getsockname()[1])
    finally:
        other.close()


def _accept_all(listening: socket.socket) -> int:
    listening.setblocking(False)
    count = 0
    while True:
        try:
            conn, _ = listening.accept()
        except (BlockingIOError, OSError):
            return count
        conn.close()
        count += 1


def test_each_worker_gets_its_own_socket_on_the_same_port_once_it_listens() -> None:
    sockets = ListenSockets()
    main = sockets.get("imap", "127.0.0.1", ANY_FREE_PORT)
    port = main.getsockname()[1]
    worker = sockets.for_worker(1)["imap"]
    clients: list[socket.socket] = []
    try:
        assert worker is not main and worker.getsockname()[1] == port
        assert sockets.for_worker(1)["imap"] is worker  # made once
        # A worker still starting has not called listen(): every connection goes to the main process.
        clients += [socket.create_connection(("127.0.0.1", port)) for _ in range(12)]
        assert _accept_all(main) == 12
        worker.listen(64)  # what the worker's server does once it runs
        clients += [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        by_main, by_worker = _accept_all(main), _accept_all(worker)
        assert by_main + by_worker == 40 and by_main > 0 and by_worker > 0  # spread by the kernel
        sockets.release_worker(1)
        assert worker.fileno() == -1
        assert main.fileno() != -1
    finally:
        for client in clients:
            client.close()
        sockets.close_workers()
        main.close()


def test_a_worker_finds_its_sockets_by_name() -> None:
    sockets = ListenSockets()
    main = sockets.get("smtp", "127.0.0.1", ANY_FREE_PORT)
    try:
        env = ListenSockets.environment(sockets.for_worker(2))
        inherited = parse_inherited(env["CONGVU_LISTEN_FDS"])
        assert set(inherited) == {"smtp"}
        assert parse_inherited("smtp=7, imap=9,bad,=3,x=y") == {"smtp": 7, "imap": 9}
    finally:
        sockets.close_workers()
        main.close()
