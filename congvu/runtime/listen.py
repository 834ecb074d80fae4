"""Listening sockets, bound by the main process and handed to the worker processes.

Every listener asks :class:`ListenSockets` for its socket by name (``http``, ``smtp``, ``submission``,
``submissions``, ``imap``, ``imaps``). In the main process the socket is bound (port ``auto`` picks a free one)
with ``SO_REUSEPORT``; for each worker process the main process binds one more socket on the same address
(:meth:`ListenSockets.for_worker`) and the worker inherits it (:meth:`ListenSockets.from_environment`). The kernel
then spreads new connections evenly over the processes' listening sockets. A worker's sockets start bound but not
listening, and the worker's server calls ``listen()`` once it runs, so no connection waits on a process that is
still starting; while a worker is down its sockets are closed, so its share goes to the others. Before binding,
the main process checks that nothing else listens on the port: ``SO_REUSEPORT`` would otherwise let a second
server share it silently.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

ANY_FREE_PORT = -1
"""A port meaning "any free port" (``--smtp-port auto``); 0 turns a listener off."""
INHERITED_ENV = "CONGVU_LISTEN_FDS"
"""``name=fd,name=fd``: the sockets a worker process inherits from the main process."""
BACKLOG = 1024


def bind_tcp(host: str, port: int, *, shared: bool = False, listen: bool = True) -> socket.socket:
    """A listening socket on ``host:port`` (port :data:`ANY_FREE_PORT`: any free one); ``shared`` sets
    ``SO_REUSEPORT`` so that more sockets can listen on the same address; ``listen=False`` leaves it bound only
    (the server that takes it calls ``listen()`` when it is ready)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared and CAN_SHARE:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, 0 if port == ANY_FREE_PORT else max(port, 0)))
        if listen:
            sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


CAN_SHARE = hasattr(socket, "SO_REUSEPORT")


class ListenSockets:
    """The listening sockets of one process, by listener name."""

    def __init__(self, inherited: Mapping[str, int] | None = None) -> None:
        self._inherited = dict(inherited or {})
        self.bound: dict[str, socket.socket] = {}
        self._workers: dict[int, dict[str, socket.socket]] = {}

    @classmethod
    def from_environment(cls) -> ListenSockets:
        return cls(parse_inherited(os.environ.get(INHERITED_ENV, "")))

    @property
    def inherited_names(self) -> frozenset[str]:
        return frozenset(self._inherited)

    def get(self, name: str, host: str, port: int) -> socket.socket:
        """The socket for listener ``name``: the inherited one, else a new one bound to ``host:port``."""
        fd = self._inherited.pop(name, None)
        if fd is not None:
            sock = socket.socket(fileno=fd)
            sock.setblocking(False)
        else:
            if port not in (0, ANY_FREE_PORT):
                bind_tcp(host, port).close()  # fails if any other socket listens there
            sock = bind_tcp(host, port, shared=True)
        self.bound[name] = sock
        return sock

    def for_worker(self, index: int) -> dict[str, socket.socket]:
        """Worker ``index``'s own sockets on the same addresses as the bound ones (made on first use)."""
        if index not in self._workers:
            made: dict[str, socket.socket] = {}
            try:
                for name, sock in self.bound.items():
                    if not CAN_SHARE:
                        made[name] = sock  # one queue for all: still correct, less evenly spread
                        continue
                    address = sock.getsockname()
                    # Bound, not listening: the kernel sends it connections only once the worker, ready, listens.
                    made[name] = bind_tcp(address[0], address[1], shared=True, listen=False)
            except OSError:
                for extra in made.values():
                    if extra not in self.bound.values():
                        extra.close()
                raise
            self._workers[index] = made
        return self._workers[index]

    def release_worker(self, index: int) -> None:
        """Close worker ``index``'s sockets (it has stopped): new connections go to the other processes."""
        for sock in self._workers.pop(index, {}).values():
            if sock not in self.bound.values():
                sock.close()

    def close_workers(self) -> None:
        for index in list(self._workers):
            self.release_worker(index)

    @staticmethod
    def environment(sockets: Mapping[str, socket.socket]) -> dict[str, str]:
        """What a worker process needs in its environment to inherit ``sockets``."""
        return {INHERITED_ENV: ",".join(f"{name}={sock.fileno()}" for name, sock in sockets.items())}


def parse_inherited(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in text.split(","):
        name, _, fd = item.partition("=")
        if name.strip() and fd.strip().isdigit():
            found[name.strip()] = int(fd)
    return found
