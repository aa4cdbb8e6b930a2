"""The scope rules: who may see what, and the roles (docs/business.md#roles-and-scope,
docs/api-guide.md#roles)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.domain.billing import CUSTOMER_FIELDS, PROVIDER_FIELDS, RESELLER_FIELDS
from shared.domain.scope import (
    ALL_TIERS,
    BillingAudience,
    BillingLines,
    CatalogBuyer,
    Decision,
    FeedScope,
    Narrowing,
    OrgRef,
    OrgType,
    Principal,
    Role,
    Verdict,
    audit_feed_scope,
    billing_audience,
    billing_lines_visible_to,
    can_see,
    catalog_buyer,
    catalog_market_customer,
    customers_visible_to,
    may_add_member,
    may_bring_in_customer,
    may_change_customer,
    may_change_subscription,
    may_change_subscription_as_staff,
    may_choose_audit_feed,
    may_decide_order,
    may_decide_what_resellers_sell,
    may_disable_provider,
    may_edit_reseller,
    may_enroll_provider,
    may_invite_reseller,
    may_list_members,
    may_list_resellers,
    may_manage_catalog,
    may_manage_event_subscriptions,
    may_manage_members,
    may_name_provider,
    may_offboard_customer,
    may_offboard_reseller,
    may_place_staff_order,
    may_price_customer,
    may_price_reseller,
    may_read_audit,
    may_read_audit_feed,
    may_read_billing,
    may_read_catalog_for_customer,
    may_read_discrepancies,
    may_read_event_subscriptions,
    may_read_provider_default_margin,
    may_read_provider_summary,
    may_read_reseller_default_margin,
    may_record_customer_agreement,
    may_rename_reseller,
    may_request_customer_check,
    may_request_reseller_check,
    may_see,
    may_set_provider_default_margin,
    may_set_reseller_default_margin,
    may_start_billing_run,
    may_start_consent,
    may_sync_customer_subscriptions,
    may_use_storefront,
    own_totals_scope,
    provider_named_by_operator,
    reads_whole_runs,
    resellers_visible_to,
    tiers_visible_to,
)

PROVIDER_A = OrgRef(OrgType.PROVIDER, "pa")
PROVIDER_B = OrgRef(OrgType.PROVIDER, "pb")
RESELLER_A1 = OrgRef(OrgType.RESELLER, "ra1", provider_id="pa")
RESELLER_A2 = OrgRef(OrgType.RESELLER, "ra2", provider_id="pa")
RESELLER_B1 = OrgRef(OrgType.RESELLER, "rb1", provider_id="pb")
CUSTOMER_A1 = OrgRef(OrgType.CUSTOMER, "ca1", provider_id="pa", reseller_id="ra1")
CUSTOMER_A2 = OrgRef(OrgType.CUSTOMER, "ca2", provider_id="pa", reseller_id="ra2")


def who(org: OrgRef, role: Role) -> Principal:
    return Principal(user_id="u", tenant_id=None, org=org, role=role)


OPERATOR = who(OrgRef.operator(), Role.OPERATOR)
PROVIDER_ADMIN = who(PROVIDER_A, Role.PROVIDER_ADMIN)
PROVIDER_STAFF = who(PROVIDER_A, Role.PROVIDER_STAFF)
RESELLER_ADMIN = who(RESELLER_A1, Role.RESELLER_ADMIN)
RESELLER_STAFF = who(RESELLER_A1, Role.RESELLER_STAFF)
CUSTOMER_ADMIN = who(CUSTOMER_A1, Role.CUSTOMER_ADMIN)
EVERYONE = (OPERATOR, PROVIDER_ADMIN, PROVIDER_STAFF, RESELLER_ADMIN, RESELLER_STAFF, CUSTOMER_ADMIN)


def allowed(decide: Callable[[Principal], Decision]) -> set[Role]:
    """The roles (of provider A's world, and the operator) a rule lets through."""
    return {caller.role for caller in EVERYONE if decide(caller).allowed}


def refused_with(decision: Decision, reason: str) -> bool:
    return decision.verdict is Verdict.FORBIDDEN and decision.reason == reason


@pytest.mark.parametrize("org", [PROVIDER_A, PROVIDER_B, RESELLER_B1, CUSTOMER_A2])
def test_operator_sees_everything(org: OrgRef) -> None:
    assert can_see(OPERATOR, org)


def test_provider_staff_see_their_provider_its_resellers_and_customers_only() -> None:
    staff = who(PROVIDER_A, Role.PROVIDER_STAFF)
    assert all(can_see(staff, org) for org in (PROVIDER_A, RESELLER_A1, RESELLER_A2, CUSTOMER_A1, CUSTOMER_A2))
    assert not any(can_see(staff, org) for org in (PROVIDER_B, RESELLER_B1, OrgRef.operator()))


def test_reseller_staff_see_their_reseller_and_its_customers_never_another_resellers() -> None:
    staff = who(RESELLER_A1, Role.RESELLER_STAFF)
    assert can_see(staff, RESELLER_A1) and can_see(staff, CUSTOMER_A1)
    assert not any(can_see(staff, org) for org in (PROVIDER_A, RESELLER_A2, CUSTOMER_A2, RESELLER_B1))


def test_customer_admin_sees_only_itself() -> None:
    admin = who(CUSTOMER_A1, Role.CUSTOMER_ADMIN)
    assert can_see(admin, CUSTOMER_A1)
    assert not any(can_see(admin, org) for org in (CUSTOMER_A2, RESELLER_A1, PROVIDER_A))


def test_admin_adds_members_to_own_organisation() -> None:
    admin = who(RESELLER_A1, Role.RESELLER_ADMIN)
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_STAFF, target_has_admin=True).allowed


