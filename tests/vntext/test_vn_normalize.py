"""NFC, the eth look-alikes, and the cleaning of single- and multi-line input."""

import unicodedata

import pytest

from congvu.errors import InvalidInput
from congvu.vntext.normalize import clean_line, clean_text, nfc


def test_nfc_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Cộng hòa xã hội chủ nghĩa Việt Nam")
    assert decomposed != "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert nfc(decomposed) == "Cộng hòa xã hội chủ nghĩa Việt Nam"


def test_nfc_composes_marks_typed_in_either_order() -> None:
    # ệ typed as e + dot below + circumflex and as e + circumflex + dot below
    assert nfc("Vi\u0065\u0323\u0302t") == "Việt"
    assert nfc("Vi\u0065\u0302\u0323t") == "Việt"


def test_capital_eth_is_always_replaced() -> None:
    assert nfc("\u00d0ồng Nai") == "Đồng Nai"
    assert nfc("\u00d0\u00d4NG") == "ĐÔNG"


def test_small_eth_replaced_only_at_start_of_a_vietnamese_syllable() -> None:
    assert nfc("\u00f0ồng Nai, \u00f0ường") == "đồng Nai, đường"
    assert nfc("Sở \u00f0ã nhận") == "Sở đã nhận"
    # Icelandic: ð never starts a word there, and "ðx" is no syllable.
    assert nfc("Guðrún og Sigríður") == "Guðrún og Sigríður"
    assert nfc("\u00f0xyz") == "\u00f0xyz"


def test_clean_line_strips_and_collapses() -> None:
    assert clean_line("  Trần \t Văn\u00a0\u00a0Vinh \n", field="Họ và tên") == "Trần Văn Vinh"
    assert clean_line("Tr\u0061\u0302\u0300n\u200b Văn Vinh", field="Họ và tên") == "Trần Văn Vinh"


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\u0007", "U+0007"),
        ("\u0000", "U+0000"),
        ("\u007f", "U+007F"),
        ("\u0085", "U+0085"),
        ("\u009b", "U+009B"),
        ("\u2028", "U+2028"),
        ("\u2029", "U+2029"),
        ("\u202e", "U+202E"),
        ("\u202a", "U+202A"),
        ("\u2066", "U+2066"),
        ("\u2069", "U+2069"),
        ("\u200f", "U+200F"),
    ],
)
def test_clean_line_rejects_control_characters_naming_the_field(char: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_line(f"Trần{char}Văn Vinh", field="Họ và tên")
    assert str(caught.value) == f"Trường «Họ và tên» chứa ký tự điều khiển ({code})"
    assert caught.value.field == "Họ và tên"
    assert code in caught.value.message_en


def test_clean_line_rejects_inner_line_break() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_line("Giám đốc\nSở Tài chính", field="Chức vụ")
    assert "«Chức vụ»" in str(caught.value)
    assert "U+000A" in str(caught.value)
    assert caught.value.field == "Chức vụ"


def test_clean_line_rejects_empty_and_long_values() -> None:
    with pytest.raises(InvalidInput, match="«Đơn vị» không được để trống"):
        clean_line(" \t\u200b ", field="Đơn vị")
    with pytest.raises(InvalidInput, match="«Đơn vị» dài quá 10 ký tự"):
        clean_line("Sở Thông tin và Truyền thông", field="Đơn vị", max_chars=10)
    # the limit counts NFC characters, after collapsing
    assert clean_line("Việt   Nam", field="x", max_chars=8) == "Việt Nam"
    assert clean_line(unicodedata.normalize("NFD", "Việt"), field="x", max_chars=4) == "Việt"


def test_clean_text_keeps_lines_and_tabs() -> None:
    value = "Kính gửi:\r\n\tSở Nội vụ   \r\nNội dung\rKết thúc\n\n\n"
    assert clean_text(value, field="Nội dung") == "Kính gửi:\n\tSở Nội vụ\nNội dung\nKết thúc"


def test_clean_text_rejects_other_controls() -> None:
    for char in ("\u0007", "\u000b", "\u000c", "\u2029", "\u202e"):
        with pytest.raises(InvalidInput) as caught:
            clean_text(f"dòng một\ndòng{char}hai", field="Trích yếu")
        assert caught.value.field == "Trích yếu"
        assert f"U+{ord(char):04X}" in str(caught.value)


def test_clean_text_limits() -> None:
    with pytest.raises(InvalidInput):
        clean_text("\n \n\t\n", field="Nội dung")
    with pytest.raises(InvalidInput, match="dài quá 5 ký tự"):
        clean_text("một\nhai", field="Nội dung", max_chars=5)
    assert clean_text("Đồng Nai", field="Nội dung") == "Đồng Nai"
