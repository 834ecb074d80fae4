"""Modified UTF-7 (RFC 3501 §5.1.3): round trips with Vietnamese folder names and the RFC's own example."""

import pytest

from congvu.errors import InvalidInput
from congvu.imap import mutf7
from congvu.imap.mailbox import canonical_name, decode_name, encode_name

VIETNAMESE_FOLDERS = [
    "Văn bản đến",
    "Văn bản đi",
    "Thư đã gửi",
    "Thư nháp",
    "Thùng rác",
    "Thư rác",
    "Lưu trữ/Năm 2024/Quý IV",
    "Sở Thông tin & Truyền thông",
    "Phòng Tổ chức – Hành chính",
    "ĐỒNG NAI",
]


@pytest.mark.parametrize("name", VIETNAMESE_FOLDERS)
def test_round_trip(name: str) -> None:
    encoded = mutf7.encode(name)
    assert encoded.isascii()
    assert mutf7.decode(encoded) == name


def test_known_encodings() -> None:
    assert mutf7.encode("Văn bản đến") == "V&AQM-n b&HqM-n &AREevw-n"
    assert mutf7.encode("R&D") == "R&-D"
    assert mutf7.encode("INBOX") == "INBOX"
    # RFC 3501 §5.1.3 example
    assert mutf7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/台北/日本語"
    assert mutf7.encode("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"


def test_astral_characters_use_surrogate_pairs() -> None:
    assert mutf7.decode(mutf7.encode("Thư 📨")) == "Thư 📨"


@pytest.mark.parametrize(
    "bad",
    [
        "R&D",  # no terminating "-"
        "&AGE-",  # "a" must stand for itself
        "&AOk-&AOk-",  # two adjacent runs
        "&AO-",  # odd UTF-16 length / bad length
        "&AOl-",  # non-zero padding bits
        "&2D0-",  # lone high surrogate
        "tab\there",
        "é",
    ],
)
def test_strict_decoding(bad: str) -> None:
    with pytest.raises(InvalidInput):
        mutf7.decode(bad)


def test_mailbox_layer_folds_inbox_and_normalises() -> None:
    assert decode_name(b"inbox", utf8=False) == "INBOX"
    assert decode_name(b"iNbOx/Th&AbA-", utf8=False) == "INBOX/Thư"
    assert decode_name(b"INBOXES", utf8=False) == "INBOXES"
    assert canonical_name("Inbox.Sent", ".") == "INBOX.Sent"
    assert decode_name("V\u0103n ba\u0309n".encode(), utf8=True) == "Văn bản"
    assert encode_name("Văn bản đến", utf8=False) == "V&AQM-n b&HqM-n &AREevw-n"
    assert encode_name("Văn bản đến", utf8=True) == "Văn bản đến"
    assert decode_name(b"R&D", utf8=True) == "R&D"
