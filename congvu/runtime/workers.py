"""The worker processes of ``congvu serve --workers N``: started, watched and stopped by the main process.

One Python process runs its event loop on one core. With ``N`` workers, the main process (web, SMTP, IMAP, the
delivery worker, the document dispatcher) starts ``N - 1`` more processes that run the SMTP and IMAP listeners on
the same addresses, each on sockets of its own (``SO_REUSEPORT``, :mod:`congvu.runtime.listen`) so that the
kernel spreads connections evenly, and talk to the main process over the bus (:mod:`congvu.runtime.bus`). The main
process restarts a worker that dies (waiting longer after each quick death) and stops them all on SIGTERM/SIGINT:
each finishes or safely abandons its transactions, as the main process does, and one that does not stop within
the grace period is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from congvu.runtime.bus import BUS_FD_ENV, ProcessBus
from congvu.runtime.listen import ListenSockets

log = logging.getLogger(__name__)

WORKER_MODULE = "congvu.cli.worker_process"
"""What a worker process runs (``python -m``)."""
STOP_GRACE_S = 15.0
RESTART_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
QUICK_DEATH_S = 10.0
WATCH_INTERVAL_S = 0.5
MAX_AUTO_WORKERS = 8
READY_TOPIC = "ready"
"""Sent by a worker (body: its index) once its listeners accept connections."""
READY_TIMEOUT_S = 60.0
INDEX_ENV = "CONGVU_WORKER_INDEX"


def announce_ready(bus: ProcessBus) -> None:
    """In a worker process, once its listeners run: tell the main process."""
    bus.publish(READY_TOPIC, os.environ.get(INDEX_ENV, "0").encode("ascii"))


def auto_worker_count() -> int:
    """One process per core the server may use, at most :data:`MAX_AUTO_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_AUTO_WORKERS))


@dataclass
class _Worker:
    index: int
    process: subprocess.Popen[bytes]
    started: float
    quick_deaths: int = 0


class WorkerProcesses:
    def __init__(self, data_root: Path, count: int, sockets: ListenSockets, bus: ProcessBus) -> None:
        self.data_root = data_root
        self.count = count
        self.sockets = sockets
        self.bus = bus
        self._workers: dict[int, _Worker] = {}
        self._stopping = False
        self._ready: set[int] = set()
        self._ready_changed = threading.Condition()
        bus.on(READY_TOPIC, self._worker_ready)

    def start(self) -> None:
        for index in range(1, self.count):
            self._workers[index] = _Worker(index, self._spawn(index), time.monotonic())

    async def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> bool:
        """Wait until every worker has its listeners running (or one has exited, or ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s

        def all_ready() -> bool:
            with self._ready_changed:
                while True:
                    if self._ready >= set(self._workers):
                        return True
                    left = deadline - time.monotonic()
                    if left <= 0 or any(w.process.poll() is not None for w in self._workers.values()):
                        return False
                    self._ready_changed.wait(min(left, 0.2))

        return await asyncio.to_thread(all_ready)

    def _worker_ready(self, body: bytes) -> None:
        with self._ready_changed:
            self._ready.add(int(body))
            self._ready_changed.notify_all()

    def _spawn(self, index: int) -> subprocess.Popen[bytes]:
        listening = self.sockets.for_worker(index)
        with self._ready_changed:
            self._ready.discard(index)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, **ListenSockets.environment(listening), BUS_FD_ENV: str(theirs.fileno()),
               INDEX_ENV: str(index), "CONGVU_SERVER_WORKERS": str(self.count)}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", WORKER_MODULE, "--data", str(self.data_root)],
                pass_fds=(*(sock.fileno() for sock in listening.values()), theirs.fileno()), env=env,
                stdin=subprocess.DEVNULL)
        except BaseException:
            ours.close()
            self.sockets.release_worker(index)
            raise
        finally:
            theirs.close()
        self.bus.attach(ours, name=str(index))
        log.info("worker process %d started (pid %d)", index, process.pid)
        return process

    async def watch(self, stop: asyncio.Event) -> None:
        """Restart workers that exit while the server runs."""
        restart_at: dict[int, float] = {}
        while not stop.is_set() and not self._stopping:
            now = time.monotonic()
            for index, worker in list(self._workers.items()):
                code = worker.process.poll()
                if code is None:
                    continue
                if index not in restart_at:
                    quick = now - worker.started < QUICK_DEATH_S
                    worker.quick_deaths = worker.quick_deaths + 1 if quick else 0
                    delay = RESTART_BACKOFF_S[min(worker.quick_deaths, len(RESTART_BACKOFF_S) - 1)]
                    log.error("tiến trình phụ %d (pid %d) dừng với mã %s; chạy lại sau %.0f s",
                              index, worker.process.pid, code, delay)
                    self.sockets.release_worker(index)  # its share of new connections goes to the others
                    restart_at[index] = now + delay
                elif now >= restart_at[index]:
                    del restart_at[index]
                    try:
                        process = self._spawn(index)
                    except OSError:
                        log.exception("không chạy lại được tiến trình phụ %d", index)
                        restart_at[index] = now + RESTART_BACKOFF_S[-1]
                        continue
                    self._workers[index] = _Worker(index, process, time.monotonic(), worker.quick_deaths)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), WATCH_INTERVAL_S)

    async def stop(self) -> None:
        """SIGTERM to every worker, then wait; kill those still running after :data:`STOP_GRACE_S`."""
        self._stopping = True
        running = [w.process for w in self._workers.values() if w.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while running and time.monotonic() < deadline:
            running = [p for p in running if p.poll() is None]
            if running:
                await asyncio.sleep(0.05)
        for process in running:
            log.error("tiến trình phụ pid %d không dừng sau %.0f s; buộc dừng", process.pid, STOP_GRACE_S)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await asyncio.to_thread(process.wait)
        self.sockets.close_workers()
