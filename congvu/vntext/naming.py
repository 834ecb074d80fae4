"""Mailbox local parts built from Vietnamese names: short, ASCII, easy to remember.

No national rule fixes the pattern (vn-text.md §5, STANDARDS.md "Text"): provinces use *tên + initials of họ
and đệm* (``Trần Văn Vinh`` → ``vinhtv``), *initials + tên* (``tvvinh``, with a unit code ``dtdlan.ubhgt``)
and full names (``daohuyentrinh``). The pattern is an installation setting (``NamingPattern``); collisions are
resolved by a deterministic, readable sequence (``local_part_candidates``) of which the caller takes the first
address that is neither taken (by a mailbox or an alias) nor reserved.

Local parts are kept to ``[a-z0-9._-]``, dot-atom form (RFC 5322 §3.4.1), at most 64 octets
(RFC 5321 §4.5.3.1.1), ASCII even though SMTPUTF8 exists, since many correspondents' systems still lack it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from itertools import count

from congvu.errors import InvalidInput
from congvu.vntext.collation import split_name
from congvu.vntext.fold import fold

MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1
_MAX_BASE = 48  # leaves room for ".<suffix>" or a counter within 64
_MAX_SUFFIX = 15
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


class NamingPattern(StrEnum):
    """How a person's local part is built; examples for ``Trần Văn Vinh``."""

    GIVEN_INITIALS = "given_initials"  # vinhtv: tên + initials of họ and đệm (the most common; default)
    INITIALS_GIVEN = "initials_given"  # tvvinh: initials of họ and đệm + tên
    GIVEN_DOT_INITIALS = "given_dot_initials"  # vinh.tv
    FULL = "full"  # tranvanvinh: họ + đệm + tên
    FAMILY_GIVEN = "family_given"  # tranvinh: họ + tên


# RFC 2142 role mailboxes, RFC 5321 §4.5.1 postmaster, the addresses CAs use to validate a domain
# (CA/Browser Forum Baseline Requirements §3.2.2.4.4), report and policy names (RFC 7489 DMARC,
# RFC 8460 TLS-RPT, RFC 8461 MTA-STS), client auto-configuration names, system accounts, and the Vietnamese
# agency functions (văn thư, văn phòng, lãnh đạo, quản trị, hỗ trợ …).
_RESERVED_WORDS = """
    postmaster abuse admin administrator hostmaster webmaster root noreply no-reply donotreply do-not-reply
    mailer-daemon daemon nobody security support info sales marketing noc usenet news uucp ftp www
    bounce bounces dmarc tlsrpt mta-sts autoconfig autodiscover mail email webmail smtp imap pop pop3
    submission mx dns ns dkim spf system operator null devnull help contact list lists listmaster majordomo
    owner ssladmin sslwebmaster calendar caldav carddav api edxml
    vanthu vanphong lanhdao quantri quantrivien hotro thongbao lienhe gopy tiepnhan tiepdan banbientap bbt
    hopthu thudientu congvu
"""
RESERVED_LOCAL_PARTS: frozenset[str] = frozenset(_RESERVED_WORDS.split())
# Mailing-list conventions (owner-x, x-request) that list software answers for.
_RESERVED_PREFIXES = ("owner-",)
_RESERVED_SUFFIXES = ("-request", "-owner", "-bounces", "-admin")


def is_reserved(local: str) -> bool:
    """True when ``local`` (any case) is a role, system or list-control name not to be given to a person."""
    name = local.strip().lower()
    return (
        name in RESERVED_LOCAL_PARTS
        or name.startswith(_RESERVED_PREFIXES)
        or name.endswith(_RESERVED_SUFFIXES)
    )


def to_ascii_slug(text: str) -> str:
    """ASCII lowercase, diacritics removed, ``đ`` → ``d``, everything but ``[a-z0-9]`` dropped."""
    return _NOT_SLUG.sub("", fold(text))


def _invalid(local: str, why_vi: str, why_en: str) -> InvalidInput:
    return InvalidInput(
        f"Tên hộp thư «{local}» không hợp lệ: {why_vi}",
        message_en=f"Invalid mailbox name {local!r}: {why_en}",
        field="address",
    )


