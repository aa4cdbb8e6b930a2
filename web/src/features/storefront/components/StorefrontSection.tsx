/** On a customer's page for its reseller's and provider's staff: whether its storefront is open, and the policy
 * its admins buy within (which items, seat removal, changes at renewal, the longest term, the approval threshold); edited in a dialog
 * through PATCH /api/customers/{id}. */
import { Button, Checkbox, Switch, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Details } from "../../../components/Details";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { SelectField, TextField } from "../../../components/form";
import { Section } from "../../../components/Page";
import { ProblemBar } from "../../../components/ProblemBar";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import type { StorefrontPolicyLife } from "../../../lib/api/extra";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoney } from "../../../lib/money";
import { termLabel } from "../../../lib/terms";
import { customerKeys } from "../../customers/api/customers";
import { CatalogPicker, cycleLabel, itemName, type CatalogItem } from "../../orders";
import type { Customer } from "../api/storefront";

type PolicyIn = Schemas["StorefrontPolicyIn"] & StorefrontPolicyLife;
type StorefrontChange = { storefrontEnabled: boolean; storefrontPolicy: PolicyIn };

const MAX_ALLOWED_ITEMS = 1000; // what the API takes

const useStyles = makeStyles({
  chosen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, margin: 0, paddingLeft: 0, listStyle: "none" },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  error: { color: tokens.colorPaletteRedForeground1 },
});

const itemLabel = (item: CatalogItem) => `${itemName(item)}, ${termLabel(item.termDuration)}, ${cycleLabel(item.billingCycle)}`;

