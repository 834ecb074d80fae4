"""Secrecy, urgency and signer authority (NĐ 30/2020 Điều 4, 13, Phụ lục I; Luật 29/2018/QH14; QĐ 28/2018)."""

import pytest

from congvu.clerical.levels import (
    Authority,
    SecrecyLevel,
    SignerTitle,
    UrgencyLevel,
    format_signer_block,
    is_secret,
    parse_authority_line,
    parse_competence,
    parse_secrecy,
    parse_signer_block,
    parse_urgency,
    refuse_if_secret,
    urgency_from_priority,
)
from congvu.errors import InvalidInput, PermissionDenied


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Mật", SecrecyLevel.MAT),
        ("TỐI MẬT", SecrecyLevel.TOI_MAT),
        ("tuyet mat", SecrecyLevel.TUYET_MAT),
        ("", SecrecyLevel.NONE),
        (None, SecrecyLevel.NONE),
        ("Thường", SecrecyLevel.NONE),
    ],
)
def test_secrecy_marks(text, level):
    assert parse_secrecy(text) is level


def test_is_secret():
    assert is_secret("Mật") and is_secret(SecrecyLevel.TUYET_MAT)
    assert not is_secret(None) and not is_secret(SecrecyLevel.NONE)
    with pytest.raises(InvalidInput):
        is_secret("Bí mật quốc gia hạng A")


@pytest.mark.parametrize("level", ["Mật", "Tối mật", "Tuyệt mật", SecrecyLevel.MAT])
def test_secret_documents_are_refused_with_the_legal_reason(level):
    with pytest.raises(PermissionDenied) as caught:
        refuse_if_secret(level)
    message = caught.value.message
    assert "28/2018/QĐ-TTg" in message
    assert "Luật Bảo vệ bí mật nhà nước" in message
    assert "không được gửi" in message
    assert "29/2018/QH14" in caught.value.message_en


def test_ordinary_documents_pass():
    refuse_if_secret(None)
    refuse_if_secret("")


@pytest.mark.parametrize(
    ("text", "level", "priority"),
    [
        ("Hỏa tốc", UrgencyLevel.HOA_TOC, 3),
        ("Hoả tốc", UrgencyLevel.HOA_TOC, 3),  # tone mark on the other vowel, as in Phụ lục I
        ("HOẢ TỐC", UrgencyLevel.HOA_TOC, 3),
        ("Thượng khẩn", UrgencyLevel.THUONG_KHAN, 2),
        ("KHẨN", UrgencyLevel.KHAN, 1),
        ("Thường", UrgencyLevel.THUONG, 0),
        (None, UrgencyLevel.THUONG, 0),
    ],
)
def test_urgency_marks_and_edxml_priority(text, level, priority):
    parsed = parse_urgency(text)
    assert parsed is level
    assert parsed.edxml_priority == priority


def test_hoa_toc_spellings_are_different_code_points_yet_same_level():
    assert "Hỏa tốc" != "Hoả tốc"
    assert parse_urgency("Hỏa tốc") is parse_urgency("Hoả tốc")


def test_priority_mapping_accepts_legacy_four():
    assert urgency_from_priority(4) is UrgencyLevel.HOA_TOC_HEN_GIO
    assert urgency_from_priority("2") is UrgencyLevel.THUONG_KHAN
    assert UrgencyLevel.KHAN.is_urgent and not UrgencyLevel.THUONG.is_urgent
    with pytest.raises(InvalidInput):
        urgency_from_priority(5)
    with pytest.raises(InvalidInput):
        parse_urgency("gấp lắm")


@pytest.mark.parametrize(
    ("line", "authority", "holder"),
    [
        ("KT. CHỦ TỊCH", Authority.KT, "CHỦ TỊCH"),
        ("KT.CHỦ TỊCH", Authority.KT, "CHỦ TỊCH"),  # seeds write it without a space
        ("TM. ỦY BAN NHÂN DÂN", Authority.TM, "ỦY BAN NHÂN DÂN"),
        ("Q. GIÁM ĐỐC", Authority.Q, "GIÁM ĐỐC"),
        ("TL. BỘ TRƯỞNG", Authority.TL, "BỘ TRƯỞNG"),
        ("TUQ. CHỦ TỊCH", Authority.TUQ, "CHỦ TỊCH"),
        ("K/T CHỦ TỊCH", Authority.KT, "CHỦ TỊCH"),
        ("T/M UBND TỈNH", Authority.TM, "UBND TỈNH"),
        ("**KT. GIÁM ĐỐC**", Authority.KT, "GIÁM ĐỐC"),
    ],
)
def test_authority_lines(line, authority, holder):
    parsed = parse_authority_line(line)
    assert (parsed.authority, parsed.holder) == (authority, holder)


def test_lines_without_authority():
    assert parse_authority_line("PHÓ CHỦ TỊCH") is None
    assert parse_authority_line("QUYẾT ĐỊNH") is None


def test_nested_competence_and_signer_block_from_seed():
    block = "**TM. ỦY BAN NHÂN DÂN TỈNH\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**"
    title = parse_signer_block(block)
    assert [a.authority for a in title.authorities] == [Authority.TM, Authority.KT]
    assert title.position == "PHÓ CHỦ TỊCH"
    assert title.competence == "TM. ỦY BAN NHÂN DÂN TỈNH KT. CHỦ TỊCH"
    assert parse_competence(title.competence) == title.authorities
    assert format_signer_block(title) == "TM. ỦY BAN NHÂN DÂN TỈNH\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"


def test_head_signing_in_own_name():
    assert parse_signer_block("GIÁM ĐỐC\n\n\nNguyễn Văn A") == SignerTitle((), "GIÁM ĐỐC")


def test_authority_meanings():
    assert Authority.TUQ.meaning == "Thừa ủy quyền"
    assert Authority.KT.meaning_en == "Signed for"
