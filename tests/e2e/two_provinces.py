"""Two provinces, each a real ``congvu serve``, for the end-to-end tests: each ``congvu.toml`` routes the other's
domain to the other's SMTP port on loopback (``[delivery.routes]``), the delivery workers poll every 0.2 s, and
every DNS look-up goes to the resolver the test gives (a real NSD, or a port where nothing answers)."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from congvu.config.settings import DataDir, load_settings
from congvu.installation import Installation, open_installation

T = TypeVar("T")


@dataclass(frozen=True)
class Province:
    data: Path
    domain: str
    smtp_port: int
    submission_port: int = 0  # 0: no submission listener

    @property
    def flag(self) -> list[str]:
        return ["--data", str(self.data)]

    @property
    def hostname(self) -> str:
        return load_settings(DataDir(self.data)).hostname

    def open(self) -> Installation:
        return open_installation(DataDir(self.data))

    def serve_log(self) -> str:
        return (self.data / "serve.log").read_text(encoding="utf-8", errors="replace")


def pg_schema(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL URL with a schema of its own, for the second installation."""
    import psycopg

    base = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{base}?options=-csearch_path%3D{schema}"


def configure(province: Province, other: Province, *, dns_port: int, dns_timeout_s: float) -> None:
    """Route the other's domain to its SMTP port; quick polling; every look-up to 127.0.0.1:``dns_port``."""
    path = province.data / "congvu.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[delivery.routes]", (
        "[delivery]\npoll_interval_s = 0.2\nretry_base_s = 1\nmta_sts = false\n\n"
        f"[dns]\nresolver = \"127.0.0.1:{dns_port}\"\ntimeout_s = {dns_timeout_s}\n\n"
        f"[delivery.routes]\n\"{other.domain}\" = \"127.0.0.1:{other.smtp_port}\""))
    path.write_text(text, encoding="utf-8")


def serve(province: Province, listeners: Iterable[str] = ("smtp",)) -> subprocess.Popen[str]:
    """``congvu serve`` with SMTP (and submission when the province has a port for it), once ``listeners`` are
    announced. Its log goes to a file: a full pipe would stall the server."""
    log = (province.data / "serve.log").open("w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", *province.flag, "--host", "127.0.0.1",
                             f"--smtp-port={province.smtp_port}", f"--submission-port={province.submission_port}",
                             "--smtps-port=0", "--imap-port=0", "--imaps-port=0", "--http-port=0"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    assert proc.stdout is not None
    wanted = set(listeners)
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = re.search(r"congvu: (\w+) đang nghe tại [\d.]+:\d+", line)
        if found:
            seen.add(found.group(1))
        if wanted <= seen:
            return proc
    proc.kill()
    raise AssertionError(f"congvu serve did not start: {province.serve_log()}")


def eventually(probe: Callable[[], T | None], what: str, timeout_s: float = 60.0) -> T:
    """The first truthy answer of ``probe``, asked until ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
