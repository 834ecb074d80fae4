"""How attached files travel inside an edXML package.

QCVN 102:2016 as implemented by the national platform's library: each file is base64 in
``AttachmentEncoded/Attachment/ContentTransferEncoded``; pdf, doc, docx, xls, xlsx and zip files go as they
are, every other format is zipped first (ContentType ``application/zip``, AttachmentName kept). Older packages
zip even a ``.doc``. A receiver therefore unzips when the wire type is zip (or the payload is a zip) while the
name is not that of a zip-based format, and the archive holds a single file.

Unzipping is bounded: the declared and the actual size of the inner file are both checked against a limit, so
a small package cannot expand into gigabytes.
"""

from __future__ import annotations

import io
import zipfile

from congvu.errors import InvalidInput

AS_IS_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "zip"})
ZIP_MEDIA_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
# Formats that are themselves zip archives: a PK header says nothing about them being zipped for transport.
_ZIP_BASED = frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "xps", "kmz"})
_ZIP_MAGIC = b"PK\x03\x04"
# A fixed time inside the archive keeps the package bytes reproducible.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "rtf": "application/rtf",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "txt": "text/plain",
    "csv": "text/csv",
    "xml": "application/xml",
    "html": "text/html",
    "htm": "text/html",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}


def extension(name: str) -> str:
    """The lower-case extension of ``name`` without the dot, or ``""``."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def media_type_for(name: str) -> str:
    """The media type of a file by its extension; ``application/octet-stream`` when unknown."""
    return _MEDIA_TYPES.get(extension(name), "application/octet-stream")


def travels_as_is(name: str) -> bool:
    return extension(name) in AS_IS_EXTENSIONS


def pack(name: str, content_type: str, data: bytes) -> tuple[str, bytes]:
    """The wire content type and bytes of a file: as is, or zipped with the file as the single entry."""
    if travels_as_is(name):
        return content_type or media_type_for(name), data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name.rsplit("/", 1)[-1] or "file", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    return "application/zip", buffer.getvalue()


def unpack(name: str, content_type: str, payload: bytes, *, max_bytes: int) -> tuple[str, bytes]:
    """The real content type and bytes of a received file (see the module notes for when it is unzipped)."""
    wire_zip = content_type.strip().lower() in ZIP_MEDIA_TYPES
    ext = extension(name)
    if ext == "zip" or not payload.startswith(_ZIP_MAGIC) or (ext in _ZIP_BASED and not wire_zip):
        return content_type, payload
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
            # A docx or xlsx is itself an archive of many parts; only a single-file archive was made for
            # transport.
            if len(entries) != 1 or (ext in _ZIP_BASED and extension(entries[0].filename) != ext):
                return content_type, payload
            entry = entries[0]
            if entry.file_size > max_bytes:
                raise InvalidInput(
                    f"Tệp '{name}' giải nén vượt giới hạn {max_bytes} byte",
                    message_en=f"'{name}' expands beyond {max_bytes} bytes",
                    field="attachment",
                )
            with archive.open(entry) as stream:
                data = stream.read(max_bytes + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError):
        # Not a readable single-file archive after all: hand the bytes over untouched.
        return content_type, payload
    if len(data) > max_bytes:
        raise InvalidInput(
            f"Tệp '{name}' giải nén vượt giới hạn {max_bytes} byte",
            message_en=f"'{name}' expands beyond {max_bytes} bytes",
            field="attachment",
        )
    return media_type_for(name), data