def validate_local_part(local: str) -> str:
    """Return ``local`` trimmed and lower-cased, or raise InvalidInput saying what is wrong.

    Allowed: ``a-z 0-9 . - _``; no dot at either end and no two dots together (RFC 5322 dot-atom); no leading
    hyphen (it reads as an option to command-line mail tools); at most 64 characters.
    """
    name = local.strip()
    if not name:
        raise _invalid(local, "không được để trống", "empty")
    bad = next((ch for ch in name if ch.lower() not in _LOCAL_CHARS), None)
    if bad is not None:
        raise _invalid(
            local,
            f"có ký tự «{bad}»; chỉ dùng chữ a–z không dấu, chữ số, dấu chấm (.), gạch ngang (-), "
            "gạch dưới (_)",
            f"character {bad!r} not allowed; use a-z, 0-9, '.', '-', '_'",
        )
    name = name.lower()
    if len(name) > MAX_LOCAL_PART:
        raise _invalid(local, f"dài quá {MAX_LOCAL_PART} ký tự", f"longer than {MAX_LOCAL_PART} characters")
    if name.startswith(".") or name.endswith("."):
        raise _invalid(local, "không được bắt đầu hay kết thúc bằng dấu chấm", "starts or ends with a dot")
    if ".." in name:
        raise _invalid(local, "không được có hai dấu chấm liền nhau", "has two dots in a row")
    if name.startswith("-"):
        raise _invalid(local, "không được bắt đầu bằng gạch ngang", "starts with a hyphen")
    return name


def _cap(text: str, limit: int) -> str:
    return text[:limit].rstrip("._-")


def _forms(
    family: list[str], middle: list[str], given: str, pattern: NamingPattern
) -> tuple[str, str | None]:
    """(plain form, form with the last middle name spelt out or None)."""
    initials = "".join(w[0] for w in family + middle)
    spelt_initials = "".join(w[0] for w in family + middle[:-1]) + middle[-1] if middle else None
    if pattern is NamingPattern.GIVEN_INITIALS:
        return given + initials, given + spelt_initials if spelt_initials else None
    if pattern is NamingPattern.INITIALS_GIVEN:
        return initials + given, spelt_initials + given if spelt_initials else None
    if pattern is NamingPattern.GIVEN_DOT_INITIALS:
        plain = f"{given}.{initials}" if initials else given
        return plain, f"{given}.{spelt_initials}" if spelt_initials else None
    if pattern is NamingPattern.FULL:
        return "".join(family + middle) + given, None
    return "".join(family) + given, "".join(family) + middle[-1] + given if middle else None


def local_part_candidates(
    full_name: str, pattern: NamingPattern | str = NamingPattern.GIVEN_INITIALS, *, suffix: str | None = None
) -> Iterator[str]:
    """An endless, deterministic sequence of distinct, valid, unreserved local parts for ``full_name``.

    Order (``Trần Văn Vinh``, ``given_initials``, suffix ``stttt``):

    1. the pattern's plain form: ``vinhtv``;
    2. the last middle name spelt out, when there is one: ``vinhtvan`` (``Nguyễn Thị Ngọc Ánh``:
       ``anhntngoc``);
    3. the plain form with the unit or agency code, when ``suffix`` is given: ``vinhtv.stttt``;
    4. the plain form with a counter from 2: ``vinhtv2``, ``vinhtv3``, …

    ``suffix`` is slugged like a name (``Sở TT&TT`` → ``sotttt``) and cut to 15 characters; forms are cut to
    48 so that every candidate stays within 64. Raises InvalidInput when the name has no Latin letter or
    digit.
    """
    pattern = NamingPattern(pattern)
    family_name, middle_name, given_name = split_name(full_name)
    family = [s for s in map(to_ascii_slug, family_name.split()) if s]
    middle = [s for s in map(to_ascii_slug, middle_name.split()) if s]
    given = to_ascii_slug(given_name)
    if not given:
        given = (middle or family or [""]).pop()
    if not given:
        raise InvalidInput(
            f"Không tạo được tên hộp thư từ họ tên «{full_name}»: không có chữ cái Latin nào",
            message_en=f"Cannot build a mailbox name from {full_name!r}: no Latin letters",
            field="full_name",
        )
    plain, spelt = _forms(family, middle, given, pattern)
    plain = _cap(plain, _MAX_BASE)
    unit = _cap(to_ascii_slug(suffix), _MAX_SUFFIX) if suffix else ""
    head = [plain]
    if spelt:
        head.append(_cap(spelt, _MAX_BASE))
    if unit:
        head.append(f"{plain}.{unit}")
    return _sequence(head, plain)


def _sequence(head: list[str], plain: str) -> Iterator[str]:
    seen: set[str] = set()
    for local in head:
        if local not in seen and not is_reserved(local):
            seen.add(local)
            yield local
    for n in count(2):
        local = f"{plain}{n}"
        if local not in seen and not is_reserved(local):
            yield local
