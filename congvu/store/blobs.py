"""Content-addressed blob store.

Message and attachment bytes are stored once, named by their SHA-256. Layout on disk (``FileBlobStore``)::

    ROOT/ab/cd/abcd…(64 hex digits)

A blob is written to a temporary file in its final folder, fsynced, renamed into place, and the folder is fsynced
(and its parents, until this process has seen their own entries reach the disk): only then does :meth:`put`
return, so a database row that points to the blob may commit. Identical content is written once. Unreferenced
blobs are collected later, never before the rows that point to them are gone. An S3-compatible store implements
the same :class:`BlobStore` protocol.

Writers in many threads each fsync their own file and folder: the file system merges fsyncs that run side by side
into one journal commit, whereas one thread fsyncing the folders of many blobs in turn waits for each.
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
        # Folders whose own entry this process has fsynced (by the first four hex digits; "ab" at index 0xab
        # of the first): later blobs in them need only their own folder fsynced. A folder found on disk but
        # not listed here may have been made by a writer whose fsync is still to come, so it is synced again.
        self._settled_top = bytearray(256)
        self._settled_leaf = bytearray(65536)

    def path_for(self, sha256: str) -> Path:
        _check_hash(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        final = self.path_for(sha)
        leaf = final.parent
        # A folder's entry lives in its parent: ROOT holds "ab", ROOT/ab holds "cd".
        folders = [leaf]
        if not self._settled_leaf[int(sha[:4], 16)]:
            folders.append(leaf.parent)
            if not self._settled_top[int(sha[:2], 16)]:
                folders.append(self.root)
        # An existing file is complete (it is renamed into place only once fsynced), but its folder entry may
        # be another writer's, still unsynced: the leaf is synced all the same.
        if not (final.exists() and final.stat().st_size == len(data)):
            leaf.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=leaf)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp_name, final)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        for folder in folders:
            _fsync_dir(folder)
        self._settled_leaf[int(sha[:4], 16)] = 1
        self._settled_top[int(sha[:2], 16)] = 1
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
