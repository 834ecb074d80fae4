"""Small, valid PDF files for the sample documents (ISO 32000-1 §7.5: header, objects, cross-reference table,
trailer), made without a PDF library.

The text is drawn with the standard Helvetica font, which has no Vietnamese glyphs: lines are written without
diacritics (``Công văn số 12`` → ``Cong van so 12``, ``Đ`` → ``D``), enough for a sample to open in any reader.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

PAGE_LINES = 40


def plain_letters(line: str) -> str:
    """``line`` without diacritics, case kept; anything still outside ASCII becomes ``?``."""
    decomposed = unicodedata.normalize("NFD", line.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.encode("ascii", "replace").decode("ascii")


def _escape(line: str) -> str:
    return plain_letters(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines: Sequence[str]) -> bytes:
    """A PDF 1.4 showing ``lines`` (a new page every 40 lines), its cross-reference offsets exact."""
    chunks = [list(lines[i:i + PAGE_LINES]) for i in range(0, max(len(lines), 1), PAGE_LINES)] or [[]]
    pages = len(chunks)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    font_ref = 3 + 2 * pages
    for i, chunk in enumerate(chunks):
        body = ["BT /F1 12 Tf 14 TL 60 790 Td"]
        body.extend(f"({_escape(line)}) '" for line in chunk)
        body.append("ET")
        stream = "\n".join(body).encode("latin-1", "replace")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_ref} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
