"""CLI handlers for the directory: agencies, waves, accounts, import, aliases, groups, public export."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from congvu.cli.output import emit_fields, emit_json, emit_table
from congvu.config.settings import resolve_data_dir
from congvu.directory.export import collect, parse_format, render
from congvu.directory.importer import PeopleImporter
from congvu.directory.models import LEVEL_NAMES_VI, Account, Agency, Alias, Group
from congvu.directory.spreadsheet import SheetRow
from congvu.errors import InvalidInput
from congvu.installation import Installation, open_installation

Handler = Callable[[argparse.Namespace, Installation], int]
ACTOR = "cli"


def _agency_row(a: Agency) -> list[object]:
    return ["  " * a.depth + a.name, a.code, a.short_name, LEVEL_NAMES_VI[a.level], a.mailbox, a.wave or "",
            "" if a.status == "active" else "đã xoá"]


def _show_agency(args: argparse.Namespace, a: Agency) -> None:
    if args.json:
        emit_json(a)
    else:
        emit_fields([("Tên", a.name), ("Mã định danh", a.code), ("Mã cũ (QCVN 102)", a.legacy_code),
                     ("Tên viết tắt", a.short_name), ("Cấp", LEVEL_NAMES_VI[a.level]),
                     ("Cơ quan cấp trên", a.parent_code), ("Hộp thư cơ quan", a.mailbox),
                     ("Đợt triển khai", a.wave), ("Trạng thái", a.status)])


def _show_account(args: argparse.Namespace, a: Account, password: str | None = None) -> None:
    if args.json:
        payload = {**_account_json(a)}
        if password:
            payload["password"] = password
        emit_json(payload)
        return
    emit_fields([("Họ và tên", a.full_name), ("Địa chỉ", a.address), ("Cơ quan", a.agency_name),
                 ("Phòng", a.unit), ("Chức vụ", a.position), ("Điện thoại", a.phone), ("Trạng thái", a.status),
                 ("Lý do", a.status_reason), ("Địa chỉ mới", a.moved_to), ("Giữ dữ liệu đến", a.retention_until),
                 ("Vai trò", [f"{r.role.value}{'@' + r.agency_code if r.agency_code else ''}" for r in a.roles]),
                 *([("Mật khẩu (chỉ hiện một lần)", password)] if password else [])])


def _account_json(a: Account) -> dict[str, object]:
    from congvu.cli.output import plain

    data = plain(a)
    assert isinstance(data, dict)
    return data


# -- agencies ----------------------------------------------------------------------------------------------------

def agency_add(args: argparse.Namespace, inst: Installation) -> int:
    a = inst.directory.agencies.add(code=args.code, name=args.name, short_name=args.short_name, level=args.level,
                                    parent=args.parent, mailbox=args.mailbox, wave=args.wave,
                                    legacy_code=args.legacy_code, sort_order=args.order, actor=ACTOR)
    _show_agency(args, a)
    return 0


def agency_list(args: argparse.Namespace, inst: Installation) -> int:
    items = inst.directory.agencies.list(under=args.under, include_removed=args.all)
    if args.json:
        emit_json(items)
    else:
        emit_table(["Cơ quan", "Mã", "Viết tắt", "Cấp", "Hộp thư", "Đợt", ""], [_agency_row(a) for a in items])
    return 0


def agency_show(args: argparse.Namespace, inst: Installation) -> int:
    _show_agency(args, inst.directory.agencies.show(args.agency))
    return 0


def agency_edit(args: argparse.Namespace, inst: Installation) -> int:
    a = inst.directory.agencies.edit(args.agency, name=args.name, short_name=args.short_name, wave=args.wave,
                                     clear_wave=args.no_wave, sort_order=args.order,
                                     legacy_code=args.legacy_code, actor=ACTOR)
    _show_agency(args, a)
    return 0


def agency_move(args: argparse.Namespace, inst: Installation) -> int:
    _show_agency(args, inst.directory.agencies.move(args.agency, args.to, actor=ACTOR))
    return 0


def agency_remove(args: argparse.Namespace, inst: Installation) -> int:
    _show_agency(args, inst.directory.agencies.remove(args.agency, reason=args.reason, actor=ACTOR))
    return 0


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"Ngày «{text}» không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).", field="starts")


def wave_set(args: argparse.Namespace, inst: Installation) -> int:
    w = inst.directory.agencies.set_wave(args.number, name=args.name, starts_on=_parse_date(args.starts),
                                         actor=ACTOR)
    if args.json:
        emit_json(w)
    else:
        emit_fields([("Đợt", w.number), ("Tên", w.name), ("Bắt đầu", w.starts_on)])
    return 0


def wave_list(args: argparse.Namespace, inst: Installation) -> int:
    waves = inst.directory.agencies.waves()
    if args.json:
        emit_json(list(waves))
    else:
        emit_table(["Đợt", "Tên", "Bắt đầu"], [[w.number, w.name, w.starts_on] for w in waves])
    return 0


# -- accounts ----------------------------------------------------------------------------------------------------

def account_add(args: argparse.Namespace, inst: Installation) -> int:
    new = inst.directory.accounts.add(full_name=args.name, agency=args.agency, address=args.address,
                                      unit=args.unit, position=args.position, phone=args.phone,
                                      password=args.password, roles=args.role or (), actor=ACTOR)
    _show_account(args, new.account, new.password)
    return 0


def account_propose(args: argparse.Namespace, inst: Installation) -> int:
    directory = inst.directory
    with inst.db.read() as conn:
        short = directory.agencies.get(conn, args.agency).short_name if args.agency else None
        address = directory.accounts.propose_address(conn, args.name, agency_short=short)
    if args.json:
        emit_json({"address": address})
    else:
        print(address)
    return 0


def account_list(args: argparse.Namespace, inst: Installation) -> int:
    items = inst.directory.accounts.list(agency=args.agency, status=args.status, query=args.search,
                                         limit=args.limit)
    if args.json:
        emit_json([_account_json(a) for a in items])
    else:
        emit_table(["Họ và tên", "Địa chỉ", "Cơ quan", "Chức vụ", "Trạng thái"],
                   [[a.full_name, a.address, a.agency_code, a.position, a.status.value] for a in items])
    return 0


def account_show(args: argparse.Namespace, inst: Installation) -> int:
    _show_account(args, inst.directory.accounts.show(args.address))
    return 0


def account_edit(args: argparse.Namespace, inst: Installation) -> int:
    a = inst.directory.accounts.edit(args.address, full_name=args.name, agency=args.agency, unit=args.unit,
                                     position=args.position, phone=args.phone, actor=ACTOR)
    _show_account(args, a)
    return 0


def account_disable(args: argparse.Namespace, inst: Installation) -> int:
    _show_account(args, inst.directory.accounts.disable(args.address, reason=args.reason, actor=ACTOR))
    return 0


def account_enable(args: argparse.Namespace, inst: Installation) -> int:
    _show_account(args, inst.directory.accounts.enable(args.address, actor=ACTOR))
    return 0


def account_remove(args: argparse.Namespace, inst: Installation) -> int:
    _show_account(args, inst.directory.accounts.remove(args.address, reason=args.reason, actor=ACTOR,
                                                       moved_to=args.moved_to))
    return 0


def account_reset_password(args: argparse.Namespace, inst: Installation) -> int:
    generated = inst.directory.accounts.reset_password(args.address, password=args.password, actor=ACTOR)
    if args.json:
        emit_json({"address": args.address, **({"password": generated} if generated else {})})
    elif generated:
        print(f"Mật khẩu mới (chỉ hiện một lần): {generated}")
    else:
        print("Đã đặt mật khẩu mới.")
    return 0


def account_grant(args: argparse.Namespace, inst: Installation) -> int:
    _show_account(args, inst.directory.accounts.grant(args.address, args.role, agency=args.agency, actor=ACTOR))
    return 0


def account_revoke(args: argparse.Namespace, inst: Installation) -> int:
    _show_account(args, inst.directory.accounts.revoke(args.address, args.role, agency=args.agency, actor=ACTOR))
    return 0


def account_import(args: argparse.Namespace, inst: Installation) -> int:
    def progress(rows: Iterable[SheetRow]) -> Iterable[SheetRow]:
        from tqdm import tqdm

        return tqdm(rows, desc="Đọc và kiểm tra", unit=" dòng", file=sys.stderr, disable=None)

    importer = PeopleImporter(inst.directory.ctx, inst.directory.accounts)
    report = importer.run(Path(args.file), dry_run=args.dry_run, actor=ACTOR, progress=progress)
    if args.json:
        emit_json({"dry_run": report.dry_run, "created": report.created, "matched": report.matched,
                   "rejected": report.rejected})
    else:
        verb = "Sẽ tạo" if report.dry_run else "Đã tạo"
        print(f"{verb} {len(report.created)} tài khoản, khớp {len(report.matched)} người đã có, "
              f"từ chối {len(report.rejected)} dòng.")
        for person in report.created[:50]:
            print(f"  + dòng {person.row}: {person.full_name} → {person.address}")
        if len(report.created) > 50:
            print(f"  … và {len(report.created) - 50} tài khoản nữa (dùng --json để xem hết)")
        for rejection in report.rejected:
            print(f"  ✗ dòng {rejection.row}: {rejection.reason}", file=sys.stderr)
    return 0 if not report.rejected else 3


# -- aliases and groups ------------------------------------------------------------------------------------------

def _show_alias(args: argparse.Namespace, a: Alias) -> None:
    if args.json:
        emit_json(a)
    else:
        emit_fields([("Bí danh", a.address), ("Chuyển đến", list(a.targets)), ("Mô tả", a.description)])


def alias_add(args: argparse.Namespace, inst: Installation) -> int:
    _show_alias(args, inst.directory.aliases.add(args.address, args.to, description=args.description, actor=ACTOR))
    return 0


def alias_list(args: argparse.Namespace, inst: Installation) -> int:
    items = inst.directory.aliases.list()
    if args.json:
        emit_json(items)
    else:
        emit_table(["Bí danh", "Chuyển đến"], [[a.address, ", ".join(a.targets)] for a in items])
    return 0


def alias_show(args: argparse.Namespace, inst: Installation) -> int:
    _show_alias(args, inst.directory.aliases.show(args.address))
    return 0


def alias_remove(args: argparse.Namespace, inst: Installation) -> int:
    _show_alias(args, inst.directory.aliases.remove(args.address, actor=ACTOR))
    return 0


def _show_group(args: argparse.Namespace, g: Group) -> None:
    if args.json:
        emit_json(g)
    else:
        rule = (f"cấp {', '.join(LEVEL_NAMES_VI[lv] for lv in g.rule.levels)}"
                + (f" thuộc {g.rule.under}" if g.rule.under else "")) if g.rule else "danh sách cố định"
        emit_fields([("Nhóm", g.name), ("Địa chỉ", g.address), ("Thành viên theo", rule),
                     ("Số thành viên", len(g.members)), ("Thành viên", list(g.members))])


def group_add(args: argparse.Namespace, inst: Installation) -> int:
    g = inst.directory.groups.add(args.address, args.name, members=args.member or (), rule=args.rule,
                                  description=args.description, actor=ACTOR)
    _show_group(args, g)
    return 0


def group_list(args: argparse.Namespace, inst: Installation) -> int:
    items = inst.directory.groups.list()
    if args.json:
        emit_json(items)
    else:
        emit_table(["Nhóm", "Địa chỉ", "Loại", "Số thành viên"],
                   [[g.name, g.address, g.kind, len(g.members)] for g in items])
    return 0


def group_show(args: argparse.Namespace, inst: Installation) -> int:
    _show_group(args, inst.directory.groups.show(args.group))
    return 0


def group_members(args: argparse.Namespace, inst: Installation) -> int:
    g = inst.directory.groups.change_members(args.group, add=args.add or (), remove=args.remove or (), actor=ACTOR)
    _show_group(args, g)
    return 0


def group_remove(args: argparse.Namespace, inst: Installation) -> int:
    _show_group(args, inst.directory.groups.remove(args.group, actor=ACTOR))
    return 0


# -- public directory --------------------------------------------------------------------------------------------

def directory_export(args: argparse.Namespace, inst: Installation) -> int:
    fmt = parse_format(args.format)
    data = collect(inst.directory.ctx, inst.directory.agencies, under=args.under, include_phone=args.include_phone)
    body = render(data, fmt, title=f"Danh bạ thư điện tử công vụ — {inst.settings.org_name}")
    if args.out:
        Path(args.out).write_bytes(body)
        if args.json:
            emit_json({"file": args.out, "agencies": len(data), "people": sum(len(a.people) for a in data)})
        else:
            print(f"Đã ghi {args.out}: {len(data)} cơ quan, {sum(len(a.people) for a in data)} người.")
    else:
        sys.stdout.buffer.write(body)
    return 0


def open_for(args: argparse.Namespace) -> Installation:
    return open_installation(resolve_data_dir(args.data))
