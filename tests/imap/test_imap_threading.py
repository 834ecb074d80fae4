"""THREAD algorithms (RFC 5256 §3) and base-subject extraction (RFC 5256 §2.1)."""

from datetime import UTC, datetime, timedelta

import pytest

from congvu.imap.response import thread_text
from congvu.imap.subject import base_subject
from congvu.imap.threading import (
    ThreadMessage,
    message_ids,
    thread_messages,
    thread_orderedsubject,
    thread_references,
)

BASE = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def msg(
    number: int,
    subject: str,
    minutes: int,
    message_id: str | None = None,
    references: str = "",
) -> ThreadMessage:
    return ThreadMessage(
        number=number,
        message_id=message_id,
        references=message_ids(references),
        subject=subject,
        sent=BASE + timedelta(minutes=minutes),
    )


@pytest.mark.parametrize(
    ("subject", "base", "reply"),
    [
        ("Hello", "Hello", False),
        ("Re: Hello", "Hello", True),
        ("RE: re: Fwd: Hello", "Hello", True),
        ("Fw: Hello", "Hello", True),
        ("Re[2]: Hello", "Hello", True),
        ("[list] Re: Hello", "Hello", True),
        ("Re: [list] Hello", "Hello", True),
        ("Hello (fwd)", "Hello", True),
        ("Hello (fwd) (FWD)  ", "Hello", True),
        ("[Fwd: Re: Hello]", "Hello", True),
        ("[fwd: [Fwd: Hello]]", "Hello", True),
        ("  Hello \t  world  ", "Hello world", False),
        ("[list]", "[list]", False),  # a blob alone is the base subject
        ("[a] [b] Hello", "Hello", False),
        ("Re:", "", True),
        ("", "", False),
        ("Reply all", "Reply all", False),
        ("Re: [Sở TT&TT] Báo cáo tuần", "Báo cáo tuần", True),
        ("TRẢ LỜI: Công văn 123", "TRẢ LỜI: Công văn 123", False),  # only the RFC's leaders are removed
    ],
)
def test_base_subject(subject: str, base: str, reply: bool) -> None:
    extracted = base_subject(subject)
    assert (extracted.text, extracted.reply) == (base, reply)


def test_base_subject_key_folds_case() -> None:
    assert base_subject("Re: CÔNG VĂN SỐ 12").key == base_subject("công văn số 12").key


def test_message_ids() -> None:
    assert message_ids("<a@b> <c@d>\r\n\t<e@f>") == ("<a@b>", "<c@d>", "<e@f>")
    assert message_ids("junk <x@y> junk") == ("<x@y>",)
    assert message_ids(None) == ()


def test_orderedsubject() -> None:
    messages = [
        msg(1, "Họp giao ban", 0),
        msg(2, "Re: Họp giao ban", 30),
        msg(3, "Báo cáo", 10),
        msg(4, "RE: họp giao ban", 20),
        msg(5, "Re: Báo cáo", 40),
        msg(6, "Lịch công tác", 5),
    ]
    threads = thread_orderedsubject(messages)
    # threads in the order of their first message; children are siblings, in date order
    assert thread_text(threads) == "(1 (4)(2))(6)(3 5)"


def test_references_chain_and_branches() -> None:
    messages = [
        msg(1, "Kế hoạch", 0, "<1@x>"),
        msg(2, "Re: Kế hoạch", 10, "<2@x>", "<1@x>"),
        msg(3, "Re: Kế hoạch", 20, "<3@x>", "<1@x> <2@x>"),
        msg(4, "Re: Kế hoạch", 15, "<4@x>", "<1@x>"),
        msg(5, "Khác", 5, "<5@x>"),
    ]
    assert thread_text(thread_references(messages)) == "(1 (2 3)(4))(5)"


def test_references_missing_parent_becomes_placeholder() -> None:
    # 2 and 3 both answer <lost@x>, which is not in the mailbox: a placeholder holds them at the root
    messages = [
        msg(2, "Re: Lost", 10, "<2@x>", "<lost@x>"),
        msg(3, "Re: Lost", 20, "<3@x>", "<lost@x>"),
        msg(1, "Other", 0, "<1@x>"),
    ]
    assert thread_text(thread_references(messages)) == "(1)((2)(3))"


def test_references_single_child_of_missing_root_is_promoted() -> None:
    messages = [msg(7, "Re: x", 0, "<7@x>", "<gone@x>")]
    assert thread_text(thread_references(messages)) == "(7)"


def test_references_placeholder_inside_thread_is_spliced() -> None:
    # 3 answers <gone@x>, which answered 1: the missing message vanishes and 3 hangs under 1
    messages = [msg(1, "A", 0, "<1@x>"), msg(3, "Re: A", 10, "<3@x>", "<1@x> <gone@x>")]
    assert thread_text(thread_references(messages)) == "(1 3)"


def test_references_groups_by_subject_when_links_are_missing() -> None:
    messages = [
        msg(1, "Báo cáo tháng 5", 0, "<1@x>"),
        msg(2, "Re: Báo cáo tháng 5", 10, "<2@x>"),  # a reply whose client dropped References
        msg(3, "Báo cáo tháng 5", 20, "<3@x>"),  # a second original with the same subject
    ]
    # 2 is a reply and 1 is not: 2 goes under 1; 3 and 1 are both originals: a placeholder joins them
    assert thread_text(thread_references(messages)) == "((1 2)(3))"


def test_references_loop_and_duplicate_ids() -> None:
    messages = [
        msg(1, "Loop", 0, "<a@x>", "<b@x>"),
        msg(2, "Re: Loop", 10, "<b@x>", "<a@x>"),
        msg(3, "Dup", 20, "<a@x>"),  # the same Message-ID as 1: gets a unique one
    ]
    threads = thread_references(messages)
    numbers = thread_text(threads)
    assert sorted(int(n) for n in numbers.replace("(", " ").replace(")", " ").split()) == [1, 2, 3]
    assert "(3)" in numbers


def test_references_uses_in_reply_to_style_single_reference() -> None:
    messages = [msg(10, "Q", 0, "<q@x>"), msg(11, "Re: Q", 1, "<r@x>", "<q@x>")]
    assert thread_text(thread_messages("references", messages)) == "(10 11)"


def test_equal_dates_fall_back_to_number() -> None:
    messages = [msg(2, "B", 0, "<2@x>"), msg(1, "A", 0, "<1@x>")]
    assert thread_text(thread_references(messages)) == "(1)(2)"


def test_deep_chain_does_not_exhaust_the_stack() -> None:
    depth = 5000
    messages = [msg(1, "Deep", 0, "<m1@x>")]
    for n in range(2, depth + 1):
        messages.append(msg(n, "Re: Deep", n, f"<m{n}@x>", f"<m{n - 1}@x>"))
    threads = thread_references(messages)
    assert thread_text(threads) == "(" + " ".join(str(n) for n in range(1, depth + 1)) + ")"


def test_unknown_algorithm() -> None:
    with pytest.raises(ValueError):
        thread_messages("MAGIC", [])
