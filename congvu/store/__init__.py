"""Storage: the database (SQLite by default, PostgreSQL when scaled out), its schema and migrations, and blobs."""

from congvu.store import (
    schema_acl,  # noqa: F401  (registers the folder ACL table on the shared metadata)
    schema_delivery,  # noqa: F401  (registers the outbound queue tables on the shared metadata)
    schema_documents,  # noqa: F401  (registers the document tables on the shared metadata)
    schema_throttle,  # noqa: F401  (registers the sign-in throttle table on the shared metadata)
    schema_trace,  # noqa: F401  (registers the message trace table on the shared metadata)
    schema_web,  # noqa: F401  (registers the sign-in tables on the shared metadata)
)
from congvu.store.blobs import BlobRef, BlobStore, FileBlobStore
from congvu.store.database import Database

__all__ = ["BlobRef", "BlobStore", "Database", "FileBlobStore"]
