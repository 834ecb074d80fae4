"""``parse_command``: one complete command (as delivered by :mod:`congvu.imap.reader`) into its typed
dataclass (RFC 9051 §6 and §9, with the extensions listed in :mod:`congvu.imap`).

Commands are dispatched through an explicit table; any fault raises :class:`ParseError` carrying the tag so
the server can answer ``<tag> BAD <text>``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from congvu.imap import arguments
from congvu.imap import commands as c
from congvu.imap.errors import ParseError
from congvu.imap.fetch import parse_attributes
from congvu.imap.grammar import TAG_CHARS, Cursor, utf8_text
from congvu.imap.mailbox import DEFAULT_DELIMITER, decode_name
from congvu.imap.search import parse_return_options, parse_search_criteria

SORT_KEYS = frozenset({"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"})
THREAD_ALGORITHMS = frozenset({"ORDEREDSUBJECT", "REFERENCES"})
MAX_ID_PAIRS = 30  # RFC 2971 §3.3


@dataclass
class _Context:
    cursor: Cursor
    tag: str
    utf8: bool
    delimiter: str

    def mailbox(self) -> str:
        raw = self.cursor.astring("tên hộp thư")
        return decode_name(raw, utf8=self.utf8, tag=self.tag, delimiter=self.delimiter)

    def pattern(self) -> str:
        raw = self.cursor.list_mailbox()
        return decode_name(raw, utf8=self.utf8, tag=self.tag, delimiter=self.delimiter)

    def text(self, what: str = "chuỗi") -> str:
        return self.cursor.text_astring(what)


def read_tag(raw: bytes) -> str | None:
    """The tag of a command line, or None if the line does not start with a valid one."""
    tag = raw.split(b" ", 1)[0].removesuffix(b"\r\n")
    if not tag or any(byte not in TAG_CHARS for byte in tag):
        return None
    return tag.decode("ascii")


def parse_command(raw: bytes, *, utf8: bool = False, delimiter: str = DEFAULT_DELIMITER) -> c.Command:
    """Parse one command: tag, name and arguments, literals in place, as :class:`CommandReader` delivers it
    (a final CRLF after the last argument is tolerated).

    ``utf8``: mailbox names are UTF-8 (UTF8=ACCEPT or IMAP4rev2 enabled) rather than modified UTF-7.
    """
    tag = read_tag(raw)
    if tag is None:
        raise ParseError(None, "Thẻ lệnh (tag) không hợp lệ", message_en="Invalid or missing command tag")
    cursor = Cursor(raw, tag)
    cursor.pos = len(tag)
    cursor.sp()
    name = cursor.keyword()
    uid = False
    if name == "UID":
        cursor.sp()
        name = cursor.keyword()
        if name not in _UID_COMMANDS:
            cursor.fail(f"Lệnh không dùng được với UID: {name}", f"Command cannot be used with UID: {name}")
        uid = True
    handler = _COMMANDS.get(name)
    if handler is None:
        raise ParseError(tag, f"Lệnh không được hỗ trợ: {name}", message_en=f"Unknown command: {name}")
    command = handler(_Context(cursor, tag, utf8, delimiter), uid)
    cursor.end()
    return command


def _no_arguments(cls: type[c.Command]) -> Callable[[_Context, bool], c.Command]:
    def handler(ctx: _Context, uid: bool) -> c.Command:
        return cls(ctx.tag)

    return handler


def _one_mailbox(cls: Callable[..., c.Command]) -> Callable[[_Context, bool], c.Command]:
    def handler(ctx: _Context, uid: bool) -> c.Command:
        ctx.cursor.sp()
        return cls(ctx.tag, mailbox=ctx.mailbox())

    return handler


def _authenticate(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    mechanism = cur.keyword()
    initial: bytes | None = None
    if cur.take(b" "):
        # RFC 4959 §3: initial-resp = base64 / "=" (an empty response).
        token = cur.atom("dữ liệu base64")
        if token == "=":
            initial = b""
        else:
            try:
                initial = base64.b64decode(token, validate=True)
            except (binascii.Error, ValueError):
                cur.fail("Phản hồi ban đầu không phải base64", "Initial response is not valid base64")
    return c.Authenticate(ctx.tag, mechanism=mechanism, initial_response=initial)


def _login(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    username = ctx.text("tên người dùng")
    ctx.cursor.sp()
    return c.Login(ctx.tag, username=username, password=ctx.text("mật khẩu"))


def _enable(ctx: _Context, uid: bool) -> c.Command:
    names: list[str] = []
    while not ctx.cursor.at_end() or not names:
        ctx.cursor.sp()
        names.append(ctx.cursor.keyword())
    return c.Enable(ctx.tag, capabilities=tuple(names))


def _select(cls: type[c.Select]) -> Callable[[_Context, bool], c.Command]:
    def handler(ctx: _Context, uid: bool) -> c.Command:
        ctx.cursor.sp()
        mailbox = ctx.mailbox()
        condstore, qresync = arguments.select_parameters(ctx.cursor)
        return cls(ctx.tag, mailbox=mailbox, condstore=condstore, qresync=qresync)

    return handler


def _create(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    mailbox = ctx.mailbox()
    uses: tuple[str, ...] = ()
    if ctx.cursor.take(b" "):
        uses = arguments.special_use(ctx.cursor)
    return c.Create(ctx.tag, mailbox=mailbox, special_use=uses)


def _rename(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    old = ctx.mailbox()
    ctx.cursor.sp()
    return c.Rename(ctx.tag, mailbox=old, new_name=ctx.mailbox())


def _list(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    select_options: frozenset[str] = frozenset()
    extended = False
    if cur.peek() == 0x28:
        select_options = arguments.list_select_options(cur)
        extended = True
        cur.sp()
    reference = ctx.mailbox()
    cur.sp()
    if cur.peek() == 0x28:
        patterns = tuple(cur.paren_list(ctx.pattern, allow_empty=False))
        extended = True
    else:
        patterns = (ctx.pattern(),)
    return_options: frozenset[str] = frozenset()
    status_items: tuple[str, ...] = ()
    if cur.take(b" "):
        return_options, status_items = arguments.list_return_options(cur)
        extended = True
    return c.List(
        ctx.tag,
        reference=reference,
        patterns=patterns,
        select_options=select_options,
        return_options=return_options,
        status_items=status_items,
        extended=extended,
    )


def _lsub(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    reference = ctx.mailbox()
    ctx.cursor.sp()
    return c.Lsub(ctx.tag, reference=reference, pattern=ctx.pattern())


def _status(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    mailbox = ctx.mailbox()
    ctx.cursor.sp()
    return c.Status(ctx.tag, mailbox=mailbox, items=arguments.status_items(ctx.cursor))


def _append(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    mailbox = ctx.mailbox()
    return c.Append(ctx.tag, mailbox=mailbox, messages=arguments.append_messages(ctx.cursor))


def _expunge(ctx: _Context, uid: bool) -> c.Command:
    if not uid:
        return c.Expunge(ctx.tag)
    ctx.cursor.sp()
    return c.Expunge(ctx.tag, uids=ctx.cursor.sequence_set())


def _search(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    returns = parse_return_options(ctx.cursor)
    charset, key = parse_search_criteria(ctx.cursor)
    return c.Search(ctx.tag, key=key, charset=charset, return_options=returns, uid=uid)


def _fetch(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    sequence = cur.sequence_set()
    cur.sp()
    attributes = parse_attributes(cur)
    changed_since, vanished = arguments.fetch_modifiers(cur)
    if vanished and not (uid and changed_since is not None):
        # RFC 7162 §3.2.6: VANISHED only in UID FETCH and together with CHANGEDSINCE.
        cur.fail("VANISHED cần UID FETCH và CHANGEDSINCE", "VANISHED needs UID FETCH with CHANGEDSINCE")
    return c.Fetch(
        ctx.tag,
        sequence=sequence,
        attributes=attributes,
        changed_since=changed_since,
        vanished=vanished,
        uid=uid,
    )


def _store(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    sequence = cur.sequence_set()
    unchanged_since = arguments.store_modifiers(cur)
    cur.sp()
    mode, silent, flags = arguments.store_flags(cur)
    return c.Store(
        ctx.tag,
        sequence=sequence,
        mode=mode,
        flags=flags,
        silent=silent,
        unchanged_since=unchanged_since,
        uid=uid,
    )


def _copy_or_move(cls: type[c.Copy] | type[c.Move]) -> Callable[[_Context, bool], c.Command]:
    def handler(ctx: _Context, uid: bool) -> c.Command:
        ctx.cursor.sp()
        sequence = ctx.cursor.sequence_set()
        ctx.cursor.sp()
        return cls(ctx.tag, sequence=sequence, mailbox=ctx.mailbox(), uid=uid)

    return handler


def _sort_criterion(cur: Cursor) -> c.SortCriterion:
    reverse = cur.take(b"REVERSE ")
    key = cur.keyword()
    if key not in SORT_KEYS:
        cur.fail(f"Khoá sắp xếp không hỗ trợ: {key}", f"Unsupported sort key: {key}")
    return c.SortCriterion(key, reverse)


def _sort(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    returns = parse_return_options(cur)  # ESORT, RFC 5267 §3
    criteria = tuple(cur.paren_list(lambda: _sort_criterion(cur), allow_empty=False))
    cur.sp()
    charset, key = parse_search_criteria(cur, charset_required=True)
    return c.Sort(
        ctx.tag, criteria=criteria, charset=charset or "UTF-8", key=key, return_options=returns, uid=uid
    )


def _thread(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    algorithm = cur.keyword()
    if algorithm not in THREAD_ALGORITHMS:
        cur.fail(f"Thuật toán THREAD không hỗ trợ: {algorithm}", f"Unsupported THREAD algorithm: {algorithm}")
    cur.sp()
    charset, key = parse_search_criteria(cur, charset_required=True)
    return c.Thread(ctx.tag, algorithm=algorithm, charset=charset or "UTF-8", key=key, uid=uid)


def _id(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    if cur.take(b"NIL"):
        return c.Id(ctx.tag, parameters=None)

    def pair() -> tuple[str, str | None]:
        field = utf8_text(cur.astring(), ctx.tag)
        cur.sp()
        value = cur.nstring()
        return field, None if value is None else utf8_text(value, ctx.tag)

    pairs = cur.paren_list(pair)
    if len(pairs) > MAX_ID_PAIRS:
        cur.fail("Quá nhiều cặp tham số ID", "Too many ID field-value pairs")
    return c.Id(ctx.tag, parameters=tuple(pairs))


def _compress(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    return c.Compress(ctx.tag, mechanism=ctx.cursor.keyword())


def _getquota(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    return c.GetQuota(ctx.tag, root=ctx.text("gốc hạn mức"))


def _setquota(ctx: _Context, uid: bool) -> c.Command:
    cur = ctx.cursor
    cur.sp()
    root = ctx.text("gốc hạn mức")
    cur.sp()

    def resource() -> tuple[str, int]:
        name = cur.keyword()
        cur.sp()
        return name, cur.number64()

    return c.SetQuota(ctx.tag, root=root, limits=tuple(cur.paren_list(resource)))


def _rights(ctx: _Context) -> tuple[str, c.RightsChange]:
    text = ctx.text("quyền")
    change = c.RightsChange.REPLACE
    if text[:1] in ("+", "-"):
        change = c.RightsChange(text[0])
        text = text[1:]
    # RFC 4314 §2.1: rights are lower-case letters and digits.
    if not all(ch.isascii() and (ch.islower() or ch.isdigit()) for ch in text):
        ctx.cursor.fail(f"Quyền không hợp lệ: {text}", f"Invalid rights: {text}")
    return text, change


def _mailbox_identifier(cls: type[c.DeleteAcl] | type[c.ListRights]) -> Callable[[_Context, bool], c.Command]:
    def handler(ctx: _Context, uid: bool) -> c.Command:
        ctx.cursor.sp()
        mailbox = ctx.mailbox()
        ctx.cursor.sp()
        return cls(ctx.tag, mailbox=mailbox, identifier=ctx.text("định danh"))

    return handler


def _setacl(ctx: _Context, uid: bool) -> c.Command:
    ctx.cursor.sp()
    mailbox = ctx.mailbox()
    ctx.cursor.sp()
    identifier = ctx.text("định danh")
    ctx.cursor.sp()
    rights, change = _rights(ctx)
    return c.SetAcl(ctx.tag, mailbox=mailbox, identifier=identifier, rights=rights, change=change)


_COMMANDS: dict[str, Callable[[_Context, bool], c.Command]] = {
    "CAPABILITY": _no_arguments(c.Capability),
    "NOOP": _no_arguments(c.Noop),
    "LOGOUT": _no_arguments(c.Logout),
    "ID": _id,
    "COMPRESS": _compress,
    "STARTTLS": _no_arguments(c.StartTls),
    "AUTHENTICATE": _authenticate,
    "LOGIN": _login,
    "ENABLE": _enable,
    "SELECT": _select(c.Select),
    "EXAMINE": _select(c.Examine),
    "CREATE": _create,
    "DELETE": _one_mailbox(c.Delete),
    "RENAME": _rename,
    "SUBSCRIBE": _one_mailbox(c.Subscribe),
    "UNSUBSCRIBE": _one_mailbox(c.Unsubscribe),
    "LIST": _list,
    "LSUB": _lsub,
    "NAMESPACE": _no_arguments(c.Namespace),
    "STATUS": _status,
    "APPEND": _append,
    "IDLE": _no_arguments(c.Idle),
    "GETQUOTA": _getquota,
    "GETQUOTAROOT": _one_mailbox(c.GetQuotaRoot),
    "SETQUOTA": _setquota,
    "GETACL": _one_mailbox(c.GetAcl),
    "SETACL": _setacl,
    "DELETEACL": _mailbox_identifier(c.DeleteAcl),
    "LISTRIGHTS": _mailbox_identifier(c.ListRights),
    "MYRIGHTS": _one_mailbox(c.MyRights),
    "CHECK": _no_arguments(c.Check),
    "CLOSE": _no_arguments(c.Close),
    "UNSELECT": _no_arguments(c.Unselect),
    "EXPUNGE": _expunge,
    "SEARCH": _search,
    "FETCH": _fetch,
    "STORE": _store,
    "COPY": _copy_or_move(c.Copy),
    "MOVE": _copy_or_move(c.Move),
    "SORT": _sort,
    "THREAD": _thread,
}
_UID_COMMANDS = frozenset({"COPY", "MOVE", "FETCH", "SEARCH", "STORE", "EXPUNGE", "SORT", "THREAD"})
COMMAND_NAMES = frozenset(_COMMANDS)
