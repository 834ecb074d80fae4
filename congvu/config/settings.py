"""Settings of one installation, read once from ``DIR/congvu.toml`` and ``CONGVU_*`` environment variables.

Restart-time settings live here; data edited at run time (agencies, accounts, policies) lives in the database.
Every key is documented in ``docs/configuration.md``. Environment variables override the file: the name is
``CONGVU_`` + the section and key in upper case joined by ``_`` (``CONGVU_DATABASE_URL``,
``CONGVU_LISTEN_HTTP_PORT``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from congvu.errors import ConfigError

CONFIG_FILE = "congvu.toml"


@dataclass(frozen=True)
class DataDir:
    """Where an installation keeps its files."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def sqlite_file(self) -> Path:
        return self.root / "congvu.sqlite3"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def tls(self) -> Path:
        return self.root / "tls"

    @property
    def dkim(self) -> Path:
        return self.root / "dkim"


@dataclass(frozen=True)
class ListenSettings:
    host: str = "0.0.0.0"
    smtp_port: int = 25
    submission_port: int = 587
    smtps_port: int = 465
    imap_port: int = 143
    imaps_port: int = 993
    http_port: int = 8080


@dataclass(frozen=True)
class DirectorySettings:
    naming_pattern: str = "given_initials"
    retention_days: int = 1825
    """How long a removed person's mail, documents and address are kept (the address is never reissued within it)."""


@dataclass(frozen=True)
class Settings:
    data: DataDir
    domain: str
    org_name: str
    hostname: str
    database_url: str
    extra_domains: tuple[str, ...] = ()
    listen: ListenSettings = field(default_factory=ListenSettings)
    directory: DirectorySettings = field(default_factory=DirectorySettings)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    dkim_selector: str = "congvu"
    dkim_key: Path | None = None
    delivery_routes: dict[str, str] = field(default_factory=dict)
    workers: int = 0
    """Processes ``congvu serve`` runs (``[server] workers``); 0 means one per core (``auto``)."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def domains(self) -> tuple[str, ...]:
        return (self.domain, *self.extra_domains)

    def with_workers(self, workers: int | None) -> Settings:
        return self if workers is None else replace(self, workers=workers)

    def with_listen(self, **overrides: int | str | None) -> Settings:
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, listen=replace(self.listen, **given))


def resolve_data_dir(data: str | os.PathLike[str] | None) -> DataDir:
    """The installation folder: the ``--data`` flag, else ``$CONGVU_DATA``."""
    chosen = data if data is not None else os.environ.get("CONGVU_DATA")
    if not chosen:
        raise ConfigError(
            "Chưa chỉ ra thư mục dữ liệu: dùng --data DIR hoặc biến môi trường CONGVU_DATA.",
            message_en="No data folder given: use --data DIR or set CONGVU_DATA.",
        )
    return DataDir(Path(chosen).expanduser().resolve())


def _env_override(section: str, key: str) -> str | None:
    return os.environ.get(f"CONGVU_{section}_{key}".upper())


def _int(value: object, name: str) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise ConfigError(f"Giá trị «{name}» phải là số nguyên: {value!r}") from exc


def parse_workers(value: object, name: str = "workers") -> int:
    """``auto`` (one process per core) is 0; otherwise a count from 1 to 64."""
    if str(value).strip().lower() == "auto":
        return 0
    count = _int(value, name)
    if not 1 <= count <= 64:
        raise ConfigError(f"«{name}» phải từ 1 đến 64 hoặc auto: {value!r}",
                          message_en=f"'{name}' must be 1 to 64 or auto: {value!r}")
    return count


def load_settings(data: DataDir) -> Settings:
    """Read ``congvu.toml`` of an existing installation; raise :class:`ConfigError` if there is none."""
    path = data.config_file
    if not path.is_file():
        raise ConfigError(
            f"Không có cài đặt CôngVụ trong {data.root} (thiếu {CONFIG_FILE}); hãy chạy «congvu init» trước.",
            message_en=f"No CôngVụ installation in {data.root} ({CONFIG_FILE} missing); run 'congvu init' first.",
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Tệp {path} sai cú pháp TOML: {exc}") from exc
    inst = raw.get("installation", {})
    domain = str(inst.get("domain", "")).strip().lower()
    if not domain:
        raise ConfigError(f"Tệp {path} thiếu [installation] domain.")
    db = raw.get("database", {})
    database_url = _env_override("database", "url") or db.get("url") or f"sqlite:///{data.sqlite_file}"
    listen_raw = raw.get("listen", {})
    listen_values: dict[str, Any] = {}
    for key in ("host", "smtp_port", "submission_port", "smtps_port", "imap_port", "imaps_port", "http_port"):
        value = _env_override("listen", key) or listen_raw.get(key)
        if value is not None:
            listen_values[key] = str(value) if key == "host" else _int(value, f"listen.{key}")
    directory_raw = raw.get("directory", {})
    directory = DirectorySettings(
        naming_pattern=str(directory_raw.get("naming_pattern", DirectorySettings.naming_pattern)),
        retention_days=_int(directory_raw.get("retention_days", DirectorySettings.retention_days),
                            "directory.retention_days"),
    )
    server = raw.get("server", {})
    workers_raw = _env_override("server", "workers") or server.get("workers", "auto")
    tls = raw.get("tls", {})
    dkim = raw.get("dkim", {})
    routes = raw.get("delivery", {}).get("routes", {})

    def rel(value: object) -> Path | None:
        if not value:
            return None
        p = Path(str(value))
        return p if p.is_absolute() else data.root / p

    return Settings(
        data=data,
        domain=domain,
        org_name=str(inst.get("org_name", domain)),
        hostname=str(inst.get("hostname", f"mail.{domain}")),
        database_url=str(database_url),
        extra_domains=tuple(str(d).lower() for d in inst.get("extra_domains", [])),
        listen=ListenSettings(**listen_values),
        directory=directory,
        tls_cert=rel(tls.get("cert")),
        tls_key=rel(tls.get("key")),
        dkim_selector=str(dkim.get("selector", "congvu")),
        dkim_key=rel(dkim.get("key")),
        delivery_routes={str(k).lower(): str(v) for k, v in routes.items()},
        workers=parse_workers(workers_raw, "server.workers"),
        raw=raw,
    )
