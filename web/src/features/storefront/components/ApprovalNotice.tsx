/** The reseller's approval rule, and whether this order will wait for it. */
import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { approvalRule } from "../cart";

export function ApprovalNotice({ threshold, currency, total }: { threshold: string | null | undefined; currency: string | null | undefined; total: string | null }) {
  const rule = approvalRule(threshold, currency, total);
  if (!rule) return null;
  return (
    <MessageBar intent={rule.waits ? "warning" : "info"} layout="multiline">
      <MessageBarBody>
        {rule.waits ? <MessageBarTitle>This order will wait for your reseller's approval</MessageBarTitle> : null}
        {rule.rule}
        {rule.waits ? " Nothing is bought until it approves; the order's page shows when it does." : ""}
      </MessageBarBody>
    </MessageBar>
  );
}
