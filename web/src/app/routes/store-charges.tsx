/** /store/charges: the customer admin's storefront (features/storefront). */
import { StoreCharges } from "../../features/storefront";

export default function StoreChargesRoute() {
  return <StoreCharges />;
}
