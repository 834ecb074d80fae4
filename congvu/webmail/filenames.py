"""File names of attachments made safe, and the ``Content-Disposition`` a download is served with.

A name comes from a stranger (a message or an upload) and ends up on someone's disk, so it is cut to its last
path segment (``../../etc/passwd`` and ``C:\\x\\y.exe`` keep only the tail), stripped of control and
bidirectional-override characters (the U+202E trick that shows ``hoadon‮fdp.exe`` as a PDF), of characters
Windows refuses (``<>:"/\\|?*``) and of leading dots (hidden files), and bounded in length with its extension
kept. The header carries an ASCII fallback and the UTF-8 name (RFC 6266 §4.3, RFC 8187 ``filename*``).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

DEFAULT_NAME = "tep-dinh-kem"
MAX_NAME_CHARS = 150
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# U+200E/F marks, U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates (Unicode TR #9).
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                              *(f"lpt{i}" for i in range(1, 10))})


def safe_filename(name: str | None, default: str = DEFAULT_NAME) -> str:
    """A file name that names one file in the current folder and displays as what it is."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = _BIDI.sub("", _CONTROLS.sub("", text))
    text = _SPACES.sub(" ", _RESERVED.sub("_", text)).strip().lstrip(".").strip()
    stem, dot, ext = text.rpartition(".")
    if stem.split(".")[0].lower() in _WINDOWS_DEVICES or (not dot and text.lower() in _WINDOWS_DEVICES):
        text = "_" + text
    if len(text) > MAX_NAME_CHARS:
        ext = text.rpartition(".")[2] if "." in text else ""
        keep = MAX_NAME_CHARS - (len(ext) + 1 if 0 < len(ext) <= 10 else 0)
        text = text[:keep].rstrip() + (f".{ext}" if 0 < len(ext) <= 10 else "")
    return text.rstrip(". ") or default


def ascii_filename(name: str) -> str:
    """The name in ASCII for old clients: Vietnamese letters without marks, other characters as ``_``."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    out = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in plain)
    return out.strip() or DEFAULT_NAME


def content_disposition(name: str | None, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266 §4.1, §4.3; RFC 8187 §3.2)."""
    safe = safe_filename(name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_filename(safe)}\"; filename*=UTF-8''{quote(safe, safe='')}"
