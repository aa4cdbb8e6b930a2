/** /store/subscriptions: the customer admin's storefront (features/storefront). */
import { StoreSubscriptions } from "../../features/storefront";
import { useMe } from "../../lib/auth/me";

export default function StoreSubscriptionsRoute() {
  const me = useMe();
  return <StoreSubscriptions customerId={me.orgId} />;
}
