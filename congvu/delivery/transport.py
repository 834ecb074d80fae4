"""One SMTP transaction to a remote server with aiosmtplib: the client side of RFC 5321.

For each target host in turn (MX order, RFC 5321 §5.1) the client connects, says EHLO with our host name,
upgrades with STARTTLS when offered (RFC 3207) and then sends MAIL FROM, one RCPT TO per recipient and DATA.
A host that cannot be reached, or refuses us before MAIL FROM, passes the turn to the next one; once MAIL FROM
is answered the replies are final for this attempt.

TLS is opportunistic (RFC 7435) unless the domain's MTA-STS policy is ``enforce`` (RFC 8461 §5): then the
certificate must be valid for the MX name and a host without STARTTLS is skipped. In opportunistic mode a host
whose TLS handshake fails is retried once in clear text.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aiosmtplib

from congvu.delivery.dsnparams import NO_REQUEST, NOT_SAID, DsnEnvelope, DsnRecipient
from congvu.delivery.routing import Target
from congvu.mail.fields import split_header

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})\b")


@dataclass(frozen=True)
class Reply:
    code: int
    text: str
    enhanced: str | None = None

    @classmethod
    def of(cls, code: int, message: str) -> Reply:
        text = " ".join(message.split())
        match = _ENHANCED.match(text)
        return cls(code, text, match.group(0) if match else None)

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    @property
    def success(self) -> bool:
        return 200 <= self.code < 300


@dataclass(frozen=True)
class TransactionResult:
    """Per recipient, the reply that decided its fate (RCPT refusal or the reply to the data)."""

    host: str  # the server's name (DSN Remote-MTA)
    address: str  # where we connected, for logs
    tls: bool
    replies: dict[str, Reply] = field(default_factory=dict)
    dsn: bool = False  # the server offered DSN: the sender's RFC 3461 request went on with the message


class HostsUnavailable(Exception):
    """No target host could take the transaction; ``reason`` says why the last one failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _NextHost(Exception):
    pass


@dataclass(frozen=True)
class TlsPolicy:
    required: bool = False  # MTA-STS enforce: a valid certificate for the MX name, or no delivery
    allowed_hosts: tuple[str, ...] = ()  # MTA-STS "mx" patterns (empty: any)


def _opportunistic_context() -> ssl.SSLContext:
    # Without MTA-STS or DANE the MX name is not authenticated, so checking the certificate would only make
    # delivery fail over to clear text (RFC 7435 §1.3).
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def mx_matches(host: str, patterns: Sequence[str]) -> bool:
    """RFC 8461 §4.1: ``mx`` patterns with a leading ``*.`` match one label."""
    if not patterns:
        return True
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            head, dot, rest = host.partition(".")
            if dot and head and rest == pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


