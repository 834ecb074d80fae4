"""The place-and-date line of a document, and working-day arithmetic for clerical deadlines.

NĐ 30/2020 Phụ lục I I.4: "Địa danh, ngày … tháng … năm …" with Arabic numerals; days below 10 and the months
1 and 2 take a leading zero (``Biên Hòa, ngày 05 tháng 3 năm 2020``, ``ngày 15 tháng 01 năm 2021``).

Deadlines: documents are registered, issued or handed over on their day, at the latest on the next working day
(NĐ 30/2020 Điều 4.2.c, 18.1, 23.1); urgent ones at once. Working days are Monday to Friday minus public
holidays. The holiday list (including the lunar Tết and Giỗ Tổ days, and the days the Government moves each
year) and the compensating working Saturdays are injected by the caller: nothing here knows a calendar of its
own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from congvu.clerical.textkey import clean_line
from congvu.errors import InvalidInput


def format_day(day: int) -> str:
    return f"{day:02d}"


def format_month(month: int) -> str:
    """Months 1 and 2 are padded (``01``, ``02``) so that they cannot be read as 10–12 after a stroke."""
    return f"{month:02d}" if month <= 2 else str(month)


def format_date_vi(d: date) -> str:
    """``ngày 05 tháng 3 năm 2020``."""
    return f"ngày {format_day(d.day)} tháng {format_month(d.month)} năm {d.year}"


@dataclass(frozen=True)
class Dateline:
    """Place (official name of the administrative unit where the agency sits) and date of issue."""

    place: str
    date: date

    @property
    def text(self) -> str:
        return format_dateline(self.place, self.date)

    def __str__(self) -> str:
        return self.text


def format_dateline(place: str, d: date) -> str:
    """``Biên Hòa, ngày 05 tháng 3 năm 2020``."""
    name = clean_line(place)
    if not name:
        raise InvalidInput("Thiếu địa danh", message_en="The place name is missing", field="place")
    return f"{name}, {format_date_vi(d)}"


_DATE_WORDS = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})\s*\.?$", re.IGNORECASE)


def parse_dateline(text: str) -> Dateline:
    """Read a place-and-date line, tolerating missing zeros, extra spaces and markdown emphasis."""
    line = clean_line(text.replace("*", "").replace("_", " "))
    match = _DATE_WORDS.search(line)
    if match is None:
        raise InvalidInput(
            f"Dòng '{line}' không đúng dạng 'Địa danh, ngày … tháng … năm …'",
            message_en=f"'{line}' is not 'Place, ngày … tháng … năm …'",
            field="dateline",
        )
    day, month, year = (int(g) for g in match.groups())
    try:
        when = date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"Ngày {day}/{month}/{year} không có thật", message_en="No such date", field="dateline"
        ) from None
    place = line[: match.start()].strip().rstrip(",").strip()
    return Dateline(place, when)


def is_canonical_dateline(text: str) -> bool:
    """True when ``text`` is written exactly as the decree shows it."""
    try:
        parsed = parse_dateline(text)
    except InvalidInput:
        return False
    return parsed.place != "" and clean_line(text) == parsed.text


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday–Friday minus ``holidays``, plus ``working_days`` (compensating Saturdays).

    ``weekend`` holds ``date.weekday()`` numbers; 5 and 6 (Saturday, Sunday) by default.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({5, 6})

    @classmethod
    def of(cls, holidays: Iterable[date] = (), working_days: Iterable[date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(working_days))

    def is_working_day(self, d: date) -> bool:
        if d in self.working_days:
            return True
        return d.weekday() not in self.weekend and d not in self.holidays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        step = d + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(step):
                return step
            step += timedelta(days=1)
        raise InvalidInput(
            "Lịch làm việc không có ngày làm việc nào trong một năm",
            message_en="The calendar has no working day within a year",
            field="calendar",
        )

    def same_or_next_working_day(self, d: date) -> date:
        """``d`` when it is a working day, otherwise the next one."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, d: date, days: int) -> date:
        """The working day ``days`` working days after ``d`` (``d`` itself is not counted)."""
        if days < 0:
            raise InvalidInput("Số ngày làm việc phải không âm", message_en="days must be >= 0", field="days")
        current = d
        for _ in range(days):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open range (start, end]: how late ``end`` is after ``start``."""
        if end <= start:
            return 0
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def clerical_deadline(self, d: date, *, urgent: bool = False) -> date:
        """Last day to register, issue or hand over a document received or signed on ``d``.

        NĐ 30/2020 Điều 4.2.c: on the day itself, at the latest on the next working day; urgent documents at
        once (the deadline is ``d`` itself).
        """
        if urgent:
            return d
        return self.next_working_day(d)


def vietnamese_weekday(d: date) -> str:
    """``Thứ Hai`` … ``Chủ nhật``, as printed in schedules and reports."""
    return ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")[d.weekday()]
