/**
 * /subscriptions: the subscriptions of every customer in the caller's scope by term end (the renewal date),
 * soonest first: what renews or ends soon, what is suspended, one product's. The filters live in the address.
 */
import { Text } from "@fluentui/react-components";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import { useResellerOptions } from "../../features/resellers";
import {
  WorkSubscriptionsTable,
  subscriptionFiltersFrom,
  subscriptionSearch,
  toTheMinute,
  type SubscriptionFilters,
} from "../../features/worklists";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff } from "../../lib/roles";

export default function SubscriptionsRoute() {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const [params, setParams] = useSearchParams();
  const resellers = useResellerOptions(providerStaff);
  // Renewal windows count from when the page was opened: the same question on every render and every page.
  const [now] = useState(() => toTheMinute(Date.now()));
  const filters = subscriptionFiltersFrom(params, providerStaff);
  const setFilters = (next: SubscriptionFilters) => setParams(subscriptionSearch(next));
  return (
    <Page title="Subscriptions">
      <Text>
        {providerStaff ? "Subscriptions of every customer of every reseller" : "Subscriptions of your customers"}, by
        the day their term ends (when they renew, or end with auto-renew off), soonest first.
      </Text>
      <WorkSubscriptionsTable
        filters={filters}
        onFilters={setFilters}
        now={now}
        providerStaff={providerStaff}
        resellers={resellers.data ?? []}
      />
    </Page>
  );
}
