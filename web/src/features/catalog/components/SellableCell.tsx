/** An item's sellable state: a switch for provider admins, the state as text for other provider staff. */
import { Badge, Switch } from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import type { CatalogItem, SellableChange } from "../api/catalog";
import { itemLabel } from "../format";

type SetSellable = UseMutationResult<unknown, Error, SellableChange, unknown>;

export function SellableCell({ item, setSellable }: { item: CatalogItem; setSellable: SetSellable | null }) {
  const sellable = item.sellable ?? false;
  if (!setSellable) {
    return (
      <Badge appearance="tint" shape="rounded" color={sellable ? "success" : "subtle"}>
        {sellable ? "sellable" : "switched off"}
      </Badge>
    );
  }
  const pending = setSellable.isPending && setSellable.variables?.item.catalogItemId === item.catalogItemId;
  const checked = pending ? setSellable.variables!.sellable : sellable;
  return (
    <Switch
      checked={checked}
      disabled={setSellable.isPending}
      aria-label={`Sellable: ${itemLabel(item)}`}
      label={pending ? "Saving…" : checked ? "On" : "Off"}
      onChange={(_, data) => setSellable.mutate({ item, sellable: data.checked })}
    />
  );
}
