from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from congvu.errors import InvalidInput, NotFound
from congvu.store.blobs import FileBlobStore


def test_content_addressed_and_stored_once(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    data = "Công văn số 6806/UBND-TTTH".encode()
    ref = store.put(data)
    assert ref.sha256 == hashlib.sha256(data).hexdigest() and ref.size == len(data)
    path = store.path_for(ref.sha256)
    assert path.parent.parent.parent == tmp_path / "blobs"
    mtime = path.stat().st_mtime_ns
    assert store.put(data) == ref and path.stat().st_mtime_ns == mtime
    assert store.get(ref.sha256) == data and store.exists(ref.sha256)
    assert not list(path.parent.glob(".tmp-*"))
    store.delete(ref.sha256)
    with pytest.raises(NotFound):
        store.get(ref.sha256)
    with pytest.raises(InvalidInput):
        store.get("../../etc/passwd")
