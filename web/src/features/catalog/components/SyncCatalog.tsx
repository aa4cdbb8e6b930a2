/** "Sync now": the market read from Partner Center while you wait, then the figures it answered. */
import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import { ErrorState } from "../../../components/States";
import type { MarketSync, SyncResult } from "../api/catalog";

type Sync = UseMutationResult<SyncResult, Error, string | null, unknown>;

const useStyles = makeStyles({
  figures: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
});

export function SyncButton({ sync, country }: { sync: Sync; country: string | null }) {
  return (
    <Button
      appearance="primary"
      disabled={sync.isPending}
      icon={sync.isPending ? <Spinner size="tiny" /> : undefined}
      onClick={() => sync.mutate(country)}
    >
      {sync.isPending ? "Syncing…" : country ? `Sync ${country} now` : "Sync every market now"}
    </Button>
  );
}

function figures(market: MarketSync): string {
  return [
    `${market.added} added`,
    `${market.updated} updated`,
    `${market.retired} retired`,
    `${market.unchanged} unchanged`,
    ...(market.reactivated ? [`${market.reactivated} back in the catalog`] : []),
    `${market.priced} priced`,
    `price sheet ${market.priceSheet}`,
  ].join(", ");
}

export function SyncOutcome({ sync }: { sync: Sync }) {
  const styles = useStyles();
  if (sync.isPending) {
    return (
      <MessageBar intent="info">
        <MessageBarBody>
          Reading {sync.variables ? `the ${sync.variables} catalog` : "every market's catalog"} and price sheet from
          Partner Center…
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (sync.isError) return <ErrorState error={sync.error} onRetry={() => sync.mutate(sync.variables ?? null)} />;
  if (!sync.isSuccess) return null;
  const result = sync.data;
  const warning = result.priceSheetError || result.retirementSkipped;
  return (
    <MessageBar intent={warning ? "warning" : "success"} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{result.country ? `${result.country} synced` : `${result.markets.length} markets synced`}</MessageBarTitle>
        <ul className={styles.figures} aria-label="Sync figures">
          {result.markets.map((market) => (
            <li key={market.country}>
              {market.country}: {figures(market)}
              {market.priceSheetError ? ` (${market.priceSheetError})` : ""}
              {market.retirementSkipped ? "; Partner Center listed nothing, so nothing was retired" : ""}.
            </li>
          ))}
        </ul>
      </MessageBarBody>
    </MessageBar>
  );
}
