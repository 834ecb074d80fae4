"""Sequence sets: parsing, '*' and '$', membership and iteration without materialising huge ranges."""

import pytest

from congvu.imap.errors import ParseError
from congvu.imap.sequence import STAR, NumberSet, SequenceSet


def test_parse_and_print_round_trip() -> None:
    for text in ["1", "1:*", "*", "*:4", "2,4:7,9,12:*", "$", "4294967295"]:
        assert str(SequenceSet.parse(text)) == text


def test_ranges_in_either_order_and_star() -> None:
    seq = SequenceSet.parse("7:3,*:9")
    assert seq.ranges == ((7, 3), (STAR, 9))
    assert list(seq.numbers(12)) == [3, 4, 5, 6, 7, 9, 10, 11, 12]
    assert seq.contains(10, 12) and not seq.contains(8, 12)


def test_huge_range_is_not_materialised() -> None:
    seq = SequenceSet.parse("1:4294967295")
    resolved = seq.resolve(10)
    assert resolved.ranges == ((1, 4294967295),)
    assert 4000000000 in resolved and 0 not in resolved
    assert len(resolved) == 4294967295
    assert list(seq.numbers(5)) == [1, 2, 3, 4, 5]


def test_uid_star_beyond_largest_still_includes_last() -> None:
    # RFC 9051 §6.4.8: UID 559:* includes the highest UID even if it is below 559.
    resolved = SequenceSet.parse("559:*").resolve(500)
    assert 500 in resolved and 559 in resolved and 501 in resolved and 499 not in resolved


def test_empty_mailbox() -> None:
    assert list(SequenceSet.parse("1:*").numbers(0)) == []


def test_saved_result_must_be_substituted() -> None:
    saved = SequenceSet.parse("$")
    assert saved.saved
    with pytest.raises(ValueError):
        saved.resolve(10)


def test_overlapping_ranges_merge() -> None:
    resolved = SequenceSet.parse("5:10,1:3,4,8:12,20").resolve(100)
    assert resolved.ranges == ((1, 12), (20, 20))
    assert str(resolved) == "1:12,20"
    assert resolved.clip(10, 15).ranges == ((10, 12),)


def test_of_compresses() -> None:
    assert str(SequenceSet.of([9, 1, 2, 3, 5, 7, 8, 3])) == "1:3,5,7:9"
    assert str(SequenceSet.of([])) == ""
    assert str(SequenceSet.everything()) == "1:*"


def test_membership_bisects() -> None:
    numbers = NumberSet.from_ranges((n, n) for n in range(1, 20001, 2))
    assert 19999 in numbers and 20000 not in numbers and "3" not in numbers


@pytest.mark.parametrize("text", ["", "0", "01", "1:", ":1", "1:2:3", "a", "1,", "-1", "99999999999", "$,1"])
def test_invalid(text: str) -> None:
    with pytest.raises(ParseError):
        SequenceSet.parse(text, tag="t")


def test_range_limit() -> None:
    with pytest.raises(ParseError) as caught:
        SequenceSet.parse(",".join(["1"] * 11), tag="t", max_ranges=10)
    assert caught.value.tag == "t"
