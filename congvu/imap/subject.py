"""Base-subject extraction (RFC 5256 §2.1), used by SORT SUBJECT and by both THREAD algorithms.

The caller passes the subject already decoded from RFC 2047 encoded-words. Blob text (``[…]``) may hold any
character but brackets: RFC 5256 limits it to US-ASCII, which would stop "[Sở TT&TT] Re: …" from threading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\r\n]+")
_BLOB = r"\[[^\[\]]*\][ \t]*"
# subj-leader = (*subj-blob subj-refwd) / WSP ; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
_REFWD = re.compile(rf"(?:{_BLOB})*(?:re|fwd?)[ \t]*(?:{_BLOB})?:", re.IGNORECASE)
_LEADING_BLOB = re.compile(_BLOB)
_FWD_TRAILER = "(fwd)"


@dataclass(frozen=True)
class BaseSubject:
    text: str  # the base subject, case preserved
    reply: bool  # a reply or forward indicator was removed (RFC 5256 §2.1 and step 5 of REFERENCES)

    @property
    def key(self) -> str:
        """The comparison key: case-folded NFC, so "CÔNG VĂN" and "công văn" group together."""
        return unicodedata.normalize("NFC", self.text).casefold()


def base_subject(subject: str) -> BaseSubject:
    # (1) whitespace runs become one space
    text = _SPACES.sub(" ", subject)
    reply = False
    while True:
        # (2) strip trailing "(fwd)" and whitespace
        while True:
            stripped = text.rstrip(" \t")
            if stripped.lower().endswith(_FWD_TRAILER):
                stripped = stripped[: -len(_FWD_TRAILER)]
                reply = True
            if stripped == text:
                break
            text = stripped
        # (3)-(5) strip leaders, and blobs that do not make up the whole rest
        while True:
            before = text
            text = text.lstrip(" \t")
            match = _REFWD.match(text)
            if match is not None:
                text = text[match.end() :]
                reply = True
                continue
            blob = _LEADING_BLOB.match(text)
            if blob is not None and text[blob.end() :].strip(" \t"):
                text = text[blob.end() :]
                continue
            if text == before:
                break
        # (6) "[fwd: … ]" wraps the whole subject: unwrap and start again
        if text[:5].lower() == "[fwd:" and text.endswith("]"):
            text = text[5:-1]
            reply = True
            continue
        return BaseSubject(text, reply)
