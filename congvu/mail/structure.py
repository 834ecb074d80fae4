"""The IMAP ENVELOPE, BODY and BODYSTRUCTURE of a parsed message, as nested IMAP values.

RFC 9051 §7.5.2 (RFC 3501 §7.4.2 for IMAP4rev1 clients): field order, NIL rules, the address structure, the
non-extensible BODY and the extensible BODYSTRUCTURE with body-ext-1part / body-ext-mpart extension data.

Values stay as the message carries them: header values are only unfolded (encoded-words are not decoded),
address parts lose only their RFC 5322 quoting, parameter values are as written (RFC 2231 continuations
joined, see :mod:`congvu.mail.params`). Media types, subtypes, parameter names, transfer encodings and
disposition types are upper-cased, as in the RFC's examples; they are case-insensitive tokens. Sizes are
octets of the body as stored and line counts are the number of line feeds in it, so both agree with what
BODY[section] returns.

Choices where the RFC is silent follow the common servers: an address without ``@`` gets the host
``MISSING_DOMAIN`` (a NIL host would read as a group start); a text part without charset gets the RFC 2045
§5.2 default ``("CHARSET" "US-ASCII")``; a multipart with no parts describes one empty text/plain part, since
the grammar requires at least one body.
"""

from __future__ import annotations

from congvu.mail.addresses import GroupEnd, GroupStart, parse_address_list
from congvu.mail.fields import HeaderBlock
from congvu.mail.mime import Entity
from congvu.mail.params import Param, merged_params, parse_disposition
from congvu.mail.wire import Adjoined, ImapValue, Spliced

__all__ = ["MISSING_DOMAIN", "addresses", "body_structure", "envelope"]

MISSING_DOMAIN = b"MISSING_DOMAIN"

Address = tuple[bytes | None, bytes | None, bytes | None, bytes | None]


def _clean(value: bytes | None) -> bytes | None:
    # RFC 9051 §4.3: no string may carry NUL, not even a literal.
    return None if value is None else value.replace(b"\x00", b"")


def _latin(text: str | None) -> bytes | None:
    return None if text is None else _clean(text.encode("latin-1"))


def addresses(header: HeaderBlock, name: str) -> Adjoined | None:
    """The address list of field ``name`` (RFC 9051 §7.5.2 address structure), or ``None`` for NIL."""
    value = header.value(name)
    if value is None:
        return None
    items: list[Address] = []
    for item in parse_address_list(value.decode("latin-1")):
        if isinstance(item, GroupStart):
            items.append((None, None, _latin(item.name), None))
        elif isinstance(item, GroupEnd):
            items.append((None, None, None, None))
        elif item.local or item.domain:
            host = _latin(item.domain) if item.domain else MISSING_DOMAIN
            items.append((_latin(item.name), _latin(item.route), _latin(item.local), host))
    return Adjoined(items) if items else None


def envelope(header: HeaderBlock) -> tuple[ImapValue, ...]:
    """The ENVELOPE of the message whose header is ``header`` (RFC 9051 §7.5.2)."""
    sender_from = addresses(header, "from")
    return (
        _clean(header.value("date")),
        _clean(header.value("subject")),
        sender_from,
        # RFC 9051 §7.5.2: absent or empty Sender and Reply-To take the value of From.
        addresses(header, "sender") or sender_from,
        addresses(header, "reply-to") or sender_from,
        addresses(header, "to"),
        addresses(header, "cc"),
        addresses(header, "bcc"),
        _clean(header.value("in-reply-to")),
        _clean(header.value("message-id")),
    )


def _upper(text: str) -> bytes:
    return text.upper().encode("latin-1")


def _param_list(params: tuple[Param, ...], default_charset: bool = False) -> tuple[bytes | None, ...] | None:
    flat: list[bytes | None] = []
    names: set[str] = set()
    for name, value in merged_params(params):
        names.add(name)
        flat.extend((_upper(name), _clean(value)))
    if default_charset and "charset" not in names and "charset*" not in names:
        flat.extend((b"CHARSET", b"US-ASCII"))
    return tuple(flat) if flat else None


def _disposition(header: HeaderBlock) -> ImapValue:
    value = header.value("content-disposition")
    parsed = parse_disposition(value) if value else None
    if parsed is None:
        return None
    return (_upper(parsed[0]), _param_list(parsed[1]))


def _language(header: HeaderBlock) -> ImapValue:
    value = header.value("content-language")
    if value is None:
        return None
    tags = [tag.strip(b" \t") for tag in value.split(b",")]
    tags = [_clean(tag.split(b"(", 1)[0].strip()) or b"" for tag in tags]
    tags = [tag for tag in tags if tag]
    if not tags:
        return None
    return tags[0] if len(tags) == 1 else tuple(tags)


def _extension_tail(header: HeaderBlock) -> tuple[ImapValue, ...]:
    return (_disposition(header), _language(header), _clean(header.value("content-location")))


def _empty_text(extensible: bool) -> tuple[ImapValue, ...]:
    fields: tuple[ImapValue, ...] = (b"TEXT", b"PLAIN", (b"CHARSET", b"US-ASCII"), None, None, b"7BIT", 0, 0)
    return (*fields, None, None, None, None) if extensible else fields


def body_structure(raw: bytes, entity: Entity, extensible: bool) -> tuple[ImapValue, ...]:
    """BODYSTRUCTURE (``extensible``) or BODY of ``entity`` (RFC 9051 §7.5.2)."""
    header = entity.header
    media = entity.media
    if entity.is_multipart:
        bodies = tuple(body_structure(raw, child, extensible) for child in entity.children)
        items: tuple[ImapValue, ...] = (Spliced(bodies or (_empty_text(extensible),)), _upper(media.subtype))
        if extensible:
            items += (_param_list(media.params), *_extension_tail(header))
        return items
    start, end = entity.body_start, entity.body_end
    fields: tuple[ImapValue, ...] = (
        _upper(media.maintype),
        _upper(media.subtype),
        _param_list(media.params, default_charset=media.maintype == "text"),
        _clean(header.value("content-id")),
        _clean(header.value("content-description")),
        _upper(entity.encoding) or b"7BIT",
        end - start,
    )
    if entity.message is not None:
        fields += (
            envelope(entity.message.header),
            body_structure(raw, entity.message, extensible),
            raw.count(b"\n", start, end),
        )
    elif media.maintype == "text":
        fields += (raw.count(b"\n", start, end),)
    if extensible:
        fields += (_clean(header.value("content-md5")), *_extension_tail(header))
    return fields
