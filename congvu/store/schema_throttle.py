"""Sign-in throttle records shared by every process of an installation (:mod:`congvu.security.throttle_db`).

One row per throttled key (``acct:<address>`` or ``net:<address or /64>``): the times of its recent failures, the
end of its current lockout and how many lockouts it had; ``expires_at`` (seconds since the epoch) is when the row
may be forgotten.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table, Text

from congvu.store.schema import metadata

signin_throttle = Table(
    "signin_throttle",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Text, nullable=False),  # JSON list of failure times (seconds since the epoch)
    Column("locked_until", Float, nullable=False),
    Column("lockouts", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

__all__ = ["signin_throttle"]
