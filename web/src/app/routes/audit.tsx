/** /audit: the audit feed of the caller's scope by time range and actor. */
import { Page } from "../../components/Page";

export default function Route() {
  return <Page title="Audit">{null}</Page>;
}
