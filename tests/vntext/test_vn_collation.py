"""Vietnamese dictionary order and ordering people by given name."""

import random
import re
import sqlite3

import pytest

from congvu.vntext.collation import name_sort_key, sort_key, split_name

_WORD_LINES = """
    Anh Ảnh Ánh Ăn Ân Ba Bà Bả Bã Bá Bạ Bác Bắc Bấc Cao Chi Dung Dũng Dương Đào Đạt Đức Em Êm Giang Hà
    Hoa Hòa Hồ Hơn Hùng Hưng Khánh Lan Minh Ngọc Nhung Oanh Ông Ơn Phúc Quang Sơn Thảo Trang Út Uyên Ưng
    Vinh Xuân Yến
"""
WORDS = _WORD_LINES.split()

PEOPLE = [
    "Đặng Thị An", "Đặng Văn An", "Nguyễn Văn An", "Lê Thị Anh", "Mai Anh", "Lê Thị Ảnh",
    "Nguyễn Thị Ngọc Ánh", "Trần Thị Ánh", "Trương Thị Ăn", "Bùi Văn Ân", "Dương Văn Ba", "Cao Văn Bắc",
    "Lê Bình", "Phạm Văn Chi", "Vũ Ngọc Chi", "Nguyễn Văn Chính", "Đinh Dung", "Đỗ Văn Dũng",
    "Nguyễn Hữu Dũng", "Hoàng Đạt", "Đỗ Minh Đức", "Lê Văn Hoa", "Võ Thị Hoa", "Lê Văn Hòa", "Lê Văn Hồ",
    "Nguyễn Thị Hường", "Ông Văn Ô", "Phạm Ơn",
    "Phan Thanh Sơn", "Tôn Thất Thuyết", "Hồ Văn Út", "Hoàng Ưng", "Trần Văn Vinh", "Lý Thị Yến",
]


def shuffled(items: list[str], seed: int) -> list[str]:
    copy = list(items)
    random.Random(seed).shuffle(copy)
    return copy


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dictionary_order(seed: int) -> None:
    assert len(WORDS) >= 30
    assert sorted(shuffled(WORDS, seed), key=sort_key) == WORDS


def test_six_tones_of_one_syllable() -> None:
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_letters_before_tones_over_the_whole_string_then_case() -> None:
    # ICU vi: whole-string letters first, so "bà con" sorts before "ba lô"
    assert sorted(["ba lô", "bà con", "ba ba"], key=sort_key) == ["ba ba", "bà con", "ba lô"]
    assert sorted(["An", "an", "Ánh", "án"], key=sort_key) == ["an", "An", "án", "Ánh"]
    assert sort_key("a") < sort_key("ă") < sort_key("â") < sort_key("b")
    assert sort_key("d") < sort_key("đ") < sort_key("e") < sort_key("ê") < sort_key("g")
    assert sort_key("o") < sort_key("ô") < sort_key("ơ") < sort_key("p")
    assert sort_key("u") < sort_key("ư") < sort_key("v")


def test_research_icu_vi_order() -> None:
    expected = [
        "Bùi Văn Ân", "Cao Văn Bắc", "Dương Văn Ba", "Đặng Văn An", "Đỗ Minh Đức", "Hoàng Ưng", "Hồ Văn Út",
        "Lê Thị Anh", "Lê Thị Ảnh", "Lê Thị Ánh", "Ông Văn Ô", "Phạm Ơn", "Trần Văn Vinh", "Trương Thị Ăn",
        "Vũ Ngọc Chi",
    ]
    assert sorted(shuffled(expected, 7), key=sort_key) == expected


def test_digits_punctuation_and_other_characters() -> None:
    ordered = ["", "1 a", "10", "2", "a", "a-b", "ab", "z", "ß", "中"]
    assert sorted(shuffled(ordered, 5), key=sort_key) == ordered


def test_keys_are_lowercase_ascii_alphanumerics() -> None:
    for text in WORDS + PEOPLE + ["Straße № 5 — «Ủy ban»", "中文", "  Lê\tBình  ", ""]:
        assert re.fullmatch(r"[0-9a-z]+", sort_key(text))
        assert re.fullmatch(r"[0-9a-z]+", name_sort_key(text))


def test_key_ignores_normalisation_and_spacing() -> None:
    assert sort_key("Nguyễn  Văn\tAn") == sort_key("Nguye\u0302\u0303n Văn An")


def test_name_sort_key_orders_by_given_then_family_then_middle() -> None:
    for seed in (11, 12, 13):
        assert sorted(shuffled(PEOPLE, seed), key=name_sort_key) == PEOPLE


def test_name_sort_key_brief_example() -> None:
    expected = ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Bình", "Phạm Văn Chi", "Đỗ Văn Dũng", "Hoàng Đạt"]
    assert sorted(shuffled(expected, 3), key=name_sort_key) == expected


def test_name_sort_key_research_order() -> None:
    expected = [
        "Đặng Văn An", "Lê Thị Anh", "Lê Thị Ảnh", "Lê Thị Ánh", "Trương Thị Ăn", "Bùi Văn Ân",
        "Dương Văn Ba", "Cao Văn Bắc", "Vũ Ngọc Chi", "Nguyễn Văn Chính", "Đỗ Minh Đức", "Nguyễn Thị Hường",
        "Ông Văn Ô", "Phạm Ơn", "Hồ Văn Út", "Hoàng Ưng", "Trần Văn Vinh", "Lý Thị Yến",
    ]
    assert sorted(shuffled(expected, 4), key=name_sort_key) == expected


def test_sqlite_binary_order_matches_python_order() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE people (name TEXT, name_key TEXT, word_key TEXT)")
    rows = [(n, name_sort_key(n), sort_key(n)) for n in shuffled(PEOPLE, 9)]
    db.executemany("INSERT INTO people VALUES (?, ?, ?)", rows)
    by_name = [row[0] for row in db.execute("SELECT name FROM people ORDER BY name_key")]
    by_word = [row[0] for row in db.execute("SELECT name FROM people ORDER BY word_key")]
    db.close()
    assert by_name == PEOPLE
    assert by_word == sorted(PEOPLE, key=sort_key)


def test_split_name() -> None:
    assert split_name("Trần Văn Vinh") == ("Trần", "Văn", "Vinh")
    assert split_name("Nguyễn Thị Ngọc Ánh") == ("Nguyễn", "Thị Ngọc", "Ánh")
    assert split_name("Lê Bình") == ("Lê", "", "Bình")
    assert split_name("  Bảy ") == ("", "", "Bảy")
    assert split_name("Tôn Thất Thuyết") == ("Tôn Thất", "", "Thuyết")
    assert split_name("Âu Dương Phong Vân") == ("Âu Dương", "Phong", "Vân")
    assert split_name("") == ("", "", "")
