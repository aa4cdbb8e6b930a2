/**
 * /orders: the orders of every customer in the caller's scope (provider staff: all the provider's; reseller staff:
 * their own customers'), newest first, as work queues: waiting for approval, in flight, failed. The queue and the
 * filters live in the address (`?queue=approval&resellerId=…`), so a queue can be shared and Back returns to the
 * previous one.
 */
import { Text } from "@fluentui/react-components";
import { useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import { useResellerOptions } from "../../features/resellers";
import { OrderQueues, orderFiltersFrom, orderSearch, type OrderFilters } from "../../features/worklists";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff } from "../../lib/roles";

export default function OrdersRoute() {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const [params, setParams] = useSearchParams();
  const resellers = useResellerOptions(providerStaff);
  const filters = orderFiltersFrom(params, providerStaff);
  const setFilters = (next: OrderFilters, typing = false) => setParams(orderSearch(next), { replace: typing });
  return (
    <Page title="Orders">
      <Text>
        {providerStaff
          ? "Orders of every customer of every reseller, newest first."
          : "Orders of your customers, newest first."}{" "}
        Orders placed through a storefront above the customer&apos;s approval threshold wait for a decision; those in
        flight are followed until they settle.
      </Text>
      <OrderQueues filters={filters} onFilters={setFilters} providerStaff={providerStaff} resellers={resellers.data ?? []} />
    </Page>
  );
}
