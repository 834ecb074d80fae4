"""The error tree of CôngVụ.

Every error the product raises on purpose derives from :class:`CongVuError`. Domain errors carry no wire
codes: each adapter (CLI, SMTP, IMAP, web) owns the table that turns them into an exit status, a reply code or an
HTTP status. Messages are Vietnamese first; ``message_en`` gives the English text where one is set.
"""

from __future__ import annotations


class CongVuError(Exception):
    """Root of every deliberate error."""

    def __init__(self, message: str, *, message_en: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.field = field

    def __str__(self) -> str:
        return self.message


class InvalidInput(CongVuError):
    """A value given by a person or a file is not acceptable (bad format, control characters, …)."""


class NotFound(CongVuError):
    """The named object does not exist."""


class Conflict(CongVuError):
    """The change collides with existing data (duplicate code, address taken or reserved, …)."""


class PermissionDenied(CongVuError):
    """The actor may not do this."""


class ConfigError(CongVuError):
    """The installation's configuration is missing or wrong."""
