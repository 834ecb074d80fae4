"""The message trace: hops recorded in batches off the mail path, searched by sender, recipient, Message-ID or
time and grouped per message, scoped to an agency administrator's addresses, pruned after the retention period;
and the outbound queue's hops (queued, relayed, bounced, deferred, expired, reported) from a real SMTP peer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from delivery_peers import SmtpPeer
from sqlalchemy import func, select

from congvu.cli.main import main
from congvu.config.settings import DataDir
from congvu.delivery.clock import FakeClock
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.service import build_worker
from congvu.delivery.trace_log import TraceEvent, TraceLog, TraceQuery, TraceRecord, retention_days
from congvu.errors import ConfigError
from congvu.installation import Installation
from congvu.mail.compose import build_message
from congvu.security.dns import StaticResolver
from congvu.store.schema_trace import mail_trace

DOMAIN = "dongnai.gov.vn"
SENDER = f"admin@{DOMAIN}"


def _rows(inst: Installation) -> int:
    with inst.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(mail_trace)).scalar_one())


def _agencies(inst: Installation) -> tuple[int, str, str]:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code="H19.05", name="Sở Tài chính", short_name="STC", level="department", parent="H19")
    mine = d.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.04", password=None).account
    other = d.accounts.add(full_name="Nguyễn Thị Lan", agency="H19.05", password=None).account
    return d.agencies.show("H19.04").id, mine.address, other.address


def test_batched_writes_and_search_by_each_field(installation: Installation) -> None:
    trace = TraceLog(installation.db, flush_interval_s=60)  # no background write within the test
    trace.record_many([
        TraceRecord("AAA111", TraceEvent.ACCEPTED, "an@example.org", message_id="<m1@example.org>", code=250),
        TraceRecord("AAA111", TraceEvent.STORED, "an@example.org", recipient="Vinh@Dongnai.gov.vn",
                    message_id="m1@example.org", folder="INBOX"),
        TraceRecord("BBB222", TraceEvent.REFUSED, "x@spam.test", recipient="khongco@dongnai.gov.vn", stage="RCPT",
                    code=550, enhanced="5.1.1", text="<khongco@dongnai.gov.vn>: no such mailbox here"),
    ])
    assert _rows(installation) == 0 and trace.pending == 3  # queued in memory, not yet a transaction
    assert trace.flush() == 3 and _rows(installation) == 3
    [by_recipient] = trace.search(TraceQuery(recipient="vinh@"))
    assert by_recipient.message_id == "m1@example.org" and by_recipient.status == "delivered"
    assert [h.event for h in by_recipient.hops] == ["accepted", "stored"]
    assert by_recipient.hops[1].recipient == "vinh@dongnai.gov.vn"  # stored lower case, searched likewise
    [by_id] = trace.search(TraceQuery(message_id="<m1@example.org>"))
    assert by_id.trace_ids == ("AAA111",)
    [by_queue_id] = trace.search(TraceQuery(message_id="bbb222"))
    refused = by_queue_id.hops[0]
    assert (refused.event, refused.stage, refused.reply) == (
        "refused", "RCPT", "550 5.1.1 <khongco@dongnai.gov.vn>: no such mailbox here")
    assert by_queue_id.status == "failed"
    assert [m.trace_ids for m in trace.search(TraceQuery(sender="example.org"))] == [("AAA111",)]
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert trace.search(TraceQuery(sender="example.org", since=tomorrow)) == []
    assert len(trace.search(TraceQuery(until=tomorrow))) == 2


def test_hops_of_one_message_join_by_message_id(installation: Installation) -> None:
    trace = TraceLog(installation.db)
    trace.record_many([
        TraceRecord("C0FFEE", TraceEvent.ACCEPTED, SENDER, message_id="m2@dongnai.gov.vn"),
        TraceRecord("Q7", TraceEvent.QUEUED, SENDER, recipient="an@example.test", message_id="m2@dongnai.gov.vn"),
        TraceRecord("Q7", TraceEvent.RELAYED, SENDER, recipient="an@example.test", message_id="m2@dongnai.gov.vn",
                    code=250, text="Queued", remote_host="mx.example.test"),
    ])
    [message] = trace.search(TraceQuery(recipient="an@example.test"))  # found by the queue's hops...
    assert message.trace_ids == ("C0FFEE", "Q7")  # ...with the SMTP acceptance that preceded them
    assert [h.event for h in message.hops] == ["accepted", "queued", "relayed"]
    assert message.hops[-1].remote_host == "mx.example.test" and message.status == "delivered"
    trace.close()


def test_agency_scope(installation: Installation) -> None:
    agency_id, mine, other = _agencies(installation)
    trace = installation.trace
    trace.record_many([
        TraceRecord("S1", TraceEvent.STORED, mine, recipient=other, message_id="s1@x"),
        TraceRecord("S1", TraceEvent.RELAYED, mine, recipient="ban@example.test", message_id="s1@x"),
        TraceRecord("S2", TraceEvent.STORED, other, recipient="ketoan@example.test", message_id="s2@x"),
        TraceRecord("S3", TraceEvent.STORED, "dan@example.org", recipient=mine, message_id="s3@x"),
        TraceRecord("S3", TraceEvent.STORED, "dan@example.org", recipient=other, message_id="s3@x"),
    ])
    everything = trace.search(TraceQuery(limit=10))
    assert sorted(m.key for m in everything) == ["S1", "S2", "S3"]
    scoped = {m.key: m for m in trace.search(TraceQuery(limit=10), agency_ids={agency_id})}
    assert sorted(scoped) == ["S1", "S3"]  # S2 neither comes from nor goes to the agency
    assert len(scoped["S1"].hops) == 2  # their own message: every hop
    assert scoped["S3"].recipients == (mine,)  # another agency's copy of a message they received stays hidden
    assert trace.search(TraceQuery(message_id="s2@x"), agency_ids={agency_id}) == []
    assert trace.search(TraceQuery(limit=10), agency_ids=set()) == []


def test_prune_after_the_retention_period(installation: Installation) -> None:
    now = datetime.now(UTC)
    trace = TraceLog(installation.db, retention_days=30, clock=lambda: now)
    trace.record_many([TraceRecord("OLD", TraceEvent.STORED, "a@x.test", at=now - timedelta(days=31)),
                       TraceRecord("NEW", TraceEvent.STORED, "a@x.test", at=now - timedelta(days=29))])
    trace.flush()
    assert trace.prune() == 1
    assert [m.key for m in trace.search(TraceQuery(sender="a@x.test"))] == ["NEW"]
    assert trace.prune(days=1) == 1 and _rows(installation) == 0
    assert retention_days({}) == 90 and retention_days({"trace": {"retention_days": 7}}) == 7
    with pytest.raises(ConfigError):
        retention_days({"trace": {"retention_days": 0}})


async def test_outbound_hops_from_a_real_peer(routed: Installation, clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    queue = OutboundQueue(routed, clock=clock)
    worker = build_worker(routed, resolver=StaticResolver(), clock=clock, queue=queue)
    raw = build_message(from_addr=("Quản trị", SENDER), to=["an@example.test"], subject="Giấy mời họp",
                        text="Kính mời đồng chí dự họp.")
    queue.enqueue(mail_from=SENDER, recipients=["an@example.test", "gone@example.test", "temp@example.test"],
                  raw=raw, submitted_by=None)
    await worker.run_once()
    while queue.list():
        clock.advance(600)
        await worker.run_once()
    [message] = routed.trace.search(TraceQuery(sender=SENDER))
    by_recipient = {r: [h.event for h in message.hops if h.recipient == r] for r in message.recipients}
    assert by_recipient["an@example.test"] == ["queued", "relayed"]
    assert by_recipient["gone@example.test"] == ["queued", "bounced", "reported"]
    temp = by_recipient["temp@example.test"]
    assert temp[0] == "queued" and temp[1] == "deferred" and temp[-2:] == ["expired", "reported"]
    bounced = next(h for h in message.hops if h.event == "bounced")
    assert bounced.reply == "550 5.1.1 No such user here" and bounced.remote_host
    assert message.status == "partial"


def test_cli_trace_and_held_commands(installation: Installation, data_dir: DataDir,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    installation.trace.record_many([
        TraceRecord("CAFE01", TraceEvent.REFUSED, "dan@example.org", recipient=f"khongco@{DOMAIN}", stage="RCPT",
                    code=550, enhanced="5.1.1", text=f"<khongco@{DOMAIN}>: no such mailbox here")])
    installation.trace.flush()  # the command runs in its own installation object, as another process would
    data = ["--data", str(data_dir.root)]
    assert main(["mail", "trace", "--to", "khongco@", "--json", *data]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert found["status"] == "failed" and found["trace_ids"] == ["CAFE01"]
    assert found["hops"][0]["stage"] == "RCPT" and found["hops"][0]["code"] == 550
    assert main(["mail", "trace", "--message-id", "cafe01", *data]) == 0
    assert "550 5.1.1 <khongco@dongnai.gov.vn>: no such mailbox here" in capsys.readouterr().out
    assert main(["mail", "trace", "--from", "dan@", "--since", "2026-99-01", *data]) == 2
    assert main(["mail", "held", "list", "--json", *data]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["mail", "held", "release", "ABC123", *data]) == 2
    assert "Không có thư bị giữ lại mã ABC123" in capsys.readouterr().err
