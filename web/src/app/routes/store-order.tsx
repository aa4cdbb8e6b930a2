/** /store/orders/:id: one of the customer's own orders, followed until it settles (features/storefront). */
import { useParams } from "react-router";
import { StoreOrder } from "../../features/storefront";

export default function StoreOrderRoute() {
  const { id = "" } = useParams();
  return <StoreOrder key={id} id={id} />;
}
