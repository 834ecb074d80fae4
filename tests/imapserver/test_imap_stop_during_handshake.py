"""A server stopping while an IMAPS client is still in its TLS handshake closes that connection quietly: nothing
is written before the handshake is over, and no task dies with an unhandled error."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from imap_harness import ServerFactory


async def test_stopping_during_a_tls_handshake_leaves_no_failed_task(start_server: ServerFactory) -> None:
    server = await start_server()
    loop = asyncio.get_running_loop()
    failures: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: failures.append(context))
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.listeners.imaps_port)
        writer.write(b"\x16\x03\x01\x00")  # the first bytes of a ClientHello, and nothing more
        await writer.drain()
        await asyncio.sleep(0.2)
        await server.listeners.close()
        assert await asyncio.wait_for(reader.read(), 10) == b""
        writer.close()
        await asyncio.sleep(0.2)
        gc.collect()  # a task that failed unobserved reports when it is collected
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert not [f for f in failures if "SSL" in repr(f.get("exception"))], failures
