"""The delivery worker: takes due recipients from the outbound queue and delivers them over SMTP.

One pass (:meth:`DeliveryWorker.run_once`): claim due recipients (grouped by message and domain, at most 100
per transaction, RFC 5321 §4.5.3.1.8), find the route (:mod:`congvu.delivery.routing`) and the domain's TLS
policy (:mod:`congvu.delivery.mtasts`), run the transactions concurrently (``concurrency`` at once), record
every recipient's outcome — delivered, failed (5xx, unknown domain, null MX) or retried later with backoff —
and settle finished messages: a DSN to the sender for the failed recipients (locally through the mail store when
the sender is ours; to the original sender when the envelope sender is an SRS address we made while forwarding),
then the queue entry goes. :meth:`DeliveryWorker.run` repeats passes until ``stop`` is
set, sleeping through the injected clock until the next due time, a poll interval, or a wake-up from
:meth:`OutboundQueue.enqueue`. Database and blob calls run in threads so the event loop never blocks on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime

from congvu.delivery import queue_trace
from congvu.delivery.backoff import next_attempt
from congvu.delivery.clock import Clock
from congvu.delivery.dsn import DELAYED, RELAYED, RecipientReport, build_dsn, status_for
from congvu.delivery.dsnparams import FAILURE, SUCCESS
from congvu.delivery.local import ReportSink
from congvu.delivery.mtasts import MtaStsCache
from congvu.delivery.queue import DELIVERED, FAILED, Batch, OutboundQueue, Outcome, QueuedMessage
from congvu.delivery.routing import RouteError, resolve_targets
from congvu.delivery.transport import HostsUnavailable, SmtpClient
from congvu.errors import NotFound
from congvu.mail.srs import SenderRewriter, SrsError, is_srs
from congvu.security.dns import Resolver

log = logging.getLogger("congvu.delivery")

MAX_RECIPIENTS_PER_TRANSACTION = 100
EXPIRED_PREFIX = "hết thời hạn gửi lại: "


class DeliveryWorker:
    def __init__(self, queue: OutboundQueue, *, resolver: Resolver, clock: Clock | None = None,
                 reports: ReportSink | None = None, client: SmtpClient | None = None,
                 mta_sts: MtaStsCache | None = None, srs: SenderRewriter | None = None) -> None:
        self.queue = queue
        self.srs = srs  # reverses the SRS senders of forwarded mail, so their reports reach the original sender
        self.settings = queue.settings
        self.resolver = resolver
        self.clock: Clock = clock or queue.clock
        self.reports = reports
        self.client = client or SmtpClient(helo=self.settings.hostname,
                                           connect_timeout_s=self.settings.connect_timeout_s,
                                           command_timeout_s=self.settings.command_timeout_s)
        self.mta_sts = mta_sts if mta_sts is not None else (
            MtaStsCache(resolver, clock=self.clock) if self.settings.mta_sts else None)

    # -- one pass -------------------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Deliver everything due now; the number of recipients attempted."""
        limit = self.settings.concurrency * MAX_RECIPIENTS_PER_TRANSACTION
        batches = await asyncio.to_thread(self.queue.claim_due, limit=limit)
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def guarded(batch: Batch) -> list[Outcome]:
            async with gate:
                return await self._deliver(batch)

        chunks = [Batch(b.message, b.domain, b.recipients[i:i + MAX_RECIPIENTS_PER_TRANSACTION])
                  for b in batches for i in range(0, len(b.recipients), MAX_RECIPIENTS_PER_TRANSACTION)]
        results = await asyncio.gather(*(guarded(chunk) for chunk in chunks))
        attempted = sum(len(r) for r in results)
        await self.settle([b.message.id for b in batches])
        await self.warn_delayed()
        return attempted

    async def settle(self, queue_ids: Sequence[int] | None = None) -> int:
        """Report and remove messages with no recipient left queued; the number removed."""
        settled = await asyncio.to_thread(self.queue.settled, queue_ids)
        for message in settled:
            await self._report(message)
            await asyncio.to_thread(self.queue.remove, message.id)
        return len(settled)

    async def _deliver(self, batch: Batch) -> list[Outcome]:
        message = batch.message
        recipients = {r.recipient: r for r in batch.recipients}
        outcomes: list[Outcome] = []
        try:
            data = await asyncio.to_thread(self.queue.read, message)
        except NotFound:
            lost = "nội dung thư không còn trong kho"
            outcomes = [Outcome(r.id, "failed", None, "5.3.0", lost) for r in batch.recipients]
            await asyncio.to_thread(self._record, message, batch, outcomes)
            return outcomes
        try:
            targets = await resolve_targets(batch.domain, self.settings, self.resolver)
            policy = await self.mta_sts.policy_for(batch.domain) if self.mta_sts and not \
                self.settings.route_for(batch.domain) else None
            result = await self.client.send(targets, mail_from=message.mail_from, recipients=list(recipients),
                                            data=data, tls=policy, dsn=message.dsn,
                                            recipient_dsn={a: r.dsn for a, r in recipients.items()})
        except RouteError as exc:
            status = "failed" if exc.permanent else "retry"
            outcomes = [Outcome(r.id, status, None, exc.enhanced, exc.reason) for r in batch.recipients]
        except HostsUnavailable as exc:
            outcomes = [Outcome(r.id, "retry", None, "4.4.1", exc.reason) for r in batch.recipients]
        else:
            for address, reply in result.replies.items():
                status = "delivered" if reply.success else ("failed" if reply.permanent else "retry")
                outcomes.append(Outcome(recipients[address].id, status, reply.code, reply.enhanced,
                                        reply.text, result.host, remote_dsn=result.dsn))
            log.info("thư %s tới %s qua %s (TLS: %s): %s", message.id, batch.domain, result.address,
                     "có" if result.tls else "không", ", ".join(o.status for o in outcomes))
        await asyncio.to_thread(self._record, message, batch, outcomes)
        return outcomes

    def _record(self, message: QueuedMessage, batch: Batch, outcomes: list[Outcome]) -> None:
        now = self.clock.now()
        attempts = {r.id: r.attempts + 1 for r in batch.recipients}
        final: list[Outcome] = []
        times: dict[int, datetime] = {}
        for outcome in outcomes:
            if outcome.status != "retry":
                final.append(outcome)
                continue
            when = next_attempt(now, attempts[outcome.recipient_id], base_s=self.settings.retry_base_s,
                                max_s=self.settings.retry_max_s, expires_at=message.expires_at)
            if when is None:
                final.append(Outcome(outcome.recipient_id, FAILED, outcome.code, outcome.enhanced or "4.4.7",
                                     EXPIRED_PREFIX + outcome.text, outcome.remote_host))
            else:
                times[outcome.recipient_id] = when
                final.append(outcome)
        self.queue.record(final, next_attempt_at=times)
        queue_trace.attempts(self.queue.trace, message, batch, final, expired_prefix=EXPIRED_PREFIX)

    # -- reports --------------------------------------------------------------------------------------------

    async def _report(self, message: QueuedMessage) -> None:
        """After a message settles: a failure report for the failed recipients that did not say NOTIFY=NEVER
        (or that asked for failures), and a "relayed" report for those that asked for SUCCESS and went to a
        server that does not offer DSN (RFC 3461 §6.2.6.2); one that offers it reports for itself."""
        if not message.mail_from or message.is_report:
            return  # RFC 3464 §2 / RFC 5321 §4.5.5: never report on a report or to the null sender
        failures = []
        for r in message.recipients:
            if r.status != FAILED or not r.dsn.wants(FAILURE):
                continue
            text = r.last_error or ""
            expired = text.startswith(EXPIRED_PREFIX)
            text = text.removeprefix(EXPIRED_PREFIX)
            failures.append(RecipientReport(
                recipient=r.recipient, status=status_for(r.last_code, r.last_enhanced, expired=expired),
                diagnostic=f"{r.last_code} {text}" if r.last_code else text, remote_mta=r.remote_host,
                last_attempt=r.last_attempt_at, from_remote=r.last_code is not None, expired=expired,
                original_recipient=r.dsn.orcpt))
        relayed = [RecipientReport(
            recipient=r.recipient, status=r.last_enhanced if r.last_enhanced and r.last_enhanced[0] == "2" else "2.0.0",
            diagnostic=f"{r.last_code} {r.last_error or ''}".strip(), remote_mta=r.remote_host,
            last_attempt=r.last_attempt_at, from_remote=r.last_code is not None, action=RELAYED,
            original_recipient=r.dsn.orcpt)
            for r in message.recipients if r.status == DELIVERED and r.dsn.wants(SUCCESS) and not r.remote_dsn]
        for reports in (failures, relayed):
            if reports:
                await self._send_report(message, reports,
                                        how="báo lỗi" if reports is failures else "báo đã chuyển thư")

    async def warn_delayed(self) -> int:
        """RFC 3461 §4.1 DELAY: once a message has waited ``delay_warning_s``, its sender hears which recipients
        are still being retried (once per recipient); the number of reports sent."""
        if self.settings.delay_warning_s <= 0:
            return 0
        waiting = await asyncio.to_thread(self.queue.delayed, older_than_s=self.settings.delay_warning_s)
        for message in waiting:
            reports = [RecipientReport(
                recipient=r.recipient, status=r.last_enhanced if (r.last_enhanced or "").startswith("4.") else "4.0.0",
                diagnostic=f"{r.last_code} {r.last_error or ''}".strip() if r.last_code
                else (r.last_error or ""), remote_mta=r.remote_host, last_attempt=r.last_attempt_at,
                from_remote=r.last_code is not None, action=DELAYED, original_recipient=r.dsn.orcpt,
                will_retry_until=message.expires_at) for r in message.recipients]
            await self._send_report(message, reports, how="báo chậm gửi")
            await asyncio.to_thread(self.queue.mark_delay_notified, [r.id for r in message.recipients])
        return len(waiting)

    def _report_address(self, message: QueuedMessage) -> str | None:
        """Who gets the report on ``message``: its envelope sender, or — when that is an SRS address we gave mail
        forwarded outside — the original sender it stands for; ``None`` when an SRS address of ours does not
        reverse (forged, damaged or expired)."""
        sender = message.mail_from
        if self.srs is None or not is_srs(sender) or \
                sender.rpartition("@")[2].lower() not in self.settings.local_domains:
            return sender
        try:
            return self.srs.reverse(sender, now=self.clock.now().timestamp())
        except SrsError as exc:
            log.warning("địa chỉ SRS %s của người gửi không hợp lệ hoặc đã hết hạn (%s); bỏ báo tình trạng của thư "
                        "%s (invalid or expired SRS sender; report dropped)", sender, exc, message.id)
            return None

    async def _send_report(self, message: QueuedMessage, reports: list[RecipientReport], *, how: str) -> None:
        to = self._report_address(message)
        if to is None:
            return
        try:
            original = await asyncio.to_thread(self.queue.read, message)
        except NotFound:  # the blob is gone: report without the original header section
            original = b"\r\n"
        postmaster = f"postmaster@{self.settings.domain}"
        report = build_dsn(original=original, sender=to, hostname=self.settings.hostname,
                           postmaster=postmaster, arrival=message.created_at, now=self.clock.now(),
                           failures=reports, envelope_id=message.dsn.envid, return_full=message.dsn.full)
        recipients = [r.recipient for r in reports]
        forwarded = " (thư chuyển tiếp, SRS)" if to != message.mail_from else ""
        if to.rpartition("@")[2].lower() in self.settings.local_domains:
            if self.reports is not None and await asyncio.to_thread(self.reports.deliver_local, to, report):
                queue_trace.reported(self.queue.trace, message, recipients,
                                     how=f"{how} vào hộp thư người gửi{forwarded}")
                return
            log.warning("người gửi %s không còn hộp thư nhận báo tình trạng; bỏ báo tình trạng của thư %s",
                        to, message.id)
            return
        await asyncio.to_thread(self.queue.enqueue_report, recipient=to, raw=report)
        queue_trace.reported(self.queue.trace, message, recipients,
                             how=f"{how} gửi về máy chủ của người gửi{forwarded}")

    # -- the loop -------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def poke() -> None:
            loop.call_soon_threadsafe(wake.set)

        async def relay_stop() -> None:
            await stop.wait()
            wake.set()

        self.queue.add_listener(poke)
        watcher = asyncio.create_task(relay_stop())
        try:
            await self.settle()  # messages a previous run finished but had not reported yet
            while not stop.is_set():
                wake.clear()
                delay = self.settings.poll_interval_s
                try:
                    await self.run_once()
                    due = await asyncio.to_thread(self.queue.next_due)
                    if due is not None:
                        delay = min(delay, max((due - self.clock.now()).total_seconds(), 0.0))
                except Exception:  # a worker boundary: log, wait one poll interval, go on
                    log.exception("lỗi trong lượt gửi thư")
                if delay > 0 and not stop.is_set():
                    await self.clock.wait(delay, wake)
        finally:
            self.queue.remove_listener(poke)
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


__all__ = ["MAX_RECIPIENTS_PER_TRANSACTION", "DeliveryWorker"]
