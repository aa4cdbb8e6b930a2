/** A buyer's pricing, edited whole: its margin, its fixed prices, and the resulting prices before saving. The
 * version read goes back as If-Match, so a change made meanwhile by someone else is refused (412), never lost. */
import { Button, Subtitle2, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ProblemBar } from "../../../components/ProblemBar";
import { isApiError, problemOf, viewProblem } from "../../../lib/api/problem";
import type { CatalogItem } from "../../catalog";
import type { PricingSave, Versioned } from "../api/pricing";
import { marginToSend, percentText } from "../margin";
import { ruleOf, type PriceRule } from "../rules";
import { MarginField } from "./MarginField";
import { OverrideRows, type OverrideRow } from "./OverrideRows";
import { PricePreview, type Supplier } from "./PricePreview";

const PREVIEW_ITEMS = 8;

let rowCount = 0;
const newKey = () => `row-${++rowCount}`;

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  part: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

/** The overridden items first, then the first items of the market, at most PREVIEW_ITEMS. */
function previewItems(items: CatalogItem[], ids: string[]): CatalogItem[] {
  const byId = new Map(items.map((i) => [i.catalogItemId, i]));
  const chosen: CatalogItem[] = [];
  const seen = new Set<string>();
  for (const id of [...ids, ...items.map((i) => i.catalogItemId)]) {
    const item = byId.get(id);
    if (!item || seen.has(id)) continue;
    seen.add(id);
    chosen.push(item);
    if (chosen.length >= PREVIEW_ITEMS) break;
  }
  return chosen;
}

export interface PricingFormProps {
  saved: Versioned;
  save: UseMutationResult<Versioned, Error, PricingSave, unknown>;
  /** The market's items, for the item picker and the preview. */
  items: CatalogItem[];
  /** Why items are missing or incomplete, shown above the fixed prices. */
  itemsNote?: ReactNode;
  supplier: Supplier;
  marginLabel: string;
  /** The margin that applies when the buyer has none ("the provider's default margin"), and its value. */
  defaultLabel: string;
  defaultMargin: string | null;
}

/** The field paths a 422 may name for the rows, as the API writes them (`overrides[1].price`). */
function rowFields(count: number): string[] {
  const names = ["margin", "overrides"];
  for (let i = 0; i < count; i++) {
    const row = `overrides[${i}]`;
    names.push(row, `${row}.catalogItemId`, `${row}.price`, `${row}.currency`);
  }
  return names;
}

export function PricingForm(props: PricingFormProps) {
  const { saved, save, items, itemsNote, supplier, marginLabel, defaultLabel, defaultMargin } = props;
  const styles = useStyles();
  const [margin, setMargin] = useState(percentText(saved.pricing.margin));
  const [rows, setRows] = useState<OverrideRow[]>(() =>
    saved.pricing.overrides.map((o) => ({ key: newKey(), catalogItemId: o.catalogItemId, price: o.price, currency: o.currency })),
  );

  const problem = isApiError(save.error, 412) ? null : problemOf(save.error);
  const view = viewProblem(problem, rowFields(rows.length));
  const fields = view?.fields ?? {};
  const rowErrors = (i: number) => {
    const row = `overrides[${i}]`;
    const item = [fields[`${row}.catalogItemId`], fields[`${row}.currency`], fields[row]].filter(Boolean).join("; ");
    return { item: item || undefined, price: fields[`${row}.price`] };
  };

  const overrides = rows.map((row) => ({
    catalogItemId: row.catalogItemId,
    price: row.price.trim(),
    ...(row.currency ? { currency: row.currency } : {}),
  }));
  const after: PriceRule = { margin: marginToSend(margin), overrides: overrides.filter((o) => o.catalogItemId && o.price) };
  const overridden = [...rows.map((r) => r.catalogItemId), ...saved.pricing.overrides.map((o) => o.catalogItemId)];
  const shownItems = previewItems(items, overridden);

  return (
    <form
      className={styles.form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (save.isPending) return;
        save.mutate({ body: { margin: marginToSend(margin), overrides }, ifMatch: saved.etag });
      }}
    >
      <ProblemBar view={view} />
      <MarginField
        label={marginLabel}
        value={margin}
        onValue={setMargin}
        error={fields["margin"]}
        emptyMeans={`${defaultLabel} applies`}
      />
      <div className={styles.part}>
        <Subtitle2 as="h3">Fixed prices</Subtitle2>
        {itemsNote}
        {fields["overrides"] ? <Text role="alert">{fields["overrides"]}</Text> : null}
        <OverrideRows
          rows={rows}
          items={items}
          disabled={save.isPending}
          errors={rowErrors}
          onRows={(next, removed) => {
            setRows(next);
            if (removed) save.reset(); // field errors name rows by position
          }}
        />
        <div>
          <Button
            disabled={save.isPending}
            onClick={() => setRows([...rows, { key: newKey(), catalogItemId: "", price: "", currency: "" }])}
          >
            Add a fixed price
          </Button>
        </div>
      </div>
      <div className={styles.part}>
        <Subtitle2 as="h3">Resulting prices</Subtitle2>
        <Text>
          Computed here with the API&apos;s own rule: a fixed price when the item has one, otherwise the margin over the
          supplier&apos;s price (without a margin, {defaultLabel}), then rounded half up at the currency&apos;s minor unit.
          Once saved, the catalog shows the stored result.
        </Text>
        <PricePreview
          items={shownItems}
          supplier={supplier}
          now={ruleOf(saved.pricing)}
          after={after}
          defaultMargin={defaultMargin}
          defaultLabel={defaultLabel}
        />
      </div>
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save pricing"}
        </Button>
      </div>
    </form>
  );
}