def test_staff_may_not_add_members() -> None:
    staff = who(PROVIDER_A, Role.PROVIDER_STAFF)
    assert may_add_member(staff, PROVIDER_A, Role.PROVIDER_STAFF, target_has_admin=True).refused


def test_provider_admin_adds_the_first_admin_of_its_reseller_or_customer() -> None:
    admin = who(PROVIDER_A, Role.PROVIDER_ADMIN)
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_ADMIN, target_has_admin=False).allowed
    assert may_add_member(admin, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=False).allowed


def test_provider_admin_may_not_add_a_second_admin_or_staff_to_a_reseller() -> None:
    admin = who(PROVIDER_A, Role.PROVIDER_ADMIN)
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_ADMIN, target_has_admin=True).refused
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_STAFF, target_has_admin=False).refused


def test_adding_to_an_organisation_outside_scope_is_not_found() -> None:
    admin = who(RESELLER_A1, Role.RESELLER_ADMIN)
    assert may_add_member(admin, RESELLER_A2, Role.RESELLER_STAFF, target_has_admin=True).hidden
    assert may_add_member(
        who(PROVIDER_A, Role.PROVIDER_ADMIN), RESELLER_B1, Role.RESELLER_ADMIN, target_has_admin=False
    ).hidden


@pytest.mark.parametrize(
    "caller",
    [
        who(PROVIDER_A, Role.PROVIDER_ADMIN),
        who(PROVIDER_A, Role.PROVIDER_STAFF),
        who(RESELLER_A1, Role.RESELLER_ADMIN),
        who(CUSTOMER_A1, Role.CUSTOMER_ADMIN),
    ],
)
def test_only_the_operator_adds_to_the_operators_organisation_which_is_known_to_exist(caller: Principal) -> None:
    for role in (Role.OPERATOR, Role.PROVIDER_ADMIN):
        assert may_add_member(caller, OrgRef.operator(), role, target_has_admin=True).refused


def test_a_role_of_another_kind_of_organisation_is_invalid() -> None:
    assert may_add_member(OPERATOR, PROVIDER_A, Role.RESELLER_ADMIN, target_has_admin=False).invalid
    assert may_add_member(OPERATOR, CUSTOMER_A1, Role.OPERATOR, target_has_admin=False).invalid


def test_operator_adds_anyone() -> None:
    assert may_add_member(OPERATOR, RESELLER_B1, Role.RESELLER_STAFF, target_has_admin=True).allowed
    assert may_add_member(OPERATOR, OrgRef.operator(), Role.OPERATOR, target_has_admin=True).allowed


def test_audit_is_for_admins_within_scope() -> None:
    assert may_read_audit(who(PROVIDER_A, Role.PROVIDER_ADMIN), CUSTOMER_A1).allowed
    assert may_read_audit(who(PROVIDER_A, Role.PROVIDER_STAFF), CUSTOMER_A1).refused
    assert may_read_audit(who(RESELLER_A2, Role.RESELLER_ADMIN), CUSTOMER_A1).hidden


def test_reseller_admin_adds_only_the_first_admin_of_its_own_customer() -> None:
    admin = who(RESELLER_A1, Role.RESELLER_ADMIN)
    assert may_add_member(admin, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=False).allowed
    assert may_add_member(admin, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=True).refused
    assert may_add_member(admin, CUSTOMER_A2, Role.CUSTOMER_ADMIN, target_has_admin=False).hidden
    staff = who(RESELLER_A1, Role.RESELLER_STAFF)
    assert may_add_member(staff, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=False).refused


