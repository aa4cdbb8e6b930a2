/** What the last sellable switch did: the item and its new state, or why it was refused. */
import { MessageBar, MessageBarBody } from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import { ErrorState } from "../../../components/States";
import type { SellableChange } from "../api/catalog";
import { itemLabel } from "../format";

export function SellableOutcome({ setSellable }: { setSellable: UseMutationResult<unknown, Error, SellableChange, unknown> }) {
  const change = setSellable.variables;
  if (!change) return null;
  if (setSellable.isError) return <ErrorState error={setSellable.error} />;
  if (!setSellable.isSuccess) return null;
  return (
    <MessageBar intent="success">
      <MessageBarBody>
        {itemLabel(change.item)} is {change.sellable ? "sellable" : "switched off"} in {change.item.country}
        {change.sellable ? "" : ": resellers and customers no longer see it"}.
      </MessageBarBody>
    </MessageBar>
  );
}
