"""The well-formed-syllable check that detection and the eth repair rely on."""

import pytest

from congvu.vntext.syllable import COMMON_SYLLABLES, Tone, is_syllable, split_tone


@pytest.mark.parametrize(
    "word",
    ["nghiêng", "quốc", "Quỳnh", "giếng", "gì", "gìn", "khuya", "người", "thuở", "hòa", "hoà", "khoẻ", "ĐỒNG",
     "yêu", "ước", "oai", "kỹ", "ký", "nghĩa", "việt", "ăn", "ủy", "uỷ", "luật"],
)
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["céng", "ghà", "kan", "ngi", "hoàc", "vieät", "chñ", "héi", "qa", "café", "xyz", "bàà", "troòng",
     "ðồng", "abc", "hôc", "ảá"],
)
def test_invalid_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_stop_codas_take_only_sac_or_nang() -> None:
    assert is_syllable("học") and is_syllable("hóc")
    for word in ("hòc", "hỏc", "hõc", "hoc", "hàp"):
        assert not is_syllable(word)


def test_split_tone() -> None:
    assert split_tone("Việt") == ("Viêt", Tone.NANG, 1)
    assert split_tone("hòa") == ("hoa", Tone.HUYEN, 1)
    assert split_tone("an") == ("an", Tone.NGANG, 0)
    assert [split_tone(x)[1] for x in ("ma", "mà", "mả", "mã", "má", "mạ")] == list(Tone)


def test_common_syllables_are_syllables() -> None:
    assert all(is_syllable(word) for word in COMMON_SYLLABLES)
