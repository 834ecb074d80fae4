"""Errors raised by the IMAP protocol layer.

:class:`ParseError` becomes a tagged ``BAD`` (RFC 9051 §7.1.3), or an untagged ``* BAD`` when the tag itself
could not be read. :class:`UnsupportedCharset` becomes ``NO [BADCHARSET (UTF-8 US-ASCII)]`` (RFC 9051 §6.4.4):
the command was well formed but names a charset the server does not implement.
"""

from __future__ import annotations

from congvu.errors import InvalidInput

SUPPORTED_CHARSETS: tuple[str, ...] = ("UTF-8", "US-ASCII")


class ParseError(InvalidInput):
    """A command line that does not follow the grammar; the server answers ``BAD``."""

    def __init__(self, tag: str | None, message: str, *, message_en: str | None = None) -> None:
        super().__init__(message, message_en=message_en)
        self.tag = tag

    def response_text(self, *, utf8: bool) -> str:
        """The text for the BAD line: both languages when the client reads UTF-8, English otherwise.

        RFC 3501 restricts response text to 7-bit characters; RFC 9051 and UTF8=ACCEPT allow UTF-8.
        """
        if utf8 and self.message != self.message_en:
            return f"{self.message} / {self.message_en}"
        return self.message_en


class UnsupportedCharset(InvalidInput):
    """SEARCH, SORT or THREAD named a charset other than UTF-8 and US-ASCII."""

    def __init__(self, tag: str, charset: str) -> None:
        super().__init__(
            f"Bảng mã không được hỗ trợ: {charset}",
            message_en=f"Unsupported charset: {charset}",
            field="charset",
        )
        self.tag = tag
        self.charset = charset
        self.supported = SUPPORTED_CHARSETS
