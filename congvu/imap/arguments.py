"""Argument grammars shared by several commands or too long to sit in the dispatch table: SELECT parameters
(CONDSTORE and QRESYNC, RFC 7162 §3.1.8 and §3.2.5), LIST-EXTENDED options (RFC 5258 §3, RFC 5819, RFC 6154
§3), STATUS items (RFC 9051 §6.3.11 with SIZE of RFC 8438, DELETED-STORAGE of RFC 9208, APPENDLIMIT of RFC
7889), APPEND messages (MULTIAPPEND RFC 3502, BINARY RFC 3516 §4.4, UTF8 RFC 6855 §4), STORE flags and FETCH
modifiers.
"""

from __future__ import annotations

from congvu.imap.commands import AppendMessage, QResync, StoreMode
from congvu.imap.grammar import Cursor

STATUS_ITEMS = frozenset(
    {
        "MESSAGES",
        "RECENT",
        "UIDNEXT",
        "UIDVALIDITY",
        "UNSEEN",
        "DELETED",
        "SIZE",
        "HIGHESTMODSEQ",
        "APPENDLIMIT",
        "DELETED-STORAGE",
    }
)
LIST_SELECT_OPTIONS = frozenset({"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"})
LIST_RETURN_OPTIONS = frozenset({"SUBSCRIBED", "CHILDREN", "STATUS", "SPECIAL-USE"})
SPECIAL_USES = frozenset({"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"})
_SPECIAL_USE_SPELLING = {use.upper(): use for use in SPECIAL_USES}
MAX_APPEND_MESSAGES = 1_000
MAX_MODSEQ = 2**63 - 1


def status_items(cursor: Cursor) -> tuple[str, ...]:
    """``"(" status-att *(SP status-att) ")"``."""
    items = cursor.paren_list(cursor.keyword, allow_empty=False)
    for item in items:
        if item not in STATUS_ITEMS:
            cursor.fail(f"Mục STATUS không hỗ trợ: {item}", f"Unsupported STATUS item: {item}")
    return tuple(dict.fromkeys(items))


def select_parameters(cursor: Cursor) -> tuple[bool, QResync | None]:
    """``[SP "(" select-param *(SP select-param) ")"]``: (CONDSTORE asked, QRESYNC parameters)."""
    condstore = False
    qresync: QResync | None = None
    if cursor.at_end():
        return condstore, qresync
    cursor.sp()
    cursor.expect(b"(")
    while True:
        name = cursor.keyword()
        if name == "CONDSTORE":
            condstore = True
        elif name == "QRESYNC":
            cursor.sp()
            qresync = _qresync(cursor)
        else:
            cursor.fail(f"Tham số SELECT không hỗ trợ: {name}", f"Unsupported SELECT parameter: {name}")
        if cursor.take(b")"):
            return condstore, qresync
        cursor.sp()


def _qresync(cursor: Cursor) -> QResync:
    # RFC 7162 §3.2.5: "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    cursor.expect(b"(")
    uidvalidity = cursor.number(nonzero=True)
    cursor.sp()
    modseq = cursor.number(nonzero=True, limit=MAX_MODSEQ)
    known_uids = known_sequences = known_sequence_uids = None
    if cursor.take(b" "):
        if cursor.peek() != 0x28:
            known_uids = cursor.sequence_set()
            if known_uids.uses_star or known_uids.saved:
                cursor.fail("known-uids không được chứa * hay $", "known-uids must not contain * or $")
            cursor.take(b" ")
        if cursor.take(b"("):
            known_sequences = cursor.sequence_set()
            cursor.sp()
            known_sequence_uids = cursor.sequence_set()
            cursor.expect(b")")
    cursor.expect(b")")
    return QResync(uidvalidity, modseq, known_uids, known_sequences, known_sequence_uids)


def list_select_options(cursor: Cursor) -> frozenset[str]:
    options = frozenset(cursor.paren_list(cursor.keyword))
    unknown = options - LIST_SELECT_OPTIONS
    if unknown:
        name = sorted(unknown)[0]
        cursor.fail(f"Tuỳ chọn LIST không hỗ trợ: {name}", f"Unsupported LIST selection option: {name}")
    if "RECURSIVEMATCH" in options and not options & {"SUBSCRIBED", "SPECIAL-USE"}:
        # RFC 5258 §3: RECURSIVEMATCH alone is a syntax error.
        cursor.fail("RECURSIVEMATCH cần tuỳ chọn khác đi kèm", "RECURSIVEMATCH needs a base option")
    return options


def list_return_options(cursor: Cursor) -> tuple[frozenset[str], tuple[str, ...]]:
    """``RETURN (…)``: the options and, for STATUS (RFC 5819), the requested items."""
    cursor.expect(b"RETURN")
    cursor.sp()
    cursor.expect(b"(")
    options: set[str] = set()
    items: tuple[str, ...] = ()
    if not cursor.take(b")"):
        while True:
            name = cursor.keyword()
            if name not in LIST_RETURN_OPTIONS:
                cursor.fail(f"Tuỳ chọn RETURN không hỗ trợ: {name}", f"Unsupported RETURN option: {name}")
            options.add(name)
            if name == "STATUS":
                cursor.sp()
                items = status_items(cursor)
            if cursor.take(b")"):
                break
            cursor.sp()
    return frozenset(options), items


