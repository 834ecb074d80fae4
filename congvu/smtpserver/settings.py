"""Settings of the SMTP listeners, read from ``congvu.toml``: transport limits (``[smtp]``) and the province's
policy on free webmail (``[mail_policy]``).

``[smtp]`` keys (defaults in :class:`SmtpLimits`): ``max_message_bytes`` (announced as SIZE, RFC 1870),
``max_recipients`` (RFC 5321 §4.5.3.1.8 asks for at least 100), ``max_connections``, ``max_connections_per_ip``,
``max_sessions_per_account`` (connections signed in as one account at once), ``max_messages_per_ip_per_hour``
(mail received from the Internet), ``max_messages_per_account_per_hour`` (submission),
``max_auth_failures_per_connection``, ``idle_timeout_s``, ``shutdown_grace_s``.

``[mail_policy]`` keys: ``free_mail_domains`` (list; a domain also covers its sub-domains), ``inbound_free_mail``
and ``outbound_free_mail`` (``allow``, ``warn``, ``hold`` or ``reject``), ``hold_mailbox`` (the address whose
holders review held mail, default ``postmaster@<domain>``). Directive 34/2008/CT-TTg calls for official e-mail in
state agencies and Công văn 5598/VPCP-TTĐT asks for the ``.gov.vn`` mailbox, not personal Gmail or Yahoo, in
exchanges with the Government Office; provinces set their own rules. By default mail from free webmail is accepted
(citizens write in from it) and mail to it goes with a notice to the sender.

Every scalar key can be overridden by ``CONGVU_SMTP_<KEY>`` / ``CONGVU_MAIL_POLICY_<KEY>``, like the rest of the
configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum

from congvu.errors import ConfigError

DEFAULT_FREE_MAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.com.vn", "ymail.com", "rocketmail.com", "hotmail.com",
    "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "gmx.com", "mail.com", "zoho.com",
    "yandex.com", "yandex.ru", "mail.ru", "proton.me", "protonmail.com", "qq.com", "163.com", "126.com",
)


class PolicyAction(StrEnum):
    ALLOW = "allow"
    WARN = "warn"  # the message goes; its sender is told about the policy
    HOLD = "hold"  # kept in the Held folder of the hold mailbox until an administrator releases it
    REJECT = "reject"


class Direction(StrEnum):
    INBOUND = "inbound"  # from a free-mail sender to the province
    OUTBOUND = "outbound"  # from the province to a free-mail address


@dataclass(frozen=True)
class SmtpLimits:
    max_message_bytes: int = 32 * 1024 * 1024
    max_recipients: int = 100
    max_connections: int = 1000
    max_connections_per_ip: int = 20
    max_sessions_per_account: int = 10
    max_messages_per_ip_per_hour: int = 600
    max_messages_per_account_per_hour: int = 300
    max_auth_failures_per_connection: int = 3
    idle_timeout_s: int = 300  # RFC 5321 §4.5.3.2.7 server timeout: at least 5 minutes
    shutdown_grace_s: int = 30


@dataclass(frozen=True)
class MailPolicy:
    free_mail_domains: frozenset[str] = frozenset(DEFAULT_FREE_MAIL_DOMAINS)
    inbound_free_mail: PolicyAction = PolicyAction.ALLOW
    outbound_free_mail: PolicyAction = PolicyAction.WARN
    hold_mailbox: str = ""

    def free_mail_domain(self, address: str) -> str | None:
        """The listed free-mail domain ``address`` belongs to (itself or a parent domain), or None."""
        domain = address.rpartition("@")[2].strip().lower().rstrip(".")
        while domain:
            if domain in self.free_mail_domains:
                return domain
            domain = domain.partition(".")[2]
        return None

    def action(self, direction: Direction) -> PolicyAction:
        return self.inbound_free_mail if direction == Direction.INBOUND else self.outbound_free_mail


def _override(section: str, key: str, value: object) -> object:
    env = os.environ.get(f"CONGVU_{section}_{key}".upper())
    return env if env is not None else value


def _int(section: str, key: str, value: object) -> int:
    try:
        number = int(str(value))
    except ValueError as exc:
        raise ConfigError(f"Giá trị «{section}.{key}» phải là số nguyên: {value!r}",
                          message_en=f"{section}.{key} must be an integer: {value!r}") from exc
    if number < 0:
        raise ConfigError(f"Giá trị «{section}.{key}» không được âm: {number}",
                          message_en=f"{section}.{key} must not be negative: {number}")
    return number


def _section(raw: Mapping[str, object], name: str) -> Mapping[str, object]:
    section = raw.get(name, {})
    if not isinstance(section, Mapping):
        raise ConfigError(f"Mục [{name}] trong congvu.toml phải là một bảng.", message_en=f"[{name}] must be a table.")
    return section


def load_limits(raw: Mapping[str, object]) -> SmtpLimits:
    section = _section(raw, "smtp")
    known = {f.name for f in fields(SmtpLimits)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"Khoá không biết trong [smtp]: {', '.join(unknown)}",
                          message_en=f"Unknown keys in [smtp]: {', '.join(unknown)}")
    values = {}
    for name in known:
        given = _override("smtp", name, section.get(name))
        if given is not None:
            values[name] = _int("smtp", name, given)
    limits = SmtpLimits(**values)
    if limits.max_message_bytes < 64 * 1024 or limits.max_recipients < 1:
        raise ConfigError("smtp.max_message_bytes phải từ 65536 trở lên và smtp.max_recipients từ 1 trở lên.",
                          message_en="smtp.max_message_bytes must be >= 65536 and smtp.max_recipients >= 1.")
    return limits


def _action(key: str, value: object, default: PolicyAction) -> PolicyAction:
    given = _override("mail_policy", key, value)
    if given is None:
        return default
    try:
        return PolicyAction(str(given).strip().lower())
    except ValueError as exc:
        choices = ", ".join(a.value for a in PolicyAction)
        raise ConfigError(f"mail_policy.{key} = {given!r} không hợp lệ; chọn: {choices}",
                          message_en=f"mail_policy.{key} = {given!r} is invalid; choose: {choices}") from exc


def load_mail_policy(raw: Mapping[str, object], *, domain: str) -> MailPolicy:
    section = _section(raw, "mail_policy")
    listed = section.get("free_mail_domains")
    env = os.environ.get("CONGVU_MAIL_POLICY_FREE_MAIL_DOMAINS")
    if env is not None:
        listed = [d for d in env.split(",") if d.strip()]
    if listed is None:
        domains = frozenset(DEFAULT_FREE_MAIL_DOMAINS)
    elif isinstance(listed, list | tuple) and all(isinstance(d, str) for d in listed):
        domains = frozenset(d.strip().lower().rstrip(".") for d in listed if d.strip())
    else:
        raise ConfigError("mail_policy.free_mail_domains phải là một danh sách tên miền.",
                          message_en="mail_policy.free_mail_domains must be a list of domain names.")
    hold = str(_override("mail_policy", "hold_mailbox", section.get("hold_mailbox")) or f"postmaster@{domain}")
    if "@" not in hold:
        raise ConfigError(f"mail_policy.hold_mailbox phải là một địa chỉ thư: {hold!r}",
                          message_en=f"mail_policy.hold_mailbox must be a mail address: {hold!r}")
    return MailPolicy(
        free_mail_domains=domains,
        inbound_free_mail=_action("inbound_free_mail", section.get("inbound_free_mail"), PolicyAction.ALLOW),
        outbound_free_mail=_action("outbound_free_mail", section.get("outbound_free_mail"), PolicyAction.WARN),
        hold_mailbox=hold.strip().lower(),
    )


__all__ = [
    "DEFAULT_FREE_MAIL_DOMAINS", "Direction", "MailPolicy", "PolicyAction", "SmtpLimits", "load_limits",
    "load_mail_policy",
]
