"""The edXML package of QCVN 102:2016/BTTTT: document and status messages, built, read and checked.

Pure: no I/O. ``model`` holds the values, ``writer`` builds the bytes, ``reader`` reads them safely and
liberally, ``validate`` lists what a package must satisfy before it is sent, ``attachments`` packs files.
"""

from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import EdocPackage, StatusPackage
from congvu.edxml.reader import parse_package
from congvu.edxml.writer import build_edoc, build_status

__all__ = ["EdocPackage", "EdxmlError", "StatusPackage", "build_edoc", "build_status", "parse_package"]
