"""CLI handlers for mail transport: ``congvu dns records``, ``congvu queue list|show|retry|delete``, ``congvu mail
trace`` (the message trace) and ``congvu mail held list|release|discard`` (mail held under the free-mail policy).

``dns records`` prints what to publish in each mail domain's zone (zone-file lines, or JSON with ``--json``);
the ``queue`` commands act on the outbound queue in the database, so they work while ``congvu serve`` runs (the
worker sees a retried message at its next poll).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from congvu.cli.output import emit_fields, emit_json, emit_table
from congvu.delivery.held import HeldMail
from congvu.delivery.policy_usage import VIETNAM
from congvu.delivery.queue import OutboundQueue, QueuedMessage
from congvu.delivery.records import dns_records, mta_sts_policy, zone_line
from congvu.delivery.trace_log import TraceQuery
from congvu.errors import InvalidInput
from congvu.installation import Installation

Handler = Callable[[argparse.Namespace, Installation], int]


def _when(message: QueuedMessage) -> str:
    pending = [r.next_attempt_at for r in message.recipients if r.status == "queued"]
    return min(pending).strftime("%Y-%m-%d %H:%M:%S") if pending else ""


def dns_show(args: argparse.Namespace, inst: Installation) -> int:
    records = dns_records(inst.settings)
    if args.json:
        emit_json({"records": list(records), "mta_sts_policy": mta_sts_policy(inst.settings.hostname)})
        return 0
    out = sys.stdout
    out.write(f"; Bản ghi DNS cần công bố cho {', '.join(inst.settings.domains)}\n")
    out.write(f"; Ngoài ra: bản ghi A/AAAA của {inst.settings.hostname} và PTR của địa chỉ đó về tên này.\n")
    for record in records:
        out.write(f"; {record.purpose}\n{zone_line(record)}\n")
    out.write("\n; Nội dung https://mta-sts.<tên miền>/.well-known/mta-sts.txt :\n")
    for line in mta_sts_policy(inst.settings.hostname).splitlines():
        out.write(f";   {line}\n")
    return 0


def queue_list(args: argparse.Namespace, inst: Installation) -> int:
    messages = OutboundQueue(inst).list(status=args.status, limit=args.limit)
    if args.json:
        emit_json(list(messages))
        return 0
    rows = []
    for m in messages:
        for r in m.recipients:
            rows.append([m.id, m.mail_from or "<>", r.recipient, r.status, r.attempts,
                         r.next_attempt_at.strftime("%Y-%m-%d %H:%M") if r.status == "queued" else "",
                         (f"{r.last_code} " if r.last_code else "") + (r.last_error or "")[:70]])
    emit_table(["số", "người gửi", "người nhận", "trạng thái", "lần", "lần tới", "lỗi gần nhất"], rows)
    return 0


def queue_show(args: argparse.Namespace, inst: Installation) -> int:
    message = OutboundQueue(inst).get(args.id)
    if args.json:
        emit_json(message)
        return 0
    emit_fields([("số", message.id), ("người gửi", message.mail_from or "<>"), ("Message-ID", message.message_id),
                 ("kích thước", message.size), ("nhận lúc", message.created_at), ("hết hạn", message.expires_at),
                 ("lần thử tới", _when(message))])
    for r in message.recipients:
        emit_fields([("người nhận", r.recipient), ("trạng thái", r.status), ("số lần thử", r.attempts),
                     ("máy nhận", r.remote_host), ("trả lời", f"{r.last_code or ''} {r.last_error or ''}".strip())])
    return 0


def queue_retry(args: argparse.Namespace, inst: Installation) -> int:
    count = OutboundQueue(inst).retry(args.id)
    if args.json:
        emit_json({"retried": count})
    else:
        print(f"Đã đặt {count} người nhận để gửi lại ngay.")
    return 0


def queue_delete(args: argparse.Namespace, inst: Installation) -> int:
    OutboundQueue(inst).delete(args.id)
    if args.json:
        emit_json({"deleted": args.id})
    else:
        print(f"Đã xoá thư số {args.id} khỏi hàng đợi (không báo lỗi cho người gửi).")
    return 0


def _day(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"Ngày không hợp lệ: {text!r} (dạng NNNN-TT-NN).",
                           message_en=f"Invalid date {text!r} (use YYYY-MM-DD).", field=name) from exc
    return datetime.combine(day, time(), tzinfo=VIETNAM).astimezone(UTC)


def mail_trace(args: argparse.Namespace, inst: Installation) -> int:
    until = _day(args.until, "until")
    query = TraceQuery(sender=args.sender or "", recipient=args.recipient or "", message_id=args.message_id or "",
                       since=_day(args.since, "since"), until=until + timedelta(days=1) if until else None,
                       limit=args.limit)
    found = inst.trace.search(query)
    if args.json:
        emit_json([m.to_json() for m in found])
        return 0
    if not found:
        print("Không tìm thấy thư nào.")
        return 0
    for message in found:
        print(f"== {message.sender or '<>'} → {', '.join(message.recipients) or '—'}  [{message.status}]  "
              f"Message-ID: {message.message_id or '—'}  mã: {', '.join(message.trace_ids)}")
        emit_table(["lúc", "bước", "người nhận", "chi tiết"], [
            [h.at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M:%S"), h.label + (f" ({h.stage})" if h.stage else ""),
             h.recipient or "", " ".join(x for x in (h.reply, f"thư mục {h.folder}" if h.folder else "",
                                                      f"máy chủ {h.remote_host}" if h.remote_host else "") if x)]
            for h in message.hops])
    return 0


def held_list(args: argparse.Namespace, inst: Installation) -> int:
    held = HeldMail(inst).list()
    if args.json:
        emit_json([m.to_json() for m in held])
        return 0
    emit_table(["mã", "người gửi", "người nhận", "tiêu đề", "lúc", "lý do"], [
        [m.id, m.mail_from or "<>", ", ".join(m.recipients), m.subject[:50],
         m.held_at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M"), m.reason] for m in held])
    return 0


def held_release(args: argparse.Namespace, inst: Installation) -> int:
    message = HeldMail(inst).release(args.id, actor=args.actor)
    if args.json:
        emit_json({"released": message.id, "to": list(message.recipients)})
    else:
        print(f"Đã cho thư {message.id} đi tiếp tới {', '.join(message.recipients)}.")
    return 0


def held_discard(args: argparse.Namespace, inst: Installation) -> int:
    message = HeldMail(inst).discard(args.id, reason=args.reason, actor=args.actor)
    if args.json:
        emit_json({"discarded": message.id, "sender_notified": message.mail_from or None})
    else:
        print(f"Đã huỷ thư {message.id}; đã báo cho người gửi {message.mail_from or '<>'}.")
    return 0


def register(top: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """Add ``congvu dns …``, ``congvu queue …`` and ``congvu mail …`` to the top-level sub-commands."""
    def cmd(group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, handler: Handler,
            text: str) -> argparse.ArgumentParser:
        sub = group.add_parser(name, parents=[common], help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    dns = top.add_parser("dns", help="bản ghi DNS của các tên miền thư").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    cmd(dns, "records", dns_show, "in các bản ghi MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT cần công bố")

    queue = top.add_parser("queue", help="hàng đợi thư gửi ra ngoài").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = cmd(queue, "list", queue_list, "liệt kê thư đang chờ gửi")
    p.add_argument("--status", choices=["queued", "delivered", "failed"])
    p.add_argument("--limit", type=int)
    p = cmd(queue, "show", queue_show, "xem một thư trong hàng đợi")
    p.add_argument("id", type=int)
    p = cmd(queue, "retry", queue_retry, "gửi lại ngay (một thư, hoặc tất cả khi không chỉ số)")
    p.add_argument("id", type=int, nargs="?")
    p = cmd(queue, "delete", queue_delete, "xoá một thư khỏi hàng đợi")
    p.add_argument("id", type=int)

    mail = top.add_parser("mail", help="theo dõi thư và thư bị giữ lại").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = cmd(mail, "trace", mail_trace, "theo dõi thư: mọi bước của thư theo người gửi, người nhận, Message-ID, ngày")
    p.add_argument("--from", dest="sender", help="người gửi (một phần địa chỉ; <> cho người gửi rỗng)")
    p.add_argument("--to", dest="recipient", help="người nhận (một phần địa chỉ)")
    p.add_argument("--message-id", dest="message_id", help="Message-ID hoặc mã hàng đợi")
    p.add_argument("--since", help="từ ngày NNNN-TT-NN")
    p.add_argument("--until", help="đến hết ngày NNNN-TT-NN")
    p.add_argument("--limit", type=int, default=50)
    held = mail.add_parser("held", help="thư bị giữ lại theo quy định thư miễn phí").add_subparsers(
        dest="held_action", required=True, metavar="ACTION")
    cmd(held, "list", held_list, "liệt kê thư đang bị giữ lại")
    p = cmd(held, "release", held_release, "cho thư đi tiếp tới người nhận")
    p.add_argument("id")
    p.add_argument("--actor", default="cli", help="ghi vào nhật ký là người thực hiện")
    p = cmd(held, "discard", held_discard, "huỷ thư và báo lý do cho người gửi")
    p.add_argument("id")
    p.add_argument("--reason", required=True, help="lý do huỷ (gửi cho người gửi)")
    p.add_argument("--actor", default="cli", help="ghi vào nhật ký là người thực hiện")


__all__ = ["register"]
