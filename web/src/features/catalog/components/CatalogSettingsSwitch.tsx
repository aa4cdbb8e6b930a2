/** Whether items a sync brings in may be sold at once (provider admins switch it; other provider staff read it). */
import { Switch, Text } from "@fluentui/react-components";
import { ErrorState, Loading } from "../../../components/States";
import { useCatalogSettings, useSetCatalogSettings } from "../api/catalog";

const LABEL = "New items are sellable as soon as a sync brings them in";

export function CatalogSettingsSwitch({ mayChange }: { mayChange: boolean }) {
  const settings = useCatalogSettings(true);
  const set = useSetCatalogSettings();
  if (settings.isPending) return <Loading label="Loading the catalog settings…" />;
  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  const on = (set.isPending ? set.variables.newItemsSellable : null) ?? settings.data.newItemsSellable;
  if (!mayChange) {
    return (
      <Text>
        {on
          ? "New items are sellable as soon as a sync brings them in."
          : "New items stay switched off until a provider admin switches them on."}
      </Text>
    );
  }
  return (
    <div>
      <Switch
        checked={on}
        disabled={set.isPending}
        label={LABEL}
        onChange={(_, data) => set.mutate({ newItemsSellable: data.checked })}
      />
      <Text block size={200} role="status">
        {set.isSuccess ? (on ? "Saved: resellers may sell new items at once." : "Saved: new items stay switched off until you switch them on.") : ""}
      </Text>
      {set.isError ? <ErrorState error={set.error} /> : null}
    </div>
  );
}
