/** /store/orders: the customer admin's storefront (features/storefront). */
import { StoreOrders } from "../../features/storefront";

export default function StoreOrdersRoute() {
  return <StoreOrders />;
}
