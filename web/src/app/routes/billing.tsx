/** /billing: billing runs by period; start one. */
import { Page } from "../../components/Page";

export default function Route() {
  return <Page title="Billing">{null}</Page>;
}
