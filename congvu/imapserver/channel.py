"""The byte channel of one IMAP connection: an asyncio protocol with flow control both ways, TLS (implicit or
after STARTTLS, through :mod:`congvu.imapserver.tls`) and COMPRESS=DEFLATE.

Reading is pulled: the session asks for bytes when it has finished with the previous ones, and the socket is
paused while more than ``max_buffer_bytes`` wait, so a client that floods the server only fills its own TCP
window. Writing is buffered until :meth:`Channel.flush`, which waits while the transport is over its high-water
mark, and gives up on a client that reads nothing for ``write_timeout_s``.

RFC 9051 §6.2.1: bytes a client pipelines after STARTTLS are discarded, never read as commands after the
handshake. RFC 4978 §4: after COMPRESS both directions are raw DEFLATE (no zlib header) inside TLS, flushed at
the end of each batch of responses; input is inflated in bounded steps so a small compressed bomb cannot exhaust
memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import zlib
from collections.abc import Callable

from congvu.imapserver.tls import TlsSession

MAX_BUFFER_BYTES = 1024 * 1024
INFLATE_STEP_BYTES = 256 * 1024
DEFLATE_LEVEL = 6
WRITE_TIMEOUT_S = 300.0


class ChannelClosed(ConnectionError):
    """The client went away (or broke the TLS layer) while the server was talking to it."""


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class Channel(asyncio.Protocol):
    """One client connection. ``on_connect`` is called with the channel once the transport is ready."""

    def __init__(self, on_connect: Callable[[Channel], None], *, max_buffer_bytes: int = MAX_BUFFER_BYTES,
                 write_timeout_s: float = WRITE_TIMEOUT_S) -> None:
        self._on_connect = on_connect
        self._max_buffer = max_buffer_bytes
        self._write_timeout_s = write_timeout_s
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()  # plaintext (still compressed after COMPRESS)
        self._eof = False
        self._closed = False
        self._reading_paused = False
        self._read_waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._out: list[bytes] = []
        self.pending_bytes = 0
        self._tls: TlsSession | None = None
        self._inflater: zlib._Decompress | None = None
        self._deflater: zlib._Compress | None = None
        self._inflate_tail = b""

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._on_connect(self)

    def data_received(self, data: bytes) -> None:
        tls = self._tls
        if tls is not None:
            tls.feed(data)
            if not tls.established:
                self._wake_reader()  # the handshake is waiting for these bytes
                return
            try:
                data = tls.read()
            except ssl.SSLError:
                self._fail_tls()
                return
            self._send_tls_output()
            if tls.closed_by_peer:
                self._eof = True
        self._buffer += data
        if len(self._buffer) > self._max_buffer and not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake_reader()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._closed = True
        self._wake_reader()
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- facts
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def secure(self) -> bool:
        return self._tls is not None and self._tls.established

    @property
    def compressed(self) -> bool:
        return self._deflater is not None

    def peer_host(self) -> str | None:
        peer = self.transport.get_extra_info("peername") if self.transport is not None else None
        return str(peer[0]) if isinstance(peer, tuple) and peer else None

    # -- reading
    def _wake_reader(self) -> None:
        waiter = self._read_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait_for_input(self, timeout_s: float | None) -> None:
        """Until :meth:`_wake_reader`; ``TimeoutError`` after ``timeout_s``. A timer on the waiter itself rather
        than ``asyncio.wait_for``, which wraps it in another task-like future: this runs once per command."""
        loop = asyncio.get_running_loop()
        waiter = self._read_waiter = loop.create_future()
        timer = loop.call_later(timeout_s, _expire, waiter) if timeout_s is not None else None
        try:
            await waiter
        finally:
            self._read_waiter = None
            if timer is not None:
                timer.cancel()

    async def receive(self, timeout_s: float | None = None) -> bytes:
        """The next bytes from the client; ``b""`` at end of input. Raises ``TimeoutError`` after ``timeout_s``."""
        while True:
            if self._buffer or (self._inflater is not None and self._inflate_tail):
                data = self._take()
                if data:
                    return data
            if self._eof:
                return b""
            await self._wait_for_input(timeout_s)

    def _take(self) -> bytes:
        raw = bytes(self._buffer)
        self._buffer.clear()
        if self._reading_paused and self.transport is not None and not self._closed:
            self._reading_paused = False
            self.transport.resume_reading()
        if self._inflater is None:
            return raw
        try:
            data = self._inflater.decompress(self._inflate_tail + raw, INFLATE_STEP_BYTES)
        except zlib.error:
            # Corrupt compressed input: nothing sensible can follow, treat it as the end of the connection.
            self._eof = True
            return b""
        self._inflate_tail = self._inflater.unconsumed_tail
        return data

    # -- writing
    def write(self, data: bytes) -> None:
        self._out.append(data)
        self.pending_bytes += len(data)

    async def flush(self) -> None:
        if not self._out:
            return
        data = b"".join(self._out)
        self._out.clear()
        self.pending_bytes = 0
        if self._closed or self.transport is None or self.transport.is_closing():
            raise ChannelClosed("client gone")
        if self._tls is not None and not self._tls.established:
            return  # no application data before the handshake is over (a BYE while the server stops, say)
        if self._deflater is not None:
            data = self._deflater.compress(data) + self._deflater.flush(zlib.Z_SYNC_FLUSH)
        if self._tls is not None:
            self._tls.write(data)
            data = self._tls.outgoing()
        self.transport.write(data)
        if self._write_paused and not self._closed:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self._drain_waiter, self._write_timeout_s)
            except TimeoutError:
                # A client that stops reading would otherwise hold its session (and its buffers) forever.
                self.abort()
                raise ChannelClosed("client stopped reading") from None
            finally:
                self._drain_waiter = None
            if self._closed:
                raise ChannelClosed("client gone")

    def _send_tls_output(self) -> None:
        if self._tls is not None and self.transport is not None and not self.transport.is_closing():
            out = self._tls.outgoing()
            if out:
                self.transport.write(out)

    def _fail_tls(self) -> None:
        self._send_tls_output()  # the alert, if OpenSSL produced one
        self._eof = True
        self.abort()

    # -- upgrades
    async def start_tls(self, context: ssl.SSLContext, *, timeout_s: float, already_read: bytes = b"") -> None:
        """Run the server side of the TLS handshake; plaintext received before it is dropped (RFC 9051 §6.2.1).
        ``already_read``: the start of the handshake, read ahead with a load balancer's PROXY header.

        Raises :class:`ChannelClosed` when the handshake fails or takes longer than ``timeout_s``."""
        self._buffer.clear()
        tls = self._tls = TlsSession(context)
        if already_read:
            tls.feed(already_read)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            try:
                done = tls.handshake()
            except ssl.SSLError as error:
                self._fail_tls()
                raise ChannelClosed(f"TLS handshake failed: {error.reason or error}") from None
            self._send_tls_output()
            if done:
                break
            if self._eof:
                raise ChannelClosed("client left during the TLS handshake")
            try:
                await self._wait_for_input(deadline - loop.time())
            except TimeoutError:
                self.abort()
                raise ChannelClosed("TLS handshake timed out") from None
        # Application data may have arrived with the client's last handshake flight (TLS 1.3).
        self.data_received(b"")

    def unread(self, data: bytes) -> None:
        """Put ``data`` back before what is still to be read (bytes read ahead with a PROXY header)."""
        self._buffer[:0] = data

    def start_compression(self, already_read: bytes) -> None:
        """Turn on DEFLATE both ways (RFC 4978); ``already_read`` holds compressed bytes read ahead."""
        self._inflater = zlib.decompressobj(-15)
        self._deflater = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        self._buffer[:0] = already_read

    # -- closing
    async def close(self) -> None:
        with contextlib.suppress(ChannelClosed):
            await self.flush()
        if self._tls is not None and self._tls.established and not self._closed:
            self._tls.close()
            self._send_tls_output()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