/** The items a customer may buy, picked from its market's catalog; none chosen means every item sold to it. */
function AllowedItems({
  customerId,
  chosen,
  onChosen,
  error,
}: {
  customerId: string;
  chosen: readonly string[];
  onChosen: (ids: string[]) => void;
  error: string;
}) {
  const styles = useStyles();
  const [names, setNames] = useState<Record<string, string>>({});
  return (
    <section aria-labelledby="allowed-items-heading">
      <Text id="allowed-items-heading" weight="semibold" as="h3">
        Items they may buy
      </Text>
      {chosen.length === 0 ? (
        <Text as="p">None chosen: every item sold to them.</Text>
      ) : (
        <ul className={styles.chosen} aria-label="Items they may buy">
          {chosen.map((id) => (
            <li key={id} className={styles.row}>
              <Text>{names[id] ?? id}</Text>
              <Button size="small" appearance="subtle" aria-label={`Remove ${names[id] ?? id}`} onClick={() => onChosen(chosen.filter((x) => x !== id))}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <Text as="p" role="alert" className={styles.error}>
          {error}
        </Text>
      ) : null}
      <CatalogPicker
        customerId={customerId}
        isAdded={(item) => chosen.includes(item.catalogItemId)}
        full={chosen.length >= MAX_ALLOWED_ITEMS}
        onAdd={(item) => {
          setNames((known) => ({ ...known, [item.catalogItemId]: itemLabel(item) }));
          onChosen([...chosen, item.catalogItemId]);
        }}
      />
    </section>
  );
}

const TERMS = [
  { value: "P1M", label: "1 month" },
  { value: "P1Y", label: "1 year" },
  { value: "P3Y", label: "3 years" },
];

function useEditStorefront(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StorefrontChange) =>
      unwrap(
        api.PATCH("/api/customers/{customer_id}", {
          params: { path: { customer_id: id } },
          body: body as { storefrontEnabled: boolean; storefrontPolicy: Schemas["StorefrontPolicyIn"] },
        }),
      ),
    onSuccess: (customer) => {
      queryClient.setQueryData(customerKeys.detail(id), customer);
      return queryClient.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

const FIELDS = [
  "storefrontEnabled",
  "storefrontPolicy",
  "storefrontPolicy.allowedCatalogItemIds",
  "storefrontPolicy.allowSeatDecrease",
  "storefrontPolicy.allowRenewalChanges",
  "storefrontPolicy.maxTermDuration",
  "storefrontPolicy.approvalThreshold",
];

export function StorefrontForm({ customer, onDone, onCancel }: { customer: Customer; onDone: () => void; onCancel?: () => void }) {
  const policy: Customer["storefrontPolicy"] & StorefrontPolicyLife = customer.storefrontPolicy;
  const edit = useEditStorefront(customer.id);
  const [enabled, setEnabled] = useState(customer.storefrontEnabled);
  const [allowDecrease, setAllowDecrease] = useState(policy.allowSeatDecrease);
  const [allowRenewalChanges, setAllowRenewalChanges] = useState(policy.allowRenewalChanges === true);
  const [maxTerm, setMaxTerm] = useState<string>(policy.maxTermDuration);
  const [threshold, setThreshold] = useState(policy.approvalThreshold ?? "");
  const [allowed, setAllowed] = useState<string[]>([...(policy.allowedCatalogItemIds ?? [])]);
  const view = viewProblem(problemOf(edit.error), FIELDS);
  const allowedError = Object.entries(view?.fields ?? {})
    .filter(([field]) => field.startsWith("storefrontPolicy.allowedCatalogItemIds"))
    .map(([, message]) => message)
    .join("; ");
  const submit = () => {
    const ids = allowed;
    edit.mutate(
      {
        storefrontEnabled: enabled,
        storefrontPolicy: {
          allowSeatDecrease: allowDecrease,
          // sent once the API knows the field (it names it in the policy), or when switched on
          ...("allowRenewalChanges" in policy || allowRenewalChanges ? { allowRenewalChanges } : {}),
          maxTermDuration: maxTerm as PolicyIn["maxTermDuration"],
          approvalThreshold: threshold.trim() || null,
          allowedCatalogItemIds: ids.length ? ids : null,
        },
      },
      { onSuccess: onDone },
    );
  };
  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Save" busyLabel="Saving…" busy={edit.isPending}>
      <Switch label="Storefront open to the customer's admins" checked={enabled} onChange={(_, data) => setEnabled(data.checked)} />
      <Checkbox
        label="They may remove seats (within the cancellation window)"
        checked={allowDecrease}
        onChange={(_, data) => setAllowDecrease(data.checked === true)}
      />
      <Checkbox
        label="They may schedule changes at renewal (seats, term, billing cycle)"
        checked={allowRenewalChanges}
        onChange={(_, data) => setAllowRenewalChanges(data.checked === true)}
      />
      <SelectField
        name="storefrontPolicy.maxTermDuration"
        label="Longest term they may buy"
        value={maxTerm}
        onValue={setMaxTerm}
        options={TERMS}
        error={view?.fields["storefrontPolicy.maxTermDuration"]}
      />
      <TextField
        name="storefrontPolicy.approvalThreshold"
        label={`Approval threshold (${customer.currency ?? "the customer's currency"})`}
        hint="Orders whose total is above it wait for your approval. Empty: none waits."
        value={threshold}
        onValue={setThreshold}
        error={view?.fields["storefrontPolicy.approvalThreshold"]}
      />
      <AllowedItems customerId={customer.id} chosen={allowed} onChosen={setAllowed} error={allowedError} />
      <ProblemBar view={view} />
    </CreateForm>
  );
}

export function StorefrontSection({ customer, mayEdit }: { customer: Customer; mayEdit: boolean }) {
  const policy: Customer["storefrontPolicy"] & StorefrontPolicyLife = customer.storefrontPolicy;
  const ids = policy.allowedCatalogItemIds;
  return (
    <Section title="Storefront">
      <Details
        label="Storefront"
        items={[
          { label: "Storefront", value: customer.storefrontEnabled ? "open to its admins" : "off" },
          { label: "Items they may buy", value: ids === null ? "every item sold to them" : `${ids.length} chosen` },
          { label: "Seat removal", value: policy.allowSeatDecrease ? "allowed within the window" : "not allowed" },
          { label: "Changes at renewal", value: policy.allowRenewalChanges ? "they may schedule them" : "not allowed" },
          { label: "Longest term", value: termLabel(policy.maxTermDuration) },
          {
            label: "Approval threshold",
            value: policy.approvalThreshold === null ? "none: no order waits" : `orders over ${formatMoney(policy.approvalThreshold, customer.currency)} wait`,
          },
        ]}
      />
      {mayEdit ? (
        <div>
          <FormDialog label="Edit storefront" title="Storefront" appearance="secondary">
            {(close) => <StorefrontForm customer={customer} onDone={close} onCancel={close} />}
          </FormDialog>
        </div>
      ) : null}
    </Section>
  );
}
