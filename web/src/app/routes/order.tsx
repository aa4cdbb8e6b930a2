/** /orders/:id: an order line by line while it provisions; approve or reject one waiting for approval. */
import { Page } from "../../components/Page";

export default function Route() {
  return <Page title="Order">{null}</Page>;
}
