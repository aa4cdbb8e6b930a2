/** A customer's subscriptions on its page. */
import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { Link } from "react-router";
import { Section } from "../../../components/Page";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { ErrorState } from "../../../components/States";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import type { Schemas } from "../../../lib/api/client";
import { useMe } from "../../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../../lib/roles";
import {
  SUBSCRIPTION_STATUSES,
  isSubscriptionStatus,
  subscriptionsPageQuery,
  useSyncCustomerSubscriptions,
  type Subscription,
} from "../api/subscriptions";
import { dayOf, termAndCycle } from "../format";
import { PendingChangeText } from "./PendingChange";

const useStyles = makeStyles({
  sync: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, alignItems: "flex-start" },
});

const columns: Column<Subscription>[] = [
  {
    key: "name",
    header: "Subscription",
    cell: (s) => <Link to={`/subscriptions/${encodeURIComponent(s.id)}`}>{s.name}</Link>,
  },
  { key: "seats", header: "Seats", cell: (s) => s.quantity },
  { key: "status", header: "Status", cell: (s) => <StatusBadge status={s.status} /> },
  { key: "term", header: "Term and billing", cell: (s) => termAndCycle(s) },
  { key: "termEnd", header: "Term ends", cell: (s) => dayOf(s.termEndDate) ?? "—" },
  { key: "autoRenew", header: "Auto-renew", cell: (s) => (s.autoRenew ? "on" : "off") },
  { key: "removable", header: "Removable now", cell: (s) => s.removableQuantity },
  { key: "change", header: "Pending change", cell: (s) => <PendingChangeText change={s.pendingChange} /> },
];

function SyncFromPartnerCenter({ customerId }: { customerId: string }) {
  const styles = useStyles();
  const sync = useSyncCustomerSubscriptions(customerId);
  return (
    <div className={styles.sync}>
      <Button disabled={sync.isPending} onClick={() => sync.mutate()}>
        {sync.isPending ? "Reading Partner Center…" : "Sync from Partner Center"}
      </Button>
      {sync.isSuccess ? (
        <MessageBar intent="success">
          <MessageBarBody>
            Read {sync.data.synced} {sync.data.synced === 1 ? "subscription" : "subscriptions"} from Partner Center.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {sync.isError ? <ErrorState error={sync.error} /> : null}
    </div>
  );
}

export function CustomerSubscriptionsSection({ customer }: { customer: Schemas["CustomerOut"] }) {
  const me = useMe();
  const [status, setStatus] = useState("");
  const staff = isProviderStaff(me.role) || isResellerStaff(me.role);
  return (
    <Section title="Subscriptions">
      {staff ? <SyncFromPartnerCenter customerId={customer.id} /> : null}
      <PagedTable
        label="Subscriptions"
        columns={columns}
        rowKey={(s) => s.id}
        page={subscriptionsPageQuery(customer.id, isSubscriptionStatus(status) ? status : null)}
        resetKey={status}
        toolbar={
          <StatusFilter label="Subscription status" statuses={SUBSCRIPTION_STATUSES} value={status} onValue={setStatus} />
        }
        empty={
          status
            ? `No subscription is ${status}.`
            : "No subscription yet: they appear here once an order is provisioned, or after a sync from Partner Center."
        }
      />
    </Section>
  );
}
