/** /store/catalog: the customer admin's storefront catalog (features/storefront). */
import { StoreCatalog } from "../../features/storefront";
import { useMe } from "../../lib/auth/me";

export default function StoreCatalogRoute() {
  const me = useMe();
  return <StoreCatalog customerId={me.orgId} />;
}
