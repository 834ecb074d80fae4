"""Whatever arrives, indexing gives a usable index and never raises: fuzzed, truncated and hostile input."""

from __future__ import annotations

import contextlib
import email
import email.policy
import random
import re

import pytest
from imapclient.response_parser import parse_fetch_response
from mail_samples import ALL

from congvu.mail import (
    SectionSpec,
    UnknownTransferEncoding,
    fetch_binary,
    fetch_section,
    index_message,
)
from congvu.mail.mime import MAX_DEPTH
from congvu.mail.wire import Spliced

_PIECES = [
    b"\r\n",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff\xfe",
    "Đồng Nai".encode(),
    b"From: a@b\r\n",
    b'To: (unclosed comment <x@y>, "q\\',
    b"Subject: =?utf-8?b?zz?= =?bogus?q?=ZZ?=\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html; charset=viscii\r\n",
    b"Content-Type: text/plain; name*0*=x'y'%; name*1=\"",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*=''%FF\r\n",
    b"Content-Language: vi, en (x)\r\n",
    b"--b\r\n",
    b"--b--\r\n",
    b"\r\n\r\n",
    b"=\r\n",
    b"=C3=",
    b"<p>&#xFFFFFFFF; <script>",
    b"   ",
    b"\t",
]


def _check(raw: bytes) -> None:
    index = index_message(raw)
    assert index.size == len(raw)
    assert index.parts[0].part == ""
    for span in index.parts:
        assert 0 <= span.header_start <= span.header_end == span.body_start <= span.body_end <= len(raw)
        if span.part and not span.is_multipart:
            part = tuple(int(n) for n in span.part.split("."))
            assert len(fetch_section(raw, index, SectionSpec(part))) == span.size
            with contextlib.suppress(UnknownTransferEncoding):
                fetch_binary(raw, index, part)
    assert _leaf_count(index.bodystructure) >= 1
    parsed = parse_fetch_response(
        _chunks(b"1 (ENVELOPE " + index.envelope_wire + b" BODYSTRUCTURE " + index.bodystructure_wire + b")")
    )
    assert b"BODYSTRUCTURE" in parsed[1]


def _leaf_count(structure: tuple[object, ...]) -> int:
    if isinstance(structure[0], Spliced):
        return sum(_leaf_count(child) for child in structure[0])  # type: ignore[arg-type]
    return 1


def _chunks(data: bytes) -> list[bytes | tuple[bytes, bytes]]:
    chunks: list[bytes | tuple[bytes, bytes]] = []
    # Only "{n}" followed by CRLF opens a literal: a quoted string can hold "{" but never CRLF.
    while (marker := re.search(rb"\{(\d+)\}\r\n", data)) is not None:
        size = int(marker.group(1))
        chunks.append((data[: marker.end() - 2], data[marker.end() : marker.end() + size]))
        data = data[marker.end() + size :]
    chunks.append(data)
    return chunks


@pytest.mark.parametrize("seed", range(40))
def test_random_bytes(seed: int) -> None:
    rng = random.Random(seed)
    _check(rng.randbytes(rng.randrange(0, 3000)))


@pytest.mark.parametrize("seed", range(150))
def test_random_mime_like_input(seed: int) -> None:
    rng = random.Random(1000 + seed)
    _check(b"".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 120))))


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_truncation_of_the_samples(name: str) -> None:
    raw = ALL[name]
    for end in range(0, len(raw) + 1, 3):
        _check(raw[:end])


@pytest.mark.parametrize("seed", range(60))
def test_mutated_samples(seed: int) -> None:
    rng = random.Random(5000 + seed)
    raw = bytearray(rng.choice(list(ALL.values())))
    for _ in range(rng.randrange(1, 12)):
        position = rng.randrange(len(raw))
        raw[position] = rng.choice([0, 10, 13, 32, 34, 40, 45, 58, 59, 61, 255, rng.randrange(256)])
    _check(bytes(raw))


def test_deeply_nested_multiparts_are_cut_off() -> None:
    depth = MAX_DEPTH * 3
    raw = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode() for i in range(depth)
    )
    index = index_message(raw + b"\r\nend\r\n")
    assert len(index.parts) <= MAX_DEPTH + 2
    _check(raw)


def test_deeply_nested_messages_are_cut_off() -> None:
    raw = b"Content-Type: message/rfc822\r\n\r\n" * (MAX_DEPTH * 3) + b"Subject: core\r\n\r\nbody"
    _check(raw)


def test_many_parts() -> None:
    parts = b"".join(b"--m\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(6000))
    raw = b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n' + parts + b"--m--\r\n"
    index = index_message(raw)
    assert 1000 < len(index.parts) <= 6001


def test_nul_and_invalid_utf8_in_headers() -> None:
    raw = b"Subject: a\x00b \xff\xfe\r\nFrom: N\x00m <a\x00@b.vn>\r\n\r\nx"
    index = index_message(raw)
    assert b"\x00" not in index.envelope_wire
    assert index.subject == "ab ÿþ"
    _check(raw)


def test_part_tree_agrees_with_python_email_on_well_formed_messages() -> None:
    for name, raw in ALL.items():
        if name == "broken_boundary":
            continue  # a multipart without parts is described with one empty part on purpose
        index = index_message(raw)
        # Part 1 of a message that is not multipart is that message's own body: the same entity as part "".
        ours = [
            span.content_type
            for span in index.parts
            if not (span.part == "1" and not index.parts[0].is_multipart)
        ]
        theirs = [
            part.get_content_type()
            for part in email.message_from_bytes(raw, policy=email.policy.compat32).walk()
        ]
        assert ours == theirs, name
