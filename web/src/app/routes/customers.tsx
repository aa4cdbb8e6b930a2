/**
 * /customers: provider staff see every customer of the provider (filter by status and reseller); reseller staff
 * their own, with the reseller fixed to theirs. Offboarded customers are hidden unless "Show offboarded" is on.
 * Invite a customer or create a new tenant.
 */
import { Link, MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { useState } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import type { Option } from "../../components/form";
import {
  CUSTOMER_STATUSES,
  CreateTenantDialog,
  CustomersTable,
  InviteCustomerDialog,
  type CustomerCreated,
  type CustomerFilters,
  type CustomerStatus,
} from "../../features/customers";
import { useReseller, useResellerOptions } from "../../features/resellers";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../lib/roles";

type Outcome = { kind: "invited" | "created"; customer: CustomerCreated };

function OutcomeBar({ outcome }: { outcome: Outcome }) {
  const { customer } = outcome;
  const link = <RouterLink to={`/customers/${encodeURIComponent(customer.customerId)}`}>Open the customer</RouterLink>;
  return (
    <MessageBar intent="success" layout="multiline">
      <MessageBarBody>
        {outcome.kind === "invited" ? (
          <>
            <MessageBarTitle>{customer.name} is invited</MessageBarTitle>
            {customer.invitationUrl ? (
              <>
                Send the customer&apos;s global admin the relationship link:{" "}
                <Link href={customer.invitationUrl} target="_blank" rel="noreferrer">
                  {customer.invitationUrl}
                </Link>
                .{" "}
              </>
            ) : null}
            {link}
          </>
        ) : (
          <>
            <MessageBarTitle>{customer.name} is being created</MessageBarTitle>
            Partner Center creates the tenant in the background; its status moves from creating to active (or
            failed, with the reason). {link}
          </>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

export default function CustomersRoute() {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const resellerStaff = isResellerStaff(me.role);
  const [params, setParams] = useSearchParams();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const resellerOptions = useResellerOptions(providerStaff);
  const ownReseller = useReseller(resellerStaff ? me.orgId : "");
  const resellers: Option[] = providerStaff
    ? (resellerOptions.data ?? [])
    : [{ value: me.orgId, label: ownReseller.data?.name ?? me.orgId }];
  const fixedReseller = resellerStaff ? (resellers[0] ?? null) : null;

  const rawStatus = params.get("status") as CustomerStatus | null;
  const filters: CustomerFilters = {
    status: rawStatus && CUSTOMER_STATUSES.includes(rawStatus) ? rawStatus : null,
    resellerId: providerStaff ? params.get("resellerId") || null : null,
    showOffboarded: params.get("offboarded") === "shown",
  };
  const setFilters = (next: CustomerFilters) => {
    const search: Record<string, string> = {};
    if (next.status) search.status = next.status;
    if (next.resellerId) search.resellerId = next.resellerId;
    if (next.showOffboarded) search.offboarded = "shown";
    setParams(search, { replace: true });
  };

  return (
    <Page
      title="Customers"
      actions={
        <>
          <InviteCustomerDialog
            fixedReseller={fixedReseller}
            resellers={resellers}
            onInvited={(customer) => setOutcome({ kind: "invited", customer })}
          />
          <CreateTenantDialog
            fixedReseller={fixedReseller}
            resellers={resellers}
            onCreated={(customer) => setOutcome({ kind: "created", customer })}
          />
        </>
      }
    >
      {outcome ? <OutcomeBar outcome={outcome} /> : null}
      <CustomersTable filters={filters} onFilters={setFilters} resellers={resellers} showResellerFilter={providerStaff} />
    </Page>
  );
}
