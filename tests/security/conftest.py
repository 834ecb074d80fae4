"""A DKIM key pair shared by the authentication tests (made once: RSA generation is slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from congvu.installation.keys import dkim_dns_value, make_dkim_key


@pytest.fixture(scope="session")
def dkim_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    """(private key PEM, TXT record value)."""
    path: Path = tmp_path_factory.mktemp("dkim") / "test.key"
    make_dkim_key(path)
    return path.read_bytes(), dkim_dns_value(path)
