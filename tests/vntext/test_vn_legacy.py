"""Legacy encodings: round trips, agreement with glibc iconv, detection without and with font hints."""

import shutil
import subprocess

import pytest

from congvu.errors import InvalidInput
from congvu.vntext.legacy import (
    Detection,
    FontEncoding,
    LegacyEncoding,
    bytes_as_cp1252,
    decode_legacy,
    detect_legacy,
    encode_legacy,
    encoding_for_font,
    to_unicode,
)

PHRASES = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Ủy ban nhân dân tỉnh Đồng Nai",
    "Sở Thông tin và Truyền thông",
    "Giấy mời họp",
    "Công văn đến",
]
SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Sở Nội vụ đề nghị các cơ quan, đơn vị báo cáo kết quả thực hiện trước ngày 30/6.",
    "Kính gửi: Giám đốc các sở, ban, ngành; Chủ tịch UBND các huyện, thành phố.",
    "Nơi nhận: Như trên; Lưu: VT, VP.",
    "Người ký: Nguyễn Thị Hường, Phó Chủ tịch",
    "Thời gian: 8 giờ 00 phút, thứ Hai, ngày 15 tháng 01 năm 2024",
    "Địa điểm: Hội trường tầng 3, trụ sở Ủy ban nhân dân tỉnh Đắk Lắk",
    "Trân trọng kính mời quý đại biểu đến dự đầy đủ, đúng giờ.",
    "Báo cáo tình hình kinh tế - xã hội quý IV năm 2023 và nhiệm vụ trọng tâm",
    "Quyết định về việc ban hành quy chế làm việc của thường trực",
]
LEGACY = [e for e in LegacyEncoding if e not in (LegacyEncoding.UNICODE, LegacyEncoding.CP1252)]
EIGHT_BIT = [LegacyEncoding.TCVN3, LegacyEncoding.VNI_WINDOWS, LegacyEncoding.VISCII, LegacyEncoding.CP1258]


def expected(text: str, encoding: LegacyEncoding) -> str:
    """TCVN3 has no toned capitals: they come back lowercase unless the font says otherwise."""
    if encoding is not LegacyEncoding.TCVN3:
        return text
    return "".join(map(_tcvn3_case, text))


def _tcvn3_case(ch: str) -> str:
    toneless_capitals = "ĂÂÊÔƠƯĐ"
    if ch.isupper() and not ch.isascii() and ch not in toneless_capitals:
        return ch.lower()
    return ch


def as_view(data: bytes, encoding: LegacyEncoding) -> str:
    """What a .doc/.docx/HTML extractor hands over for the same text."""
    return data.decode("utf-8") if encoding is LegacyEncoding.UTF8_AS_CP1252 else bytes_as_cp1252(data)


@pytest.mark.parametrize("encoding", LEGACY)
@pytest.mark.parametrize("phrase", PHRASES + SENTENCES)
def test_round_trip(encoding: LegacyEncoding, phrase: str) -> None:
    data = encode_legacy(phrase, encoding)
    assert decode_legacy(data, encoding) == expected(phrase, encoding)
    assert decode_legacy(as_view(data, encoding), encoding) == expected(phrase, encoding)
    assert decode_legacy(data, encoding.value) == expected(phrase, encoding)


@pytest.mark.parametrize("encoding", LEGACY)
@pytest.mark.parametrize("phrase", PHRASES + SENTENCES)
def test_detection_without_hints(encoding: LegacyEncoding, phrase: str) -> None:
    data = encode_legacy(phrase, encoding)
    for given in (data, as_view(data, encoding)):
        found = detect_legacy(given)
        assert found.encoding is encoding
        assert found.text == expected(phrase, encoding)
        assert 0.5 <= found.confidence <= 1.0
        assert to_unicode(given) == found.text


def test_legacy_views_look_as_documented() -> None:
    def view(phrase: str, encoding: LegacyEncoding) -> str:
        return bytes_as_cp1252(encode_legacy(phrase, encoding))

    assert view(PHRASES[0], LegacyEncoding.TCVN3) == "Céng hßa x· héi chñ nghÜa ViÖt Nam"
    assert view(PHRASES[1], LegacyEncoding.TCVN3) == "§éc lËp - Tù do - H¹nh phóc"
    assert view(PHRASES[2], LegacyEncoding.TCVN3) == "ñy ban nh©n d©n tØnh §ång Nai"
    assert view(PHRASES[0], LegacyEncoding.VNI_WINDOWS) == "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"
    assert view(PHRASES[1], LegacyEncoding.VNI_WINDOWS) == "Ñoäc laäp - Töï do - Haïnh phuùc"
    assert view(PHRASES[2], LegacyEncoding.VNI_WINDOWS) == "UÛy ban nhaân daân tænh Ñoàng Nai"
    assert encode_legacy(PHRASES[0], LegacyEncoding.VIQR) == b"Co^.ng ho`a xa~ ho^.i chu? nghi~a Vie^.t Nam"
    assert encode_legacy(PHRASES[1], LegacyEncoding.VIQR) == b"DDo^.c la^.p - Tu+. do - Ha.nh phu'c"
    assert encode_legacy(PHRASES[2], LegacyEncoding.VIQR) == b"U?y ban nha^n da^n ti?nh DDo^`ng Nai"


