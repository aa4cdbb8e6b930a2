"""Which list partition a caller's list reads (shared/domain/listings.py): the narrowest organisation it names,
checked against its scope, or its own organisation's."""

from __future__ import annotations

from typing import Any

from shared.domain.listings import list_partition
from shared.domain.scope import OrgType, Principal, may_name_provider, provider_named_by_operator
from shared.services.errors import NotFound, require


def list_partition_for(
    principal: Principal,
    relationships: Any,
    providers: Any,
    *,
    provider_id: str | None,
    reseller_id: str | None,
    customer_id: str | None,
) -> str:
    """A customer or reseller outside the caller's scope is a 404, never an empty list; a customer named with a
    reseller or provider it does not belong to is one too. The operator names at least the provider."""
    if customer_id:
        customer = relationships.customer(principal, customer_id)
        if (reseller_id and customer.reseller_id != reseller_id) or (
            provider_id and customer.provider_id != provider_id
        ):
            raise NotFound(f"customer {customer_id} was not found")
        return list_partition(OrgType.CUSTOMER, customer.id)
    if reseller_id:
        reseller = relationships.reseller(principal, reseller_id)
        if provider_id and reseller.provider_id != provider_id:
            raise NotFound(f"reseller {reseller_id} was not found")
        return list_partition(OrgType.RESELLER, reseller.id)
    whose = "the provider, reseller or customer whose list it reads"
    require(may_name_provider(principal, provider_id, operator_names=whose), f"provider {provider_id} was not found")
    named = provider_named_by_operator(principal, provider_id)
    if named:
        if providers.get(named) is None:
            raise NotFound(f"provider {named} was not found")
        return list_partition(OrgType.PROVIDER, named)
    return list_partition(principal.org.org_type, principal.org.org_id)