def special_use(cursor: Cursor) -> tuple[str, ...]:
    """CREATE parameters: ``"(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"`` (RFC 6154 §3).

    Known attributes come back in their registered spelling; an unknown one is kept, and the server answers
    it with ``NO [USEATTR]``.
    """

    def parameter() -> tuple[str, ...]:
        name = cursor.keyword()
        if name != "USE":
            cursor.fail(f"Tham số CREATE không hỗ trợ: {name}", f"Unsupported CREATE parameter: {name}")
        cursor.sp()
        return tuple(_SPECIAL_USE_SPELLING.get(flag.upper(), flag) for flag in cursor.flag_list())

    return tuple(use for uses in cursor.paren_list(parameter, allow_empty=False) for use in uses)


def append_messages(cursor: Cursor) -> tuple[AppendMessage, ...]:
    """``1*append-message`` (RFC 3502 §6.3.11): ``[SP flag-list] [SP date-time] SP append-data``.

    Between two messages a run of spaces is accepted, not only the one SP of the grammar: IMAPClient's
    ``multiappend`` sends a space after each literal and another before the next literal's ``{n}``."""
    messages: list[AppendMessage] = []
    while True:
        cursor.sp()
        if messages:
            while cursor.take(b" "):
                pass
        flags: tuple[str, ...] = ()
        if cursor.peek() == 0x28:
            flags = cursor.flag_list()
            if "\\*" in flags:
                cursor.fail("Cờ \\* không dùng được ở đây", "The flag \\* is not allowed here")
            cursor.sp()
        internal_date = None
        if cursor.peek() == 0x22:
            internal_date = cursor.date_time()
            cursor.sp()
        if cursor.take(b"UTF8 ("):
            data, binary = cursor.literal(allow_binary=True)
            if not binary:
                cursor.fail("UTF8 cần literal8 ~{n}", "UTF8 append data needs a literal8 ~{n}")
            cursor.expect(b")")
            messages.append(AppendMessage(data, flags, internal_date, binary=True, utf8=True))
        else:
            data, binary = cursor.literal(allow_binary=True)
            messages.append(AppendMessage(data, flags, internal_date, binary=binary))
        if len(messages) > MAX_APPEND_MESSAGES:
            cursor.fail("Quá nhiều thư trong một lệnh APPEND", "Too many messages in one APPEND")
        if cursor.at_end():
            return tuple(messages)


def store_flags(cursor: Cursor) -> tuple[StoreMode, bool, tuple[str, ...]]:
    """``(["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))``."""
    mode = StoreMode.REPLACE
    if cursor.take(b"+"):
        mode = StoreMode.ADD
    elif cursor.take(b"-"):
        mode = StoreMode.REMOVE
    cursor.expect(b"FLAGS")
    silent = cursor.take(b".SILENT")
    cursor.sp()
    if cursor.peek() == 0x28:
        flags = cursor.flag_list()
    else:
        flags_list = [cursor.flag()]
        while cursor.take(b" "):
            flags_list.append(cursor.flag())
        flags = tuple(flags_list)
    if "\\*" in flags:
        cursor.fail("Cờ \\* không dùng được ở đây", "The flag \\* is not allowed here")
    return mode, silent, tuple(dict.fromkeys(flags))


def store_modifiers(cursor: Cursor) -> int | None:
    """``SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"`` (RFC 7162 §3.1.3), if present."""
    if not cursor.take(b" ("):
        return None
    unchanged_since: int | None = None
    while True:
        name = cursor.keyword()
        if name != "UNCHANGEDSINCE":
            cursor.fail(f"Tham số STORE không hỗ trợ: {name}", f"Unsupported STORE modifier: {name}")
        cursor.sp()
        unchanged_since = cursor.number(limit=MAX_MODSEQ)
        if cursor.take(b")"):
            return unchanged_since
        cursor.sp()


def fetch_modifiers(cursor: Cursor) -> tuple[int | None, bool]:
    """``[SP "(" fetch-modifier *(SP fetch-modifier) ")"]``: CHANGEDSINCE and VANISHED (RFC 7162)."""
    found: dict[str, int] = {}

    def modifier() -> None:
        name = cursor.keyword()
        if name == "CHANGEDSINCE":
            cursor.sp()
            found[name] = cursor.number(limit=MAX_MODSEQ)
        elif name == "VANISHED":
            found[name] = 1
        else:
            cursor.fail(f"Tham số FETCH không hỗ trợ: {name}", f"Unsupported FETCH modifier: {name}")

    if not cursor.at_end():
        cursor.sp()
        cursor.paren_list(modifier, allow_empty=False)
    return found.get("CHANGEDSINCE"), "VANISHED" in found
