"""One SMTP connection: the aiosmtpd engine with CôngVụ's wire behaviour.

The engine (aiosmtpd) parses commands, runs STARTTLS and keeps the session/transaction split; this subclass
changes what the standards and the province's operation need:

- admission: connection limits are applied before the greeting (421 4.7.0 and close);
- EHLO announces PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS until TLS is on, and on the
  submission ports AUTH PLAIN LOGIN only under TLS (RFC 3207 §4, RFC 4954 §4, RFC 8314);
- every reply carries an enhanced status code (RFC 2034), the engine's fixed wording replaced by ours;
- AUTH goes to the sign-in service on a thread (the password hash must not stall the loop), through the shared
  sign-in throttle, with a per-connection cap on failures;
- DATA is read by :mod:`congvu.smtpserver.datareader` and committed by the handler shielded from cancellation,
  so a message whose delivery began is finished even if the client or the server goes away.

The ``smtp_*`` method names and ``_handle_client`` are the engine's extension points (aiosmtpd 1.4).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, AnyStr, cast

from aiosmtpd.smtp import MISSING, SMTP, Session, TLSSetupException, syntax

from congvu.access.models import SignInOutcome
from congvu.delivery.dsnparams import MAIL_KEYWORDS, RCPT_KEYWORDS
from congvu.runtime.proxy_header import ProxyHeaderError, comes_through, read_header
from congvu.smtpserver import replies, sasl
from congvu.smtpserver.datareader import MAX_LINE_OCTETS, read_data
from congvu.smtpserver.replies import Reply, with_enhanced_code
from congvu.smtpserver.runtime import ListenerRuntime
from congvu.smtpserver.state import AuthenticatedUser, SmtpSession, Transaction

log = logging.getLogger("congvu.smtp")

IDENT = "ESMTP CongVu"
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# <dot-atom@hostname> (RFC 5321 §4.1.2) followed by parameters or nothing: the common path, parsed here exactly as
# the engine's RFC 5322 parser would (which costs far more); anything else goes to that parser.
_PLAIN_PATH = re.compile(rf"<({_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*)>[ \t]*(?=[^ \t(]|\Z)")
_PARAMETER = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*)(?:=\S*)?")  # esmtp-param (RFC 5321 §4.1.2)


def take_parameters(arg: str, keywords: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """Split the parameters named in ``keywords`` off the end of a MAIL or RCPT argument, as the client wrote
    them: the engine upper-cases every parameter, and ENVID and ORCPT values are case-sensitive (RFC 3461)."""
    words = arg.split()
    taken: list[str] = []
    kept: list[str] = []
    while len(words) > 1:
        word = words[-1]
        match = _PARAMETER.fullmatch(word)
        if match is None:
            break
        (taken if match.group(1).upper() in keywords else kept).append(word)
        words.pop()
    if not taken:
        return arg, ()
    return " ".join(words + kept[::-1]), tuple(taken[::-1])


class SmtpConnection(SMTP):
    line_length_limit = MAX_LINE_OCTETS + 2  # the stream's limit; command lines are held to far less below

    def __init__(self, runtime: ListenerRuntime) -> None:
        self.runtime = runtime
        kind = runtime.kind
        super().__init__(
            runtime.handler, data_size_limit=runtime.limits.max_message_bytes, enable_SMTPUTF8=True,
            decode_data=False, hostname=runtime.hostname, ident=IDENT,
            tls_context=runtime.tls_context if not runtime.implicit_tls else None,
            require_starttls=kind.submission and not runtime.implicit_tls,
            timeout=runtime.limits.idle_timeout_s, auth_required=kind.submission, auth_require_tls=True)
        # RFC 5321 §4.5.3.1.4: 512 octets per command line; more for MAIL/RCPT parameters and for AUTH's initial
        # response (RFC 4954 §4). An instance dict: the engine's is shared by every connection.
        self.command_size_limits = defaultdict(lambda: 512, {"MAIL": 1024, "RCPT": 1024, "AUTH": 12288})
        self._greeted = False
        self._admitted = False
        self._receiving = False
        self._closing = False
        self._commit: asyncio.Task[Reply] | None = None
        self._auth_failures = 0
        self._signed_in: int | None = None  # the account counted in the per-account session limit
        self.dsn_parameters: tuple[str, ...] = ()  # RFC 3461 parameters of the MAIL or RCPT being handled

    # -- engine hooks -------------------------------------------------------------------------------------------

    def _create_session(self) -> Session:
        return SmtpSession(self.loop)

    def _create_envelope(self) -> Transaction:
        return Transaction()

    # Plain casts, not checks: the engine's constructor inspects every attribute before a session exists.
    @property
    def txn(self) -> Transaction:
        return cast(Transaction, self.envelope)

    @property
    def smtp_session(self) -> SmtpSession:
        return cast(SmtpSession, self.session)

    @property
    def encrypted(self) -> bool:
        return self.runtime.implicit_tls or self._tls_protocol is not None

    @property
    def peer_ip(self) -> str | None:
        peer = self.session.peer if self.session is not None else None
        return str(peer[0]) if isinstance(peer, tuple) and peer else None

    def tls_description(self) -> str | None:
        if not self.encrypted or self.transport is None:
            return None
        ssl_object = self.transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return "TLS"
        cipher = ssl_object.cipher()
        return f"{ssl_object.version()} {cipher[0] if cipher else ''}".strip()

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        plain = _PLAIN_PATH.match(arg)
        if plain is not None and not self.local_part_limit:
            return plain.group(1), arg[plain.end():]
        try:
            return super()._getaddr(arg)
        except (IndexError, ValueError):  # the stdlib address parser fails this way on some malformed input
            return None, None

    def _getparams(self, params: Any) -> Any:
        found = super()._getparams(params)
        if found is not None:
            # RFC 4954 §5: AUTH=<mailbox> on MAIL may be sent by clients that signed in; it carries nothing we use.
            found.pop("AUTH", None)
        return found

    def connection_lost(self, error: Exception | None) -> None:
        if self._admitted:
            self._admitted = False
            self.runtime.gate.release(self.peer_ip)
        if self._signed_in is not None:
            self.runtime.state.sessions.release(self._signed_in)
            self._signed_in = None
        self.runtime.connections.discard(self)
        super().connection_lost(error)

    async def _handle_client(self) -> None:
        if comes_through(self.peer_ip, self.runtime.state.proxy_from) and not self.runtime.implicit_tls:
            # A trusted load balancer: the client's own address comes first, in a PROXY header.
            try:
                header = await read_header(self._reader)
            except ProxyHeaderError as error:
                log.warning("connection from load balancer %s dropped: %s", self.peer_ip, error)
                self.close_now()
                return
            if header.source is not None:
                self.session.peer = header.source
        refusal = self.runtime.admit(self.peer_ip)
        if refusal is not None:
            await self.push(str(refusal))
            self.close_now()
            return
        self._admitted = True
        self.runtime.connections.add(self)
        await super()._handle_client()

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str) and self._greeted:
            status = with_enhanced_code(status)
        self._greeted = True
        await super().push(status)

    async def _push_plain(self, *lines: str) -> None:
        """Replies without enhanced codes: those to HELO and EHLO (RFC 2034 §3)."""
        self._greeted = True
        for line in lines:
            await super().push(line)

    async def reply(self, reply: Reply) -> None:
        await self.push(str(reply))
        if reply.close or self._closing:
            if not reply.close:
                await self.push(str(replies.SHUTTING_DOWN))
            self.close_now()

    def _timeout_cb(self) -> None:
        """RFC 5321 section 4.5.3.2: a server may drop an idle client; it says so first (421 4.4.2). A message
        being committed is not idle: its reply is still to come."""
        if self._commit is not None:
            self._reset_timeout()
            return
        if self.transport is not None and not self.transport.is_closing():
            self._writer.write(b"421 4.4.2 Idle for too long; closing the connection\r\n")
        super()._timeout_cb()  # type: ignore[no-untyped-call]

    def _reset_transaction(self) -> None:
        self.envelope = self._create_envelope()

    def close_now(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort_now(self) -> None:
        if isinstance(self.transport, asyncio.WriteTransport):
            self.transport.abort()

    async def check_auth_needed(self, caller_method: str) -> bool:
        if self._auth_required and not self.smtp_session.authenticated:
            await self.reply(replies.AUTH_REQUIRED)
            return True
        return False

    async def handle_exception(self, error: Exception) -> str:
        if isinstance(error, TLSSetupException):  # a client that gave up on the handshake: the engine drops it
            log.info("TLS handshake with %s failed: %r", self.peer_ip, error.__cause__)
        else:
            log.exception("SMTP session error from %s", self.peer_ip, exc_info=error)
        return str(replies.LOCAL_ERROR)

    # -- greeting commands --------------------------------------------------------------------------------------

    async def smtp_HELO(self, hostname: str | None) -> None:
        if not hostname:
            await self.push("501 5.5.4 Syntax: HELO hostname")
            return
        self._reset_transaction()
        session = self.smtp_session
        session.extended_smtp = False
        session.host_name = hostname
        await self._push_plain(f"250 {self.hostname}")

    async def smtp_EHLO(self, hostname: str | None) -> None:
        if not hostname:
            await self.push("501 5.5.4 Syntax: EHLO hostname")
            return
        self._reset_transaction()
        session = self.smtp_session
        session.extended_smtp = True
        session.host_name = hostname
        lines = [self.hostname, "PIPELINING", f"SIZE {self.data_size_limit}", "8BITMIME", "SMTPUTF8",
                 "ENHANCEDSTATUSCODES", "DSN"]
        if self.tls_context is not None and not self.encrypted:
            lines.append("STARTTLS")
        if self.runtime.kind.submission and self.encrypted and not session.authenticated:
            lines.append("AUTH " + " ".join(sasl.MECHANISMS))
        await self._push_plain(*(f"250-{line}" for line in lines[:-1]), f"250 {lines[-1]}")

    async def smtp_STARTTLS(self, arg: str | None) -> None:
        if self.encrypted:
            await self.push("503 5.5.1 TLS is already active")
            return
        await super().smtp_STARTTLS(arg)

    # -- MAIL and RCPT: RFC 3461 parameters taken aside (checked by the handler) ----------------------------------

    @syntax("MAIL FROM: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_MAIL(self, arg: str | None) -> None:
        arg, self.dsn_parameters = self._dsn_split(arg, MAIL_KEYWORDS)
        await super().smtp_MAIL(arg)

    @syntax("RCPT TO: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_RCPT(self, arg: str | None) -> None:
        arg, self.dsn_parameters = self._dsn_split(arg, RCPT_KEYWORDS)
        await super().smtp_RCPT(arg)

    def _dsn_split(self, arg: str | None, keywords: frozenset[str]) -> tuple[str | None, tuple[str, ...]]:
        if arg is None or self.session is None or not self.session.extended_smtp:
            return arg, ()  # after HELO any parameter is a syntax error, which the engine reports
        return take_parameters(arg, keywords)

    # -- AUTH (RFC 4954) ----------------------------------------------------------------------------------------

    async def smtp_AUTH(self, arg: str | None) -> None:
        session = self.smtp_session
        refusal = self._auth_refusal(session)
        if refusal is not None:
            await self.reply(refusal)
            return
        try:
            command = sasl.parse_command(arg)
        except sasl.SaslError:
            await self.reply(replies.AUTH_SYNTAX)
            return
        if command.mechanism not in sasl.MECHANISMS:
            await self.reply(replies.AUTH_MECHANISM)
            return
        try:
            credentials = await self._credentials(command)
        except sasl.SaslError:
            await self.reply(replies.AUTH_SYNTAX)
            return
        if credentials is None:  # the client cancelled with "*"; the engine replied
            return
        await self.reply(await self._sign_in(session, credentials))

    def _auth_refusal(self, session: SmtpSession) -> Reply | None:
        if not self.runtime.kind.submission:
            return replies.AUTH_NOT_HERE
        if not session.host_name or not session.extended_smtp:
            return Reply(503, "5.5.1", "Send EHLO first")
        if not self.encrypted:
            return replies.ENCRYPTION_REQUIRED
        if session.authenticated:
            return replies.AUTH_TWICE
        if self.txn.mail_from:
            return replies.AUTH_IN_TRANSACTION
        return None

    async def _challenge(self, prompt: str) -> bytes | None:
        answer = await self.challenge_auth(prompt, encode_to_b64=True)
        return None if answer is MISSING else answer

    async def _credentials(self, command: sasl.AuthCommand) -> sasl.Credentials | None:
        if command.mechanism == "PLAIN":
            blob = command.initial if command.initial is not None else await self._challenge("")
            return None if blob is None else sasl.decode_plain(blob)
        login_blob = command.initial if command.initial is not None else \
            await self._challenge(sasl.LOGIN_USERNAME_CHALLENGE)
        if login_blob is None:
            return None
        login = sasl.login_value(login_blob)
        password_blob = await self._challenge(sasl.LOGIN_PASSWORD_CHALLENGE)
        if password_blob is None:
            return None
        return sasl.Credentials(login=login, password=sasl.login_value(password_blob))

    async def _sign_in(self, session: SmtpSession, credentials: sasl.Credentials) -> Reply:
        if credentials.authzid and credentials.authzid.strip().lower() != credentials.login.strip().lower():
            return replies.AUTH_AUTHZID
        signin = self.runtime.services.signin
        result = await asyncio.to_thread(signin.mail_client, credentials.login, credentials.password,
                                         ip=self.peer_ip, protocol="smtp")
        if result.outcome == SignInOutcome.OK and result.account is not None:
            busy = self.runtime.state.sessions.claim(result.account.id)
            if busy is not None:
                return busy
            self._signed_in = result.account.id
            session.authenticated = True
            session.user = AuthenticatedUser(result.account.id, result.account.address)
            return replies.AUTH_OK
        if result.outcome == SignInOutcome.THROTTLED:
            return replies.auth_throttled(result.retry_after_s)
        self._auth_failures += 1
        if self._auth_failures >= self.runtime.limits.max_auth_failures_per_connection:
            return replies.AUTH_TOO_MANY
        return replies.AUTH_INVALID

    # -- DATA (RFC 5321 §4.1.1.4) -------------------------------------------------------------------------------

    async def smtp_DATA(self, arg: str | None) -> None:
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        txn = self.txn
        if arg:
            await self.push("501 5.5.4 Syntax: DATA takes no parameters")
            return
        if not txn.mail_from:
            await self.push("503 5.5.1 Send MAIL FROM first")
            return
        if not txn.accepted:
            await self.push("554 5.5.1 No valid recipients")  # RFC 5321 §3.3
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        self._receiving = True
        try:
            outcome = await read_data(self._reader, max_bytes=self.runtime.limits.max_message_bytes,
                                      on_progress=self._reset_timeout)
        finally:
            self._receiving = False
        if outcome.refusal is not None:
            self.runtime.handler.refused_data(self, txn, outcome.refusal)
            self._reset_transaction()
            await self.reply(outcome.refusal)
            return
        try:
            reply = await self._run_commit(self.runtime.handler.complete(self, txn, outcome.raw))
        finally:
            self._reset_transaction()
        await self.reply(reply)

    async def _run_commit(self, commit: Awaitable[Reply]) -> Reply:
        """Run the delivery shielded: once begun it completes (durably) even if this connection is cancelled."""
        task: asyncio.Task[Reply] = asyncio.ensure_future(commit)
        self._commit = task
        self.runtime.commits.add(task)
        task.add_done_callback(self.runtime.commits.discard)
        try:
            return await asyncio.shield(task)
        finally:
            self._commit = None

    # -- shutdown -----------------------------------------------------------------------------------------------

    def request_shutdown(self) -> None:
        """Stop this connection: at once if idle or still receiving DATA (nothing is delivered then), after its
        reply if a message is being committed."""
        self._closing = True
        if self._commit is not None:
            return
        if self.transport is not None and not self._receiving and not self.transport.is_closing():
            self._writer.write(str(replies.SHUTTING_DOWN).encode("ascii") + b"\r\n")
        self.close_now()


ConnectionFactory = Callable[[], SmtpConnection]
