"""CLI handlers for mail transport: ``congvu dns records`` and ``congvu queue list|show|retry|delete``.

``dns records`` prints what to publish in each mail domain's zone (zone-file lines, or JSON with ``--json``);
the ``queue`` commands act on the outbound queue in the database, so they work while ``congvu serve`` runs (the
worker sees a retried message at its next poll).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from congvu.cli.output import emit_fields, emit_json, emit_table
from congvu.delivery.queue import OutboundQueue, QueuedMessage
from congvu.delivery.records import dns_records, mta_sts_policy, zone_line
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


def register(top: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """Add ``congvu dns …`` and ``congvu queue …`` to the top-level sub-commands."""
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


__all__ = ["register"]
