"""``congvu init``: make a new installation in an empty (or new) folder.

Writes ``congvu.toml``, creates the database (SQLite in the folder unless a PostgreSQL URL is given) at the
newest schema, the blob folder, a self-signed TLS certificate for ``mail.DOMAIN``, a DKIM key, the standard
role addresses (postmaster, abuse) and the first administrator ``admin@DOMAIN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from congvu.config.settings import CONFIG_FILE, DataDir
from congvu.directory.models import AccountKind, Role
from congvu.errors import Conflict, InvalidInput
from congvu.installation.keys import make_dkim_key, make_tls_certificate
from congvu.installation.opened import Installation, open_installation
from congvu.store.database import Database
from congvu.store.schema import domains
from congvu.vntext.normalize import clean_line

_DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class CreatedInstallation:
    installation: Installation
    admin_address: str
    admin_password: str | None  # set when generated here


def validate_domain(domain: str) -> str:
    text = domain.strip().lower().rstrip(".")
    if not _DOMAIN_RE.match(text):
        raise InvalidInput(f"Tên miền «{domain}» không hợp lệ (ví dụ: dongnai.gov.vn).", field="domain")
    return text


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create_installation(data: DataDir, *, domain: str, org_name: str | None = None,
                        admin_password: str | None = None, database_url: str | None = None,
                        naming_pattern: str = "given_initials") -> CreatedInstallation:
    domain = validate_domain(domain)
    org = clean_line(org_name, field="Tên tổ chức") if org_name else f"Hệ thống thư điện tử công vụ {domain}"
    if data.config_file.exists() or data.sqlite_file.exists():
        raise Conflict(f"Thư mục {data.root} đã chứa một cài đặt CôngVụ; không ghi đè.",
                       message_en=f"{data.root} already holds a CôngVụ installation; refusing to touch it.")
    data.root.mkdir(parents=True, exist_ok=True)
    hostname = f"mail.{domain}"
    lines = [
        "# Cấu hình CôngVụ — xem docs/configuration.md",
        "[installation]",
        f"domain = {_toml_string(domain)}",
        f"org_name = {_toml_string(org)}",
        f"hostname = {_toml_string(hostname)}",
        "extra_domains = []",
        "",
        "[database]",
        f"url = {_toml_string(database_url)}" if database_url
        else '# url = "postgresql://…"  (mặc định: SQLite trong thư mục này)',
        "",
        "[listen]",
        'host = "0.0.0.0"',
        "smtp_port = 25\nsubmission_port = 587\nsmtps_port = 465\nimap_port = 143\nimaps_port = 993\nhttp_port = 8080",
        "",
        "[server]",
        '# số tiến trình phục vụ SMTP và IMAP: "auto" (mỗi lõi CPU một tiến trình) hoặc một số',
        'workers = "auto"',
        "",
        "[directory]",
        f"naming_pattern = {_toml_string(naming_pattern)}",
        "retention_days = 1825",
        "",
        "[tls]",
        'cert = "tls/cert.pem"\nkey = "tls/key.pem"',
        "",
        "[dkim]",
        'selector = "congvu"\nkey = "dkim/congvu.key"',
        "",
        "[delivery.routes]",
        '# "example.gov.vn" = "127.0.0.1:2525"',
        "",
    ]
    if database_url:
        # Refuse to reuse a database that already holds an installation.
        probe = Database(database_url)
        try:
            with probe.read() as conn:
                if probe.engine.dialect.has_table(conn, "domains") and conn.execute(select(domains)).first():
                    raise Conflict("Cơ sở dữ liệu đã chứa một cài đặt CôngVụ; không ghi đè.")
        finally:
            probe.dispose()
    data.config_file.write_text("\n".join(lines), encoding="utf-8")
    data.blobs.mkdir(exist_ok=True)
    make_tls_certificate(data.tls / "cert.pem", data.tls / "key.pem", hostname, domain)
    make_dkim_key(data.dkim / "congvu.key")
    inst = open_installation(data)
    with inst.db.begin() as conn:
        conn.execute(insert(domains).values(name=domain, kind="primary", created_at=datetime.now(UTC)))
    created = inst.directory.accounts.add(
        full_name="Quản trị hệ thống", agency=None, address=f"admin@{domain}", password=admin_password,
        kind=AccountKind.SYSTEM, allow_reserved=True, actor="init")
    inst.directory.accounts.grant(created.account.address, Role.PROVINCE_ADMIN.value, actor="init")
    for role_address in ("postmaster", "abuse"):
        inst.directory.aliases.add(f"{role_address}@{domain}", [created.account.address],
                                   description="Địa chỉ bắt buộc theo RFC 5321/2142", allow_reserved=True,
                                   actor="init")
    return CreatedInstallation(inst, created.account.address, created.password)


__all__ = ["CONFIG_FILE", "CreatedInstallation", "create_installation"]
