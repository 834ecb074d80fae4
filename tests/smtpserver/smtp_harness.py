"""Helpers of the SMTP server tests: the province's view, a started server, messages, a raw client, swaks."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from congvu.delivery.queue import OutboundQueue
from congvu.installation import Installation
from congvu.smtpserver import SmtpListeners
from congvu.smtpserver.seams import SmtpServices
from congvu.smtpserver.settings import SmtpLimits

DOMAIN = "dongnai.gov.vn"
PASSWORD = "Matkhau@2026"
TEST_LIMITS = SmtpLimits(max_message_bytes=512 * 1024, max_recipients=20)


@dataclass(frozen=True)
class Province:
    inst: Installation
    backend: str
    ids: dict[str, int]

    def address(self, who: str) -> str:
        return who if "@" in who else f"{who}@{DOMAIN}"

    def id(self, who: str) -> int:
        return self.ids[self.address(who)]

    def messages(self, who: str, folder: str = "INBOX") -> list[bytes]:
        """Raw messages in a folder of ``who``'s own mailbox, oldest first."""
        store = self.inst.mailstore
        viewer = self.id(who)
        try:
            info = store.find_folder(viewer, folder)
        except Exception:
            return []
        snap = store.snapshot(viewer, info.id)
        return [store.read_raw(viewer, info.id, m.uid) for m in snap.messages]

    def find(self, who: str, tag: str, folder: str = "INBOX") -> list[bytes]:
        return [raw for raw in self.messages(who, folder) if tag.encode() in raw]

    def queued(self, tag: str) -> list[bytes]:
        queue = OutboundQueue(self.inst)
        return [raw for raw in (queue.read(m) for m in queue.list()) if tag.encode() in raw]


@dataclass
class SmtpServer:
    province: Province
    listeners: SmtpListeners
    services: SmtpServices

    def _port(self, name: str) -> int:
        port = self.listeners.port(name)
        assert port is not None
        return port

    @property
    def mx(self) -> int:
        return self._port("smtp")

    @property
    def submission(self) -> int:
        return self._port("submission")

    @property
    def smtps(self) -> int:
        return self._port("submissions")

    def client_tls(self) -> ssl.SSLContext:
        """Verifies the chain against the installation's own self-signed certificate."""
        context = ssl.create_default_context(cafile=str(self.province.inst.settings.tls_cert))
        context.check_hostname = False
        return context


ServerFactory = Callable[..., Awaitable["SmtpServer"]]
"""``start_server(**parts)``: listeners with the real services, ``parts`` replacing fields of SmtpServices."""


def token() -> str:
    return "tok" + secrets.token_hex(6)


def message(*, sender: str, to: str, subject: str, body: str = "Nội dung thư.\r\n", extra: str = "") -> bytes:
    text = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n{extra}\r\n{body}")
    return text.encode("utf-8")


class RawClient:
    """A bare TCP client that sends exact octets and reads whole SMTP replies."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, *, tls: ssl.SSLContext | None = None) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20, ssl=tls)
        return cls(reader, writer)

    async def reply(self, timeout: float = 10.0) -> str:
        """One reply (all its lines), or "" when the server closed the connection."""
        lines: list[str] = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), timeout)
            if not line:
                return "\n".join(lines)
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(text)
            if len(text) < 4 or text[3] != "-":
                return "\n".join(lines)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def command(self, line: str | bytes) -> str:
        await self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return await self.reply()

    async def starttls(self, context: ssl.SSLContext) -> None:
        await self.writer.start_tls(context)

    async def at_eof(self, timeout: float = 10.0) -> bool:
        """Whether the server closes the connection (after whatever it still sends)."""
        try:
            await asyncio.wait_for(self.reader.read(), timeout)
        except TimeoutError:
            return False
        except ConnectionError:
            return True
        return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


async def run_swaks(*args: str, timeout: float = 30.0, data: bytes | None = None,
                    tmp: Path | None = None) -> tuple[int, str]:
    """Run swaks; returns its exit status and transcript. ``data`` is sent verbatim (no fix-ups)."""
    argv = ["swaks", "--hide-informational", *args]
    if data is not None:
        assert tmp is not None
        path = tmp / f"data-{secrets.token_hex(4)}.eml"
        path.write_bytes(data)
        argv += ["--data", f"@{path}", "--no-data-fixup"]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode("utf-8", "replace")