# Decisions -----------------------------------------------------------------------------------------------------------


def test_a_decision_is_allowed_hidden_refused_with_its_reason_or_invalid_naming_the_field() -> None:
    staff_adding = may_add_member(PROVIDER_STAFF, PROVIDER_A, Role.PROVIDER_STAFF, target_has_admin=True)
    assert refused_with(staff_adding, "you may not add this member to that organisation")
    assert may_add_member(OPERATOR, PROVIDER_A, Role.PROVIDER_ADMIN, target_has_admin=False) == Decision(
        Verdict.ALLOWED
    )
    wrong_role = may_add_member(OPERATOR, PROVIDER_A, Role.RESELLER_ADMIN, target_has_admin=False)
    assert wrong_role.invalid and wrong_role.field == "role"
    assert wrong_role.reason == "role reseller.admin does not belong to a provider"
    assert wrong_role.field_message == "a provider member's role is one of provider.admin, provider.staff"


def test_an_organisation_outside_the_callers_scope_is_hidden_not_refused() -> None:
    assert may_see(RESELLER_STAFF, CUSTOMER_A1).allowed
    assert may_see(RESELLER_STAFF, CUSTOMER_A2).hidden and may_see(RESELLER_STAFF, CUSTOMER_A2).reason == ""


# Members -------------------------------------------------------------------------------------------------------------


def test_admins_manage_the_members_of_their_own_organisation_and_those_below_it() -> None:
    assert may_manage_members(PROVIDER_ADMIN, CUSTOMER_A1).allowed
    assert may_manage_members(RESELLER_ADMIN, CUSTOMER_A1).allowed
    assert may_manage_members(CUSTOMER_ADMIN, CUSTOMER_A1).allowed
    assert refused_with(
        may_manage_members(RESELLER_STAFF, RESELLER_A1), "you may not manage the members of that organisation"
    )
    assert may_manage_members(RESELLER_ADMIN, PROVIDER_A).hidden


def test_members_list_their_own_organisation_and_admins_those_they_manage() -> None:
    assert may_list_members(RESELLER_STAFF, RESELLER_A1).allowed
    assert may_list_members(PROVIDER_ADMIN, RESELLER_A1).allowed
    assert may_list_members(PROVIDER_STAFF, RESELLER_A1).refused
    assert may_list_members(RESELLER_STAFF, RESELLER_A2).hidden


def test_only_the_operator_adds_to_the_operators_organisation_and_says_so() -> None:
    decision = may_add_member(PROVIDER_ADMIN, OrgRef.operator(), Role.OPERATOR, target_has_admin=True)
    assert refused_with(decision, "only the operator adds members to the operator's organisation")


# Audit ---------------------------------------------------------------------------------------------------------------


def test_admins_read_the_audit_trail_of_what_they_see_staff_are_refused() -> None:
    assert may_read_audit(RESELLER_ADMIN, CUSTOMER_A1).allowed
    assert refused_with(may_read_audit(RESELLER_STAFF, CUSTOMER_A1), "only admins read the audit trail")


def test_the_prices_set_for_an_organisation_by_the_one_above_are_hidden_from_its_audit_trail() -> None:
    assert may_read_audit(RESELLER_ADMIN, RESELLER_A1, "resellerPricing").hidden
    assert may_read_audit(PROVIDER_ADMIN, RESELLER_A1, "resellerPricing").allowed
    assert may_read_audit(CUSTOMER_ADMIN, CUSTOMER_A1, "customerPricing").hidden
    assert may_read_audit(RESELLER_ADMIN, CUSTOMER_A1, "customerPricing").allowed


def test_the_audit_feed_is_for_admins() -> None:
    assert allowed(may_read_audit_feed) == {
        Role.OPERATOR,
        Role.PROVIDER_ADMIN,
        Role.RESELLER_ADMIN,
        Role.CUSTOMER_ADMIN,
    }
    assert refused_with(may_read_audit_feed(PROVIDER_STAFF), "only admins read the audit trail")


def test_only_the_operator_names_whose_audit_feed_it_reads() -> None:
    assert may_choose_audit_feed(OPERATOR, "pb").allowed
    assert may_choose_audit_feed(PROVIDER_ADMIN, None).allowed
    assert may_choose_audit_feed(PROVIDER_ADMIN, "pa").hidden  # even its own: its feed is already its own


