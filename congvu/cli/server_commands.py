"""CLI handlers that create or run an installation: ``init``, ``serve``, ``demo``."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from congvu.app import AUTO_PORT, Application
from congvu.cli.output import emit_fields, emit_json
from congvu.config.settings import DataDir, parse_workers, resolve_data_dir
from congvu.errors import ConfigError
from congvu.installation import create_installation, open_installation

DEMO_PORTS = {"smtp_port": 2525, "submission_port": 5587, "smtps_port": 5465, "imap_port": 1143,
              "imaps_port": 1993, "http_port": 8080}


def port_arg(value: str) -> int:
    """A TCP port; 0 turns the listener off; ``auto`` takes any free port (printed at start)."""
    if value.strip().lower() == "auto":
        return AUTO_PORT
    try:
        port = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cổng không hợp lệ: {value!r}") from exc
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"cổng ngoài khoảng 0–65535: {port}")
    return port


def workers_arg(value: str) -> int:
    """``auto`` (one process per core, 0) or a process count."""
    try:
        return parse_workers(value, "--workers")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_listen_flags(parser: argparse.ArgumentParser, *, demo: bool = False) -> None:
    parser.add_argument("--host", help="địa chỉ lắng nghe (mặc định 0.0.0.0)")
    parser.add_argument("--workers", type=workers_arg, metavar="N",
                        help="số tiến trình phục vụ SMTP và IMAP; auto: một tiến trình mỗi lõi CPU "
                             "(mặc định: [server] workers, hoặc auto)")

    for name in ("smtp", "submission", "smtps", "imap", "imaps", "http"):
        default = f" (mặc định {DEMO_PORTS[name + '_port']})" if demo else ""
        parser.add_argument(f"--{name}-port", type=port_arg, metavar="N",
                            help=f"cổng {name}; 0 để tắt; auto để chọn cổng trống{default}")


def _listen_overrides(args: argparse.Namespace, *, demo: bool = False) -> dict[str, int | str | None]:
    overrides: dict[str, int | str | None] = {"host": args.host}
    for key in DEMO_PORTS:
        value = getattr(args, key)
        overrides[key] = value if value is not None or not demo else DEMO_PORTS[key]
    return overrides


def init(args: argparse.Namespace) -> int:
    data = resolve_data_dir(args.data)
    created = create_installation(data, domain=args.domain, org_name=args.org_name,
                                  admin_password=args.admin_password, database_url=args.database_url,
                                  naming_pattern=args.naming_pattern)
    created.installation.close()
    result = {"data": str(data.root), "domain": created.installation.settings.domain,
              "admin": created.admin_address, "database": created.installation.settings.database_url}
    if created.admin_password:
        result["admin_password"] = created.admin_password
    if args.json:
        emit_json(result)
    else:
        emit_fields([("Thư mục", result["data"]), ("Tên miền", result["domain"]),
                     ("Quản trị", result["admin"]),
                     *([("Mật khẩu quản trị (chỉ hiện một lần)", created.admin_password)]
                       if created.admin_password else [])])
    return 0


def _serve(data: DataDir, overrides: dict[str, int | str | None], *, workers: int | None = None) -> int:
    inst = open_installation(data)
    try:
        inst.settings = inst.settings.with_listen(**overrides).with_workers(workers)
        asyncio.run(Application(inst).run())
    finally:
        inst.close()
    return 0


def serve(args: argparse.Namespace) -> int:
    return _serve(resolve_data_dir(args.data), _listen_overrides(args), workers=args.workers)


def demo(args: argparse.Namespace) -> int:
    from congvu.demo.build import DEMO_DOMAIN, build_demo, demo_logins

    chosen = args.data or os.environ.get("CONGVU_DATA") or "demo-data"
    data = DataDir(Path(chosen).expanduser().resolve())
    fresh = not data.config_file.exists()
    if fresh:
        build_demo(data, people=args.people)
    overrides = _listen_overrides(args, demo=True)
    host = overrides["host"] or "127.0.0.1"
    logins = demo_logins(DEMO_DOMAIN)
    info = {"data": str(data.root), "built": fresh, "url": f"http://{host}:{overrides['http_port']}/",
            "directory_url": f"http://{host}:{overrides['http_port']}/danh-ba", "logins": logins}
    if args.json:
        emit_json(info)
    else:
        print(f"Tỉnh mẫu {'đã dựng' if fresh else 'có sẵn'} trong {data.root}")
        print(f"Trang chủ:  {info['url']}")
        print(f"Danh bạ:    {info['directory_url']}")
        print("Đăng nhập mẫu:")
        for login in logins:
            print(f"  {login['role']:<28} {login['address']:<32} {login['password']}")
    if args.no_serve:
        return 0
    overrides["host"] = host
    return _serve(data, overrides, workers=args.workers)


# Handlers that open (or create) the installation themselves.
SELF_OPENING = frozenset({init, serve, demo})
