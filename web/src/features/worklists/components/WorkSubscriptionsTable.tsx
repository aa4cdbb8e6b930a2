/** Subscriptions across the caller's customers, by term end (the renewal date), soonest first: narrowed by status,
 * renewal window, auto-renew off, product and reseller. */
import { Field, Input, Select, Switch } from "@fluentui/react-components";
import { useState } from "react";
import { SelectField } from "../../../components/form";
import { PagedTable } from "../../../components/PagedTable";
import type { Option } from "../../../components/form";
import { workSubscriptionsPageQuery } from "../api/worklists";
import {
  RENEWAL_WINDOWS,
  SUBSCRIPTION_STATUS_CHOICES,
  type RenewalWindow,
  type SubscriptionFilters,
} from "../filters";
import { workSubscriptionColumns } from "./columns";

const PRODUCT_ID = /^[A-Za-z0-9]*$/;

/** A product id, applied on Enter or when the field is left. */
function ProductField({ value, onProduct }: { value: string | null; onProduct: (productId: string | null) => void }) {
  const [draft, setDraft] = useState(value ?? "");
  const trimmed = draft.trim();
  const valid = PRODUCT_ID.test(trimmed);
  const apply = () => {
    if (valid && (trimmed || null) !== value) onProduct(trimmed || null);
  };
  return (
    <Field
      label="Product id"
      hint="The offer id's first part; Enter applies it"
      validationState={valid ? "none" : "error"}
      validationMessage={valid ? undefined : "A product id has letters and digits only."}
    >
      <Input
        value={draft}
        onChange={(_, data) => setDraft(data.value)}
        onBlur={apply}
        onKeyDown={(event) => (event.key === "Enter" ? apply() : undefined)}
      />
    </Field>
  );
}

export function WorkSubscriptionsTable({
  filters,
  onFilters,
  now,
  providerStaff,
  resellers,
}: {
  filters: SubscriptionFilters;
  onFilters: (filters: SubscriptionFilters) => void;
  /** The moment renewal windows start from. */
  now: Date;
  providerStaff: boolean;
  resellers: Option[];
}) {
  const names = new Map(resellers.map((r) => [r.value, r.label]));
  const narrowed =
    filters.status !== null ||
    filters.within !== null ||
    filters.endsWithoutRenewal ||
    filters.productId !== null ||
    filters.resellerId !== null;
  return (
    <PagedTable
      label="Subscriptions"
      columns={workSubscriptionColumns(providerStaff, names)}
      rowKey={(s) => s.id}
      page={workSubscriptionsPageQuery(filters, now)}
      resetKey={JSON.stringify(filters)}
      toolbar={
        <>
          <Field label="Status">
            <Select
              value={filters.status ?? ""}
              onChange={(_, data) =>
                onFilters({ ...filters, status: SUBSCRIPTION_STATUS_CHOICES.find((s) => s.value === data.value)?.value ?? null })
              }
            >
              <option value="">All statuses</option>
              {SUBSCRIPTION_STATUS_CHOICES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Renewing within">
            <Select
              value={filters.within ? String(filters.within) : ""}
              onChange={(_, data) => {
                const within: RenewalWindow | null = RENEWAL_WINDOWS.find((d) => String(d) === data.value) ?? null;
                onFilters({ ...filters, within });
              }}
            >
              <option value="">Any time</option>
              {RENEWAL_WINDOWS.map((days) => (
                <option key={days} value={String(days)}>
                  {days} days
                </option>
              ))}
            </Select>
          </Field>
          <Switch
            label="Ends without renewal (auto-renew off)"
            checked={filters.endsWithoutRenewal}
            onChange={(_, data) => onFilters({ ...filters, endsWithoutRenewal: data.checked })}
          />
          <ProductField
            key={filters.productId ?? ""}
            value={filters.productId}
            onProduct={(productId) => onFilters({ ...filters, productId })}
          />
          {providerStaff ? (
            <SelectField
              name="resellerId"
              label="Reseller"
              placeholder="All resellers"
              options={resellers}
              value={filters.resellerId ?? ""}
              onValue={(value) => onFilters({ ...filters, resellerId: value || null })}
            />
          ) : null}
        </>
      }
      empty={
        narrowed
          ? "No subscription matches these filters."
          : "No subscription yet: they appear once an order is provisioned, or after a customer's subscriptions are synced from Partner Center."
      }
    />
  );
}