def test_audit_feed_scope_is_the_callers_providers_feed_narrowed_to_its_reseller_or_its_own_organisation() -> None:
    assert audit_feed_scope(OPERATOR, None) == FeedScope("platform")
    assert audit_feed_scope(OPERATOR, "pb") == FeedScope("pb")
    assert audit_feed_scope(PROVIDER_ADMIN, None) == FeedScope("pa")
    assert audit_feed_scope(RESELLER_ADMIN, None) == FeedScope("pa", reseller_id="ra1")
    assert audit_feed_scope(CUSTOMER_ADMIN, None) == FeedScope("pa", org_id="ca1")
    # only the operator's choice counts (anyone else naming one is hidden by may_choose_audit_feed first)
    assert audit_feed_scope(RESELLER_ADMIN, "pb") == FeedScope("pa", reseller_id="ra1")


# Lists ---------------------------------------------------------------------------------------------------------------


def test_the_operator_reads_the_provider_it_names_and_everyone_else_their_own_organisation() -> None:
    assert provider_named_by_operator(OPERATOR, "pb") == "pb"
    assert provider_named_by_operator(PROVIDER_ADMIN, "pa") is None
    assert provider_named_by_operator(RESELLER_STAFF, None) is None


def test_a_list_under_a_provider_is_the_callers_own_providers_and_the_operator_names_one() -> None:
    assert may_name_provider(RESELLER_STAFF, None).allowed
    assert may_name_provider(RESELLER_STAFF, "pa").allowed
    assert may_name_provider(RESELLER_STAFF, "pb").hidden
    assert may_name_provider(OPERATOR, "pb").allowed
    unnamed = may_name_provider(OPERATOR, None)
    assert unnamed.invalid and unnamed.reason == "the operator names the provider"
    assert (unnamed.field, unnamed.field_message) == ("providerId", "is required")
    listing = may_name_provider(OPERATOR, None, operator_names="the provider, reseller or customer whose list it reads")
    assert listing.reason == "the operator names the provider, reseller or customer whose list it reads"


def test_customers_do_not_list_resellers() -> None:
    assert may_list_resellers(RESELLER_STAFF).allowed and may_list_resellers(OPERATOR).allowed
    assert refused_with(may_list_resellers(CUSTOMER_ADMIN), "customers do not list resellers")


def test_resellers_visible_to_a_reseller_are_itself_and_to_the_provider_and_operator_all() -> None:
    assert resellers_visible_to(RESELLER_STAFF) == Narrowing(reseller_id="ra1")
    assert resellers_visible_to(RESELLER_ADMIN) == Narrowing(reseller_id="ra1")
    assert resellers_visible_to(PROVIDER_STAFF) == Narrowing()
    assert resellers_visible_to(OPERATOR) == Narrowing()
    refused = resellers_visible_to(CUSTOMER_ADMIN)
    assert isinstance(refused, Decision) and refused_with(refused, "customers do not list resellers")


def test_customers_visible_to_a_reseller_are_its_own_and_another_resellers_filter_is_hidden() -> None:
    assert customers_visible_to(RESELLER_STAFF, None) == Narrowing(reseller_id="ra1")
    assert customers_visible_to(RESELLER_STAFF, "ra1") == Narrowing(reseller_id="ra1")  # its own: nothing to find
    hidden = customers_visible_to(RESELLER_STAFF, "ra2")
    assert isinstance(hidden, Decision) and hidden.hidden and hidden.reason == ""


def test_customers_visible_to_a_customer_are_itself_under_its_own_reseller_only() -> None:
    assert customers_visible_to(CUSTOMER_ADMIN, None) == Narrowing(customer_id="ca1")
    assert customers_visible_to(CUSTOMER_ADMIN, "ra1") == Narrowing(
        reseller_id="ra1", customer_id="ca1", named_reseller=True
    )
    hidden = customers_visible_to(CUSTOMER_ADMIN, "ra2")
    assert isinstance(hidden, Decision) and hidden.hidden


def test_customers_visible_to_the_provider_and_operator_are_all_or_the_named_resellers_which_must_exist() -> None:
    for caller in (PROVIDER_ADMIN, PROVIDER_STAFF, OPERATOR):
        assert customers_visible_to(caller, None) == Narrowing()
        assert customers_visible_to(caller, "ra2") == Narrowing(reseller_id="ra2", named_reseller=True)


# Providers -----------------------------------------------------------------------------------------------------------


def test_only_the_operator_enrolls_and_disables_providers() -> None:
    assert allowed(may_enroll_provider) == {Role.OPERATOR}
    assert allowed(may_disable_provider) == {Role.OPERATOR}
    assert refused_with(may_enroll_provider(PROVIDER_ADMIN), "only the platform operator enrolls providers")
    assert refused_with(may_disable_provider(PROVIDER_ADMIN), "only the platform operator disables providers")


