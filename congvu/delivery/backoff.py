"""When to try again: exponential backoff bounded by a ceiling and by the message's expiry.

RFC 5321 §4.5.4.1: retries spaced by at least 30 minutes are advised for a busy queue and giving up after 4–5
days; the first retry comes sooner here (``retry_base_s``, 5 minutes by default), as greylisting servers ask,
and the wait doubles after each failure up to ``retry_max_s``. The last attempt is made at the expiry time
itself, so a message is not given up without one try at its deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def retry_delay_s(attempts: int, *, base_s: float, max_s: float) -> float:
    """The wait after the ``attempts``-th failed attempt (1 for the first)."""
    exponent = min(max(attempts - 1, 0), 32)
    return float(min(base_s * 2.0 ** exponent, max_s))


def next_attempt(now: datetime, attempts: int, *, base_s: float, max_s: float, expires_at: datetime) -> datetime | None:
    """The time of the next attempt, or None when the message has expired (no attempt left)."""
    if now >= expires_at:
        return None
    return min(now + timedelta(seconds=retry_delay_s(attempts, base_s=base_s, max_s=max_s)), expires_at)


__all__ = ["next_attempt", "retry_delay_s"]
