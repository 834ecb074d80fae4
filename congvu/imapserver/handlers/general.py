"""Commands valid in several states: CAPABILITY, NOOP, CHECK, LOGOUT (RFC 9051 §6.1, §6.4.1), ID (RFC 2971),
ENABLE (RFC 5161), NAMESPACE (RFC 2342) and COMPRESS (RFC 4978).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congvu.imap import response
from congvu.imap.commands import Capability, Check, Compress, Enable, Id, Logout, Namespace, Noop
from congvu.imapserver.replies import Reply, Text, bad, no, ok
from congvu.imapserver.session import ENABLEABLE
from congvu.mailstore.api import DELIMITER, SHARED_ROOT

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

# ASCII: the ID response goes to IMAP4rev1 clients too, whose quoted strings are 7-bit (RFC 3501 §4.3).
PRODUCT = "CongVu"
VENDOR = "CongVu (thu dien tu cong vu)"
COMPRESSIONACTIVE = response.ResponseCode("COMPRESSIONACTIVE")  # RFC 4978 §4


async def capability(conn: ImapConnection, command: Capability) -> Reply:
    conn.write(response.capability(conn.capabilities()))
    return ok("Xong CAPABILITY", "CAPABILITY completed")


async def noop(conn: ImapConnection, command: Noop | Check) -> Reply:
    # RFC 9051 §6.1.2: NOOP is how a client polls; report every change now.
    await conn.sync(expunges=True, force=True)
    return ok(f"Xong {command.name}", f"{command.name} completed")


async def logout(conn: ImapConnection, command: Logout) -> Reply:
    conn.write(response.untagged("BYE", Text("Tạm biệt", "Logging out").render(utf8=conn.utf8)))
    conn.closing = True
    return ok("Đã đăng xuất", "LOGOUT completed")


async def identify(conn: ImapConnection, command: Id) -> Reply:
    """RFC 2971: remember the client's name and version (for usage statistics) and name the server."""
    if command.parameters is not None:
        conn.session.client_id = command.parameters
    conn.write(response.id_line({"name": PRODUCT, "version": conn.server.version, "vendor": VENDOR}))
    conn.record_login()
    return ok("Xong ID", "ID completed")


async def enable(conn: ImapConnection, command: Enable) -> Reply:
    """RFC 5161 §3.1: ``* ENABLED`` lists what this command turned on; unknown names are ignored."""
    session = conn.session
    newly: list[str] = []
    for name in command.capabilities:
        upper = name.upper()
        if upper not in ENABLEABLE or upper in session.enabled:
            continue
        session.enabled.add(upper)
        if upper == "QRESYNC":
            session.enabled.add("CONDSTORE")  # RFC 7162 §3.2.3
        newly.append("IMAP4rev2" if upper == "IMAP4REV2" else upper)
    conn.write(response.enabled(newly))
    return ok("Xong ENABLE", "ENABLE completed")


async def namespace(conn: ImapConnection, command: Namespace) -> Reply:
    """RFC 2342 / RFC 9051 §6.3.10: own folders at the root, agency mailboxes under ``Shared/``."""
    conn.write(response.namespace([("", DELIMITER)], [(SHARED_ROOT + DELIMITER, DELIMITER)], None, utf8=conn.utf8))
    return ok("Xong NAMESPACE", "NAMESPACE completed")


async def compress(conn: ImapConnection, command: Compress) -> Reply | None:
    """RFC 4978: the tagged OK goes out uncompressed, everything after it compressed."""
    if command.mechanism != "DEFLATE":
        return bad("Chỉ hỗ trợ nén DEFLATE", "Only DEFLATE compression is supported")
    if conn.channel.compressed:
        return no("Kết nối đã được nén", "Compression is already active", COMPRESSIONACTIVE)
    conn.write(ok("Bắt đầu nén DEFLATE", "DEFLATE active").line(command.tag, utf8=conn.utf8))
    await conn.flush()
    conn.channel.start_compression(conn.reader.take_pending())
    return None
