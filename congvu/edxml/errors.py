"""The error raised for an edXML package that cannot be read or must not be sent (QCVN 102:2016/BTTTT)."""

from __future__ import annotations

from congvu.errors import InvalidInput


class EdxmlError(InvalidInput):
    """A package is malformed, hostile, incomplete or inconsistent; ``element`` names where, when known."""

    def __init__(self, message: str, *, message_en: str | None = None, element: str | None = None) -> None:
        super().__init__(message, message_en=message_en, field=element)
        self.element = element
