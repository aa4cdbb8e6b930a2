"""The scope rules: who may see what, and the roles (docs/business.md#roles-and-scope,
docs/api-guide.md#roles)."""

from __future__ import annotations

import pytest

from shared.domain.scope import Decision, OrgRef, OrgType, Principal, Role, can_see, may_add_member, may_read_audit

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
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_STAFF, target_has_admin=True) is Decision.ALLOWED


def test_staff_may_not_add_members() -> None:
    staff = who(PROVIDER_A, Role.PROVIDER_STAFF)
    assert may_add_member(staff, PROVIDER_A, Role.PROVIDER_STAFF, target_has_admin=True) is Decision.FORBIDDEN


def test_provider_admin_adds_the_first_admin_of_its_reseller_or_customer() -> None:
    admin = who(PROVIDER_A, Role.PROVIDER_ADMIN)
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_ADMIN, target_has_admin=False) is Decision.ALLOWED
    assert may_add_member(admin, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=False) is Decision.ALLOWED


def test_provider_admin_may_not_add_a_second_admin_or_staff_to_a_reseller() -> None:
    admin = who(PROVIDER_A, Role.PROVIDER_ADMIN)
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_ADMIN, target_has_admin=True) is Decision.FORBIDDEN
    assert may_add_member(admin, RESELLER_A1, Role.RESELLER_STAFF, target_has_admin=False) is Decision.FORBIDDEN


def test_adding_to_an_organisation_outside_scope_is_not_found() -> None:
    admin = who(RESELLER_A1, Role.RESELLER_ADMIN)
    assert may_add_member(admin, RESELLER_A2, Role.RESELLER_STAFF, target_has_admin=True) is Decision.NOT_FOUND
    assert (
        may_add_member(who(PROVIDER_A, Role.PROVIDER_ADMIN), RESELLER_B1, Role.RESELLER_ADMIN, target_has_admin=False)
        is Decision.NOT_FOUND
    )


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
        assert may_add_member(caller, OrgRef.operator(), role, target_has_admin=True) is Decision.FORBIDDEN


def test_a_role_of_another_kind_of_organisation_is_invalid() -> None:
    assert may_add_member(OPERATOR, PROVIDER_A, Role.RESELLER_ADMIN, target_has_admin=False) is Decision.INVALID
    assert may_add_member(OPERATOR, CUSTOMER_A1, Role.OPERATOR, target_has_admin=False) is Decision.INVALID


def test_operator_adds_anyone() -> None:
    assert may_add_member(OPERATOR, RESELLER_B1, Role.RESELLER_STAFF, target_has_admin=True) is Decision.ALLOWED
    assert may_add_member(OPERATOR, OrgRef.operator(), Role.OPERATOR, target_has_admin=True) is Decision.ALLOWED


def test_audit_is_for_admins_within_scope() -> None:
    assert may_read_audit(who(PROVIDER_A, Role.PROVIDER_ADMIN), CUSTOMER_A1) is Decision.ALLOWED
    assert may_read_audit(who(PROVIDER_A, Role.PROVIDER_STAFF), CUSTOMER_A1) is Decision.FORBIDDEN
    assert may_read_audit(who(RESELLER_A2, Role.RESELLER_ADMIN), CUSTOMER_A1) is Decision.NOT_FOUND


def test_reseller_admin_adds_only_the_first_admin_of_its_own_customer() -> None:
    admin = who(RESELLER_A1, Role.RESELLER_ADMIN)
    assert may_add_member(admin, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=False) is Decision.ALLOWED
    assert may_add_member(admin, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=True) is Decision.FORBIDDEN
    assert may_add_member(admin, CUSTOMER_A2, Role.CUSTOMER_ADMIN, target_has_admin=False) is Decision.NOT_FOUND
    staff = who(RESELLER_A1, Role.RESELLER_STAFF)
    assert may_add_member(staff, CUSTOMER_A1, Role.CUSTOMER_ADMIN, target_has_admin=False) is Decision.FORBIDDEN
