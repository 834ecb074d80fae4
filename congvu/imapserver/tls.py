"""Server-side TLS for one connection over memory BIOs (RFC 8314 implicit TLS, RFC 9051 §6.2.1 STARTTLS).

The channel feeds the ciphertext it receives and sends what :meth:`TlsSession.outgoing` returns; this module
only drives OpenSSL. Doing it here rather than through asyncio's TLS transport keeps an idle connection small
(asyncio reserves a 256 KiB read buffer per TLS connection; an IMAP client in IDLE keeps its connection for
hours) and makes STARTTLS a plain switch: every byte after it is ciphertext.
"""

from __future__ import annotations

import contextlib
import ssl

READ_CHUNK_BYTES = 16 * 1024  # one TLS record at most


class TlsSession:
    def __init__(self, context: ssl.SSLContext) -> None:
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._object = context.wrap_bio(self._incoming, self._outgoing, server_side=True)
        self.established = False
        self.closed_by_peer = False  # close_notify received

    def feed(self, ciphertext: bytes) -> None:
        self._incoming.write(ciphertext)

    def handshake(self) -> bool:
        """Advance the handshake with what was fed; True once it is complete. Raises :class:`ssl.SSLError`."""
        if self.established:
            return True
        try:
            self._object.do_handshake()
        except ssl.SSLWantReadError:
            return False
        self.established = True
        return True

    def read(self) -> bytes:
        """All the plaintext the fed ciphertext holds (empty when a record is still incomplete)."""
        chunks: list[bytes] = []
        while True:
            try:
                chunk = self._object.read(READ_CHUNK_BYTES)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:
                self.closed_by_peer = True
                break
            if not chunk:
                self.closed_by_peer = True
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def write(self, plaintext: bytes) -> None:
        view = memoryview(plaintext)
        while view:
            written = self._object.write(view)
            view = view[written:]

    def outgoing(self) -> bytes:
        """Ciphertext to send (handshake messages, records, alerts)."""
        return self._outgoing.read()

    def close(self) -> None:
        """Queue our close_notify (RFC 8446 §6.1); the peer's answer is not awaited."""
        with contextlib.suppress(ssl.SSLError):
            self._object.unwrap()


def server_context(cert: str, key: str) -> ssl.SSLContext:
    """TLS 1.2 or newer (RFC 8996) without renegotiation, which a memory-BIO session cannot serve mid-stream."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_RENEGOTIATION
    context.load_cert_chain(cert, key)
    return context
