"""CLI handlers for official documents: ``congvu doc …`` (issue, registers, incoming handling, edXML files).

Every command takes ``--data DIR`` and ``--json``. Domain errors become exit status 2 with one line on stderr
(``congvu.cli.main``); an imported package that was set aside (quarantine, duplicate) gives exit status 3 with
the reason.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from congvu.cli.output import emit_fields, emit_json, emit_table, plain
from congvu.documents.models import (
    Direction,
    DraftInput,
    FileInput,
    IncomingEntry,
    OutgoingDocument,
    OutgoingState,
    Signer,
)
from congvu.documents.search import Page, RegisterQuery, dashboard, overdue, search_incoming, search_outgoing
from congvu.documents.service import DocumentService, documents_for
from congvu.documents.views import dashboard_view, incoming_view, outgoing_view, recipient_view
from congvu.errors import InvalidInput
from congvu.installation import Installation

ACTOR = "cli"
Handler = Callable[[argparse.Namespace, Installation], int]


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"Ngày '{text}' phải có dạng YYYY-MM-DD", message_en="Dates are YYYY-MM-DD",
                           field=field) from None


def _read(path: str, field: str) -> FileInput:
    p = Path(path)
    try:
        return FileInput(p.name, p.read_bytes())
    except OSError as error:
        raise InvalidInput(f"Không đọc được tệp {path}: {error.strerror}", message_en=f"Cannot read {path}",
                           field=field) from None


def _codes(values: list[str] | None) -> tuple[str, ...]:
    return tuple(c.strip() for v in values or () for c in v.split(",") if c.strip())


def _docs(inst: Installation) -> DocumentService:
    return documents_for(inst)


def _show_outgoing(args: argparse.Namespace, d: OutgoingDocument) -> None:
    if args.json:
        emit_json(outgoing_view(d))
        return
    emit_fields([("Số, ký hiệu", d.number), ("DocumentId", d.document_id), ("Trích yếu", d.subject),
                 ("Ngày", d.issued_on), ("Trạng thái", d.state.value)])
    emit_table(["Nơi nhận", "Tên", "Trạng thái", "Lúc", "Bản giấy"],
               [[r.agency, r.name, r.status_name, r.at, r.paper_note if r.paper_required else ""]
                for r in d.recipients])
    for warning in d.warnings:
        sys.stderr.write(f"congvu: lưu ý: {warning}\n")


def _show_entry(args: argparse.Namespace, e: IncomingEntry) -> None:
    if args.json:
        emit_json(incoming_view(e))
    else:
        emit_fields([("Số đến", e.arrival_number), ("Ngày đến", e.arrival_date), ("Số, ký hiệu", e.number),
                     ("Cơ quan gửi", f"{e.from_name} ({e.from_agency})"), ("Trích yếu", e.subject),
                     ("Trạng thái", f"{e.status} {e.status_name}"), ("Xử lý", e.handler),
                     ("Hạn xử lý", e.handling_deadline), ("Chữ ký số", e.signature_summary),
                     ("Lưu ý", list(e.warnings))])


# -- outgoing ----------------------------------------------------------------------------------------------------

def _draft(args: argparse.Namespace) -> DraftInput:
    return DraftInput(
        agency=args.agency, doc_type=args.type, subject=args.subject, drafting_unit=args.unit,
        signer=Signer(args.signer_name, args.signer_position, args.signer_authority or ""),
        main_file=_read(args.file, "file"), appendixes=tuple(_read(p, "attach") for p in args.attach or ()),
        kinh_gui=_codes(args.to), noi_nhan=tuple(args.cc or ()), secrecy=args.secrecy, urgency=args.urgency,
        due_date=_day(args.due, "due"), content=args.content or "", response_for=tuple(args.reply_to or ()),
        place=args.place, replaces=args.replaces)


def doc_issue(args: argparse.Namespace, inst: Installation) -> int:
    _show_outgoing(args, _docs(inst).issue(_draft(args), actor=ACTOR))
    return 0


def doc_draft(args: argparse.Namespace, inst: Installation) -> int:
    _show_outgoing(args, _docs(inst).outgoing.draft(_draft(args), actor=ACTOR))
    return 0


def doc_issue_draft(args: argparse.Namespace, inst: Installation) -> int:
    _show_outgoing(args, _docs(inst).issue_draft(args.draft_id, actor=ACTOR))
    return 0


T = TypeVar("T")


def _all_pages(search: Callable[[RegisterQuery], Page[T]], query: RegisterQuery, limited: bool) -> list[T]:
    """One page when the caller asked for one (--limit/--offset), else the whole register, page after page."""
    page = search(query)
    items = list(page.items)
    while not limited and page.items and page.offset + len(page.items) < page.total:
        page = search(replace(query, offset=page.offset + len(page.items)))
        items.extend(page.items)
    return items


def _query(args: argparse.Namespace) -> tuple[RegisterQuery, bool]:
    limited = args.limit is not None or args.offset is not None
    return RegisterQuery(agency=args.agency, year=args.year, q=args.q or "", status=args.status,
                         from_date=_day(args.starts, "from"), to_date=_day(args.ends, "to"),
                         limit=args.limit if args.limit is not None else 1000, offset=args.offset or 0), limited


def doc_outgoing(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    query, limited = _query(args)
    items = _all_pages(lambda q: search_outgoing(docs, q), query, limited)
    if args.json:
        emit_json([outgoing_view(d) for d in items])
    else:
        emit_table(["Số, ký hiệu", "Ngày", "Trích yếu", "Người ký", "Nơi nhận", "Trạng thái"],
                   [[d.number or f"(dự thảo {d.id})", d.issued_on, d.subject, d.signer.name,
                     ", ".join(r.agency for r in d.recipients), d.state.value] for d in items])
    return 0


def doc_show(args: argparse.Namespace, inst: Installation) -> int:
    _show_outgoing(args, _docs(inst).outgoing.get(args.document_id))
    return 0


def doc_status(args: argparse.Namespace, inst: Installation) -> int:
    rows = _docs(inst).outgoing.status(args.document_id)
    if args.json:
        emit_json([recipient_view(r) for r in rows])
    else:
        emit_table(["Cơ quan", "Tên", "Mã", "Trạng thái", "Lúc"],
                   [[r.agency, r.name, r.status or "", r.status_name, r.at or r.sent_at] for r in rows])
    return 0


def doc_history(args: argparse.Namespace, inst: Installation) -> int:
    events = _docs(inst).statuses.history(args.document_id)
    if args.json:
        emit_json(events)
    else:
        emit_table(["Lúc", "Hướng", "Cơ quan", "Mã", "Trạng thái", "Ghi chú"],
                   [[e.at, e.direction, e.agency, e.status, e.status_name, e.description] for e in events])
    return 0


def doc_recall(args: argparse.Namespace, inst: Installation) -> int:
    _show_outgoing(args, _docs(inst).recall(args.document_id, reason=args.reason, actor=ACTOR))
    return 0


def doc_publish(args: argparse.Namespace, inst: Installation) -> int:
    publisher = _docs(inst).publisher
    if args.withdraw:
        publisher.withdraw(args.document_id, actor=ACTOR)
        emit_json({"document_id": args.document_id, "published": False}) if args.json else None
        return 0
    notice = publisher.publish(args.document_id, actor=ACTOR)
    emit_json(notice) if args.json else sys.stdout.write(f"Đã công bố {notice.number}\n")
    return 0


# -- incoming ----------------------------------------------------------------------------------------------------

def _incoming_table(items: list[IncomingEntry], *, deadline: bool = False) -> None:
    emit_table(["#", "Số đến", "Ngày đến", "Số, ký hiệu", "Cơ quan gửi", "Trích yếu", "Trạng thái"]
               + (["Hạn"] if deadline else []),
               [[e.id, e.arrival_number or "", e.arrival_date or "", e.number, e.from_agency, e.subject,
                 e.status_name] + ([e.handling_deadline or e.due_date] if deadline else []) for e in items])


def doc_incoming(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    query, limited = _query(args)
    items = _all_pages(lambda q: search_incoming(docs, q), query, limited)
    if args.json:
        emit_json([incoming_view(e) for e in items])
    else:
        _incoming_table(items)
    return 0


def doc_overdue(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    items = overdue(docs, args.agency, _day(args.today, "today") or docs.ctx.today())
    if args.json:
        emit_json([incoming_view(e) for e in items])
    else:
        _incoming_table(items, deadline=True)
    return 0


def doc_dashboard(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    board = dashboard_view(dashboard(docs, args.agency, _day(args.today, "today") or docs.ctx.today()))
    if args.json:
        emit_json(board)
    else:
        emit_fields([(k, v) for k, v in board.items() if k not in ("incoming_by_status", "by_month")]
                    + [("incoming_by_status", [f"{k}: {v}" for k, v in board["incoming_by_status"].items()])])
    return 0


def _entry_id(args: argparse.Namespace, docs: DocumentService) -> int:
    ref = str(args.entry).strip()
    if ref.isdigit():
        return int(ref)
    if not args.agency:
        raise InvalidInput("Với DocumentId cần chỉ rõ --agency (cơ quan nhận)", field="agency")
    return docs.incoming.find(args.agency, ref).id


def doc_entry(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.incoming.get(_entry_id(args, docs)))
    return 0


def doc_register(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.register(_entry_id(args, docs), actor=ACTOR))
    return 0


def doc_assign(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.assign(_entry_id(args, docs), to_unit=args.unit, to_person=args.person,
                                  instruction=args.instruction or "", deadline=_day(args.deadline, "deadline"),
                                  actor=ACTOR))
    return 0


def doc_start(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.start(_entry_id(args, docs), note=args.note or "", actor=ACTOR))
    return 0


def doc_done(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.done(_entry_id(args, docs), note=args.note or "", actor=ACTOR))
    return 0


def doc_reject(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.reject(_entry_id(args, docs), reason=args.reason, actor=ACTOR))
    return 0


def doc_recall_answer(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    _show_entry(args, docs.answer_recall(_entry_id(args, docs), accept=not args.refuse, note=args.note or "",
                                         actor=ACTOR))
    return 0


# -- edXML files, outbox, quarantine -------------------------------------------------------------------------------

def doc_export(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    if args.agency:
        entry = docs.incoming.find(args.agency, args.document_id)
        data = docs.incoming.package(entry.id)
    else:
        data = docs.outgoing.package(args.document_id)
    Path(args.out).write_bytes(data)
    if args.json:
        emit_json({"document_id": args.document_id, "out": args.out, "bytes": len(data)})
    return 0


def doc_import(args: argparse.Namespace, inst: Installation) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"Không đọc được tệp {path}: {error.strerror}", field="file") from None
    arrival = _docs(inst).receive(data, transport="file", for_agency=args.agency)
    if args.json:
        emit_json({"kind": arrival.kind, "document_id": arrival.document_id, "accepted": arrival.accepted,
                   "entries": [incoming_view(e) for e in arrival.entries], "duplicates": list(arrival.duplicates),
                   "status_applied": arrival.status_applied, "quarantine_id": arrival.quarantine_id,
                   "problem": arrival.problem})
    else:
        for e in arrival.entries:
            sys.stdout.write(f"Đã nhận {e.number} cho {e.agency} (mục {e.id}, trạng thái {e.status})\n")
        if arrival.status_applied:
            sys.stdout.write(f"Đã ghi trạng thái cho {arrival.document_id}\n")
    if arrival.problem:
        where = f" (cách ly số {arrival.quarantine_id})" if arrival.quarantine_id else ""
        sys.stderr.write(f"congvu: {arrival.problem}{where}\n")
        return 3
    return 0


def doc_dispatch(args: argparse.Namespace, inst: Installation) -> int:
    report = _docs(inst).dispatch()
    if args.json:
        emit_json(report)
    else:
        sys.stdout.write(f"Đã gửi {report.sent}, lỗi {report.failed}\n")
        for error in report.errors:
            sys.stderr.write(f"congvu: {error}\n")
    return 0 if not report.failed else 3


def doc_quarantine(args: argparse.Namespace, inst: Installation) -> int:
    q = _docs(inst).quarantine
    if args.resolve is not None:
        item = q.resolve(args.resolve, actor=ACTOR)
        emit_json(item) if args.json else sys.stdout.write(f"Đã xử lý mục {item.id}\n")
        return 0
    if args.show is not None:
        item = q.get(args.show)
        if args.out:
            Path(args.out).write_bytes(q.package(item.id))
        emit_json(item) if args.json else emit_fields([(k, v) for k, v in plain(item).items()])  # type: ignore[union-attr]
        return 0
    items = q.list(include_resolved=args.all)
    if args.json:
        emit_json(items)
    else:
        emit_table(["#", "Lúc", "Lý do", "DocumentId", "Từ", "Giải thích"],
                   [[i.id, i.received_at, i.reason, i.document_id, i.from_agency, i.message] for i in items])
    return 0


# -- settings: registers, profiles, policy, trust, peers -----------------------------------------------------------

def doc_registers(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    if args.add:
        docs.registers.add(args.agency, args.add, direction=Direction(args.direction),
                           doc_types=_codes(args.types) or None, actor=ACTOR)
    items = docs.registers.list(args.agency)
    if args.json:
        emit_json(items)
    else:
        emit_table(["#", "Sổ", "Hướng", "Loại văn bản", "Số cuối theo năm"],
                   [[r.id, r.name, r.direction.value, ", ".join(r.doc_types) if r.doc_types else "(mọi loại còn lại)",
                     ", ".join(f"{y}: {n:02d}" for y, n in r.last_numbers)] for r in items])
    return 0


def doc_profile(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    result: dict[str, object] = {"agency": args.agency}
    if args.place:
        result["place"] = docs.profiles.set_place(args.agency, args.place, actor=ACTOR)
    if args.pkcs12:
        secret = Path(args.passphrase_file).read_bytes().strip() if args.passphrase_file else None
        docs.profiles.set_signing_key(args.agency, _read(args.pkcs12, "pkcs12").data, secret, actor=ACTOR)
        result["signing_key"] = True
    emit_json(result) if args.json else emit_fields([(k, v) for k, v in result.items()])
    return 0


def doc_policy(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    if args.mode:
        start = _day(args.starts, "starts")
        if start is None:
            raise InvalidInput("Cần --from YYYY-MM-DD", field="starts")
        docs.policy.add(doc_type=args.type, starts_on=start, ends_on=_day(args.ends, "ends"), mode=args.mode,
                        signed_exempt=args.signed_exempt, note=args.note, actor=ACTOR)
    rules = docs.policy.list()
    if args.json:
        emit_json(rules)
    else:
        emit_table(["#", "Loại", "Từ", "Đến", "Chế độ", "Miễn khi ký số", "Ghi chú"],
                   [[r.id, r.doc_type or "(mọi loại)", r.starts_on, r.ends_on or "", r.mode.value,
                     "có" if r.signed_exempt else "", r.note or ""] for r in rules])
    return 0


def doc_trust(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    if args.add:
        docs.trust.add(_read(args.add, "certificate").data, name=args.name, actor=ACTOR)
    anchors = docs.trust.list()
    emit_json(anchors) if args.json else emit_table(["#", "Tên", "SHA-256"],
                                                    [[a.id, a.name, a.fingerprint] for a in anchors])
    return 0


def doc_peer(args: argparse.Namespace, inst: Installation) -> int:
    docs = _docs(inst)
    if args.add:
        if not (args.url and args.prefix and args.local_id and args.remote_id):
            raise InvalidInput("Cần --url, --prefix, --local-id và --remote-id", field="peer")
        docs.peers.add(args.add, base_url=args.url, organ_prefixes=_codes(args.prefix),
                       local_system_id=args.local_id, remote_system_id=args.remote_id, secret=args.secret,
                       actor=ACTOR)
    peers = docs.peers.list()
    if args.json:
        emit_json([{k: v for k, v in plain(p).items() if k != "secret" or args.add} for p in peers])  # type: ignore[union-attr]
    else:
        emit_table(["Tên", "Địa chỉ", "Mã cơ quan", "Mã hệ thống (ta / họ)"],
                   [[p.name, p.base_url, ", ".join(p.organ_prefixes), f"{p.local_system_id} / {p.remote_system_id}"]
                    for p in peers])
    return 0


def doc_mail_agency(args: argparse.Namespace, inst: Installation) -> int:
    book = _docs(inst).mail_agencies
    if args.add:
        if not args.address:
            raise InvalidInput("Cần --address (hộp thư chính thức của cơ quan đó)", field="address")
        book.add(args.add, address=args.address, name=args.name or "", actor=ACTOR)
    if args.remove:
        book.remove(args.remove, actor=ACTOR)
    items = book.list()
    if args.json:
        emit_json(items)
    else:
        emit_table(["Mã", "Tên", "Địa chỉ thư", "Nguồn"],
                   [[a.code, a.name, a.address, "tự học từ thư đến" if a.learnt else "quản trị"] for a in items])
    return 0


# -- grammar -----------------------------------------------------------------------------------------------------

def register(top: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """Add ``congvu doc …`` to the top-level sub-commands."""
    doc = top.add_parser("doc", help="văn bản điện tử: sổ, ban hành, văn bản đến, edXML").add_subparsers(
        dest="action", required=True, metavar="ACTION")

    def cmd(name: str, handler: Handler, text: str) -> argparse.ArgumentParser:
        sub = doc.add_parser(name, parents=[common], help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    for name, handler, text in (("issue", doc_issue, "ban hành (cấp số) và gửi văn bản tới mọi nơi nhận"),
                                ("draft", doc_draft, "lưu dự thảo (chưa cấp số)")):
        p = cmd(name, handler, text)
        p.add_argument("--agency", required=True, help="mã cơ quan ban hành")
        p.add_argument("--type", required=True, help="loại văn bản: cong_van, quyet_dinh, QĐ, \"Thông báo\"…")
        p.add_argument("--unit", help="đơn vị soạn thảo hoặc lĩnh vực (bắt buộc với công văn)")
        p.add_argument("--subject", required=True, help="trích yếu")
        p.add_argument("--content", help="tóm tắt nội dung")
        p.add_argument("--signer-name", required=True)
        p.add_argument("--signer-position", required=True)
        p.add_argument("--signer-authority", help='quyền hạn ký, ví dụ "KT. CHỦ TỊCH"')
        p.add_argument("--to", action="append", required=name == "issue",
                       help="Kính gửi: mã cơ quan, tên cơ quan hoặc nhóm, cách nhau bởi dấu phẩy")
        p.add_argument("--cc", action="append", help='một dòng Nơi nhận, ví dụ "Các sở, ban, ngành (để biết)"')
        p.add_argument("--file", required=True, help="tệp chính (PDF)")
        p.add_argument("--attach", action="extend", nargs="+", help="phụ lục, tệp đính kèm")
        p.add_argument("--secrecy", help="độ mật (văn bản mật bị từ chối gửi điện tử)")
        p.add_argument("--urgency", help="độ khẩn: Khẩn, Thượng khẩn, Hỏa tốc")
        p.add_argument("--due", help="hạn xử lý YYYY-MM-DD")
        p.add_argument("--reply-to", action="append", help="DocumentId của văn bản được phúc đáp")
        p.add_argument("--place", help="địa danh (mặc định: của cơ quan)")
        p.add_argument("--replaces", metavar="DOCUMENT_ID",
                       help="DocumentId của văn bản đã ban hành mà văn bản này thay thế")
    p = cmd("issue-draft", doc_issue_draft, "ban hành một dự thảo đã lưu")
    p.add_argument("draft_id", type=int)
    def register_filters(p: argparse.ArgumentParser, statuses: str, choices: list[str] | None = None) -> None:
        p.add_argument("--agency", required=True)
        p.add_argument("--year", type=int)
        p.add_argument("--q", help="tìm trong số/ký hiệu, trích yếu, cơ quan (không cần dấu)")
        p.add_argument("--status", help=statuses, choices=choices)
        p.add_argument("--from", dest="starts", metavar="YYYY-MM-DD", help="từ ngày")
        p.add_argument("--to", dest="ends", metavar="YYYY-MM-DD", help="đến ngày")
        p.add_argument("--limit", type=int, help="số mục một trang (mặc định: cả sổ)")
        p.add_argument("--offset", type=int)

    p = cmd("outgoing", doc_outgoing, "sổ văn bản đi của một cơ quan")
    register_filters(p, "draft, issued hoặc recalled", [s.value for s in OutgoingState])
    p = cmd("show", doc_show, "xem một văn bản đi")
    p.add_argument("document_id")
    p = cmd("status", doc_status, "tình trạng văn bản đi tại từng nơi nhận")
    p.add_argument("document_id")
    p = cmd("history", doc_history, "các trạng thái đã gửi và nhận về một văn bản")
    p.add_argument("document_id")
    p = cmd("recall", doc_recall, "thu hồi văn bản đã gửi (mã 13)")
    p.add_argument("document_id")
    p.add_argument("--reason", required=True)

    p = cmd("publish", doc_publish, "công bố văn bản trên trang thông báo công khai")
    p.add_argument("document_id")
    p.add_argument("--withdraw", action="store_true", help="gỡ khỏi trang công bố")

    p = cmd("incoming", doc_incoming, "sổ văn bản đến của một cơ quan")
    register_filters(p, "chỉ các văn bản ở mã trạng thái này (01, 03…)")
    p = cmd("overdue", doc_overdue, "văn bản đến quá hạn xử lý, trễ nhất trước")
    p.add_argument("--agency", required=True)
    p.add_argument("--today", metavar="YYYY-MM-DD", help="tính đến ngày này (mặc định: hôm nay)")
    p = cmd("dashboard", doc_dashboard, "số liệu văn bản đi, đến của một cơ quan trong năm")
    p.add_argument("--agency", required=True)
    p.add_argument("--today", metavar="YYYY-MM-DD", help="tính đến ngày này (mặc định: hôm nay)")
    steps: tuple[tuple[str, Handler, str], ...] = (
        ("entry", doc_entry, "xem một văn bản đến"),
        ("register", doc_register, "vào sổ văn bản đến (cấp số đến, gửi mã 03)"),
        ("assign", doc_assign, "chuyển xử lý: đơn vị hoặc người, ý kiến, hạn (mã 04)"),
        ("start", doc_start, "bắt đầu xử lý (mã 05)"),
        ("done", doc_done, "hoàn thành xử lý (mã 06)"),
        ("reject", doc_reject, "từ chối tiếp nhận, trả lại nơi gửi (mã 02)"),
        ("recall-answer", doc_recall_answer, "trả lời đề nghị thu hồi (15 đồng ý, 16 từ chối)"))
    for name, handler, text in steps:
        p = cmd(name, handler, text)
        p.add_argument("entry", help="số thứ tự văn bản đến, hoặc DocumentId kèm --agency")
        p.add_argument("--agency")
        if name == "assign":
            p.add_argument("--unit", help="đơn vị xử lý")
            p.add_argument("--person", help="người xử lý")
            p.add_argument("--instruction", help="ý kiến chỉ đạo")
            p.add_argument("--deadline", help="hạn xử lý YYYY-MM-DD")
        if name in ("start", "done", "recall-answer"):
            p.add_argument("--note")
        if name == "reject":
            p.add_argument("--reason", required=True)
        if name == "recall-answer":
            p.add_argument("--refuse", action="store_true", help="từ chối (mặc định: đồng ý, hủy bản đã nhận)")

    p = cmd("export-edxml", doc_export, "ghi gói tin edXML của một văn bản ra tệp")
    p.add_argument("document_id")
    p.add_argument("--out", required=True)
    p.add_argument("--agency", help="lấy gói tin văn bản đến của cơ quan này")
    p = cmd("import-edxml", doc_import, "nhận một gói tin edXML từ tệp (như khi văn bản đến)")
    p.add_argument("file")
    p.add_argument("--agency", help="chỉ nhận cho cơ quan này")
    cmd("dispatch", doc_dispatch, "gửi các gói tin đang chờ")
    p = cmd("quarantine", doc_quarantine, "gói tin bị từ chối hoặc cần xem lại")
    p.add_argument("--all", action="store_true", help="gồm cả mục đã xử lý")
    p.add_argument("--show", type=int, metavar="ID")
    p.add_argument("--out", help="với --show: ghi gói tin ra tệp")
    p.add_argument("--resolve", type=int, metavar="ID")

    p = cmd("registers", doc_registers, "các sổ văn bản của một cơ quan; --add để mở sổ mới")
    p.add_argument("--agency", required=True)
    p.add_argument("--add", metavar="TÊN_SỔ")
    p.add_argument("--direction", default="outgoing", choices=["outgoing", "incoming"])
    p.add_argument("--types", action="append", help="các loại văn bản sổ này đánh số")
    p = cmd("profile", doc_profile, "địa danh và chứng thư ký số của cơ quan")
    p.add_argument("--agency", required=True)
    p.add_argument("--place")
    p.add_argument("--pkcs12", help="tệp chứng thư ký số của cơ quan (.p12)")
    p.add_argument("--passphrase-file")
    p = cmd("policy", doc_policy, "lộ trình văn bản điện tử và bản giấy; --mode để thêm quy định")
    p.add_argument("--type", help="loại văn bản (bỏ trống: mọi loại)")
    p.add_argument("--from", dest="starts")
    p.add_argument("--to", dest="ends")
    p.add_argument("--mode", choices=["electronic_only", "electronic_and_paper"])
    p.add_argument("--signed-exempt", action="store_true", help="văn bản đã ký số thì không gửi giấy")
    p.add_argument("--note")
    p = cmd("trust", doc_trust, "danh sách chứng thư tin cậy để kiểm tra chữ ký số")
    p.add_argument("--add", metavar="TỆP_CHỨNG_THƯ")
    p.add_argument("--name")
    p = cmd("peer", doc_peer, "hệ thống liên thông qua HTTP; --add TÊN để thêm")
    p.add_argument("--add", metavar="TÊN")
    p.add_argument("--url")
    p.add_argument("--prefix", action="append", help="mã cơ quan mà hệ thống đó phục vụ (H47)")
    p.add_argument("--local-id", help="mã hệ thống của ta tại hệ thống đó")
    p.add_argument("--remote-id", help="mã hệ thống đó khi gọi ta")
    p.add_argument("--secret")
    p = cmd("mail-agency", doc_mail_agency,
            "cơ quan ngoài hệ thống nhận văn bản qua hộp thư chính thức; --add MÃ --address ĐỊA_CHỈ để thêm")
    p.add_argument("--add", metavar="MÃ")
    p.add_argument("--address", help="hộp thư chính thức của cơ quan đó (văn thư quản lý)")
    p.add_argument("--name", help="tên cơ quan")
    p.add_argument("--remove", metavar="MÃ")