def test_the_operator_or_the_providers_own_admins_start_the_consent() -> None:
    assert may_start_consent(OPERATOR, PROVIDER_B).allowed
    assert may_start_consent(PROVIDER_ADMIN, PROVIDER_A).allowed
    assert refused_with(
        may_start_consent(PROVIDER_STAFF, PROVIDER_A), "only the operator or the provider's admins start the consent"
    )
    assert may_start_consent(PROVIDER_ADMIN, PROVIDER_B).hidden


def test_the_provider_summary_is_for_the_operator_and_the_providers_own_staff_hidden_from_everyone_else() -> None:
    assert allowed(lambda caller: may_read_provider_summary(caller, PROVIDER_A)) == {
        Role.OPERATOR, Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF,
    }  # fmt: skip
    assert may_read_provider_summary(RESELLER_ADMIN, PROVIDER_A).hidden
    assert may_read_provider_summary(who(PROVIDER_B, Role.PROVIDER_ADMIN), PROVIDER_A).hidden


# Resellers and customers ---------------------------------------------------------------------------------------------

PROVIDER_ROLES = {Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}
PROVIDERS_AND_RESELLERS = PROVIDER_ROLES | {Role.RESELLER_ADMIN, Role.RESELLER_STAFF}


def test_only_the_providers_staff_invite_resellers_and_request_their_checks() -> None:
    assert allowed(may_invite_reseller) == PROVIDER_ROLES
    assert refused_with(may_invite_reseller(RESELLER_ADMIN), "only the provider's staff may do this")
    assert allowed(lambda caller: may_request_reseller_check(caller, RESELLER_A1)) == PROVIDER_ROLES
    assert refused_with(
        may_request_reseller_check(RESELLER_ADMIN, RESELLER_A1),
        "only the provider's staff request relationship checks for resellers",
    )
    assert may_request_reseller_check(PROVIDER_STAFF, RESELLER_B1).hidden


def test_a_reseller_admin_may_change_its_contact_email_but_not_its_name() -> None:
    assert may_edit_reseller(RESELLER_ADMIN, RESELLER_A1).allowed
    assert refused_with(
        may_rename_reseller(RESELLER_ADMIN, RESELLER_A1),
        "only the provider's staff rename a reseller; its admins change its contact e-mail",
    )


def test_the_providers_staff_edit_and_rename_a_reseller_its_staff_and_the_operator_do_neither() -> None:
    assert allowed(lambda caller: may_edit_reseller(caller, RESELLER_A1)) == PROVIDER_ROLES | {Role.RESELLER_ADMIN}
    assert allowed(lambda caller: may_rename_reseller(caller, RESELLER_A1)) == PROVIDER_ROLES
    assert refused_with(
        may_edit_reseller(RESELLER_STAFF, RESELLER_A1),
        "only the provider's staff and the reseller's admins edit a reseller",
    )
    assert may_edit_reseller(who(RESELLER_A2, Role.RESELLER_ADMIN), RESELLER_A1).hidden


def test_only_the_providers_staff_offboard_or_restore_a_reseller() -> None:
    assert allowed(lambda caller: may_offboard_reseller(caller, RESELLER_A1)) == PROVIDER_ROLES
    assert refused_with(
        may_offboard_reseller(RESELLER_ADMIN, RESELLER_A1), "only the provider's staff offboard or restore a reseller"
    )


def test_the_providers_staff_and_the_resellers_admins_offboard_or_restore_a_customer() -> None:
    assert allowed(lambda caller: may_offboard_customer(caller, CUSTOMER_A1)) == PROVIDER_ROLES | {Role.RESELLER_ADMIN}
    assert refused_with(
        may_offboard_customer(RESELLER_STAFF, CUSTOMER_A1),
        "only the provider's staff and the reseller's admins offboard or restore a customer",
    )
    assert may_offboard_customer(RESELLER_ADMIN, CUSTOMER_A2).hidden


def test_provider_staff_and_reseller_staff_bring_in_customers() -> None:
    assert allowed(may_bring_in_customer) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_bring_in_customer(CUSTOMER_ADMIN), "only provider staff and the reseller's staff bring in customers"
    )
    assert may_bring_in_customer(OPERATOR).refused


def test_the_providers_staff_and_the_customers_reseller_change_a_customer_and_request_its_checks() -> None:
    assert allowed(lambda caller: may_change_customer(caller, CUSTOMER_A1)) == PROVIDERS_AND_RESELLERS
    assert allowed(lambda caller: may_request_customer_check(caller, CUSTOMER_A1)) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_change_customer(CUSTOMER_ADMIN, CUSTOMER_A1),
        "only the provider's staff and the customer's reseller change a customer",
    )
    assert refused_with(
        may_request_customer_check(CUSTOMER_ADMIN, CUSTOMER_A1),
        "only the provider's staff and the customer's reseller request checks",
    )
    assert may_change_customer(RESELLER_STAFF, CUSTOMER_A2).hidden
    assert may_request_customer_check(RESELLER_STAFF, CUSTOMER_A2).hidden


