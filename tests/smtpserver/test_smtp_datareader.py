"""Reading DATA: the lines already received are taken as blocks where no rule applies to them, and the outcome
is the same, octet for octet, as reading the same text line by line (as it arrives from a slow client)."""

from __future__ import annotations

import asyncio
import random

import pytest

from congvu.smtpserver.datareader import read_data

PIECES = (b"a", b"bc", b".", b"..", b"\r\n", b"\n", b"\r", b"\x00", b"x" * 30, b"y" * 120, b"\r\n.\r\n", b"\n.\r\n",
          b"\r\n.\n", b" ", "á".encode())
TAILS = (b"", b"QUIT\r\n", b"MAIL FROM:<a@b>\r\n.\r\n", b".")


async def _read(chunks: list[bytes], *, max_bytes: int, max_line: int) -> tuple[object, bytes]:
    """The outcome of reading DATA fed in ``chunks`` (a pause between them), and what is left for commands."""
    reader = asyncio.StreamReader(limit=max_line + 2)

    async def feed() -> None:
        for chunk in chunks:
            reader.feed_data(chunk)
            await asyncio.sleep(0)
        reader.feed_eof()

    feeding = asyncio.ensure_future(feed())
    try:
        outcome = await read_data(reader, max_bytes=max_bytes, max_line=max_line)
        seen: object = (outcome.raw, str(outcome.refusal) if outcome.refusal else None, outcome.bare_lf)
    except ConnectionError:
        seen = "connection lost"
    await feeding
    return seen, await reader.read()


@pytest.mark.parametrize("seed", range(4))
async def test_blocks_and_single_lines_read_alike(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(400):
        data = b"".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 40)))
        if rnd.random() < 0.7:
            data += b"\r\n.\r\n"
        data += rnd.choice(TAILS)
        limits = {"max_bytes": rnd.choice([50, 200, 10_000]), "max_line": rnd.choice([20, 100])}
        at_once = await _read([data], **limits)
        octet_by_octet = await _read([data[n:n + 1] for n in range(len(data))], **limits)
        assert at_once == octet_by_octet, data


async def test_a_large_message_in_blocks_keeps_its_lines_and_the_pipelined_commands() -> None:
    body = b"".join(b"D\xc3\xb2ng %d: n\xe1\xbb\x99i dung c\xc3\xb4ng v\xc4\x83n.\r\n" % n for n in range(3000))
    message = b"Subject: dai\r\n\r\n" + body + b"..dong cham\r\n"
    chunks = [message[n:n + 65536] for n in range(0, len(message), 65536)] + [b".\r\nMAIL FROM:<a@b.vn>\r\n"]
    seen, rest = await _read(chunks, max_bytes=10_000_000, max_line=998)
    assert seen == (b"Subject: dai\r\n\r\n" + body + b".dong cham\r\n", None, False)
    assert rest == b"MAIL FROM:<a@b.vn>\r\n"
