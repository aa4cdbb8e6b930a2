/** A store page that could not be read: a storefront switched off or an offboarded customer says why, in the
 * API's words; 404 is the console's not-found page. */
import { MessageBar, MessageBarBody, MessageBarTitle, Text } from "@fluentui/react-components";
import { ResourceError } from "../../../components/ErrorPages";
import { Page } from "../../../components/Page";
import { closedReason } from "../closed";

export function StoreClosed({ title, reason }: { title: string; reason: { title: string; detail: string } }) {
  return (
    <Page title={title}>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{reason.title}</MessageBarTitle>
          {reason.detail}
        </MessageBarBody>
      </MessageBar>
      <Text>Ask your reseller to open the storefront for you; until then it can order for you.</Text>
    </Page>
  );
}

export function StoreError({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  const reason = closedReason(error);
  if (reason) return <StoreClosed title={title} reason={reason} />;
  return <ResourceError title={title} error={error} onRetry={onRetry} />;
}
