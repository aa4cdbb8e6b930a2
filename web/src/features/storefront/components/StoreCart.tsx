/** The cart: its lines with quantities to change or remove, each line's total and the cart's, the approval rule,
 * the Microsoft Customer Agreement step before a first order, and "Place order", which opens the order's page. */
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { Page } from "../../../components/Page";
import { ProblemBar } from "../../../components/ProblemBar";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { newIdempotencyKey } from "../../../lib/api/client";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoney } from "../../../lib/money";
import { AGREEMENT_MISSING_TYPE, usePlaceStoreOrder, useStoreCustomer, type Customer } from "../api/storefront";
import { offersByItem, usePromotions } from "../../catalog";
import {
  cartLineTotal,
  cartTotal,
  cartUnitPrice,
  orderLines,
  parseQuantity,
  quantityProblem,
  type CartLine,
  type CartPromotion,
} from "../cart";
import { choiceLabel, productName } from "../products";
import { useCart } from "../useCart";
import { ApprovalNotice } from "./ApprovalNotice";
import { AgreementRefusal, StoreAgreement } from "./StoreAgreement";
import { closedReason } from "../closed";
import { StoreClosed } from "./StoreError";

const useStyles = makeStyles({
  total: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  scroll: { overflowX: "auto" },
  hint: { display: "block", color: tokens.colorNeutralForeground2 },
  error: { display: "block", color: tokens.colorPaletteRedForeground1 },
});

/** The promotions of the customer's market that apply to a cart line's item, at the customer's price. */
function usePromotionsOf(enabled: boolean): (catalogItemId: string) => CartPromotion[] {
  const promotions = usePromotions(null, enabled);
  const offers = offersByItem(promotions.data);
  return (catalogItemId) =>
    (offers.get(catalogItemId) ?? []).map(({ promotion, item }) => ({
      id: promotion.id,
      name: promotion.name,
      discountPercent: promotion.discountPercent,
      promotionalPrice: item.promotionalPrice,
    }));
}

