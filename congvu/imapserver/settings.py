"""The ``[imap]`` section of ``congvu.toml``: the IMAP server's limits (:class:`ImapLimits`), each key named after
the field it sets (``max_connections_per_address = 2000``). Unknown keys and bad values are refused at start."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from congvu.errors import ConfigError
from congvu.imapserver.limits import ImapLimits

MIN_AUTOLOGOUT_S = 30 * 60.0  # RFC 9051 §5.4


def load_imap_limits(raw: Mapping[str, object]) -> ImapLimits:
    section = raw.get("imap", {})
    if not isinstance(section, Mapping):
        raise ConfigError("[imap] phải là một mục cấu hình.", message_en="[imap] must be a table.")
    fields = {f.name: f for f in dataclasses.fields(ImapLimits)}
    values: dict[str, object] = {}
    for key, value in section.items():
        field = fields.get(key)
        if field is None:
            raise ConfigError(f"Khoá cấu hình không rõ: imap.{key}", message_en=f"Unknown setting imap.{key}")
        default = getattr(ImapLimits, key)
        kind = float if isinstance(default, float) else int
        try:
            number = kind(str(value))
        except ValueError as exc:
            raise ConfigError(f"«imap.{key}» phải là một số: {value!r}",
                              message_en=f"'imap.{key}' must be a number: {value!r}") from exc
        if number < 0 or (number == 0 and key != "quota_storage_bytes"):
            raise ConfigError(f"«imap.{key}» phải lớn hơn 0: {value!r}",
                              message_en=f"'imap.{key}' must be above 0: {value!r}")
        values[key] = number
    autologout = values.get("autologout_s")
    if isinstance(autologout, float) and autologout < MIN_AUTOLOGOUT_S:
        raise ConfigError("«imap.autologout_s» không được dưới 1800 giây (RFC 9051 §5.4).",
                          message_en="'imap.autologout_s' may not be under 1800 seconds (RFC 9051 §5.4).")
    return ImapLimits(**values)  # type: ignore[arg-type]