class SmtpClient:
    def __init__(self, *, helo: str, connect_timeout_s: float = 30.0, command_timeout_s: float = 300.0,
                 verified_context: ssl.SSLContext | None = None) -> None:
        self.helo = helo
        self.connect_timeout_s = connect_timeout_s
        self.command_timeout_s = command_timeout_s
        self.verified_context = verified_context or ssl.create_default_context()

    async def send(self, targets: Sequence[Target], *, mail_from: str, recipients: Sequence[str], data: bytes,
                   tls: TlsPolicy | None = None, dsn: DsnEnvelope = NO_REQUEST,
                   recipient_dsn: Mapping[str, DsnRecipient] | None = None) -> TransactionResult:
        """``dsn`` and ``recipient_dsn`` (the sender's RFC 3461 request) go on to a server that offers DSN
        (RFC 3461 §6.2.1: a relaying MTA passes NOTIFY, ORCPT, RET and ENVID along)."""
        policy = tls or TlsPolicy()
        request = _Request(dsn, dict(recipient_dsn or {}))
        last = "không có máy chủ nhận thư"
        for target in targets:
            if policy.required and not mx_matches(target.name, policy.allowed_hosts):
                last = f"{target.name} không có trong chính sách MTA-STS"
                continue
            attempts = (True, False) if not policy.required else (True,)
            for use_tls in attempts:
                try:
                    return await self._transaction(target, use_tls=use_tls, required=policy.required,
                                                   mail_from=mail_from, recipients=recipients, data=data,
                                                   request=request)
                except _TlsFailed as exc:
                    last = f"{target}: TLS thất bại: {exc}"
                    continue
                except _NextHost as exc:
                    last = f"{target}: {exc}"
                    break
        raise HostsUnavailable(last)

    async def _transaction(self, target: Target, *, use_tls: bool, required: bool, mail_from: str,
                           recipients: Sequence[str], data: bytes, request: _Request) -> TransactionResult:
        client = aiosmtplib.SMTP(hostname=target.address, port=target.port, local_hostname=self.helo,
                                 timeout=self.command_timeout_s, start_tls=False, validate_certs=False)
        try:
            try:
                await client.connect(timeout=self.connect_timeout_s)
                try:
                    await client.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await client.helo()  # RFC 5321 §3.2: fall back to HELO when EHLO is not understood
            except aiosmtplib.SMTPException as exc:
                raise _NextHost(str(exc)) from exc
            except OSError as exc:
                raise _NextHost(str(exc)) from exc
            secured = False
            if use_tls and client.supports_extension("starttls"):
                context = self.verified_context if required else _opportunistic_context()
                try:
                    await client.starttls(server_hostname=target.name, tls_context=context)
                    await client.ehlo()
                except (aiosmtplib.SMTPException, ssl.SSLError, OSError) as exc:
                    raise _TlsFailed(str(exc)) from exc
                secured = True
            elif required:
                raise _NextHost("máy chủ không hỗ trợ STARTTLS mà chính sách MTA-STS bắt buộc")
            return await self._envelope(client, target, secured, mail_from, recipients, data, request)
        finally:
            if client.is_connected:
                try:
                    await client.quit(timeout=10)
                except (aiosmtplib.SMTPException, OSError):
                    client.close()

    async def _envelope(self, client: aiosmtplib.SMTP, target: Target, secured: bool, mail_from: str,
                        recipients: Sequence[str], data: bytes, request: _Request) -> TransactionResult:
        options: list[str] = []
        dsn = client.supports_extension("dsn")
        needs_utf8 = not mail_from.isascii() or not all(r.isascii() for r in recipients)
        if needs_utf8:
            if not client.supports_extension("smtputf8"):
                refusal = Reply(553, "5.6.7 máy chủ nhận không hỗ trợ địa chỉ Unicode (SMTPUTF8)", "5.6.7")
                return TransactionResult(target.name, str(target), secured, {r: refusal for r in recipients})
            options.append("SMTPUTF8")
        elif client.supports_extension("smtputf8") and not data[:split_header(data).end].isascii():
            # UTF-8 in the header fields (RFC 6532: a Vietnamese Subject or display name written as is) makes
            # an internationalized message, announced as such (RFC 6531 §3.4). A server without SMTPUTF8 still
            # gets it, as before: refusing would lose mail that such servers take in practice.
            options.append("SMTPUTF8")
        if client.supports_extension("size"):
            limit = client.esmtp_extensions.get("size", "")
            if limit.isdigit() and int(limit) and len(data) > int(limit):
                refusal = Reply(552, f"5.3.4 thư {len(data)} byte vượt giới hạn {limit} byte của máy nhận", "5.3.4")
                return TransactionResult(target.name, str(target), secured, {r: refusal for r in recipients})
            options.append(f"SIZE={len(data)}")
        if client.supports_extension("8bitmime") and not data.isascii():
            options.append("BODY=8BITMIME")
        if dsn:
            options.extend(request.envelope.mail_options())
        encoding = "utf-8" if needs_utf8 else "ascii"
        try:
            await client.mail(mail_from, options=options, encoding=encoding)
        except aiosmtplib.SMTPResponseException as exc:
            reply = Reply.of(exc.code, exc.message)
            return TransactionResult(target.name, str(target), secured, {r: reply for r in recipients})
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise _NextHost(str(exc)) from exc
        replies: dict[str, Reply] = {}
        accepted: list[str] = []
        for recipient in recipients:
            try:
                extra = request.recipients.get(recipient, NOT_SAID).rcpt_options() if dsn else []
                await client.rcpt(recipient, options=extra, encoding=encoding)
                accepted.append(recipient)
            except aiosmtplib.SMTPRecipientRefused as exc:
                replies[recipient] = Reply.of(exc.code, exc.message)
            except aiosmtplib.SMTPResponseException as exc:
                replies[recipient] = Reply.of(exc.code, exc.message)
        if not accepted:
            return TransactionResult(target.name, str(target), secured, replies, dsn)
        try:
            response = await client.data(data)
            final = Reply.of(response.code, response.message)
        except aiosmtplib.SMTPResponseException as exc:
            final = Reply.of(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The connection dropped after DATA started: the server may or may not have the message; retrying
            # risks a duplicate, which RFC 5321 §6.1 prefers to a loss.
            final = Reply(451, f"4.4.2 mất kết nối trong khi gửi dữ liệu: {exc}", "4.4.2")
        for recipient in accepted:
            replies[recipient] = final
        return TransactionResult(target.name, str(target), secured, replies, dsn)


class _TlsFailed(Exception):
    pass


@dataclass(frozen=True)
class _Request:
    envelope: DsnEnvelope
    recipients: dict[str, DsnRecipient]


__all__ = ["HostsUnavailable", "Reply", "SmtpClient", "TlsPolicy", "TransactionResult", "mx_matches"]
