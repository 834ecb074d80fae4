"""Starting outbound delivery for an installation: what the composition root calls.

``run_delivery_worker(inst, stop=…)`` builds the resolver from ``[dns]``, the report sink from the
installation's mail store (when it has one), the sender rewriter when ``[delivery] srs`` is on (so reports on
forwarded mail reach the original sender) and runs :class:`DeliveryWorker` until ``stop`` is set. Pass the
same :class:`OutboundQueue` the SMTP server enqueues into, so a new message wakes the worker at once instead of
at the next poll.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from congvu.delivery.clock import Clock
from congvu.delivery.forwarding import sender_rewriter
from congvu.delivery.local import MailboxDelivery, MailStoreReports, ReportSink
from congvu.delivery.queue import OutboundQueue, QueueHost
from congvu.delivery.resolver import NetworkResolver
from congvu.delivery.worker import DeliveryWorker
from congvu.directory.service import Directory
from congvu.security.dns import Resolver


class WorkerHost(QueueHost, Protocol):
    @property
    def directory(self) -> Directory: ...

    @property
    def mailstore(self) -> MailboxDelivery: ...


def report_sink(inst: WorkerHost, store: MailboxDelivery | None = None) -> ReportSink:
    """DSNs to local senders go through ``store``, by default the installation's mail store."""
    return MailStoreReports(inst.directory, store if store is not None else inst.mailstore)


def build_worker(inst: WorkerHost, *, resolver: Resolver | None = None, clock: Clock | None = None,
                 queue: OutboundQueue | None = None, store: MailboxDelivery | None = None) -> DeliveryWorker:
    queue = queue or OutboundQueue(inst, clock=clock)
    return DeliveryWorker(queue, resolver=resolver or NetworkResolver.from_settings(inst.settings),
                          clock=clock or queue.clock, reports=report_sink(inst, store),
                          srs=sender_rewriter(inst.settings))


async def run_delivery_worker(inst: WorkerHost, *, stop: asyncio.Event, resolver: Resolver | None = None,
                              clock: Clock | None = None, queue: OutboundQueue | None = None,
                              store: MailboxDelivery | None = None) -> None:
    """Deliver the outbound queue until ``stop`` is set."""
    await build_worker(inst, resolver=resolver, clock=clock, queue=queue, store=store).run(stop)


__all__ = ["WorkerHost", "build_worker", "report_sink", "run_delivery_worker"]
