"""Reading the recipients a person typed: ``Trần Văn Vinh <vinhtv@dongnai.gov.vn>, lannt; stttt@…``.

Entries are separated by commas or semicolons (outside quotes and angle brackets); each is an address, or a
display name followed by ``<address>`` (RFC 5322 §3.4 name-addr). A bare local part means the installation's
own domain, as people write inside the province. Anything that is not one well-formed address is refused with the
entry quoted, so nothing is sent to a guess.
"""

from __future__ import annotations

import re
import unicodedata

from congvu.errors import InvalidInput

Address = tuple[str, str]
MAX_ENTRIES = 500
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+\Z")
_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}\Z")


def split_entries(text: str) -> list[str]:
    entries: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for ch in text:
        if ch == '"' and not angled:
            quoted = not quoted
        elif ch == "<" and not quoted:
            angled = True
        elif ch == ">" and not quoted:
            angled = False
        if ch in ",;\n" and not quoted and not angled:
            entries.append("".join(current))
            current = []
        else:
            current.append(ch)
    entries.append("".join(current))
    return [entry.strip() for entry in entries if entry.strip()]


def check_address(address: str, entry: str | None = None, *, field: str = "to") -> str:
    local, at, domain = address.strip().rpartition("@")
    if not at or not _LOCAL.match(local) or ".." in local or not _DOMAIN.match(domain):
        shown = entry or address
        raise InvalidInput(f"Địa chỉ «{shown}» không hợp lệ.", message_en=f"The address {shown!r} is not valid.",
                           field=field)
    return f"{local}@{domain.lower()}"


def parse_entry(entry: str, *, domain: str, field: str = "to") -> Address:
    name, address = "", entry
    if "<" in entry:
        before, _, rest = entry.partition("<")
        address, closing, after = rest.partition(">")
        if not closing or after.strip():
            raise InvalidInput(f"Địa chỉ «{entry}» không hợp lệ.", message_en=f"The address {entry!r} is not valid.",
                               field=field)
        name = before.strip().strip('"').strip()
    address = address.strip()
    if "@" not in address and _LOCAL.match(address or "-"):
        address = f"{address}@{domain}"
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    return name, check_address(address, entry, field=field)


def parse_recipients(text: str, *, domain: str, field: str = "to") -> tuple[Address, ...]:
    """The addresses in ``text``, duplicates removed (first spelling kept)."""
    entries = split_entries(unicodedata.normalize("NFC", text or ""))
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"Quá nhiều người nhận (tối đa {MAX_ENTRIES}).",
                           message_en=f"Too many recipients (at most {MAX_ENTRIES}).", field=field)
    seen: dict[str, Address] = {}
    for entry in entries:
        name, address = parse_entry(entry, domain=domain, field=field)
        seen.setdefault(address, (name, address))
    return tuple(seen.values())


def format_entry(address: Address) -> str:
    """How an address is written back into a recipient field."""
    name, addr = address
    if not name:
        return addr
    if any(ch in name for ch in ',;"<>'):
        return f'"{name.replace(chr(34), "")}" <{addr}>'
    return f"{name} <{addr}>"


def format_entries(addresses: tuple[Address, ...] | list[Address]) -> str:
    return ", ".join(format_entry(a) for a in addresses)
