"""Composition root: builds the services of an installation and runs its listeners, in one process or several.

Started here: the web application (FastAPI under uvicorn), the SMTP listeners (MX, submission, SMTPS), the IMAP
listeners (IMAP with STARTTLS, IMAPS), the outbound delivery worker and the official-document dispatcher. Within a
process they share one mail-store facade (so a message delivered over SMTP wakes IMAP IDLE sessions at once), one
outbound queue (so mail submitted over SMTP and document packages sent by mail wake the delivery worker at once)
and one document service (whose mail intake takes in the edXML packages the SMTP server delivers into agency
mailboxes). Failed sign-ins are counted in the database, so web, SMTP and IMAP count them together in every process.

With ``workers`` above 1 (``[server] workers``, ``--workers``; ``auto`` is one per core) the main process also
starts worker processes that serve SMTP and IMAP on the same ports (:mod:`congvu.runtime.workers`); the
processes tell each other of mailbox changes and queued mail over a bus (:mod:`congvu.runtime.relay`), and count
the SMTP and IMAP limits together (:mod:`congvu.runtime.shared_limits`) so that each holds for the whole server.
The web, the delivery worker and the document dispatcher run in the main process only.

Each listener binds its socket first (port ``auto`` picks a free one) and reports the address it got, so tests and
the demo can find it. SIGTERM and SIGINT stop the listeners: transactions in flight are finished or safely
abandoned before the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from congvu.access.service import Access, access_for
from congvu.config.settings import ListenSettings
from congvu.delivery.queue import OutboundQueue
from congvu.installation import Installation
from congvu.mailstore.aio import AsyncMailStore
from congvu.mailstore.indexpool import share_cores
from congvu.mailstore.notify import LocalNotifier
from congvu.mailstore.outside_changes import OutsideChangeWatch
from congvu.mailstore.textbacklog import STALE_S
from congvu.runtime.bus import BUS_FD_ENV, ProcessBus
from congvu.runtime.listen import ANY_FREE_PORT, ListenSockets
from congvu.runtime.relay import receive_queue_wakeups, relay_mailbox_events, send_queue_wakeups
from congvu.runtime.shared_limits import RESYNC_S, SharedLimits
from congvu.runtime.workers import INDEX_ENV, WorkerProcesses, announce_ready, auto_worker_count
from congvu.security.throttle import SignInThrottle
from congvu.security.throttle_db import DatabaseThrottleStore
from congvu.security.verified_cache import VerifiedSecretCache, configured_ttl_s

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService
    from congvu.web.serving import QuietUvicorn

log = logging.getLogger(__name__)

AUTO_PORT = ANY_FREE_PORT
"""A port setting meaning "any free port" (``--http-port auto``); 0 turns a listener off."""
DOCUMENT_DISPATCH_INTERVAL_S = 30.0
TEXT_SWEEP_S = 60.0
# Which ListenSettings port each listener's socket comes from (the names are the sockets' names).
LISTENER_PORTS = {"smtp": "smtp_port", "submission": "submission_port", "submissions": "smtps_port",
                  "imap": "imap_port", "imaps": "imaps_port", "http": "http_port"}


@dataclass(frozen=True)
class BoundListener:
    name: str
    host: str
    port: int


async def _every(interval_s: float, stop: asyncio.Event, job: Callable[[], Awaitable[object]], name: str) -> None:
    """Run ``job`` now and then every ``interval_s`` until ``stop``; a failing round is logged, never fatal."""
    while not stop.is_set():
        try:
            await job()
        except Exception:  # a worker boundary: log and try again next round
            log.exception("%s failed; retrying in %.0f s", name, interval_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)


class _Once:
    """A value made on first use, once, whichever thread asks first."""

    def __init__(self, make: Callable[[], DocumentService]) -> None:
        self._make = make
        self._value: DocumentService | None = None
        self._lock = threading.Lock()

    def get(self) -> DocumentService:
        with self._lock:
            if self._value is None:
                self._value = self._make()
            return self._value


def documents_for(inst: Installation, *, outbound: OutboundQueue) -> DocumentService:
    from congvu.documents.service import documents_for as make

    return make(inst, outbound=outbound)


@dataclass
class Application:
    inst: Installation
    worker: bool = False
    """This process is a worker started by the main process (SMTP and IMAP on inherited sockets only)."""
    listeners: list[BoundListener] = field(default_factory=list)
    # Failed sign-ins on the web, SMTP AUTH and IMAP LOGIN count together, in every process (the database).
    throttle: SignInThrottle | None = None
    workers: WorkerProcesses | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def process_count(self) -> int:
        configured = self.inst.settings.workers
        return configured if configured > 0 else auto_worker_count()

    async def run(self, *, announce: bool = True) -> None:
        inst = self.inst
        listen = inst.settings.listen
        loop = asyncio.get_running_loop()
        if self.throttle is None:
            self.throttle = SignInThrottle(DatabaseThrottleStore(inst.db))
        if self.worker or self.process_count > 1:
            share_cores(self.process_count)
        sockets = ListenSockets.from_environment() if self.worker else ListenSockets()
        if self.worker:
            # Only the listeners whose sockets the main process handed over (their port numbers are not used).
            listen = replace(listen, **{port: 1 if name in sockets.inherited_names else 0
                                        for name, port in LISTENER_PORTS.items()})
        bus = self._bus(loop)
        verified = VerifiedSecretCache(ttl_s=configured_ttl_s(inst.settings.raw))
        access = access_for(inst.directory, throttle=self.throttle, usage=inst.usage, verified=verified)
        mailstore = AsyncMailStore(inst.mailstore, inst.mailstore.notifier)
        outbound = OutboundQueue(inst)  # one queue: the SMTP side's enqueue wakes the worker at once
        # Packages sent by mail go into the same queue. A worker process makes the document service only when a
        # package arrives: it and the PDF signature libraries it loads cost some 60 MiB a process.
        docs = _Once(lambda: documents_for(inst, outbound=outbound))
        if not self.worker:
            docs.get()
        shared: SharedLimits | None = None
        if bus is not None:
            if isinstance(inst.mailstore.notifier, LocalNotifier):
                relay_mailbox_events(inst.mailstore.notifier, bus)
            (send_queue_wakeups if self.worker else receive_queue_wakeups)(outbound, bus)
            origin = os.environ.get(INDEX_ENV, "0") if self.worker else "0"
            shared = SharedLimits(bus, origin, loop=loop)
            shared.start()  # before anything is counted (a worker announces itself; the main one hears workers)
        tasks: list[asyncio.Task[None]] = []
        closers: list[Callable[[], Awaitable[None]]] = []
        web: QuietUvicorn | None = None
        try:
            if listen.http_port != 0 and not self.worker:
                sock = sockets.get("http", listen.host, listen.http_port)
                self.listeners.append(BoundListener("http", listen.host, sock.getsockname()[1]))
                from congvu.web.serving import build_web, web_server

                web, web_sockets = web_server(build_web(inst, access, docs.get(), outbound), sock)
                tasks.append(asyncio.create_task(web.serve(sockets=web_sockets)))
            if any(p != 0 for p in (listen.smtp_port, listen.submission_port, listen.smtps_port)):
                from congvu.documents.mail_intake import BackgroundDispatch, MailIntake
                from congvu.smtpserver.listeners import default_services as smtp_services
                from congvu.smtpserver.listeners import start_smtp_listeners

                smtp = await start_smtp_listeners(
                    inst, host=listen.host, smtp_port=listen.smtp_port, submission_port=listen.submission_port,
                    smtps_port=listen.smtps_port, sockets=sockets,
                    services=smtp_services(inst, signin=access.signin, mailstore=mailstore, outbound=outbound,
                                           after_delivery=MailIntake(
                                               open_docs=docs.get, db=inst.db,
                                               dispatch=BackgroundDispatch(lambda: docs.get().dispatch()))))
                closers.append(smtp.close)
                self.listeners.extend(BoundListener(b.name, b.host, b.port) for b in smtp.bound)
                if shared is not None:
                    smtp.state.share_limits(shared)
            if listen.imap_port != 0 or listen.imaps_port != 0:
                await self._start_imap(access, mailstore, closers, listen, sockets, shared)
                if isinstance(inst.mailstore.notifier, LocalNotifier):
                    # Changes made by the CLI or another node reach this process's IDLE sessions too.
                    watch = OutsideChangeWatch(inst.mailstore.ctx, inst.mailstore.notifier)
                    tasks.append(asyncio.create_task(watch.run(self._stop)))
            if shared is not None:
                tasks.append(asyncio.create_task(self._resync_limits(shared)))
            if not self.worker:
                from congvu.delivery.service import run_delivery_worker

                tasks.append(asyncio.create_task(run_delivery_worker(inst, stop=self._stop, queue=outbound)))
                tasks.append(asyncio.create_task(self._resume_text_index()))
                tasks.append(asyncio.create_task(self._dispatch_documents(docs.get())))
                if bus is not None:
                    self.workers = WorkerProcesses(inst.settings.data.root, self.process_count, sockets, bus)
                    self.workers.start()
                    if not await self.workers.wait_ready():
                        log.error("không phải mọi tiến trình phụ đều đã sẵn sàng; vẫn tiếp tục")
                    tasks.append(asyncio.create_task(self.workers.watch(self._stop)))
            elif bus is not None:
                announce_ready(bus)
        except BaseException:
            self._stop.set()
            if self.workers is not None:
                await self.workers.stop()
            for close in reversed(closers):
                await close()
            if bus is not None:
                bus.close()
            raise
        if announce and not self.worker:
            for listener in self.listeners:
                shown = "127.0.0.1" if listener.host in ("0.0.0.0", "") else listener.host
                print(f"congvu: {listener.name} đang nghe tại {shown}:{listener.port}", flush=True)
            if self.workers is not None:
                print(f"congvu: {self.process_count} tiến trình phục vụ SMTP và IMAP", flush=True)
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stop.set)
        await self._stop.wait()
        if web is not None:
            web.should_exit = True
        stopping = [asyncio.create_task(self.workers.stop())] if self.workers is not None else []
        for close in reversed(closers):
            await close()
        await asyncio.gather(*stopping, *tasks, return_exceptions=True)
        if bus is not None:
            bus.close()
        await asyncio.to_thread(mailstore.close)
        if not self.worker:
            print("congvu: đã dừng.", file=sys.stderr, flush=True)

    def _bus(self, loop: asyncio.AbstractEventLoop) -> ProcessBus | None:
        if self.worker:
            fd = os.environ.get(BUS_FD_ENV)
            if not fd:
                return None
            return ProcessBus.worker_from_environment(fd, lambda: loop.call_soon_threadsafe(self._stop.set))
        return ProcessBus(hub=True) if self.process_count > 1 else None

    async def _start_imap(self, access: Access, mailstore: AsyncMailStore,
                          closers: list[Callable[[], Awaitable[None]]], listen: ListenSettings,
                          sockets: ListenSockets, shared: SharedLimits | None = None) -> None:
        from congvu.imapserver.listeners import start_imap_listeners
        from congvu.imapserver.services import ImapServices
        from congvu.imapserver.settings import load_imap_limits

        imap = await start_imap_listeners(
            self.inst, host=listen.host, imap_port=listen.imap_port, imaps_port=listen.imaps_port, sockets=sockets,
            services=ImapServices(mailstore=mailstore, signin=access.signin, usage=self.inst.usage,
                                  limits=load_imap_limits(self.inst.settings.raw)))
        closers.append(imap.close)
        if shared is not None:
            imap.server.counter.share(shared)
        if imap.imap_port:
            self.listeners.append(BoundListener("imap", listen.host, imap.imap_port))
        if imap.imaps_port:
            self.listeners.append(BoundListener("imaps", listen.host, imap.imaps_port))

    async def _resync_limits(self, shared: SharedLimits) -> None:
        async def resync() -> None:
            shared.resync()

        await _every(RESYNC_S, self._stop, resync, "limit resync")

    async def _resume_text_index(self) -> None:
        """Long bodies left unindexed (congvu.mailstore.textbacklog): at start what an earlier run left, then every
        minute what a process that stopped had queued."""
        index = self.inst.mailstore.text_index
        older_than_s: float | None = None  # the first round takes everything

        async def sweep() -> None:
            nonlocal older_than_s
            waiting = await asyncio.to_thread(partial(index.resume, older_than_s=older_than_s))
            if waiting:
                log.info("lập chỉ mục văn bản cho %d thư còn chờ", waiting)
            older_than_s = STALE_S

        await _every(TEXT_SWEEP_S, self._stop, sweep, "text index sweep")

    async def _dispatch_documents(self, docs: DocumentService) -> None:
        await _every(DOCUMENT_DISPATCH_INTERVAL_S, self._stop, lambda: asyncio.to_thread(docs.dispatch),
                     "document dispatch")

    def stop(self) -> None:
        self._stop.set()
