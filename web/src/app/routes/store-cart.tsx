/** /store/cart: the customer admin's storefront (features/storefront). */
import { StoreCart } from "../../features/storefront";
import { useMe } from "../../lib/auth/me";

export default function StoreCartRoute() {
  const me = useMe();
  return <StoreCart customerId={me.orgId} />;
}
