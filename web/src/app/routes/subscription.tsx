/** /subscriptions/:id: seats, term and seat lots with their windows; change, suspend, cancel. */
import { Page } from "../../components/Page";

export default function Route() {
  return <Page title="Subscription">{null}</Page>;
}