def test_tcvn3_known_vectors() -> None:
    assert to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert to_unicode("Ng\u00adêi ký: NguyÔn ThÞ H\u00adêng") == "Người ký: Nguyễn Thị Hường"
    assert detect_legacy("UBND tØnh §ång Nai").encoding is LegacyEncoding.TCVN3
    assert to_unicode("UBND tØnh §ång Nai") == "UBND tỉnh Đồng Nai"
    # 0x80-0x9F are Windows-1252 punctuation in VN3, not letters
    assert decode_legacy(b"\x93C\xe9ng\x94 \x96 ok\x85", LegacyEncoding.TCVN3) == "“Cộng” – ok…"


def test_tcvn3_capital_font() -> None:
    found = detect_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam", font_hint=".VnTimeH")
    assert found == Detection(LegacyEncoding.TCVN3, 0.95, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert to_unicode("ñy ban", font_hint=".VnArialH") == "ỦY BAN"
    assert to_unicode("ñy ban", font_hint=".VnTime") == "ủy ban"
    assert decode_legacy("céng hoµ", LegacyEncoding.TCVN3, capital=True) == "CỘNG HOÀ"


def test_vni_tolerates_case_changed_marks() -> None:
    assert decode_legacy("CoÄNG", LegacyEncoding.VNI_WINDOWS) == "CộNG"
    assert decode_legacy("Aù", LegacyEncoding.VNI_WINDOWS) == "Á"
    assert to_unicode("Giaáy môøi hoïp", font_hint="VNI-Times") == "Giấy mời họp"


def test_viqr_escapes_and_variants() -> None:
    viqr = "Co^.ng ho`a xa~ ho^.i chu? nghi~a Vie^.t Nam\\."
    assert to_unicode(viqr) == "Cộng hòa xã hội chủ nghĩa Việt Nam."
    assert decode_legacy("Anh ddi dda^u\\?", LegacyEncoding.VIQR) == "Anh đi đâu?"
    assert decode_legacy("Dda('k La('k, tho*`i", LegacyEncoding.VIQR) == "Đắk Lắk, thời"
    for text in ("Họ? Addis đdd \\ a(b Việt Nam.", "ô.", "Mỹ, (Anh)"):
        assert decode_legacy(encode_legacy(text, LegacyEncoding.VIQR), LegacyEncoding.VIQR) == text


def test_viscii_uses_c0_bytes_for_six_capitals() -> None:
    assert decode_legacy(b"\x02\x05\x06\x14\x19\x1e", LegacyEncoding.VISCII) == "ẲẴẪỶỸỴ"
    assert encode_legacy("ẲẴẪỶỸỴ", LegacyEncoding.VISCII) == b"\x02\x05\x06\x14\x19\x1e"


def test_cp1258_precomposed_and_combining_forms() -> None:
    assert decode_legacy(b"\xe1 a\xec", LegacyEncoding.CP1258) == "á á"
    assert decode_legacy(b"C\xf4\xf2ng", LegacyEncoding.CP1258) == "Cộng"


def test_mojibake_repair() -> None:
    garbled = "Cá»™ng hÃ²a xÃ£ há»™i chá»§ nghÄ©a Viá»‡t Nam"
    assert detect_legacy(garbled).encoding is LegacyEncoding.UTF8_AS_CP1252
    assert to_unicode(garbled) == PHRASES[0]


@pytest.mark.parametrize(
    "text",
    [
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "Tôi là",
        "Tôi là sinh viên",
        "Hello world, how are you? I'm fine. It's ok.",
        "Café crème brûlée à la carte, où est la gare? Ça va.",
        "Der Bäcker öffnet um 6 Uhr.",
        "Công văn số 123/UBND-VX",
        "plain ascii text 2024",
        "",
    ],
)
def test_unicode_and_foreign_text_left_alone(text: str) -> None:
    found = detect_legacy(text)
    assert found.encoding is LegacyEncoding.UNICODE
    assert found.text == text
    assert detect_legacy(text.encode("utf-8")) == found


def test_unicode_only_letters_beat_a_stale_font_name() -> None:
    found = detect_legacy("Sở Thông tin và Truyền thông", font_hint=".VnTime")
    assert found.encoding is LegacyEncoding.UNICODE
    assert found.text == "Sở Thông tin và Truyền thông"


def test_decomposed_unicode_is_unicode() -> None:
    found = detect_legacy("Vie\u0302\u0323t Nam")
    assert found == Detection(LegacyEncoding.UNICODE, 0.99, "Việt Nam")


def test_western_bytes_that_are_not_utf8() -> None:
    found = detect_legacy("Café crème, où est la gare?".encode("cp1252"))
    assert found.encoding is LegacyEncoding.CP1252
    assert found.text == "Café crème, où est la gare?"


def test_font_names() -> None:
    assert encoding_for_font(".VnTime") == FontEncoding(LegacyEncoding.TCVN3)
    assert encoding_for_font(".VnTimeH") == FontEncoding(LegacyEncoding.TCVN3, capital=True)
    assert encoding_for_font(" .VnArial NarrowH ") == FontEncoding(LegacyEncoding.TCVN3, capital=True)
    assert encoding_for_font("VNI-Times") == FontEncoding(LegacyEncoding.VNI_WINDOWS)
    assert encoding_for_font("VNI-Helve-Condense") == FontEncoding(LegacyEncoding.VNI_WINDOWS)
    assert encoding_for_font("VISCII Times") == FontEncoding(LegacyEncoding.VISCII)
    assert encoding_for_font("Times New Roman") is None
    assert encoding_for_font("Vivaldi") is None
    # an unknown font falls through to the other evidence
    assert to_unicode("Céng hßa x· héi chñ nghÜa ViÖt Nam", font_hint="Arial") == PHRASES[0]


def test_encoder_errors() -> None:
    with pytest.raises(InvalidInput, match="tcvn3"):
        encode_legacy("中", LegacyEncoding.TCVN3)
    with pytest.raises(InvalidInput):
        encode_legacy("Việt – Nam", LegacyEncoding.VIQR)
    with pytest.raises(InvalidInput):
        encode_legacy("ä", LegacyEncoding.VNI_WINDOWS)  # 0xE4 is a VNI mark byte
    assert encode_legacy("Việt 中", LegacyEncoding.VISCII, errors="replace").endswith(b" ?")


# -- agreement with glibc iconv ---------------------------------------------------------------------------

needs_iconv = pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")


def iconv(text: str, charset: str) -> bytes:
    return subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", charset], input=text.encode("utf-8"), capture_output=True, check=True
    ).stdout


