"""Place-and-date line (NĐ 30/2020 Phụ lục I I.4) and working-day deadlines (Điều 4.2.c, 18.1, 23.1)."""

from datetime import date

import pytest

from congvu.clerical.dateline import (
    WorkCalendar,
    format_date_vi,
    format_dateline,
    is_canonical_dateline,
    parse_dateline,
    vietnamese_weekday,
)
from congvu.errors import InvalidInput


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2020, 3, 5), "ngày 05 tháng 3 năm 2020"),
        (date(2021, 1, 15), "ngày 15 tháng 01 năm 2021"),
        (date(2021, 2, 9), "ngày 09 tháng 02 năm 2021"),
        (date(2010, 8, 20), "ngày 20 tháng 8 năm 2010"),
        (date(2010, 11, 18), "ngày 18 tháng 11 năm 2010"),
        (date(2024, 12, 1), "ngày 01 tháng 12 năm 2024"),
    ],
)
def test_leading_zero_for_days_below_ten_and_months_one_and_two(d, text):
    assert format_date_vi(d) == text


def test_full_dateline():
    assert format_dateline("Biên Hòa", date(2020, 3, 5)) == "Biên Hòa, ngày 05 tháng 3 năm 2020"
    with pytest.raises(InvalidInput):
        format_dateline("  ", date(2020, 3, 5))


@pytest.mark.parametrize(
    ("text", "place", "d"),
    [
        ("Biên Hòa, ngày 20 tháng 8 năm 2010", "Biên Hòa", date(2010, 8, 20)),  # seed 000
        ("Bình Định, ngày 13 tháng 8 năm 2012", "Bình Định", date(2012, 8, 13)),  # seed 001
        ("Gia Lai, ngày 28 tháng 4 năm 2014", "Gia Lai", date(2014, 4, 28)),  # seed 004
        ("TP. Hồ Chí Minh, ngày 5 tháng 1 năm 2021", "TP. Hồ Chí Minh", date(2021, 1, 5)),
        ("*Hà Nội, ngày  05  tháng 03 năm 2020*", "Hà Nội", date(2020, 3, 5)),
    ],
)
def test_parse_dateline(text, place, d):
    parsed = parse_dateline(text)
    assert (parsed.place, parsed.date) == (place, d)


def test_canonical_form_check():
    assert is_canonical_dateline("Biên Hòa, ngày 05 tháng 3 năm 2020")
    assert not is_canonical_dateline("Biên Hòa, ngày 5 tháng 3 năm 2020")
    assert not is_canonical_dateline("Biên Hòa, ngày 05 tháng 03 năm 2020")
    assert not is_canonical_dateline("Hà Nội, ngày 15 tháng 1 năm 2021")


def test_impossible_or_malformed_datelines():
    with pytest.raises(InvalidInput):
        parse_dateline("Hà Nội, ngày 30 tháng 02 năm 2021")
    with pytest.raises(InvalidInput):
        parse_dateline("Hà Nội, 05/03/2020")


TET_2025 = [date(2025, 1, d) for d in range(25, 32)] + [date(2025, 2, 1), date(2025, 2, 2)]
CALENDAR = WorkCalendar.of(
    holidays=[date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2), *TET_2025],
    working_days=[date(2025, 4, 26)],
)


def test_weekends_and_holidays_are_not_working_days():
    assert CALENDAR.is_working_day(date(2025, 3, 5))  # Wednesday
    assert not CALENDAR.is_working_day(date(2025, 3, 8))  # Saturday
    assert not CALENDAR.is_working_day(date(2025, 4, 30))
    assert CALENDAR.is_working_day(date(2025, 4, 26))  # Saturday worked in compensation


def test_next_working_day():
    assert CALENDAR.next_working_day(date(2025, 3, 7)) == date(2025, 3, 10)  # Friday → Monday
    assert CALENDAR.next_working_day(date(2025, 4, 29)) == date(2025, 5, 5)
    assert CALENDAR.next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)  # across Tết
    assert CALENDAR.same_or_next_working_day(date(2025, 3, 5)) == date(2025, 3, 5)
    assert CALENDAR.same_or_next_working_day(date(2025, 3, 8)) == date(2025, 3, 10)


def test_add_and_count_working_days():
    assert CALENDAR.add_working_days(date(2025, 3, 5), 3) == date(2025, 3, 10)
    assert CALENDAR.add_working_days(date(2025, 3, 5), 0) == date(2025, 3, 5)
    assert CALENDAR.working_days_between(date(2025, 3, 7), date(2025, 3, 10)) == 1
    assert CALENDAR.working_days_between(date(2025, 3, 10), date(2025, 3, 7)) == 0
    with pytest.raises(InvalidInput):
        CALENDAR.add_working_days(date(2025, 3, 5), -1)


def test_clerical_deadline_same_or_next_working_day_urgent_at_once():
    friday = date(2025, 3, 7)
    assert CALENDAR.clerical_deadline(friday) == date(2025, 3, 10)
    assert CALENDAR.clerical_deadline(friday, urgent=True) == friday
    assert CALENDAR.clerical_deadline(date(2025, 3, 8)) == date(2025, 3, 10)


def test_default_calendar_knows_only_weekends():
    assert WorkCalendar().is_working_day(date(2025, 4, 30))
    assert vietnamese_weekday(date(2025, 3, 9)) == "Chủ nhật"
