"""The sample province's last month: working days, office hours in Vietnam time, and a clock the document
services read so that what the demo does is dated over that month.

Working days are Monday to Friday (Bộ luật Lao động 2019 Điều 105: the state's working week is five days);
office hours 7:30–17:00 Vietnam time (UTC+7). Instants are handed out in UTC, as they are stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from congvu.edxml.model import VIETNAM_TIME

MONTH_DAYS = 30
OFFICE_OPENS = time(7, 30)
OFFICE_CLOSES = time(17, 0)


def vietnam_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Vietnam."""
    return moment.astimezone(VIETNAM_TIME).date()


def working_days(today: date, *, days: int = MONTH_DAYS) -> list[date]:
    """Monday–Friday among the ``days`` days that end with ``today``, oldest first."""
    span = (today - timedelta(days=offset) for offset in range(days - 1, -1, -1))
    return [d for d in span if d.weekday() < 5]


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """``hour:minute`` of ``day`` in Vietnam, as a UTC instant."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=VIETNAM_TIME).astimezone(UTC)


def office_moment(day: date, rng: random.Random) -> datetime:
    """A moment of office hours on ``day`` (busier in the morning, as mail traffic is), in UTC."""
    opens = OFFICE_OPENS.hour * 60 + OFFICE_OPENS.minute
    closes = OFFICE_CLOSES.hour * 60 + OFFICE_CLOSES.minute
    minute = int(rng.triangular(opens, closes, opens + 90))
    return at(day, minute // 60, minute % 60, rng.randrange(60))


@dataclass
class DemoClock:
    """A clock that shows what it was set to; the document services take ``clock.now``."""

    current: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current