@needs_iconv
@pytest.mark.parametrize("phrase", PHRASES + SENTENCES)
def test_tcvn3_agrees_with_iconv(phrase: str) -> None:
    # glibc's TCVN5712-1 is VN1: it has codes of its own for toned capitals, which VN3 lacks.
    vn3_phrase = expected(phrase, LegacyEncoding.TCVN3)
    reference = iconv(vn3_phrase, "TCVN5712-1")
    assert encode_legacy(vn3_phrase, LegacyEncoding.TCVN3) == reference
    assert decode_legacy(reference, LegacyEncoding.TCVN3) == vn3_phrase
    assert detect_legacy(reference).text == vn3_phrase


@needs_iconv
@pytest.mark.parametrize("phrase", PHRASES + SENTENCES)
def test_viscii_agrees_with_iconv(phrase: str) -> None:
    reference = iconv(phrase, "VISCII")
    assert encode_legacy(phrase, LegacyEncoding.VISCII) == reference
    assert decode_legacy(reference, LegacyEncoding.VISCII) == phrase
    assert detect_legacy(reference).text == phrase


@needs_iconv
@pytest.mark.parametrize("phrase", PHRASES + SENTENCES)
def test_cp1258_agrees_with_iconv(phrase: str) -> None:
    reference = iconv(phrase, "CP1258")
    assert decode_legacy(reference, LegacyEncoding.CP1258) == phrase
    found = detect_legacy(reference)
    assert (found.encoding, found.text) == (LegacyEncoding.CP1258, phrase)
    # our encoder may pick precomposed letters where iconv splits the tone; both read back the same
    assert decode_legacy(encode_legacy(phrase, LegacyEncoding.CP1258), LegacyEncoding.CP1258) == phrase


@pytest.mark.parametrize("encoding", LEGACY)
def test_detection_of_a_whole_letter(encoding: LegacyEncoding) -> None:
    letter = "\n".join(PHRASES + SENTENCES)
    data = encode_legacy(letter, encoding)
    found = detect_legacy(data)
    assert (found.encoding, found.text) == (encoding, expected(letter, encoding))
    assert found.confidence >= 0.95


def test_capital_inside_a_word_counts_against_a_candidate() -> None:
    # TCVN3 bytes that VISCII would read with capitals in the middle of words
    data = encode_legacy("Len ngửi mẹ vá lạc bún sữa sắt cha ngựa", LegacyEncoding.TCVN3)
    assert detect_legacy(data).encoding is LegacyEncoding.TCVN3
