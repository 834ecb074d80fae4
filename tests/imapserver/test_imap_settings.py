"""The [imap] section of congvu.toml sets the IMAP server's limits; unknown keys and bad values are refused."""

from __future__ import annotations

import pytest

from congvu.errors import ConfigError
from congvu.imapserver.limits import ImapLimits
from congvu.imapserver.settings import load_imap_limits


def test_defaults_and_overrides() -> None:
    assert load_imap_limits({}) == ImapLimits()
    limits = load_imap_limits({"imap": {"max_connections_per_address": 3000, "autologout_s": 3600,
                                        "quota_storage_bytes": "1073741824"}})
    assert limits.max_connections_per_address == 3000
    assert limits.autologout_s == 3600.0
    assert limits.quota_storage_bytes == 1 << 30
    assert limits.max_connections_per_account == ImapLimits().max_connections_per_account


@pytest.mark.parametrize("section", [
    {"max_conections": 10},  # a typo
    {"max_connections": "nhiều"},
    {"max_connections": 0},
    {"autologout_s": 600},  # under the 30 minutes RFC 9051 §5.4 asks for
])
def test_bad_settings_are_refused(section: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        load_imap_limits({"imap": section})
