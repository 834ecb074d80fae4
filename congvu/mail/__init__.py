"""Internet messages: parsing and indexing at delivery, IMAP sections and structures, building outgoing mail.

Pure code (no I/O). The raw message is stored as received and never re-serialised: everything here works from
offsets into its bytes. See :mod:`congvu.mail.index` for what is computed once per message.
"""

from congvu.mail.compose import Attachment, build_message, ensure_standard_headers, prepend_header
from congvu.mail.content import UnknownTransferEncoding
from congvu.mail.headers import decode_header_value, parse_addresses, parse_date
from congvu.mail.index import MessageIndex, index_message, parts_from_json, parts_to_json
from congvu.mail.mime import PartSpan
from congvu.mail.searchfields import AttachmentInfo
from congvu.mail.sections import SectionSpec, binary_size, fetch_binary, fetch_section
from congvu.mail.wire import astring, literal, nstring, quoted

__all__ = [
    "Attachment",
    "AttachmentInfo",
    "MessageIndex",
    "PartSpan",
    "SectionSpec",
    "UnknownTransferEncoding",
    "astring",
    "binary_size",
    "build_message",
    "decode_header_value",
    "ensure_standard_headers",
    "fetch_binary",
    "fetch_section",
    "index_message",
    "literal",
    "nstring",
    "parse_addresses",
    "parse_date",
    "parts_from_json",
    "parts_to_json",
    "prepend_header",
    "quoted",
]
