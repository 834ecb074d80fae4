"""edXML business status codes and the incoming life cycle: research §1.7 and the mapping table §8.8."""

import pytest

from congvu.clerical.status_codes import (
    IncomingLifecycle,
    StatusCode,
    find_status_code,
    normalize_status_code,
    parse_status_code,
)
from congvu.errors import Conflict, InvalidInput


@pytest.mark.parametrize(
    ("code", "name_vi", "sent_by"),
    [
        ("01", "Đã đến", "receiver"),
        ("02", "Từ chối tiếp nhận", "receiver"),
        ("03", "Đã tiếp nhận", "receiver"),
        ("04", "Phân công", "receiver"),
        ("05", "Đang xử lý", "receiver"),
        ("06", "Hoàn thành", "receiver"),
        ("13", "Lấy lại", "sender"),
        ("15", "Đồng ý lấy lại", "receiver"),
        ("16", "Từ chối lấy lại", "receiver"),
    ],
)
def test_status_table(code, name_vi, sent_by):
    status = parse_status_code(code)
    assert status.value == code
    assert status.name_vi == name_vi
    assert status.info.sent_by == sent_by
    assert status.name_en


def test_codes_are_read_tolerantly():
    assert parse_status_code("3") is StatusCode.ACCEPTED
    assert parse_status_code(6) is StatusCode.DONE
    assert parse_status_code(" 13 ") is StatusCode.RECALL_REQUESTED


def test_unknown_but_well_formed_codes_are_kept_on_input():
    assert normalize_status_code("7") == "07"
    assert find_status_code("14") is None
    with pytest.raises(InvalidInput):
        parse_status_code("14")
    with pytest.raises(InvalidInput):
        normalize_status_code("abc")
    with pytest.raises(InvalidInput):
        normalize_status_code("123")


def test_mapping_table_happy_path():
    # §8.8: receive (auto) 01, register 03, leader assigns 04, handler starts 05, done 06.
    cycle = IncomingLifecycle()
    for code in ("01", "03", "04", "05", "06"):
        cycle = cycle.apply(code)
    assert cycle.current is StatusCode.DONE and cycle.is_final
    assert cycle.allowed() == {StatusCode.RECALL_REQUESTED}


def test_rejection_ends_the_cycle():
    cycle = IncomingLifecycle().apply(StatusCode.ARRIVED).apply(StatusCode.REJECTED)
    assert cycle.is_final
    with pytest.raises(Conflict):
        cycle.apply(StatusCode.ACCEPTED)
    assert IncomingLifecycle().apply("02").current is StatusCode.REJECTED  # refused on arrival


def test_steps_cannot_be_skipped():
    with pytest.raises(Conflict) as caught:
        IncomingLifecycle().apply(StatusCode.PROCESSING)
    assert "05" in caught.value.message
    with pytest.raises(Conflict):
        IncomingLifecycle(StatusCode.ARRIVED).apply(StatusCode.DONE)


def test_reassignment_and_progress_may_repeat():
    cycle = IncomingLifecycle(StatusCode.ACCEPTED).apply("04").apply("05").apply("04").apply("05").apply("05")
    assert cycle.current is StatusCode.PROCESSING


def test_recall_accepted_and_refused():
    processing = IncomingLifecycle(StatusCode.PROCESSING)
    asked = processing.apply(StatusCode.RECALL_REQUESTED)
    assert asked.allowed() == {StatusCode.RECALL_ACCEPTED, StatusCode.RECALL_REFUSED}
    assert asked.apply(StatusCode.RECALL_ACCEPTED).is_final
    assert asked.apply(StatusCode.RECALL_REFUSED) == processing
    with pytest.raises(Conflict):
        processing.apply(StatusCode.RECALL_ACCEPTED)
    with pytest.raises(Conflict):
        IncomingLifecycle(StatusCode.REJECTED).apply(StatusCode.RECALL_REQUESTED)
