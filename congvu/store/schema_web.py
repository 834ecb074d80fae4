"""Tables of sign-in and account security: web sessions, two-step sign-in, app passwords and API tokens.

Secrets are never stored as given: a session's cookie value and an API token are stored as their SHA-256 (they
are long random strings, so a fast hash is enough to make a leaked table useless; recovery codes likewise), app
passwords as argon2id hashes like passwords. The TOTP shared secret must be readable to check codes, so it is kept as
is; the password stays the first factor.

- ``web_sessions``: one row per signed-in browser. ``stage`` is ``second_factor`` between the password and the
  code, ``full`` after. ``csrf_token`` is the value every form of that session must send back.
- ``account_totp``: an account's TOTP secret; ``confirmed_at`` is set once a first code has been checked (until
  then two-step sign-in is off); ``last_step`` refuses a code used twice (RFC 6238 §5.2).
- ``recovery_codes``: single-use codes shown once at enrolment, for a lost phone.
- ``app_passwords``: per-device passwords for mail clients while two-step sign-in is on.
- ``api_tokens``: tokens for ``/api/v1``, scoped like their creator (``agency_id`` null: the whole province).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, Table

from congvu.store.schema import metadata

UTC = DateTime(timezone=True)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 hex of the cookie value
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("stage", String(20), nullable=False),  # second_factor | full
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("last_seen_at", UTC, nullable=False),
    Column("expires_at", UTC, nullable=False),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(300), nullable=True),
)

account_totp = Table(
    "account_totp",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", String(64), nullable=False),  # base32
    Column("created_at", UTC, nullable=False),
    Column("confirmed_at", UTC, nullable=True),
    Column("last_step", BigInteger, nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", String(200), nullable=False),
    Column("used_at", UTC, nullable=True),
)

app_passwords = Table(
    "app_passwords",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("last_used_at", UTC, nullable=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),  # shown in lists; the token starts with it
    Column("token_hash", String(64), nullable=False),  # SHA-256 hex of the whole token
    Column("created_by", String(320), nullable=False),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=True),  # null: the whole province
    Column("created_at", UTC, nullable=False),
    Column("expires_at", UTC, nullable=True),
    Column("last_used_at", UTC, nullable=True),
    Column("revoked_at", UTC, nullable=True),
)
