/** /catalog: the catalog of a market at the caller's own prices; the provider's sellable switch and sync. */
import { Page } from "../../components/Page";

export default function Route() {
  return <Page title="Catalog">{null}</Page>;
}
