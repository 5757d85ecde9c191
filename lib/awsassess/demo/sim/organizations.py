"""Organizations fill: member accounts get the estate's fixed account ids."""

from __future__ import annotations

from collections.abc import Callable

from awsassess.demo.frontdoor import SimHandler

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
# fixed account ids; the moved master-account index keeps members' lookups working
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("organizations", "ListAccounts"),  # fill_organization_account_ids
    ("organizations", "ListAccountsForParent"),  # fill_organization_account_ids
    ("organizations", "DescribeAccount"),  # fill_organization_account_ids
    ("organizations", "DescribeOrganization"),  # fill_organization_account_ids (called from a member account)
)


def fill_organization_account_ids(management_account: str, ids_by_name: dict[str, str]) -> None:
    """Gap: accounts created in an organization get random 12-digit ids.

    Fill (A): set each account's ``id`` (its ARN follows) to the estate's fixed ids, by account name.
    """
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[management_account]["aws"]
    for account in backend.accounts:
        if account.name in ids_by_name:
            old, account.id = account.id, ids_by_name[account.name]
            owner = organizations_backends.master_accounts.pop(old, (management_account, "aws"))
            organizations_backends.master_accounts[account.id] = owner


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches (none here)
PATCHES: tuple[Callable[[], None], ...] = ()


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
