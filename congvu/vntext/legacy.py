"""Legacy Vietnamese text: detection and conversion to Unicode (vn-text.md §1, STANDARDS.md "Text").

The encodings still met in provincial files and mail are TCVN3/ABC (``.VnTime`` fonts, TCVN 5712:1993),
VNI-Windows (``VNI-Times``), VIQR and VISCII (RFC 1456), Windows-1258 and UTF-8 read as Windows-1252. The work
is split in three modules: ``legacy_tables`` (character tables), ``legacy_codec`` (decoders and encoders) and
``legacy_detect`` (recognition). This module is the public face of all three.
"""

from __future__ import annotations

from congvu.vntext.legacy_codec import LegacyEncoding, decode_legacy, encode_legacy
from congvu.vntext.legacy_detect import (
    Detection,
    FontEncoding,
    detect_legacy,
    encoding_for_font,
    has_unicode_only_letters,
    to_unicode,
)
from congvu.vntext.legacy_tables import bytes_as_cp1252

__all__ = [
    "Detection",
    "FontEncoding",
    "LegacyEncoding",
    "bytes_as_cp1252",
    "decode_legacy",
    "detect_legacy",
    "encode_legacy",
    "encoding_for_font",
    "has_unicode_only_letters",
    "to_unicode",
]
