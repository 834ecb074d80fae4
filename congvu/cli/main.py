"""Entry point of ``congvu``: the argument grammar and the table from sub-commands to handlers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from congvu import __version__
from congvu.cli import directory_commands as d
from congvu.cli import doc_commands, mail_commands
from congvu.cli import server_commands as s
from congvu.errors import CongVuError


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", metavar="DIR", help="thư mục cài đặt (mặc định: $CONGVU_DATA)")
    common.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="congvu", description="CôngVụ — thư điện tử công vụ và văn bản điện tử")
    parser.add_argument("--version", action="version", version=f"congvu {__version__}")
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, handler: object,
            help_text: str) -> argparse.ArgumentParser:
        sub = group.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    p = cmd(top, "init", s.init, "tạo một cài đặt mới")
    p.add_argument("--domain", required=True)
    p.add_argument("--org-name")
    p.add_argument("--admin-password")
    p.add_argument("--database-url", help="postgresql://… (mặc định: SQLite trong thư mục dữ liệu)")
    p.add_argument("--naming-pattern", default="given_initials")

    p = cmd(top, "serve", s.serve, "chạy mọi dịch vụ")
    s.add_listen_flags(p)

    p = cmd(top, "demo", s.demo, "dựng và chạy một tỉnh mẫu")
    s.add_listen_flags(p, demo=True)
    p.add_argument("--people", type=int, default=300, help="số cán bộ mẫu")
    p.add_argument("--no-serve", action="store_true", help="chỉ dựng dữ liệu, không chạy dịch vụ")

    agency = top.add_parser("agency", help="cơ quan, đơn vị").add_subparsers(dest="action", required=True)
    p = cmd(agency, "add", d.agency_add, "thêm cơ quan")
    p.add_argument("--code", required=True, help="mã định danh (QĐ 20/2020 hoặc QCVN 102)")
    p.add_argument("--name", required=True)
    p.add_argument("--short-name", required=True, help="tên viết tắt dùng trong ký hiệu văn bản (STTTT, UBND)")
    p.add_argument("--level", required=True, help="province | department | district | division | commune")
    p.add_argument("--parent")
    p.add_argument("--mailbox", help="địa chỉ hộp thư cơ quan (mặc định: theo tên viết tắt)")
    p.add_argument("--wave", type=int)
    p.add_argument("--legacy-code")
    p.add_argument("--order", type=int, default=0)
    p = cmd(agency, "list", d.agency_list, "liệt kê cơ quan theo cây")
    p.add_argument("--under")
    p.add_argument("--all", action="store_true", help="gồm cả cơ quan đã xoá")
    p = cmd(agency, "show", d.agency_show, "xem một cơ quan")
    p.add_argument("agency")
    p = cmd(agency, "edit", d.agency_edit, "sửa cơ quan")
    p.add_argument("agency")
    p.add_argument("--name")
    p.add_argument("--short-name")
    p.add_argument("--wave", type=int)
    p.add_argument("--no-wave", action="store_true")
    p.add_argument("--order", type=int)
    p.add_argument("--legacy-code")
    p = cmd(agency, "move", d.agency_move, "chuyển cơ quan sang cơ quan cấp trên khác")
    p.add_argument("agency")
    p.add_argument("--to", required=True)
    p = cmd(agency, "remove", d.agency_remove, "xoá cơ quan (giữ lịch sử)")
    p.add_argument("agency")
    p.add_argument("--reason", required=True)
    waves = agency.add_parser("wave", help="đợt triển khai").add_subparsers(dest="wave_action", required=True)
    p = cmd(waves, "set", d.wave_set, "tạo hoặc sửa một đợt triển khai")
    p.add_argument("number", type=int)
    p.add_argument("--name", required=True)
    p.add_argument("--starts", help="ngày bắt đầu YYYY-MM-DD")
    cmd(waves, "list", d.wave_list, "liệt kê các đợt")

    account = top.add_parser("account", help="tài khoản cán bộ").add_subparsers(dest="action", required=True)
    p = cmd(account, "add", d.account_add, "tạo tài khoản")
    p.add_argument("--name", required=True, help="họ và tên")
    p.add_argument("--agency", help="mã hoặc tên cơ quan")
    p.add_argument("--address", help="địa chỉ (mặc định: đề xuất theo quy tắc đặt tên)")
    p.add_argument("--unit")
    p.add_argument("--position")
    p.add_argument("--phone")
    p.add_argument("--password")
    p.add_argument("--role", action="append", help="province_admin | agency_admin | clerk | leader")
    p = cmd(account, "propose", d.account_propose, "đề xuất địa chỉ cho một họ tên")
    p.add_argument("--name", required=True)
    p.add_argument("--agency")
    p = cmd(account, "list", d.account_list, "liệt kê tài khoản")
    p.add_argument("--agency")
    p.add_argument("--status", choices=["active", "disabled", "removed"])
    p.add_argument("--search")
    p.add_argument("--limit", type=int)
    for name, handler, text in (("show", d.account_show, "xem tài khoản"),
                                ("enable", d.account_enable, "mở lại tài khoản")):
        p = cmd(account, name, handler, text)
        p.add_argument("address")
    p = cmd(account, "edit", d.account_edit, "sửa thông tin, chuyển cơ quan")
    p.add_argument("address")
    p.add_argument("--name")
    p.add_argument("--agency")
    p.add_argument("--unit")
    p.add_argument("--position")
    p.add_argument("--phone")
    p = cmd(account, "disable", d.account_disable, "khoá tài khoản")
    p.add_argument("address")
    p.add_argument("--reason")
    p = cmd(account, "remove", d.account_remove, "xoá tài khoản (giữ thư và văn bản trong thời hạn lưu)")
    p.add_argument("address")
    p.add_argument("--reason", required=True)
    p.add_argument("--moved-to", help="địa chỉ mới của người dùng (thư gửi tới địa chỉ cũ được trả lời kèm địa chỉ "
                                      "này: SMTP 551)")
    p = cmd(account, "reset-password", d.account_reset_password, "đặt lại mật khẩu")
    p.add_argument("address")
    p.add_argument("--password")
    for name, handler, text in (("grant", d.account_grant, "giao vai trò"),
                                ("revoke", d.account_revoke, "thu hồi vai trò")):
        p = cmd(account, name, handler, text)
        p.add_argument("address")
        p.add_argument("role")
        p.add_argument("--agency")
    p = cmd(account, "import", d.account_import, "nhập danh sách cán bộ từ .xlsx hoặc .csv")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")

    alias = top.add_parser("alias", help="bí danh").add_subparsers(dest="action", required=True)
    p = cmd(alias, "add", d.alias_add, "tạo bí danh")
    p.add_argument("address")
    p.add_argument("--to", action="append", required=True)
    p.add_argument("--description")
    cmd(alias, "list", d.alias_list, "liệt kê bí danh")
    for name, handler, text in (("show", d.alias_show, "xem bí danh"), ("remove", d.alias_remove, "xoá bí danh")):
        p = cmd(alias, name, handler, text)
        p.add_argument("address")

    group = top.add_parser("group", help="nhóm phân phối").add_subparsers(dest="action", required=True)
    p = cmd(group, "add", d.group_add, "tạo nhóm")
    p.add_argument("address")
    p.add_argument("--name", required=True)
    p.add_argument("--member", action="append")
    p.add_argument("--rule", help="ví dụ: level=department · level=district · level=commune;under=MÃ")
    p.add_argument("--description")
    cmd(group, "list", d.group_list, "liệt kê nhóm")
    for name, handler, text in (("show", d.group_show, "xem nhóm"), ("remove", d.group_remove, "xoá nhóm")):
        p = cmd(group, name, handler, text)
        p.add_argument("group")
    p = cmd(group, "members", d.group_members, "thêm, bớt thành viên")
    p.add_argument("group")
    p.add_argument("--add", action="append")
    p.add_argument("--remove", action="append")

    directory = top.add_parser("directory", help="danh bạ công khai").add_subparsers(dest="action", required=True)
    p = cmd(directory, "export", d.directory_export, "xuất danh bạ thư điện tử công vụ")
    p.add_argument("--format", default="xlsx", help="xlsx | csv | json")
    p.add_argument("--out", help="tệp ra (mặc định: stdout)")
    p.add_argument("--under", help="chỉ một cơ quan và các đơn vị trực thuộc")
    p.add_argument("--include-phone", action="store_true")
    doc_commands.register(top, common)
    mail_commands.register(top, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.handler in s.SELF_OPENING:
            return int(args.handler(args))
        inst = d.open_for(args)
        try:
            return int(args.handler(args, inst))
        finally:
            inst.close()
    except CongVuError as exc:
        where = f" [{exc.field}]" if exc.field else ""
        print(f"congvu: lỗi{where}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