# Prices --------------------------------------------------------------------------------------------------------------


def test_a_reseller_sees_its_own_and_its_customers_prices_never_the_providers_cost() -> None:
    assert tiers_visible_to(OPERATOR) == ALL_TIERS and tiers_visible_to(PROVIDER_STAFF) == ALL_TIERS
    assert tiers_visible_to(RESELLER_STAFF) == ("reseller_price", "customer_price")
    assert tiers_visible_to(CUSTOMER_ADMIN) == ("customer_price",)


def test_only_the_providers_staff_see_or_set_what_a_reseller_pays() -> None:
    assert allowed(lambda caller: may_price_reseller(caller, RESELLER_A1)) == PROVIDER_ROLES
    assert refused_with(
        may_price_reseller(RESELLER_ADMIN, RESELLER_A1), "only the provider's staff see or set what a reseller pays"
    )


def test_the_providers_staff_or_the_customers_own_reseller_set_its_prices() -> None:
    assert allowed(lambda caller: may_price_customer(caller, CUSTOMER_A1)) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_price_customer(CUSTOMER_ADMIN, CUSTOMER_A1),
        "only the provider's staff or the customer's reseller set its prices",
    )
    assert may_price_customer(who(RESELLER_A2, Role.RESELLER_STAFF), CUSTOMER_A1).hidden


def test_the_providers_staff_see_its_default_margin_and_only_its_admins_set_it() -> None:
    assert allowed(lambda caller: may_read_provider_default_margin(caller, PROVIDER_A)) == PROVIDER_ROLES
    assert allowed(lambda caller: may_set_provider_default_margin(caller, PROVIDER_A)) == {Role.PROVIDER_ADMIN}
    assert refused_with(
        may_read_provider_default_margin(OPERATOR, PROVIDER_A), "only the provider's staff see its default margin"
    )
    assert refused_with(
        may_set_provider_default_margin(PROVIDER_STAFF, PROVIDER_A), "only the provider's admins set its default margin"
    )
    assert may_read_provider_default_margin(RESELLER_ADMIN, PROVIDER_A).hidden


def test_a_resellers_staff_see_its_default_margin_and_its_admins_or_the_providers_staff_set_it() -> None:
    assert allowed(lambda caller: may_read_reseller_default_margin(caller, RESELLER_A1)) == PROVIDERS_AND_RESELLERS
    assert allowed(lambda caller: may_set_reseller_default_margin(caller, RESELLER_A1)) == PROVIDER_ROLES | {
        Role.RESELLER_ADMIN
    }
    assert refused_with(
        may_read_reseller_default_margin(OPERATOR, RESELLER_A1),
        "only the provider's or the reseller's staff see the reseller's default margin",
    )
    assert refused_with(
        may_set_reseller_default_margin(RESELLER_STAFF, RESELLER_A1),
        "only the reseller's admins or the provider's staff set the reseller's default margin",
    )
    assert may_read_reseller_default_margin(RESELLER_STAFF, RESELLER_A2).hidden


# Catalog and storefront ----------------------------------------------------------------------------------------------


def test_the_providers_staff_manage_the_catalog_and_its_admins_decide_what_resellers_sell() -> None:
    assert allowed(may_manage_catalog) == PROVIDER_ROLES
    assert allowed(may_decide_what_resellers_sell) == {Role.PROVIDER_ADMIN}
    assert refused_with(may_manage_catalog(RESELLER_ADMIN), "only the provider's staff manage the catalog")
    assert refused_with(may_decide_what_resellers_sell(PROVIDER_STAFF), "only the provider's admins manage the catalog")


def test_a_customer_reads_only_its_own_markets_catalog_and_the_operator_names_no_customer() -> None:
    assert may_read_catalog_for_customer(CUSTOMER_ADMIN, None).allowed
    assert may_read_catalog_for_customer(CUSTOMER_ADMIN, "ca1").allowed
    assert may_read_catalog_for_customer(CUSTOMER_ADMIN, "ca2").hidden
    assert may_read_catalog_for_customer(RESELLER_STAFF, "ca1").allowed  # its lookup then checks the scope
    assert may_read_catalog_for_customer(OPERATOR, None).allowed
    assert may_read_catalog_for_customer(OPERATOR, "ca1").hidden


