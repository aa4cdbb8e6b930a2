/** /billing/:id: a run's totals per currency, discrepancies by kind, lines, CSV. */
import { Page } from "../../components/Page";

export default function Route() {
  return <Page title="Billing run">{null}</Page>;
}
