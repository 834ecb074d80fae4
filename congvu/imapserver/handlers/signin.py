"""Commands of the not-authenticated state: STARTTLS (RFC 9051 §6.2.1), LOGIN (§6.2.3) and AUTHENTICATE
(§6.2.2) with PLAIN (RFC 4616), LOGIN and SASL-IR (RFC 4959).

Passwords are only accepted over TLS (LOGINDISABLED before STARTTLS, RFC 8314 §4). The check is the one every
mail client goes through (:meth:`congvu.access.signin.SignInService.mail_client`: the throttle shared with SMTP
submission and the web, app passwords when two-step sign-in is on); a failure is answered after a short delay,
with the same text whether the address exists or not.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING

from congvu.access.models import SignInOutcome
from congvu.imap import response
from congvu.imap.commands import Authenticate, Login, StartTls
from congvu.imap.sasl import SaslCancelled, SaslChallenge, SaslError, SaslExchange, decode_response
from congvu.imapserver.channel import ChannelClosed
from congvu.imapserver.replies import Reply, bad, no, ok
from congvu.imapserver.session import SignedIn

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

PLAINTEXT_REFUSED = no("Cần bật TLS (STARTTLS) trước khi gửi mật khẩu",
                       "Enable TLS (STARTTLS) before sending a password", response.PRIVACYREQUIRED)


async def starttls(conn: ImapConnection, command: StartTls) -> Reply | None:
    if conn.secure:
        return bad("Kết nối đã dùng TLS", "TLS is already active")
    context = conn.server.tls
    if context is None:
        return no("Máy chủ chưa có chứng chỉ TLS", "TLS is not configured on this server")
    conn.write(ok("Bắt đầu thương lượng TLS", "Begin TLS negotiation now").line(command.tag, utf8=conn.utf8))
    await conn.flush()
    conn.reader.take_pending()  # RFC 9051 §6.2.1: anything pipelined after STARTTLS is discarded
    try:
        await conn.channel.start_tls(context, timeout_s=conn.server.limits.tls_handshake_timeout_s)
    except (ssl.SSLError, TimeoutError, ConnectionError, OSError) as error:
        raise ChannelClosed(f"TLS handshake failed: {error}") from None
    return None


async def login(conn: ImapConnection, command: Login) -> Reply:
    if not conn.secure:
        return PLAINTEXT_REFUSED
    return await sign_in(conn, command.username, command.password, "LOGIN")


async def authenticate(conn: ImapConnection, command: Authenticate) -> Reply | None:
    if not conn.secure:
        return PLAINTEXT_REFUSED
    try:
        exchange = SaslExchange(command.mechanism)
    except SaslError as error:
        return no(error.message, error.message_en, response.CANNOT)
    try:
        step = exchange.start(command.initial_response)
        while isinstance(step, SaslChallenge):
            conn.write(step.line())
            await conn.flush()
            line = await conn.read_continuation()
            if line is None:
                conn.closing = True
                return None
            step = exchange.respond(decode_response(line))
    except SaslCancelled as cancelled:
        return bad(cancelled.message, cancelled.message_en)  # RFC 9051 §6.2.2
    except SaslError as error:
        return bad(error.message, error.message_en)
    if step.authzid and step.authzid.strip().lower() != step.username.strip().lower():
        # Acting as another account is not offered: an agency mailbox is reached through Shared/ instead.
        return no("Không được đăng nhập thay người khác", "Proxy authorization is not permitted",
                  response.AUTHORIZATIONFAILED)
    return await sign_in(conn, step.username, step.password, exchange.mechanism)


async def sign_in(conn: ImapConnection, username: str, password: str, mechanism: str) -> Reply:
    server = conn.server
    result = await server.sign_in(username, password, conn.peer)
    if result.outcome is SignInOutcome.THROTTLED:
        return no(f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {result.retry_after_s} giây",
                  f"Too many failed sign-ins; try again in {result.retry_after_s} seconds", response.UNAVAILABLE)
    account = result.account
    if result.outcome is not SignInOutcome.OK or account is None:
        await asyncio.sleep(server.limits.auth_failure_delay_s)
        return no("Sai địa chỉ thư hoặc mật khẩu (nếu đã bật xác thực hai bước, hãy dùng mật khẩu ứng dụng)",
                  "Invalid address or password (with two-step sign-in, use an app password)",
                  response.AUTHENTICATIONFAILED)
    if not server.counter.sign_in(account.id):
        return no("Tài khoản đang có quá nhiều kết nối IMAP", "Too many IMAP connections for this account",
                  response.LIMIT)
    conn.session.sign_in(SignedIn(account.id, account.address, mechanism))
    server.sessions.add(account.id, conn)
    conn.reader.max_literal_bytes = server.limits.max_message_bytes
    await server.store.ensure_default_folders(account.id)
    return ok("Đăng nhập thành công", "Logged in", response.capability_code(conn.capabilities()))
