"""Who a signed-in account may send as, shared by SMTP submission and the webmail (RFC 6409 §7.1: the
submission server checks that the author fields name the authenticated sender or a mailbox it may send for).

An account may use its own address, an alias that delivers to it alone (an old address kept after a merger,
``postmaster@`` for the administrator), and a mailbox delegated to it with the ``p`` (post) right of RFC 4314
§2.1, which is how a clerk (văn thư) sends as the agency's official address. Delegations are read on every
check, so a clerk who leaves loses the right at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from congvu.directory.models import Account, AccountStatus
from congvu.directory.resolve import AddressState
from congvu.directory.service import Directory
from congvu.errors import NotFound
from congvu.mailstore.api import MailStoreApi

SEND_AS_RIGHT = "p"


@dataclass(frozen=True)
class Identity:
    """An address the account may put in From, with the name shown beside it."""

    address: str
    name: str
    account_id: int
    own: bool


def mailbox_owner(directory: Directory, address: str) -> int | None:
    """The single local mailbox ``address`` delivers to, or None (foreign, unknown, a group, disabled)."""
    wanted = address.strip().lower()
    if not directory.recipients.is_local_domain(wanted):
        return None
    with directory.ctx.db.read() as conn:
        found = directory.recipients.resolve(conn, wanted)
    if found.state != AddressState.DELIVERABLE or len(found.mailbox_ids) != 1 or found.remote:
        return None
    return found.mailbox_ids[0]


def may_send_as(directory: Directory, mailstore: MailStoreApi, account_id: int, account_address: str,
                address: str) -> bool:
    """Whether the account may name ``address`` as author (From or Sender)."""
    if address.strip().lower() == account_address.lower():
        return True
    owner = mailbox_owner(directory, address)
    if owner is None:
        return False
    return owner == account_id or SEND_AS_RIGHT in mailstore.rights(account_id, owner)


def identities(directory: Directory, mailstore: MailStoreApi, account: Account) -> tuple[Identity, ...]:
    """The account's own address first, then each agency mailbox it may send as."""
    found = [Identity(account.address, account.full_name, account.id, True)]
    owners = {f.owner_id: f.owner_address for f in mailstore.list_folders(account.id) if f.shared}
    for owner_id, address in sorted(owners.items(), key=lambda item: item[1]):
        if SEND_AS_RIGHT not in mailstore.rights(account.id, owner_id):
            continue
        try:
            owner = directory.accounts.show(address)
        except NotFound:
            continue
        if owner.status == AccountStatus.ACTIVE:
            found.append(Identity(owner.address, owner.full_name, owner.id, False))
    return tuple(found)
