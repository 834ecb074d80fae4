"""The directory as one object: the services for agencies, accounts, aliases, groups and recipients."""

from __future__ import annotations

from congvu.directory.accounts import AccountService
from congvu.directory.agencies import AgencyService
from congvu.directory.aliases import AliasService
from congvu.directory.context import DirectoryContext
from congvu.directory.groups import GroupService
from congvu.directory.resolve import RecipientResolver


class Directory:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx
        self.agencies = AgencyService(ctx)
        self.accounts = AccountService(ctx, self.agencies)
        self.aliases = AliasService(ctx)
        self.groups = GroupService(ctx, self.agencies)
        self.recipients = RecipientResolver(ctx, self.groups)
