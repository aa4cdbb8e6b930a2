/** "Place an order" for a customer: lines from the catalog of its own market, the total at the caller's own buy
 * price before sending, then POST /api/orders under one Idempotency-Key per order as built. */
import { MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useRef, useState } from "react";
import { useNavigate } from "react-router";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { useSubmitOnce } from "../../../components/form-state";
import { newIdempotencyKey, type Schemas } from "../../../lib/api/client";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useMe } from "../../../lib/auth/me";
import { isProviderStaff } from "../../../lib/roles";
import { offersByItem, usePromotions } from "../../catalog";
import { useCotermTargets, usePlaceOrder, type CatalogItem, type Order } from "../api/orders";
import { MAX_LINES, lineFields, linesIn, minOf, quantityProblem, type DraftLine, type LinePromotion } from "../draft";
import { CatalogPicker } from "./CatalogPicker";
import { DraftLines, type CotermTarget, type LineErrors } from "./DraftLines";
import { DraftTotal } from "./DraftTotal";

const useStyles = makeStyles({
  part: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
});

/** The lines, and an Idempotency-Key that stays while they do: a double click or a retry sends the same key and
 * body (the API answers the first order again), while a changed order is a new request. */
function useDraft() {
  const [lines, setLines] = useState<DraftLine[]>([]);
  const key = useRef(newIdempotencyKey());
  const change = (next: (current: DraftLine[]) => DraftLine[]) => {
    key.current = newIdempotencyKey();
    setLines(next);
  };
  return {
    lines,
    idempotencyKey: () => key.current,
    add: (item: CatalogItem) =>
      change((current) => (current.length >= MAX_LINES ? current : [...current, { item, quantity: String(minOf(item)) }])),
    setQuantity: (index: number, quantity: string) =>
      change((current) => current.map((line, i) => (i === index ? { ...line, quantity } : line))),
    remove: (index: number) => change((current) => current.filter((_, i) => i !== index)),
    coterm: (index: number, target: CotermTarget | null) =>
      change((current) =>
        current.map((line, i) =>
          i !== index ? line : { ...line, coterm: target ? { subscriptionId: target.id, lastDay: target.lastDay } : undefined },
        ),
      ),
    promote: (index: number, promotion: LinePromotion | null) =>
      change((current) => current.map((line, i) => (i !== index ? line : { ...line, promotion: promotion ?? undefined }))),
  };
}

export function PlaceOrderForm({
  customer,
  onPlaced,
  onCancel,
}: {
  customer: Schemas["CustomerOut"];
  onPlaced: (order: Order) => void;
  onCancel?: () => void;
}) {
  const styles = useStyles();
  const me = useMe();
  const draft = useDraft();
  const place = usePlaceOrder();
  const submitOnce = useSubmitOnce(place);
  const [tried, setTried] = useState(false);
  const { lines } = draft;
  const view = viewProblem(problemOf(place.error), lineFields(lines.length));
  const priceLabel = isProviderStaff(me.role) ? "Cost" : "Reseller price";
  const targets = useCotermTargets(customer.id);
  const promotions = usePromotions(customer.country ?? null, Boolean(customer.country));
  const offers = offersByItem(promotions.data);
  const promotionsOf = (catalogItemId: string): LinePromotion[] =>
    (offers.get(catalogItemId) ?? []).map(({ promotion, item }) => ({
      id: promotion.id,
      name: promotion.name,
      discountPercent: promotion.discountPercent,
      promotionalPrice: item.promotionalPrice,
    }));

  const edited = <A extends unknown[]>(apply: (...args: A) => void) => (...args: A) => {
    place.reset(); // the API's refusals name lines by position: they no longer apply once the lines change
    apply(...args);
  };

  const errorsOf = (index: number): LineErrors => {
    const line = lines[index];
    const at = (name: string) => view?.fields[`lines[${index}].${name}`];
    return {
      line: view?.fields[`lines[${index}]`],
      catalogItemId: at("catalogItemId"),
      termDuration: at("termDuration"),
      billingCycle: at("billingCycle"),
      coterminateWith: at("coterminateWith"),
      promotionId: at("promotionId"),
      quantity: at("quantity") ?? (tried && line ? (quantityProblem(line) ?? undefined) : undefined),
    };
  };

  const submit = () => {
    setTried(true);
    if (lines.length === 0 || lines.some((line) => quantityProblem(line) !== null)) return;
    submitOnce(
      { idempotencyKey: draft.idempotencyKey(), body: { customerId: customer.id, lines: linesIn(lines) } },
      onPlaced,
    );
  };

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Place order" busyLabel="Placing the order…" busy={place.isPending}>
      <ProblemBar view={view} />
      {view?.fields["lines"] ? (
        <MessageBar intent="error">
          <MessageBarBody>Lines: {view.fields["lines"]}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.part}>
        <h3 className={styles.heading}>Catalog of {customer.name}'s market ({customer.country ?? "?"} / {customer.currency ?? "?"})</h3>
        <CatalogPicker
          customerId={customer.id}
          full={lines.length >= MAX_LINES}
          isAdded={(item) => lines.some((line) => line.item.catalogItemId === item.catalogItemId)}
          onAdd={edited(draft.add)}
        />
      </div>
      <div className={styles.part}>
        <h3 className={styles.heading}>
          Lines ({lines.length} of at most {MAX_LINES})
        </h3>
        {lines.length === 0 ? (
          <Text role={tried ? "alert" : undefined}>
            {tried ? "Add at least one item from the catalog." : "No line yet: add items from the catalog above."}
          </Text>
        ) : (
          <DraftLines
            lines={lines}
            errorsOf={errorsOf}
            priceLabel={priceLabel}
            onQuantity={edited(draft.setQuantity)}
            onRemove={edited(draft.remove)}
            targets={targets}
            onCoterm={edited(draft.coterm)}
            promotionsOf={promotionsOf}
            onPromotion={edited(draft.promote)}
          />
        )}
        {lines.length > 0 ? <DraftTotal lines={lines} priceLabel={priceLabel} providerStaff={isProviderStaff(me.role)} /> : null}
      </div>
    </CreateForm>
  );
}

export function PlaceOrderDialog({ customer }: { customer: Schemas["CustomerOut"] }) {
  const navigate = useNavigate();
  return (
    <FormDialog label="Place an order" title={`Place an order for ${customer.name}`}>
      {(close, closeThen) => (
        <PlaceOrderForm
          customer={customer}
          onCancel={close}
          onPlaced={(order) => closeThen(() => void navigate(`/orders/${encodeURIComponent(order.id)}`))}
        />
      )}
    </FormDialog>
  );
}
