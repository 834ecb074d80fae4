"""The outcome of a command and the table from domain errors to IMAP status responses (RFC 9051 §7.1, response
codes of RFC 5530).

Handlers return a :class:`Reply` (the tagged status line) or raise a :class:`congvu.errors.CongVuError`;
:func:`error_reply` turns the error into ``NO`` with the response code that fits it. Texts are Vietnamese and
English: both for clients that read UTF-8 (IMAP4rev2 or UTF8=ACCEPT enabled), English alone for IMAP4rev1
clients, whose response text must be 7-bit (RFC 3501 §9 ``text``).
"""

from __future__ import annotations

from dataclasses import dataclass

from congvu.errors import Conflict, CongVuError, InvalidInput, NotFound, PermissionDenied
from congvu.imap import response
from congvu.imap.response import ResponseCode


@dataclass(frozen=True)
class Text:
    """A human-readable response text in both languages."""

    vi: str
    en: str

    def render(self, *, utf8: bool) -> str:
        return f"{self.vi} / {self.en}" if utf8 and self.vi != self.en else self.en


@dataclass(frozen=True)
class Reply:
    """The tagged status that ends a command."""

    status: str
    text: Text
    code: ResponseCode | None = None

    def line(self, tag: str, *, utf8: bool) -> bytes:
        return response.tagged(tag, self.status, self.text.render(utf8=utf8), self.code)


def ok(vi: str, en: str, code: ResponseCode | None = None) -> Reply:
    return Reply("OK", Text(vi, en), code)


def no(vi: str, en: str, code: ResponseCode | None = None) -> Reply:
    return Reply("NO", Text(vi, en), code)


def bad(vi: str, en: str, code: ResponseCode | None = None) -> Reply:
    return Reply("BAD", Text(vi, en), code)


class ImapRefusal(CongVuError):
    """A deliberate NO or BAD raised from deep inside a handler, carrying its response code."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text.vi, message_en=reply.text.en)
        self.reply = reply


def error_text(error: CongVuError) -> Text:
    return Text(error.message, error.message_en)


def error_reply(error: CongVuError, *, missing: ResponseCode | None = None,
                conflict: ResponseCode | None = None) -> Reply:
    """``NO`` for a domain error; ``missing`` replaces NONEXISTENT for a target that may be created (TRYCREATE,
    RFC 9051 §6.3.12 and §6.4.7), ``conflict`` names what a :class:`Conflict` means for this command."""
    if isinstance(error, ImapRefusal):
        return error.reply
    text = error_text(error)
    if isinstance(error, NotFound):
        return Reply("NO", text, missing or response.NONEXISTENT)
    if isinstance(error, PermissionDenied):
        return Reply("NO", text, response.NOPERM)
    if isinstance(error, Conflict):
        return Reply("NO", text, conflict or response.CANNOT)
    if isinstance(error, InvalidInput):
        return Reply("NO", text, response.CANNOT)
    return Reply("NO", text, response.UNAVAILABLE)


SERVER_BUG = no("Lỗi máy chủ khi xử lý lệnh; đã ghi nhật ký", "Internal server error; it has been logged",
                response.SERVERBUG)
WRONG_STATE_AUTH = bad("Cần đăng nhập trước", "Log in first")
WRONG_STATE_SELECTED = bad("Chưa chọn hộp thư (SELECT)", "No mailbox selected")
WRONG_STATE_NOT_AUTH = bad("Đã đăng nhập rồi", "Already authenticated")