/** A cart line's promotion: a picker among those of its item, and the reason a refused one was refused. */
function PromotionChoice({
  line,
  offered,
  refusal,
  onPromotion,
}: {
  line: CartLine;
  offered: CartPromotion[];
  refusal?: string;
  onPromotion: (promotion: CartPromotion | null) => void;
}) {
  const styles = useStyles();
  if (offered.length === 0 && !line.promotion && !refusal) return null;
  return (
    <>
      {offered.length > 0 || line.promotion ? (
        <Field label="Promotion" size="small">
          <Select
            aria-label={`Promotion for ${productName(line.item)}`}
            value={line.promotion?.id ?? ""}
            onChange={(_, data) => onPromotion(offered.find((p) => p.id === data.value) ?? null)}
          >
            <option value="">No promotion</option>
            {line.promotion && !offered.some((p) => p.id === line.promotion?.id) ? (
              <option value={line.promotion.id}>{line.promotion.name}</option>
            ) : null}
            {offered.map((promotion) => (
              <option key={promotion.id} value={promotion.id}>
                {promotion.name}: −{promotion.discountPercent}%, {formatMoney(promotion.promotionalPrice, line.item.currency)}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {refusal ? (
        <Text size={200} className={styles.error} role="alert">
          Promotion refused: {refusal}
        </Text>
      ) : null}
    </>
  );
}

function QuantityInput({
  line,
  apiError,
  onQuantity,
  onValidity,
}: {
  line: CartLine;
  apiError?: string;
  onQuantity: (quantity: number) => void;
  onValidity: (valid: boolean) => void;
}) {
  const [text, setText] = useState(String(line.quantity));
  const quantity = parseQuantity(text);
  const problem = quantityProblem(line.item, quantity) ?? apiError;
  return (
    <Field
      label={`Quantity of ${productName(line.item)}`}
      validationState={problem ? "error" : "none"}
      validationMessage={problem}
    >
      <Input
        type="number"
        min={line.item.minQuantity ?? 1}
        value={text}
        onChange={(_, data) => {
          setText(data.value);
          const next = parseQuantity(data.value);
          const valid = quantityProblem(line.item, next) === null;
          onValidity(valid);
          if (valid && next !== null) onQuantity(next);
        }}
      />
    </Field>
  );
}

function closedNotice(customer: Customer): { title: string; detail: string } | null {
  if (customer.offboardedAt) {
    return { title: "Your organisation is offboarded", detail: "Nothing new can be bought here; your subscriptions stay as they are." };
  }
  if (!customer.storefrontEnabled) {
    return { title: "Your storefront is not open", detail: "Your reseller has not enabled the storefront for you (or switched it off)." };
  }
  return null;
}

export function StoreCart({ customerId }: { customerId: string }) {
  const styles = useStyles();
  const navigate = useNavigate();
  const customer = useStoreCustomer(customerId);
  const cart = useCart(customerId);
  const place = usePlaceStoreOrder();
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const key = useRef({ lines: "", value: newIdempotencyKey() });
  const lines = cart.lines;
  const total = cartTotal(lines);
  const fields = lines.flatMap((_, index) => [
    `lines[${index}].quantity`,
    `lines[${index}].catalogItemId`,
    `lines[${index}].promotionId`,
    `lines[${index}]`,
  ]);
  const view = viewProblem(problemOf(place.error), fields);
  const promotionsOf = usePromotionsOf(lines.length > 0 && Boolean(customer.data?.country));

  if (customer.isPending) {
    return (
      <Page title="Cart">
        <Loading label="Loading your cart…" />
      </Page>
    );
  }
  if (customer.isError) {
    const reason = closedReason(customer.error);
    if (reason) return <StoreClosed title="Cart" reason={reason} />;
    return (
      <Page title="Cart">
        <ErrorState error={customer.error} onRetry={() => void customer.refetch()} />
      </Page>
    );
  }
  const closed = closedNotice(customer.data);
  const policy = customer.data.storefrontPolicy;

  const submit = () => {
    if (!lines.length || invalid.size || place.isPending || closed) return;
    const body = orderLines(lines);
    const signature = JSON.stringify(body);
    if (key.current.lines !== signature) key.current = { lines: signature, value: newIdempotencyKey() };
    place.mutate(
      { lines: body, idempotencyKey: key.current.value },
      {
        onSuccess: (order) => {
          cart.clear();
          void navigate(`/store/orders/${encodeURIComponent(order.id)}`);
        },
      },
    );
  };

  // The refused order is a new request once the agreement is accepted: its key would replay the refusal.
  const renewAfterAgreement = () => {
    place.reset();
    key.current = { lines: "", value: newIdempotencyKey() };
  };

  const validity = (id: string) => (valid: boolean) =>
    setInvalid((current) => {
      const next = new Set(current);
      if (valid) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Page title="Cart" actions={<Link to="/store/catalog">Continue shopping</Link>}>
      {closed ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <strong>{closed.title}.</strong> {closed.detail}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {lines.length === 0 ? (
        <EmptyState>
          Your cart is empty. <Link to="/store/catalog">Find products in the store</Link>.
        </EmptyState>
      ) : (
        <>
          <div className={styles.scroll}>
            <Table aria-label="Cart lines">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Product</TableHeaderCell>
                  <TableHeaderCell>Term and billing</TableHeaderCell>
                  <TableHeaderCell>Unit price</TableHeaderCell>
                  <TableHeaderCell>Quantity</TableHeaderCell>
                  <TableHeaderCell>Line total</TableHeaderCell>
                  <TableHeaderCell>Remove</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {lines.map((line, index) => (
                  <TableRow key={line.item.catalogItemId}>
                    <TableCell>{productName(line.item)}</TableCell>
                    <TableCell>{choiceLabel(line.item)}</TableCell>
                    <TableCell>
                      {formatMoney(cartUnitPrice(line), line.item.currency)}
                      {line.promotion ? (
                        <Text size={200} className={styles.hint}>
                          instead of {formatMoney(line.item.price, line.item.currency)}
                        </Text>
                      ) : null}
                      <PromotionChoice
                        line={line}
                        offered={promotionsOf(line.item.catalogItemId)}
                        refusal={view?.fields[`lines[${index}].promotionId`]}
                        onPromotion={(promotion) => {
                          place.reset();
                          cart.promote(line.item.catalogItemId, promotion);
                        }}
                      />
                    </TableCell>
                    <TableCell>
                      <QuantityInput
                        line={line}
                        apiError={view?.fields[`lines[${index}].quantity`] ?? view?.fields[`lines[${index}]`] ?? view?.fields[`lines[${index}].catalogItemId`]}
                        onQuantity={(quantity) => {
                          place.reset();
                          cart.setQuantity(line.item.catalogItemId, quantity);
                        }}
                        onValidity={validity(line.item.catalogItemId)}
                      />
                    </TableCell>
                    <TableCell>{formatMoney(cartLineTotal(line), line.item.currency)}</TableCell>
                    <TableCell>
                      <Button
                        aria-label={`Remove ${productName(line.item)}`}
                        onClick={() => {
                          place.reset();
                          validity(line.item.catalogItemId)(true);
                          cart.remove(line.item.catalogItemId);
                        }}
                      >
                        Remove
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <div role="group" aria-label="Cart total" aria-live="polite">
            <Text className={styles.total}>Total: {formatMoney(total.amount, total.currency)}</Text>
          </div>
          <ApprovalNotice threshold={policy.approvalThreshold} currency={total.currency ?? customer.data.currency} total={total.amount} />
          {closed ? null : <StoreAgreement onAccepted={renewAfterAgreement} />}
          <ProblemBar view={view} />
          {problemOf(place.error)?.type === AGREEMENT_MISSING_TYPE ? <AgreementRefusal /> : null}
          <div className={styles.actions}>
            <Button appearance="primary" disabled={Boolean(closed) || invalid.size > 0 || place.isPending} onClick={submit}>
              {place.isPending ? "Placing the order…" : "Place order"}
            </Button>
            <Button onClick={cart.clear}>Empty the cart</Button>
          </div>
        </>
      )}
    </Page>
  );
}
