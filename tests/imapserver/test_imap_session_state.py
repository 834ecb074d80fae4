"""The selected folder's numbering and updates, LIST pattern matching and SEARCH translation, without sockets."""

from __future__ import annotations

from datetime import UTC, datetime

from congvu.imap.commands import List
from congvu.imap.search import SearchNot, SearchOr, SearchSequence, SearchText
from congvu.imap.sequence import SequenceSet
from congvu.imapserver.listing import list_entries, lsub_entries, pattern_regex
from congvu.imapserver.searching import saved_result, to_criterion
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.api import Changes, FolderInfo, MessageSummary, Rights
from congvu.mailstore.criteria import AnyOf, Not, TextContains, TextField, UidIn

WHEN = datetime(2025, 3, 3, tzinfo=UTC)


def _folder(path: str, *, special: str | None = None, subscribed: bool = True, owner: int = 1,
            modseq: int = 10) -> FolderInfo:
    name = path.split("/", 2)[2] if path.startswith("Shared/") else path
    return FolderInfo(id=hash(path) & 0xFFFF, owner_id=owner, owner_address="stttt@dongnai.gov.vn", name=name,
                      path=path, special_use=special, uidvalidity=7, uidnext=100, highestmodseq=modseq,
                      subscribed=subscribed, rights=Rights("lrswipkxtea"))


def _message(uid: int, *flags: str, modseq: int = 1) -> MessageSummary:
    return MessageSummary(uid=uid, modseq=modseq, flags=frozenset(flags), internal_date=WHEN, size=100,
                          content_id=uid)


def _selected(*uids: int) -> SelectedFolder:
    return SelectedFolder(_folder("INBOX"), [_message(u) for u in uids], read_only=False, subscription=None)


def test_sequence_numbers_and_uid_sets() -> None:
    folder = _selected(3, 7, 8, 20, 4_000_000_000)
    assert folder.uids_in(SequenceSet.parse("2:3,*"), uid=False) == [7, 8, 4_000_000_000]
    assert folder.uids_in(SequenceSet.parse("1:4294967295"), uid=True) == [3, 7, 8, 20, 4_000_000_000]
    assert folder.uids_in(SequenceSet.parse("9:19"), uid=True) == []
    assert folder.uids_in(SequenceSet.parse("$"), uid=False, saved=[8, 99, 3]) == [3, 8]
    assert folder.sequence_in_range(SequenceSet.parse("1:5"))
    assert not folder.sequence_in_range(SequenceSet.parse("6"))
    assert not _selected().sequence_in_range(SequenceSet.parse("1:*"))
    assert folder.seq_ranges_to_uid_ranges(SequenceSet.parse("2:3,5").resolve(5)) == ((7, 8), (4_000_000_000,) * 2)


def test_expunges_are_numbered_highest_first_or_reported_as_vanished() -> None:
    folder = _selected(1, 2, 3, 4, 5)
    assert folder.remove([2, 4, 99], vanished=False) == [b"* 4 EXPUNGE\r\n", b"* 2 EXPUNGE\r\n"]
    assert list(folder.uids) == [1, 3, 5]
    assert folder.remove(range(1, 6), vanished=True) == [b"* VANISHED 1,3,5\r\n"]
    assert folder.count == 0


def test_apply_reports_others_changes_but_not_the_sessions_own() -> None:
    folder = _selected(1, 2, 3)
    folder.note_own([_message(2, "\\Seen", modseq=11)])
    changes = Changes(changed=(_message(1, "\\Flagged", "$Urgent", modseq=12), _message(2, "\\Seen", modseq=11),
                               _message(4, modseq=13), _message(5, modseq=14)),
                      vanished=(3,), highestmodseq=14)
    result = folder.apply(changes, rev1=True, condstore=True, qresync=False)
    assert result.lines == (
        b"* 3 EXPUNGE\r\n",
        b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Urgent)\r\n",
        b"* 1 FETCH (UID 1 FLAGS (\\Flagged $Urgent) MODSEQ (12))\r\n",
        b"* 4 EXISTS\r\n",
    )
    assert result.new_uids == (4, 5) and folder.modseq == 14 and list(folder.uids) == [1, 2, 4, 5]


def test_list_patterns_and_the_shared_tree() -> None:
    folders = [_folder("INBOX"), _folder("Sent", special="\\Sent"), _folder("Dự án/2025", subscribed=False),
               _folder("Shared/stttt@dongnai.gov.vn/INBOX", owner=2),
               _folder("Shared/stttt@dongnai.gov.vn/Sent", special="\\Sent", owner=2)]
    assert pattern_regex("Dự án/%").match("Dự án/2025") and not pattern_regex("%").match("Dự án/2025")

    def names(*patterns: str, **options: frozenset[str]) -> list[tuple[str, tuple[str, ...]]]:
        command = List("t", reference="", patterns=patterns, extended=bool(options), **options)
        return [(e.name, e.attributes) for e in list_entries(command, folders)]

    assert names("%") == [("INBOX", ("\\HasNoChildren",)),
                          ("Dự án", ("\\Noselect", "\\HasChildren")),
                          ("Sent", ("\\HasNoChildren", "\\Sent")),
                          ("Shared", ("\\Noselect", "\\HasChildren"))]
    assert names("inbox") == [("INBOX", ("\\HasNoChildren",))]
    shared = names("Shared/*")
    assert ("Shared/stttt@dongnai.gov.vn/Sent", ("\\HasNoChildren",)) in shared  # no \Sent
    assert [n for n, _ in names("*", select_options=frozenset({"SPECIAL-USE"}))] == ["Sent"]
    recursive = List("t", reference="", patterns=("%",), extended=True,
                     select_options=frozenset({"SUBSCRIBED", "RECURSIVEMATCH"}))
    entries = {e.name: e.child_info for e in list_entries(recursive, folders)}
    assert entries["INBOX"] == () and entries["Shared"] == ("SUBSCRIBED",) and "Dự án" not in entries
    assert [e.name for e in lsub_entries("", "%", folders)] == ["INBOX", "Sent", "Shared"]


def test_search_keys_become_store_criteria() -> None:
    folder = _selected(10, 20, 30)
    folder.recent = {30}
    key = SearchOr(SearchSequence(SequenceSet.parse("2:*")), SearchNot(SearchText("công văn", headers=True)))
    assert to_criterion(key, folder, ()) == AnyOf((UidIn(((20, 30),)),
                                                   Not(TextContains(TextField.TEXT, "công văn"))))
    assert to_criterion(SearchSequence(SequenceSet.parse("$")), folder, (30, 10)) == UidIn(((10, 10), (30, 30)))
    assert saved_result([4, 9, 2], frozenset({"MIN", "MAX"})) == (2, 9)
    assert saved_result([4, 9, 2], frozenset()) == (4, 9, 2)
