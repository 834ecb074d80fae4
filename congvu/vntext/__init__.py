"""Vietnamese text handling for CôngVụ (pure: no I/O beyond the package's own data files).

* ``normalize``: NFC with the eth look-alikes fixed (TCVN 6909:2001), cleaning of single- and multi-line
  input.
* ``fold``: the search key (no diacritics, ``đ`` → ``d``, case folded).
* ``collation``: ASCII sort keys in Vietnamese dictionary order; people sorted by given name.
* ``naming``: mailbox local parts from names, reserved names, local-part validation.
* ``legacy``: TCVN3, VNI, VIQR, VISCII, Windows-1258 and mojibake detection and conversion.
* ``syllable``: tones and the well-formed-syllable check the others rely on.
"""

from congvu.vntext.collation import name_sort_key, sort_key, split_name
from congvu.vntext.fold import fold
from congvu.vntext.legacy import (
    Detection,
    LegacyEncoding,
    decode_legacy,
    detect_legacy,
    encode_legacy,
    to_unicode,
)
from congvu.vntext.naming import (
    RESERVED_LOCAL_PARTS,
    NamingPattern,
    is_reserved,
    local_part_candidates,
    to_ascii_slug,
    validate_local_part,
)
from congvu.vntext.normalize import clean_line, clean_text, nfc
from congvu.vntext.syllable import Tone, is_syllable

__all__ = [
    "RESERVED_LOCAL_PARTS",
    "Detection",
    "LegacyEncoding",
    "NamingPattern",
    "Tone",
    "clean_line",
    "clean_text",
    "decode_legacy",
    "detect_legacy",
    "encode_legacy",
    "fold",
    "is_reserved",
    "is_syllable",
    "local_part_candidates",
    "name_sort_key",
    "nfc",
    "sort_key",
    "split_name",
    "to_ascii_slug",
    "to_unicode",
    "validate_local_part",
]
