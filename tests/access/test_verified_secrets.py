"""Mail clients signing in again with the same secret skip the argon2 check for a while — never for a wrong
secret, a changed password, a disabled account or a revoked app password."""

from __future__ import annotations

import time

import pytest

from congvu.access.models import SignInOutcome
from congvu.access.service import access_for
from congvu.errors import ConfigError
from congvu.installation import Installation
from congvu.security import passwords, totp
from congvu.security.verified_cache import VerifiedSecretCache, configured_ttl_s

PASSWORD = "Matkhau@2026"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many argon2 verifications ran."""
    calls = [0]
    real = passwords.verify_password

    def counting(stored: str | None, given: str) -> bool:
        calls[0] += 1
        return real(stored, given)  # type: ignore[arg-type]

    monkeypatch.setattr("congvu.directory.accounts.verify_password", counting)
    monkeypatch.setattr("congvu.access.app_passwords.verify_password", counting)
    return calls


def _province(inst: Installation) -> str:
    inst.directory.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    return inst.directory.accounts.add(full_name="Nguyễn Thị Lan", agency="H19", address="lannt@dongnai.gov.vn",
                                       password=PASSWORD).account.address


def test_a_repeated_password_sign_in_is_not_hashed_again_until_something_changes(
        installation: Installation, counted: list[int]) -> None:
    address = _province(installation)
    clock = Clock()
    signin = access_for(installation.directory, verified=VerifiedSecretCache(ttl_s=300, clock=clock)).signin
    assert signin.mail_client(address, PASSWORD, ip="192.0.2.1", protocol="imap").outcome is SignInOutcome.OK
    assert counted[0] == 1
    for _ in range(3):
        assert signin.mail_client(address, PASSWORD, ip="192.0.2.1", protocol="imap").outcome is SignInOutcome.OK
    assert counted[0] == 1
    assert signin.mail_client(address, "Sai@2026", ip="192.0.2.1", protocol="imap").outcome \
        is SignInOutcome.REFUSED
    assert counted[0] == 2  # a wrong secret is always checked in full
    clock.now += 301
    assert signin.mail_client(address, PASSWORD, ip="192.0.2.1", protocol="imap").outcome is SignInOutcome.OK
    assert counted[0] == 3  # expired
    installation.directory.accounts.reset_password(address, password="Matkhau@2027-moi")
    assert signin.mail_client(address, PASSWORD, ip="192.0.2.1", protocol="imap").outcome \
        is SignInOutcome.REFUSED  # the old password no longer opens the mailbox
    assert signin.mail_client(address, "Matkhau@2027-moi", ip="192.0.2.1", protocol="smtp").outcome \
        is SignInOutcome.OK
    installation.directory.accounts.disable(address, reason="Chuyển công tác")
    assert signin.mail_client(address, "Matkhau@2027-moi", ip="192.0.2.1", protocol="imap").outcome \
        is SignInOutcome.REFUSED


def test_a_revoked_app_password_is_refused_at_once(installation: Installation, counted: list[int]) -> None:
    address = _province(installation)
    access = access_for(installation.directory, verified=VerifiedSecretCache(ttl_s=300))
    account = installation.directory.accounts.show(address)
    secret = access.second_factor.begin(account.id)
    access.second_factor.confirm(account.id, totp.totp(secret, time.time()), actor=address)
    issued = access.app_passwords.create(account.id, "Thunderbird", actor=address)
    for _ in range(3):
        result = access.signin.mail_client(address, issued.secret, ip="192.0.2.1", protocol="imap")
        assert result.outcome is SignInOutcome.OK
    assert counted[0] == 1
    access.app_passwords.revoke(account.id, issued.app_password.id, actor=address)
    assert access.signin.mail_client(address, issued.secret, ip="192.0.2.1", protocol="imap").outcome \
        is SignInOutcome.REFUSED


def test_the_cache_is_off_with_zero_and_bounded() -> None:
    off = VerifiedSecretCache(ttl_s=0)
    off.remember("account:a", "hash", "secret")
    assert not off.knows("account:a", "hash", "secret")
    small = VerifiedSecretCache(ttl_s=60, max_entries=2)
    for n in range(3):
        small.remember(f"account:{n}", "hash", "secret")
    assert not small.knows("account:0", "hash", "secret")
    assert small.knows("account:2", "hash", "secret") and not small.knows("account:2", "hash", "other")
    small.forget("account:2")
    assert not small.knows("account:2", "hash", "secret")
    assert configured_ttl_s({}) == 300 and configured_ttl_s({"security": {"sign_in_cache_s": 0}}) == 0
    with pytest.raises(ConfigError):
        configured_ttl_s({"security": {"sign_in_cache_s": "mãi mãi"}})
