"""An opened installation: settings, database, blob store, directory, mail store, usage recorder and message
trace, built once and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from congvu.config.settings import DataDir, Settings, load_settings
from congvu.delivery.trace_log import TraceLog, retention_days
from congvu.directory.context import DirectoryContext
from congvu.directory.service import Directory
from congvu.errors import ConfigError
from congvu.mailstore.service import MailStore
from congvu.mailstore.usage import UsageRecorder
from congvu.store import migrate
from congvu.store.blobs import FileBlobStore
from congvu.store.database import Database
from congvu.vntext.naming import NamingPattern


@dataclass
class Installation:
    settings: Settings
    db: Database
    blobs: FileBlobStore
    directory: Directory
    mailstore: MailStore
    usage: UsageRecorder
    trace: TraceLog

    def close(self) -> None:
        self.mailstore.close()
        self.usage.close()
        self.trace.close()
        self.db.dispose()


def directory_context(settings: Settings, db: Database) -> DirectoryContext:
    try:
        pattern = NamingPattern(settings.directory.naming_pattern)
    except ValueError as exc:
        raise ConfigError(f"directory.naming_pattern không hợp lệ: {settings.directory.naming_pattern!r}; "
                          f"chọn: {', '.join(p.value for p in NamingPattern)}") from exc
    return DirectoryContext(db=db, domain=settings.domain, extra_domains=settings.extra_domains,
                            naming_pattern=pattern, retention_days=settings.directory.retention_days)


def open_installation(data: DataDir, *, upgrade: bool = True) -> Installation:
    settings = load_settings(data)
    db = Database(settings.database_url)
    if upgrade:
        migrate.upgrade(db)
    blobs = FileBlobStore(data.blobs)
    return Installation(settings=settings, db=db, blobs=blobs, directory=Directory(directory_context(settings, db)),
                        mailstore=MailStore(db, blobs), usage=UsageRecorder(db),
                        trace=TraceLog(db, retention_days=retention_days(settings.raw)))