def test_catalog_buyer_is_the_organisations_own_buy_price_by_its_lineage() -> None:
    assert catalog_buyer(PROVIDER_A) == CatalogBuyer("pa")
    assert catalog_buyer(RESELLER_A1) == CatalogBuyer("pa", reseller_id="ra1")
    assert catalog_buyer(CUSTOMER_A1) == CatalogBuyer("pa", reseller_id="ra1", customer_id="ca1")
    assert catalog_buyer(OrgRef.operator()) is None
    assert catalog_buyer(OrgRef(OrgType.RESELLER, "orphan")) is None  # no provider above it
    assert catalog_buyer(OrgRef(OrgType.CUSTOMER, "orphan", provider_id="pa")) is None  # no reseller above it


def test_catalog_market_customer_is_a_customers_own_always_and_the_one_staff_name() -> None:
    assert catalog_market_customer(CUSTOMER_ADMIN, None) == "ca1"
    assert catalog_market_customer(CUSTOMER_ADMIN, "ca1") == "ca1"
    assert catalog_market_customer(RESELLER_STAFF, "ca1") == "ca1"
    assert catalog_market_customer(PROVIDER_STAFF, None) is None
    assert catalog_market_customer(OPERATOR, "") is None


def test_the_storefront_is_for_customer_admins() -> None:
    assert allowed(may_use_storefront) == {Role.CUSTOMER_ADMIN}
    assert refused_with(may_use_storefront(RESELLER_ADMIN), "the storefront is for customer admins")


# Orders and subscriptions --------------------------------------------------------------------------------------------


def test_provider_and_reseller_staff_place_orders_customers_use_the_storefront() -> None:
    assert allowed(may_place_staff_order) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_place_staff_order(CUSTOMER_ADMIN),
        "only provider and reseller staff place orders here; customers use the storefront",
    )


def test_the_providers_staff_or_the_customers_reseller_staff_decide_on_orders() -> None:
    assert allowed(lambda caller: may_decide_order(caller, CUSTOMER_A1)) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_decide_order(CUSTOMER_ADMIN, CUSTOMER_A1),
        "only the provider's staff or the customer's reseller staff decide on orders",
    )
    assert may_decide_order(RESELLER_STAFF, CUSTOMER_A2).hidden


def test_the_providers_staff_the_resellers_staff_or_the_customer_change_subscriptions_never_the_operator() -> None:
    assert allowed(lambda caller: may_change_subscription(caller, CUSTOMER_A1)) == PROVIDERS_AND_RESELLERS | {
        Role.CUSTOMER_ADMIN
    }
    assert refused_with(
        may_change_subscription(OPERATOR, CUSTOMER_A1),
        "only the provider's staff, the reseller's staff or the customer change subscriptions",
    )
    assert may_change_subscription(CUSTOMER_ADMIN, CUSTOMER_A2).hidden


def test_the_staff_routes_of_a_subscription_are_for_provider_and_reseller_staff() -> None:
    assert allowed(may_change_subscription_as_staff) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_change_subscription_as_staff(CUSTOMER_ADMIN),
        "only provider and reseller staff change subscriptions here; customers use the storefront",
    )


def test_the_providers_staff_and_the_customers_reseller_sync_its_subscriptions() -> None:
    assert allowed(lambda caller: may_sync_customer_subscriptions(caller, CUSTOMER_A1)) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_sync_customer_subscriptions(CUSTOMER_ADMIN, CUSTOMER_A1),
        "only the provider's staff and the customer's reseller sync its subscriptions",
    )
    assert may_sync_customer_subscriptions(RESELLER_ADMIN, CUSTOMER_A2).hidden


# Billing -------------------------------------------------------------------------------------------------------------


def test_billing_runs_are_read_by_their_providers_world_each_its_own_part_and_not_by_the_operator() -> None:
    assert billing_audience(PROVIDER_STAFF) == BillingAudience("pa", "provider")
    assert billing_audience(RESELLER_STAFF) == BillingAudience("pa", "reseller", reseller_id="ra1")
    assert billing_audience(CUSTOMER_ADMIN) == BillingAudience("pa", "customer", reseller_id="ra1", customer_id="ca1")
    assert billing_audience(OPERATOR) is None
    assert allowed(may_read_billing) == PROVIDERS_AND_RESELLERS | {Role.CUSTOMER_ADMIN}
    assert refused_with(may_read_billing(OPERATOR), "billing runs belong to a provider: sign in as a member of one")


def test_only_a_provider_admin_starts_a_billing_run() -> None:
    assert allowed(may_start_billing_run) == {Role.PROVIDER_ADMIN}
    assert refused_with(may_start_billing_run(RESELLER_ADMIN), "only a provider admin may start a billing run")


