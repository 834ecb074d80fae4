"""One IMAP connection from greeting to close: reads commands with :class:`congvu.imap.CommandReader`, parses
them, checks the state, runs the handler from the table in :mod:`congvu.imapserver.handlers`, reports what
other sessions changed in the selected folder, and writes the tagged reply.

Rules carried here: the greeting (RFC 9051 §7.1.1 with a CAPABILITY code), the autologout timer (RFC 9051 §5.4),
EXPUNGE never sent during FETCH, STORE or SEARCH by sequence number (RFC 9051 §7.5.1), a session whose selected
folder was deleted or became inaccessible is ended with ``* BYE`` (so is one whose account was disabled or removed,
see :meth:`ImapConnection.terminate`), and a client that only sends garbage is
disconnected after :attr:`ImapLimits.max_bad_commands` consecutive BAD replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque

from congvu.errors import CongVuError, NotFound, PermissionDenied
from congvu.imap import response
from congvu.imap.commands import Command, Id
from congvu.imap.errors import ParseError, UnsupportedCharset
from congvu.imap.reader import (
    CommandRead,
    CommandReader,
    ContinuationLine,
    NeedContinuation,
    ReadError,
    ReadErrorKind,
    ReadEvent,
)
from congvu.imapserver.channel import Channel, ChannelClosed
from congvu.imapserver.handlers import HANDLERS
from congvu.imapserver.limits import address_key
from congvu.imapserver.replies import SERVER_BUG, ImapRefusal, Reply, Text, bad, error_reply, no
from congvu.imapserver.selected import SelectedFolder
from congvu.imapserver.services import ImapServer
from congvu.imapserver.session import Session, State, capabilities
from congvu.mailstore.notify import MailboxEventKind
from congvu.mailstore.usage import UsageKind
from congvu.runtime.proxy_header import READ_TIMEOUT_S as PROXY_HEADER_TIMEOUT_S
from congvu.runtime.proxy_header import ProxyHeaderError, comes_through, parse_header

log = logging.getLogger("congvu.imapserver")


class SessionEnded(Exception):
    """The session must end now with ``* BYE`` and this text (no tagged reply follows)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class ImapConnection:
    def __init__(self, server: ImapServer, channel: Channel, *, implicit_tls: bool) -> None:
        self.server = server
        self.channel = channel
        self.implicit_tls = implicit_tls
        self.session = Session()
        limits = server.limits
        self.reader = CommandReader(max_line_bytes=limits.max_line_bytes,
                                    max_literal_bytes=limits.max_preauth_literal_bytes)
        self.queue: deque[ReadEvent] = deque()
        self.closing = False
        self.bad_in_a_row = 0
        self.peer = channel.peer_host()
        self.address = address_key(self.peer)
        self.task: asyncio.Task[object] | None = None
        self.ended_by: Text | None = None  # set by terminate(): the session is being ended from outside

    # -- helpers for handlers
    @property
    def utf8(self) -> bool:
        return self.session.utf8

    def write(self, data: bytes) -> None:
        self.channel.write(data)

    def untagged_ok(self, text: Text, code: response.ResponseCode | None = None) -> None:
        self.write(response.untagged("OK", text.render(utf8=self.utf8), code))

    async def flush(self) -> None:
        await self.channel.flush()

    async def flush_if_large(self) -> None:
        if self.channel.pending_bytes > 128 * 1024:
            await self.channel.flush()

    def capabilities(self) -> tuple[str, ...]:
        return capabilities(authenticated=self.session.user is not None, secure=self.secure,
                            starttls_offered=self.server.tls is not None and not self.implicit_tls,
                            compressed=self.channel.compressed, append_limit=self.server.limits.max_message_bytes)

    @property
    def secure(self) -> bool:
        return self.channel.secure

    def timeout_s(self) -> float:
        limits = self.server.limits
        return limits.preauth_timeout_s if self.session.user is None else limits.autologout_s

    async def receive(self) -> bytes:
        """More client bytes; ``b""`` at end of input or after the autologout timer (then ``* BYE`` is sent)."""
        try:
            return await self.channel.receive(self.timeout_s())
        except TimeoutError:
            self.write(response.untagged("BYE", Text("Hết thời gian chờ, tự động đăng xuất",
                                                     "Autologout; idle for too long").render(utf8=self.utf8)))
            self.closing = True
            return b""

    async def read_continuation(self) -> bytes | None:
        """One continuation line (AUTHENTICATE responses); None when the client went away."""
        events = self.reader.read_line()
        while not events:
            data = await self.receive()
            if not data:
                return None
            events = self.reader.feed(data)
        event = events[0]
        if isinstance(event, ContinuationLine):
            return event.line
        raise ImapRefusal(bad("Dòng phản hồi quá dài", "Continuation line too long"))

    def terminate(self, text: Text) -> None:
        """End the session from outside (its account was disabled or removed): whatever it is doing, IDLE
        included, stops and the client gets ``* BYE`` with ``text``."""
        if self.ended_by is not None or self.task is None or self.task.done():
            return
        self.ended_by = text
        self.task.cancel()

    # -- main loop
    async def run(self) -> None:
        self.task = asyncio.current_task()
        early = b""
        if comes_through(self.peer, self.server.proxy_from):
            found = await self._proxy_header()
            if found is None:
                return
            early = found
        counter = self.server.counter
        if not counter.open(self.address):
            with contextlib.suppress(ChannelClosed):
                await self._handshake(early)  # so that an IMAPS client can read why it is refused
                self.write(response.untagged("BYE", "Too many connections from your address, try later",
                                             response.UNAVAILABLE))
            await self.channel.close()
            return
        try:
            await self._handshake(early)
            self.write(response.untagged("OK", f"{self.server.hostname} CongVu IMAP4rev2 ready",
                                         response.capability_code(self.capabilities())))
            await self.flush()
            await self._loop()
            await self.flush()
        except ChannelClosed:
            pass
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self.ended_by is not None and task is not None and task.cancelling() <= 1:
                task.uncancel()  # ended by terminate(), not by the server stopping
                self.write(response.untagged("BYE", self.ended_by.render(utf8=self.utf8)))
                with contextlib.suppress(ChannelClosed, TimeoutError):
                    await asyncio.wait_for(self.flush(), 5.0)
                return
            # The server is stopping (RFC 9051 §7.1.5: BYE before closing).
            self.write(response.untagged("BYE", Text("Máy chủ đang dừng", "Server shutting down").render(
                utf8=self.utf8), response.UNAVAILABLE))
            raise
        except Exception:
            log.exception("IMAP connection from %s failed", self.peer)
        finally:
            counter.close(self.address)
            await self._finish()

    async def _handshake(self, early: bytes = b"") -> None:
        if self.implicit_tls and self.server.tls is not None:
            await self.channel.start_tls(self.server.tls, timeout_s=self.server.limits.tls_handshake_timeout_s,
                                         already_read=early)
        elif early:
            self.channel.unread(early)

    async def _proxy_header(self) -> bytes | None:
        """A trusted load balancer's connection: the client's address from its PROXY header; what was read past
        the header, or None when there is no valid header (the connection is then closed)."""
        data = b""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PROXY_HEADER_TIMEOUT_S
        try:
            while True:
                chunk = await self.channel.receive(max(deadline - loop.time(), 0.001))
                if not chunk:
                    raise ProxyHeaderError("the load balancer closed the connection")
                data += chunk
                header = parse_header(data)
                if header is not None:
                    break
        except (ProxyHeaderError, TimeoutError) as error:
            log.warning("IMAP connection from load balancer %s dropped: %s", self.peer, error or "timeout")
            self.channel.abort()
            return None
        if header.source is not None:
            self.peer = header.source[0]
            self.address = address_key(self.peer)
        return data[header.consumed:]

    async def _loop(self) -> None:
        while not self.closing:
            if not self.queue:
                data = await self.receive()
                if not data:
                    return
                self.queue.extend(self.reader.feed(data))
                continue
            await self._handle(self.queue.popleft())

    async def _handle(self, event: ReadEvent) -> None:
        if isinstance(event, CommandRead):
            await self._execute(event)
        elif isinstance(event, NeedContinuation):
            self.write(response.continuation("Ready for literal data"))
            await self.flush()
        elif isinstance(event, ReadError):
            text = Text(event.message, event.message_en).render(utf8=self.utf8)
            if event.tag is None:
                self.write(response.untagged("BAD", text))
            elif event.kind is ReadErrorKind.LITERAL_TOO_LARGE:
                self.write(response.tagged(event.tag, "NO", text, response.TOOBIG))
            else:
                self.write(response.tagged(event.tag, "BAD", text))
            await self._count_bad()
            await self.flush()

    async def _count_bad(self) -> None:
        self.bad_in_a_row += 1
        if self.bad_in_a_row >= self.server.limits.max_bad_commands:
            self.write(response.untagged("BYE", Text("Quá nhiều lệnh sai", "Too many bad commands").render(
                utf8=self.utf8)))
            self.closing = True

    async def _execute(self, event: CommandRead) -> None:
        try:
            command = self.server.commands.parse(event.raw, utf8=self.session.utf8)
        except UnsupportedCharset as error:
            reply: Reply | None = no(error.message, error.message_en, response.badcharset(error.supported))
            await self._finish_command(event.tag, reply)
            return
        except ParseError as error:
            text = error.response_text(utf8=self.utf8)
            tag = error.tag or (event.tag or None)
            self.write(response.tagged(tag, "BAD", text) if tag else response.untagged("BAD", text))
            await self._count_bad()
            await self._resume_reader()
            await self.flush()
            return
        try:
            reply = await self._run_handler(command)
        except SessionEnded as ended:
            await self.end(ended)
            await self.flush()
            return
        await self._finish_command(command.tag, reply)

    async def _run_handler(self, command: Command) -> Reply | None:
        entry = HANDLERS.get(type(command))
        if entry is None:
            return bad("Lệnh không được hỗ trợ", "Command not supported")
        refusal = entry.refusal(self.session.state)
        if refusal is not None:
            return refusal
        if not self.session.login_recorded and not isinstance(command, Id):
            self.record_login()
        reply: Reply | None
        try:
            reply = await entry.handler(self, command)
        except (SessionEnded, ChannelClosed):
            raise
        except CongVuError as error:
            await self._check_selected(error)
            reply = error_reply(error)
        except Exception:
            log.exception("IMAP command %s failed", type(command).__name__)
            reply = SERVER_BUG
        if self.session.selected is not None and not self.closing:
            # What other sessions changed; a failure here must not turn the command's own answer into NO.
            try:
                await self.sync(expunges=entry.allows_expunge(command))
            except CongVuError:
                log.warning("could not report changes in the selected folder", exc_info=True)
        return reply

    async def _finish_command(self, tag: str, reply: Reply | None) -> None:
        if reply is not None:
            self.write(reply.line(tag, utf8=self.utf8))
            if reply.status == "BAD":
                await self._count_bad()
            else:
                self.bad_in_a_row = 0
        await self._resume_reader()
        await self.flush()

    async def _resume_reader(self) -> None:
        if self.reader.paused and not self.closing:
            self.queue.extend(self.reader.resume())

    # -- the selected folder
    async def sync(self, *, expunges: bool, force: bool = False) -> None:
        """Tell the client what changed in the selected folder since it last heard (RFC 9051 §7.4, §7.5)."""
        session = self.session
        folder = session.selected
        if folder is None:
            return
        subscription = folder.subscription
        if subscription is not None:
            overflowed = subscription.overflowed
            events = subscription.drain()
            if overflowed or any(not folder.is_echo(event) for event in events):
                folder.dirty = True
            if any(e.kind is MailboxEventKind.DELETED for e in events):
                folder.lost = True
        if folder.lost:
            raise self.folder_lost()
        if not expunges or not (folder.dirty or (force and self._poll_due(folder))):
            return
        folder.dirty = False
        folder.polled_at = time.monotonic()
        store = self.server.store
        account, folder_id, modseq = session.account_id, folder.folder.id, folder.modseq
        try:
            changes = await store.read(lambda s: s.changes_since(account, folder_id, modseq), rows=folder.count)
        except (NotFound, PermissionDenied):
            raise self.folder_lost() from None
        result = folder.apply(changes, rev1=not session.rev2, condstore=session.condstore, qresync=session.qresync)
        for line in result.lines:
            self.write(line)
        if result.new_uids and not session.rev2:
            if not folder.read_only:
                first_recent = await store.claim_recent(session.account_id, folder.folder.id)
                folder.recent.update(uid for uid in result.new_uids if uid >= first_recent)
            self.write(response.recent(len(folder.recent)))

    def _poll_due(self, folder: SelectedFolder) -> bool:
        """NOOP, CHECK and IDLE ask the store even without a change event: always on an agency mailbox (rights
        may have been withdrawn), else when the last look is older than :attr:`ImapLimits.poll_interval_s`
        (events are hints, so a lost one only delays an update)."""
        return folder.folder.shared or time.monotonic() - folder.polled_at >= self.server.limits.poll_interval_s

    def folder_lost(self) -> SessionEnded:
        folder = self.session.selected
        path = folder.folder.path if folder is not None else ""
        return SessionEnded(Text(f"Hộp thư {path} đã bị xoá hoặc bạn không còn quyền truy cập",
                                 f"Mailbox {path} was deleted or you no longer have access to it"))

    async def _check_selected(self, error: CongVuError) -> None:
        """After NotFound/PermissionDenied: end the session if the selected folder itself is gone."""
        folder = self.session.selected
        if folder is None or not isinstance(error, NotFound | PermissionDenied):
            return
        account, folder_id = self.session.account_id, folder.folder.id
        try:
            info = await self.server.store.read(lambda s: s.get_folder(account, folder_id))
        except (NotFound, PermissionDenied):
            raise self.folder_lost() from None
        if "r" not in info.rights:
            raise self.folder_lost()

    # -- usage and teardown
    def record_login(self) -> None:
        session = self.session
        if session.user is None or session.login_recorded:
            return
        session.login_recorded = True
        detail: dict[str, str | int | bool | None] = {"mechanism": session.user.mechanism, "tls": self.secure}
        for key, value in session.client_id or ():
            if key.lower() in ("name", "version", "os", "vendor") and value:
                detail[f"client_{key.lower()}"] = value[:100]
        self.server.record_usage(UsageKind.LOGIN, session.account_id, detail)

    async def end(self, error: SessionEnded) -> None:
        self.write(response.untagged("BYE", error.text.render(utf8=self.utf8)))
        self.closing = True

    async def _finish(self) -> None:
        session = self.session
        self.record_login()
        folder = session.unselect()
        if folder is not None:
            folder.close()
        if session.user is not None:
            self.server.counter.sign_out(session.user.account_id)
            self.server.sessions.discard(session.user.account_id, self)
        session.state = State.LOGOUT
        await self.channel.close()
