"""Storage: the database (SQLite by default, PostgreSQL when scaled out), its schema and migrations, and blobs."""

from congvu.store.blobs import BlobRef, BlobStore, FileBlobStore
from congvu.store.database import Database

__all__ = ["BlobRef", "BlobStore", "Database", "FileBlobStore"]
