"""What every webmail page shares: the folder column with unread counts, folder names people read, short dates
and sizes, and the Content-Security-Policy of a page that shows a message.

A message's own markup is sanitised (:mod:`congvu.webmail.safehtml`) and may keep harmless inline styles, so
the reading page allows style attributes (CSP ``style-src-attr``) but still no script and no style sheets from
the message; pictures from other sites load only when the reader asked for them (``img-src``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from congvu.errors import NotFound
from congvu.mailstore.api import INBOX, FolderInfo, SpecialUse
from congvu.web.context import Viewer, web_of
from congvu.web.i18n import language
from congvu.web.rendering import VIETNAM, page
from congvu.webmail.folders import folder_label, folder_title
from congvu.webmail.mailboxes import mailbox_groups

__all__ = ["display_name", "file_size", "folder_icon", "folder_label", "folder_title", "initials", "mail_page",
           "message_csp", "short_time"]

FOLDER_ICONS = {INBOX: "inbox", SpecialUse.SENT.value: "send", SpecialUse.DRAFTS.value: "draft",
                SpecialUse.TRASH.value: "trash", SpecialUse.JUNK.value: "junk", SpecialUse.ARCHIVE.value: "archive"}
_MAILBOX = re.compile(r"(.*?)<([^<>\s]+@[^<>\s]*)>\s*,?")


def folder_icon(folder: FolderInfo) -> str:
    return FOLDER_ICONS.get(folder.name if folder.name == INBOX else folder.special_use or "", "folder")


def short_time(value: datetime | None, now: datetime | None = None) -> str:
    """Today's mail by the hour, this year's by day and month, older by the full date (Vietnam time)."""
    if value is None:
        return ""
    local = value.astimezone(VIETNAM)
    today = (now or datetime.now(VIETNAM)).astimezone(VIETNAM)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%d/%m")
    return local.strftime("%d/%m/%Y")


def file_size(size: int, lang: str = "vi") -> str:
    if size < 1024:
        return f"{size} B"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / 1048576, "MB")
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return (text if lang == "en" else text.replace(".", ",")) + f" {unit}"


def display_name(addresses: str) -> str:
    """The first name (or address) of a decoded address list such as ``Name <a@b>, c@d``, and how many more.

    The list is the store's decoded text, so a name may hold anything, ``<`` and ``,`` included: the first
    bracketed token with an ``@`` ends the first mailbox."""
    text = addresses.strip()
    found = _MAILBOX.match(text)
    if found:
        name, address, rest = found.group(1).strip().strip('"'), found.group(2), text[found.end():]
    else:
        address, _, rest = text.partition(",")
        name = ""
    more = rest.count("@")
    return (name or address.strip()) + (f" +{more}" if more > 0 else "")


def initials(name: str) -> str:
    """Two letters for the avatar circle: Vietnamese names end with the given name ("Nguyễn Thị Lan" → "NL")."""
    words = [w for w in name.replace("<", " ").replace("@", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def message_csp(remote_images: bool) -> str:
    images = "'self' data: https: http:" if remote_images else "'self' data:"
    return (f"default-src 'self'; img-src {images}; style-src 'self'; style-src-attr 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def mail_page(request: Request, viewer: Viewer, name: str, *, folder_id: int | None = None,
              http_status: int = 200, folders: Sequence[FolderInfo] | None = None,
              **context: object) -> HTMLResponse:
    """A page of the webmail layout (``mail/…``), with the viewer's mailboxes down the side (``folders``: the
    viewer's folder list, when the route has read it already)."""
    web = web_of(request)
    groups = mailbox_groups(web.inst.mailstore, viewer.account.id, folders)
    owners: dict[int, str] = {}
    for group in groups:
        if group.shared:
            try:
                owners[group.owner_id] = web.directory.accounts.show(group.owner_address).full_name
            except NotFound:
                owners[group.owner_id] = group.owner_address
    lang = language(request)
    return page(request, name, http_status=http_status, viewer=viewer, groups=groups, owner_names=owners,
                current_folder_id=folder_id, folder_label=folder_label, folder_title=folder_title,
                folder_icon=folder_icon,
                short_time=short_time, file_size=lambda size: file_size(size, lang), display_name=display_name,
                initials=initials, **context)
