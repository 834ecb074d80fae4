"""The SMTP replies of CôngVụ: every refusal with its RFC 5321 code, its RFC 3463 enhanced status code and a text
that says why.

Replies are ASCII English on the wire (RFC 5321 §4.2; UTF-8 replies need SMTPUTF8, RFC 6531 §3.7.4). Since
ENHANCEDSTATUSCODES is announced, every reply except the greeting and the replies to HELO/EHLO carries an enhanced
code (RFC 2034 §3); :func:`with_enhanced_code` rewords the fixed replies of the aiosmtpd engine to that form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    code: int
    enhanced: str
    text: str
    close: bool = False  # the server closes the connection after sending it

    def __str__(self) -> str:
        return f"{self.code} {self.enhanced} {self.text}"

    @property
    def positive(self) -> bool:
        return self.code < 400


def _addr(address: str) -> str:
    return "<" + address.encode("ascii", "backslashreplace").decode("ascii") + ">"


# -- positive ---------------------------------------------------------------------------------------------------

def sender_ok(address: str) -> Reply:
    return Reply(250, "2.1.0", f"Sender {_addr(address)} OK")


def recipient_ok(address: str) -> Reply:
    return Reply(250, "2.1.5", f"Recipient {_addr(address)} OK")


def accepted(notes: tuple[str, ...] = ()) -> Reply:
    text = "Message accepted for delivery"
    return Reply(250, "2.0.0", "; ".join((text, *notes)))


def bad_dsn_parameter(reason: str) -> Reply:
    """RFC 3461 §5.3 (a DSN parameter that does not parse): 501 with what is wrong."""
    return Reply(501, "5.5.4", f"Invalid DSN parameter: {reason}")


AUTH_OK = Reply(235, "2.7.0", "Authentication successful")
RESET_OK = Reply(250, "2.0.0", "Reset OK")

# -- recipients (RFC 5321 §3.3, RFC 3463 X.1.x and X.2.x) ------------------------------------------------------

def unknown_recipient(address: str) -> Reply:
    return Reply(550, "5.1.1", f"{_addr(address)}: no such mailbox here")


def disabled_recipient(address: str) -> Reply:
    return Reply(550, "5.2.1", f"{_addr(address)}: this mailbox is disabled and does not accept mail")


def removed_recipient(address: str, moved_to: str | None = None) -> Reply:
    if moved_to:  # RFC 5321 §3.4: "551 User not local; please try <forward-path>"
        return Reply(551, "5.1.6", f"{_addr(address)}: this mailbox has moved; please try <{moved_to}>")
    return Reply(550, "5.1.6", f"{_addr(address)}: this mailbox has been closed (its owner has left); "
                               "no forwarding address")


def relay_denied(address: str) -> Reply:
    return Reply(550, "5.7.1", f"{_addr(address)}: relaying denied; this server accepts mail only for its own "
                               "domains (sign in on the submission port to send elsewhere)")


def too_many_recipients(limit: int) -> Reply:
    return Reply(452, "4.5.3", f"Too many recipients: at most {limit} per message (send the rest in another one)")


def outbound_unavailable(address: str) -> Reply:
    return Reply(550, "5.3.0", f"{_addr(address)}: delivery to outside addresses is not enabled on this server")


def free_mail_recipient_refused(address: str, domain: str) -> Reply:
    return Reply(550, "5.7.1", f"{_addr(address)}: the province's mail policy does not allow official mail to "
                               f"free webmail addresses ({domain})")


# -- senders ----------------------------------------------------------------------------------------------------

def sender_not_owned(address: str) -> Reply:
    return Reply(550, "5.7.1", f"You may not send as {_addr(address)}: use your own address or a mailbox "
                               "delegated to you")


NULL_SENDER_SUBMISSION = Reply(550, "5.7.1", "A null sender <> is not accepted for submission")


def free_mail_sender_refused(domain: str) -> Reply:
    return Reply(550, "5.7.1", f"The province's mail policy does not accept mail from free webmail services "
                               f"({domain}); please write from an official address")


def malformed_address(detail: str) -> Reply:
    return Reply(553, "5.1.3", f"Malformed address: {detail}")


NON_ASCII_ADDRESS = Reply(553, "5.6.7", "Non-ASCII address given without the SMTPUTF8 parameter (RFC 6531)")

# -- message content --------------------------------------------------------------------------------------------

def message_too_big(limit: int) -> Reply:
    return Reply(552, "5.3.4", f"Message too big: at most {limit} octets are accepted")


def line_too_long(limit: int) -> Reply:
    return Reply(554, "5.6.0", f"Message refused: a line is longer than {limit} octets (RFC 5321 section 4.5.3.1.6)")


NUL_IN_CONTENT = Reply(554, "5.6.0", "Message refused: it contains NUL octets, which RFC 5322 section 2.1 "
                                     "does not allow")
BARE_LF_END = Reply(554, "5.5.2", "Message refused: a line ending in bare LF near the end-of-data mark "
                                  "(only CR LF . CR LF ends DATA, RFC 5321 section 4.1.1.4); closing the connection",
                    close=True)
REJECTED_BY_AUTHENTICATION = Reply(550, "5.7.1", "Message refused by the sender domain's policy")


def rejected_by_authentication(reason: str) -> Reply:
    return Reply(550, "5.7.1", f"Message refused: {reason}")


# -- authentication (RFC 4954 §6) -------------------------------------------------------------------------------

AUTH_REQUIRED = Reply(530, "5.7.0", "Authentication required: sign in with AUTH before sending")
STARTTLS_REQUIRED = Reply(530, "5.7.0", "Must issue a STARTTLS command first")
ENCRYPTION_REQUIRED = Reply(538, "5.7.11", "Encryption required: use STARTTLS before AUTH")
AUTH_INVALID = Reply(535, "5.7.8", "Authentication credentials invalid")
AUTH_NOT_HERE = Reply(502, "5.5.1", "AUTH is not offered on this port; use submission (587 or 465)")
AUTH_TWICE = Reply(503, "5.5.1", "Already authenticated")
AUTH_IN_TRANSACTION = Reply(503, "5.5.1", "AUTH is not allowed during a mail transaction")
AUTH_MECHANISM = Reply(504, "5.5.4", "Unrecognized authentication mechanism; use PLAIN or LOGIN")
AUTH_SYNTAX = Reply(501, "5.5.2", "Malformed AUTH data")
AUTH_AUTHZID = Reply(535, "5.7.8", "Signing in for another identity is not allowed")
AUTH_TOO_MANY = Reply(421, "4.7.0", "Too many failed sign-in attempts on this connection; closing", close=True)


def auth_throttled(retry_after_s: int) -> Reply:
    return Reply(454, "4.7.0", f"Too many failed sign-in attempts for this account or network; try again in "
                               f"{max(retry_after_s, 1)} seconds")


# -- limits and service -----------------------------------------------------------------------------------------

def too_many_connections(limit: int) -> Reply:
    return Reply(421, "4.7.0", f"Too many connections from your address (at most {limit}); try again later",
                 close=True)


def too_many_sessions(limit: int) -> Reply:
    return Reply(454, "4.7.0", f"Too many connections signed in as this account at once (at most {limit}); "
                               "try again later")


SERVER_BUSY = Reply(421, "4.3.2", "Too many connections to this server; try again later", close=True)
SHUTTING_DOWN = Reply(421, "4.3.2", "Service shutting down; try again later", close=True)
LOCAL_ERROR = Reply(451, "4.3.0", "Temporary local problem; the message was not accepted, try again later")


def ip_rate_exceeded(limit: int) -> Reply:
    return Reply(450, "4.7.1", f"Too many messages from your address in the last hour (at most {limit}); "
                               "try again later")


def account_rate_exceeded(limit: int) -> Reply:
    return Reply(450, "4.7.1", f"You have sent too many messages in the last hour (at most {limit}); "
                               "try again later")


# -- rewording the engine's fixed replies -----------------------------------------------------------------------

_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}(?: |$)")
_DEFAULT_ENHANCED = {
    "2": "2.0.0", "421": "4.3.2", "450": "4.2.0", "451": "4.3.0", "452": "4.3.1", "454": "4.7.0",
    "500": "5.5.2", "501": "5.5.4", "502": "5.5.1", "503": "5.5.1", "504": "5.5.4", "530": "5.7.0",
    "550": "5.0.0", "552": "5.3.4", "553": "5.1.3", "554": "5.0.0", "555": "5.5.4",
}
# Fixed texts of the engine (aiosmtpd) and what we send instead; a prefix match on the text after the code.
_REWORDED: tuple[tuple[str, str, str], ...] = (
    ("Command line too long", "5.5.6", "Command line too long (RFC 5321 section 4.5.3.1.4)"),
    ("Error: bad syntax", "5.5.2", "Syntax error: command not understood"),
    ("Error: strict ASCII mode", "5.5.2", "Syntax error: non-ASCII command"),
    ("Command refused due to lack of security", "5.7.0", "Command refused: the TLS handshake failed"),
    ("Must issue a STARTTLS command first", "5.7.0", "Must issue a STARTTLS command first"),
    ("Error: command", "5.5.1", "Command not recognized"),
    ("Error: send HELO first", "5.5.1", "Send HELO first"),
    ("Error: send EHLO first", "5.5.1", "Send EHLO first"),
    ("Syntax: HELO", "5.5.4", "Syntax: HELO hostname"),
    ("Syntax: EHLO", "5.5.4", "Syntax: EHLO hostname"),
    ("Syntax: MAIL", "5.5.4", "Syntax: MAIL FROM:<address> [parameters]"),
    ("Syntax: RCPT", "5.5.4", "Syntax: RCPT TO:<address> [parameters]"),
    ("Syntax: ", "5.5.4", ""),
    ("OK", "2.0.0", "OK"),
    ("Bye", "2.0.0", "Bye"),
    ("Ready to start TLS", "2.0.0", "Ready to start TLS"),
    ("TLS not available", "4.7.0", "TLS not available"),
    ("Error: nested MAIL command", "5.5.1", "Nested MAIL command: a transaction is already open (RSET first)"),
    ("Error: need MAIL command", "5.5.1", "Send MAIL FROM first"),
    ("Error: need RCPT command", "5.5.1", "No valid recipients: send RCPT TO first"),
    ("Error: malformed address", "5.1.3", "Malformed address"),
    ("Error: BODY can only be one of", "5.5.4", "BODY must be 7BIT or 8BITMIME"),
    ("Error: SMTPUTF8 takes no arguments", "5.5.4", "SMTPUTF8 takes no value"),
    ("Error: message size exceeds", "5.3.4", "Message size exceeds the fixed maximum message size"),
    ("MAIL FROM parameters not recognized", "5.5.4", "MAIL FROM parameter not recognized or not implemented"),
    ("RCPT TO parameters not recognized", "5.5.4", "RCPT TO parameter not recognized or not implemented"),
    ("Could not VRFY", "5.1.3", "Could not verify: malformed address"),
    ("Cannot VRFY user", "2.5.0", "Cannot verify users; send the message and delivery will be attempted"),
    ("EXPN not implemented", "5.5.1", "EXPN is not available"),
    ("Too many unrecognized commands", "5.5.1", "Too many unrecognized commands; closing"),
    ("Supported commands", "2.0.0", ""),
    ("Auth aborted", "5.7.0", "AUTH aborted by the client"),
    ("Can't decode base64", "5.5.2", "Malformed AUTH data: not base64"),
    ("Can't split auth value", "5.5.2", "Malformed AUTH PLAIN data"),
)
_REPLY = re.compile(r"^(\d{3})([ -])(.*)$", re.DOTALL)


def with_enhanced_code(status: str) -> str:
    """``status`` with an enhanced status code added and the engine's fixed wording replaced by ours.

    Replies that already carry a code, 3xx replies (RFC 3463 §2: classes 2, 4 and 5 only) and lines that are not
    replies pass unchanged.
    """
    match = _REPLY.match(status)
    if match is None:
        return status
    code, sep, text = match.groups()
    if code[0] not in "245" or _ENHANCED.match(text):
        return status
    for prefix, enhanced, wording in _REWORDED:
        if text.startswith(prefix) and enhanced[0] == code[0]:
            return f"{code}{sep}{enhanced} {wording or text}"
    enhanced = _DEFAULT_ENHANCED.get(code) or _DEFAULT_ENHANCED.get(code[0]) or f"{code[0]}.0.0"
    return f"{code}{sep}{enhanced} {text}"