PROVIDER_AUDIENCE = BillingAudience("pa", "provider")
RESELLER_AUDIENCE = BillingAudience("pa", "reseller", reseller_id="ra1")
CUSTOMER_AUDIENCE = BillingAudience("pa", "customer", reseller_id="ra1", customer_id="ca1")


def test_reads_whole_runs_is_for_provider_staff_alone() -> None:
    assert reads_whole_runs(PROVIDER_AUDIENCE)
    assert not reads_whole_runs(RESELLER_AUDIENCE)
    assert not reads_whole_runs(CUSTOMER_AUDIENCE)


def test_own_totals_scope_is_the_resellers_or_the_customers_rows() -> None:
    assert own_totals_scope(RESELLER_AUDIENCE) == "reseller"
    assert own_totals_scope(CUSTOMER_AUDIENCE) == "customer"


def test_billing_lines_visible_to_provider_staff_are_every_field_of_every_line_or_of_those_they_name() -> None:
    assert billing_lines_visible_to(PROVIDER_AUDIENCE, None, None) == BillingLines(
        Narrowing(), PROVIDER_FIELDS, billable_only=False
    )
    named = billing_lines_visible_to(PROVIDER_AUDIENCE, "ra2", "ca2")
    assert isinstance(named, BillingLines)
    assert named.narrowing == Narrowing("ra2", "ca2", named_reseller=True, named_customer=True)


def test_billing_lines_visible_to_a_reseller_are_its_own_billable_ones_with_its_fields() -> None:
    own = billing_lines_visible_to(RESELLER_AUDIENCE, None, None)
    assert own == BillingLines(Narrowing(reseller_id="ra1"), RESELLER_FIELDS, billable_only=True)
    assert billing_lines_visible_to(RESELLER_AUDIENCE, "ra1", None) == own
    customer = billing_lines_visible_to(RESELLER_AUDIENCE, None, "ca1")
    assert isinstance(customer, BillingLines)
    assert customer.narrowing == Narrowing("ra1", "ca1", named_customer=True)  # found under ra1, or not there
    assert billing_lines_visible_to(RESELLER_AUDIENCE, "ra2", None) == Decision(Verdict.NOT_FOUND, "no reseller ra2")


def test_billing_lines_visible_to_a_customer_are_its_own_billable_ones_with_its_fields() -> None:
    own = billing_lines_visible_to(CUSTOMER_AUDIENCE, None, None)
    assert own == BillingLines(Narrowing("ra1", "ca1"), CUSTOMER_FIELDS, billable_only=True)
    assert billing_lines_visible_to(CUSTOMER_AUDIENCE, "ra1", "ca1") == own
    assert billing_lines_visible_to(CUSTOMER_AUDIENCE, None, "ca2") == Decision(Verdict.NOT_FOUND, "no customer ca2")
    assert billing_lines_visible_to(CUSTOMER_AUDIENCE, "ra2", "ca1") == Decision(Verdict.NOT_FOUND, "no reseller ra2")


def test_discrepancies_are_for_provider_staff() -> None:
    assert allowed(may_read_discrepancies) == PROVIDER_ROLES
    assert refused_with(may_read_discrepancies(RESELLER_ADMIN), "discrepancies are for provider staff")


# Event subscriptions -------------------------------------------------------------------------------------------------


def test_provider_and_reseller_admins_manage_event_subscriptions_and_their_staff_read_them() -> None:
    assert allowed(may_manage_event_subscriptions) == {Role.PROVIDER_ADMIN, Role.RESELLER_ADMIN}
    assert allowed(may_read_event_subscriptions) == PROVIDERS_AND_RESELLERS
    assert refused_with(
        may_manage_event_subscriptions(RESELLER_STAFF),
        "provider and reseller admins manage event subscriptions; their staff read them",
    )


def test_event_subscriptions_belong_to_providers_and_resellers() -> None:
    for caller in (OPERATOR, CUSTOMER_ADMIN):
        assert refused_with(
            may_read_event_subscriptions(caller), "event subscriptions belong to providers and resellers"
        )


def test_provider_and_reseller_staff_record_a_customers_agreement_the_customer_accepts_in_the_storefront() -> None:
    roles = allowed(lambda caller: may_record_customer_agreement(caller, CUSTOMER_A1))
    assert roles == {Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF, Role.RESELLER_ADMIN, Role.RESELLER_STAFF}
    assert may_record_customer_agreement(RESELLER_STAFF, CUSTOMER_A2).hidden
    assert may_record_customer_agreement(who(PROVIDER_B, Role.PROVIDER_STAFF), CUSTOMER_A1).hidden
    assert may_record_customer_agreement(CUSTOMER_ADMIN, CUSTOMER_A1).refused
