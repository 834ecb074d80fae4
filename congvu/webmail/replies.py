"""What a reply, a reply to all and a forward start with: recipients, subject, thread fields and quoted text.

RFC 5322 §3.6.4: a reply's In-Reply-To is the parent's Message-ID and its References are the parent's
References (or, lacking them, its In-Reply-To) followed by the parent's Message-ID. §3.6.5: a reply's subject
commonly starts with "Re: ", which is not added twice; forwards start with "Fwd: ". Replies go to Reply-To when
the parent has one, else to From (§3.6.2); a reply to all adds the other To and Cc addresses, never the person
replying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from congvu.webmail.addressing import Address, format_entries
from congvu.webmail.reading import MessageView

VIETNAM = timezone(timedelta(hours=7), "ICT")
MAX_REFERENCES = 30  # long threads keep the first and the latest (a common client practice)
_REPLY_PREFIX = re.compile(r"\s*(re|trả lời|tl)\s*:", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(r"\s*(fwd?|chuyển tiếp|ct)\s*:", re.IGNORECASE)


class Mode:
    NEW = "new"
    REPLY = "reply"
    REPLY_ALL = "reply_all"
    FORWARD = "forward"
    DRAFT = "draft"


@dataclass(frozen=True)
class Prefill:
    """The compose form's starting values."""

    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    body: str = ""
    in_reply_to: str = ""
    references: str = ""


def reply_subject(subject: str) -> str:
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}".rstrip()


def forward_subject(subject: str) -> str:
    return subject if _FORWARD_PREFIX.match(subject) else f"Fwd: {subject}".rstrip()


def thread_references(parent: MessageView) -> tuple[str, ...]:
    refs = list(parent.references)
    if parent.message_id and parent.message_id not in refs:
        refs.append(parent.message_id)
    if len(refs) > MAX_REFERENCES:
        refs = [refs[0], *refs[-(MAX_REFERENCES - 1):]]
    return tuple(refs)


def _when(value: datetime | None) -> str:
    return value.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y") if value else ""


def _who(addresses: tuple[Address, ...]) -> str:
    return format_entries(addresses) if addresses else ""


def quoted(parent: MessageView, lang: str = "vi") -> str:
    author = _who(parent.from_)
    if lang == "en":
        intro = f"On {parent.date.astimezone(VIETNAM).strftime('%d/%m/%Y %H:%M') if parent.date else ''}, " \
                f"{author} wrote:"
    else:
        intro = f"Vào lúc {_when(parent.date)}, {author} đã viết:"
    body = "\n".join(f"> {line}" if line else ">" for line in parent.text.splitlines())
    return f"\n\n{intro}\n{body}\n"


def forwarded(parent: MessageView, lang: str = "vi") -> str:
    labels = ("---------- Forwarded message ----------", "From", "Date", "Subject", "To", "Cc") if lang == "en" \
        else ("---------- Thư chuyển tiếp ----------", "Từ", "Ngày", "Tiêu đề", "Đến", "Đồng gửi")
    lines = [labels[0], f"{labels[1]}: {_who(parent.from_)}", f"{labels[2]}: {_when(parent.date)}",
             f"{labels[3]}: {parent.subject}", f"{labels[4]}: {_who(parent.to)}"]
    if parent.cc:
        lines.append(f"{labels[5]}: {_who(parent.cc)}")
    return "\n\n" + "\n".join(lines) + "\n\n" + parent.text + "\n"


def _without(addresses: tuple[Address, ...], excluded: set[str]) -> list[Address]:
    kept: dict[str, Address] = {}
    for name, address in addresses:
        key = address.lower()
        if key not in excluded and key not in kept:
            kept[key] = (name, address)
    return list(kept.values())


def reply(parent: MessageView, *, me: set[str], to_all: bool, lang: str = "vi") -> Prefill:
    """``me``: the addresses of the person replying (own address and the mailbox replied from)."""
    mine = {address.lower() for address in me}
    primary = list(parent.reply_to or parent.from_)
    if primary and all(address.lower() in mine for _, address in primary):
        primary = list(parent.to)  # answering one's own sent message: to whom it went
    if not to_all:
        to = primary
        cc: list[Address] = []
    else:
        to = _without((*primary, *parent.to), mine) or primary
        cc = _without(parent.cc, mine | {a.lower() for _, a in to})
    refs = thread_references(parent)
    return Prefill(to=format_entries(to), cc=format_entries(cc), subject=reply_subject(parent.subject),
                   body=quoted(parent, lang), in_reply_to=parent.message_id or "", references=" ".join(refs))


def forward(parent: MessageView, lang: str = "vi") -> Prefill:
    refs = (parent.message_id,) if parent.message_id else ()
    return Prefill(subject=forward_subject(parent.subject), body=forwarded(parent, lang), references=" ".join(refs))
