/** The catalog's filters: market, text search, product family, term and billing cycle; for provider staff also the
 * sellable state and retired items. Choices apply at once; typed text applies with Search (or Enter). */
import { Button, Checkbox, Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import type { CatalogFilters } from "../api/catalog";
import { CYCLES, TERMS, cycleLabel, isCountry, termLabel } from "../format";
import { MarketField } from "./MarketField";

const useStyles = makeStyles({
  form: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalL, alignItems: "flex-end" },
});

/** The filters of a market not chosen yet. */
export type DraftFilters = Omit<CatalogFilters, "country"> & { country: string | null };

export function CatalogFilterBar({
  filters,
  onFilters,
  suggestions,
  providerStaff,
}: {
  filters: DraftFilters;
  onFilters: (filters: DraftFilters) => void;
  suggestions: readonly string[];
  providerStaff: boolean;
}) {
  const styles = useStyles();
  const [market, setMarket] = useState(filters.country ?? "");
  const [q, setQ] = useState(filters.q ?? "");
  const [family, setFamily] = useState(filters.productFamily ?? "");
  const typed = (next: Partial<DraftFilters>) =>
    onFilters({ ...filters, q: q.trim() || null, productFamily: family.trim() || null, ...next });

  return (
    <form
      role="search"
      aria-label="Catalog filters"
      className={styles.form}
      onSubmit={(event) => {
        event.preventDefault();
        typed(isCountry(market) ? { country: market.toUpperCase() } : {});
      }}
    >
      <MarketField
        value={market}
        suggestions={suggestions}
        onValue={(value) => {
          setMarket(value);
          if (isCountry(value)) typed({ country: value });
        }}
      />
      <Field label="Search titles">
        <Input type="search" value={q} onChange={(_, data) => setQ(data.value)} placeholder="e.g. E3" />
      </Field>
      <Field label="Product family">
        <Input value={family} onChange={(_, data) => setFamily(data.value)} placeholder="e.g. OnlineServicesNCE" />
      </Field>
      <Field label="Term">
        <Select value={filters.termDuration ?? ""} onChange={(_, data) => typed({ termDuration: data.value || null })}>
          <option value="">Any term</option>
          {TERMS.map((term) => (
            <option key={term} value={term}>
              {termLabel(term)}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Billing cycle">
        <Select value={filters.billingCycle ?? ""} onChange={(_, data) => typed({ billingCycle: data.value || null })}>
          <option value="">Any cycle</option>
          {CYCLES.map((cycle) => (
            <option key={cycle} value={cycle}>
              {cycleLabel(cycle)}
            </option>
          ))}
        </Select>
      </Field>
      {providerStaff ? (
        <>
          <Field label="Sellable">
            <Select
              value={filters.sellable === null ? "" : String(filters.sellable)}
              onChange={(_, data) => typed({ sellable: data.value === "" ? null : data.value === "true" })}
            >
              <option value="">Sellable and switched off</option>
              <option value="true">Sellable only</option>
              <option value="false">Switched off only</option>
            </Select>
          </Field>
          <Checkbox
            label="Include retired items"
            checked={filters.includeRetired}
            onChange={(_, data) => typed({ includeRetired: data.checked === true })}
          />
        </>
      ) : null}
      <Button type="submit">Search</Button>
    </form>
  );
}
