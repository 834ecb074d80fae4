"""The command table: for each command class, its handler and the states it is valid in (RFC 9051 §6: any
state, not authenticated, authenticated, selected).

A command in the wrong state is answered BAD without running. FETCH, STORE, SEARCH, SORT and THREAD by message
number are marked so that no EXPUNGE is reported while answering them (RFC 9051 §7.5.1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from congvu.imap import commands as c
from congvu.imapserver.handlers import (
    access,
    fetch,
    general,
    idle,
    mailboxes,
    messages,
    queries,
    selection,
    signin,
)
from congvu.imapserver.replies import WRONG_STATE_AUTH, WRONG_STATE_NOT_AUTH, WRONG_STATE_SELECTED, Reply
from congvu.imapserver.session import State

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

C = TypeVar("C", bound=c.Command)
Handler = Callable[["ImapConnection", c.Command], Awaitable[Reply | None]]

ANY = frozenset({State.NOT_AUTHENTICATED, State.AUTHENTICATED, State.SELECTED})
NOT_AUTH = frozenset({State.NOT_AUTHENTICATED})
AUTH = frozenset({State.AUTHENTICATED, State.SELECTED})
SELECTED = frozenset({State.SELECTED})


@dataclass(frozen=True)
class Entry:
    handler: Handler
    states: frozenset[State]
    by_number: bool = False  # FETCH/STORE/SEARCH-like: no EXPUNGE unless the UID form was used

    def refusal(self, state: State) -> Reply | None:
        if state in self.states:
            return None
        if state is State.NOT_AUTHENTICATED:
            return WRONG_STATE_AUTH
        if self.states == NOT_AUTH:
            return WRONG_STATE_NOT_AUTH
        return WRONG_STATE_SELECTED

    def allows_expunge(self, command: c.Command) -> bool:
        return not self.by_number or bool(getattr(command, "uid", False))


def _entry(cls: type[C], handler: Callable[[ImapConnection, C], Awaitable[Reply | None]],
           states: frozenset[State], *, by_number: bool = False) -> tuple[type[c.Command], Entry]:
    # The table dispatches on the exact class, so each handler only ever receives its own command type.
    return cls, Entry(cast(Handler, handler), states, by_number)


HANDLERS: dict[type[c.Command], Entry] = dict(
    [
        _entry(c.Capability, general.capability, ANY),
        _entry(c.Noop, general.noop, ANY),
        _entry(c.Logout, general.logout, ANY),
        _entry(c.Id, general.identify, ANY),
        _entry(c.StartTls, signin.starttls, NOT_AUTH),
        _entry(c.Login, signin.login, NOT_AUTH),
        _entry(c.Authenticate, signin.authenticate, NOT_AUTH),
        _entry(c.Enable, general.enable, AUTH),
        _entry(c.Compress, general.compress, AUTH),
        _entry(c.Namespace, general.namespace, AUTH),
        _entry(c.Select, selection.select, AUTH),
        _entry(c.Examine, selection.select, AUTH),
        _entry(c.Create, mailboxes.create, AUTH),
        _entry(c.Delete, mailboxes.delete, AUTH),
        _entry(c.Rename, mailboxes.rename, AUTH),
        _entry(c.Subscribe, mailboxes.subscribe, AUTH),
        _entry(c.Unsubscribe, mailboxes.subscribe, AUTH),
        _entry(c.List, mailboxes.list_mailboxes, AUTH),
        _entry(c.Lsub, mailboxes.lsub, AUTH),
        _entry(c.Status, mailboxes.status, AUTH),
        _entry(c.Append, mailboxes.append, AUTH),
        _entry(c.Idle, idle.idle, AUTH),
        _entry(c.GetQuota, access.getquota, AUTH),
        _entry(c.GetQuotaRoot, access.getquotaroot, AUTH),
        _entry(c.SetQuota, access.setquota, AUTH),
        _entry(c.GetAcl, access.getacl, AUTH),
        _entry(c.SetAcl, access.setacl, AUTH),
        _entry(c.DeleteAcl, access.deleteacl, AUTH),
        _entry(c.ListRights, access.listrights, AUTH),
        _entry(c.MyRights, access.myrights, AUTH),
        _entry(c.Check, general.noop, SELECTED),
        _entry(c.Close, selection.close, SELECTED),
        _entry(c.Unselect, selection.unselect, SELECTED),
        _entry(c.Expunge, messages.expunge, SELECTED),
        _entry(c.Search, queries.search, SELECTED, by_number=True),
        _entry(c.Fetch, fetch.fetch, SELECTED, by_number=True),
        _entry(c.Store, messages.store, SELECTED, by_number=True),
        _entry(c.Copy, messages.copy, SELECTED),
        _entry(c.Move, messages.move, SELECTED),
        _entry(c.Sort, queries.sort, SELECTED, by_number=True),
        _entry(c.Thread, queries.thread, SELECTED, by_number=True),
    ]
)

__all__ = ["HANDLERS", "Entry"]
