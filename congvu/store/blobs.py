"""Content-addressed blob store.

Message and attachment bytes are stored once, named by their SHA-256. Layout on disk (``FileBlobStore``)::

    ROOT/ab/cd/abcd…(64 hex digits)

A blob is written to a temporary file in its final folder, fsynced, renamed into place, and the folder is fsynced
(and its parents, when they were created): only then does :meth:`put` return, so a database row that points to
the blob may commit. Identical content is written once. Unreferenced blobs are collected later, never before the
rows that point to them are gone. An S3-compatible store implements the same :class:`BlobStore` protocol.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from congvu.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    size: int


class BlobStore(Protocol):
    def put(self, data: bytes) -> BlobRef: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...


def _check_hash(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput(f"Mã băm SHA-256 không hợp lệ: {sha256!r}")
    return sha256


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileBlobStore:
    """Blobs as files under one folder (the embedded default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        _check_hash(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _make_dirs(self, folder: Path) -> None:
        created: list[Path] = []
        current = folder
        while not current.exists():
            created.append(current)
            current = current.parent
        for new in reversed(created):
            new.mkdir(exist_ok=True)
        # A new folder is durable only once its parent's entry is on disk.
        for new in created:
            _fsync_dir(new.parent)

    def put(self, data: bytes) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        final = self.path_for(sha)
        if final.exists() and final.stat().st_size == len(data):
            return BlobRef(sha, len(data))
        self._make_dirs(final.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, final)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return BlobRef(sha, len(data))

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"Không tìm thấy dữ liệu {sha256}") from exc

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)
