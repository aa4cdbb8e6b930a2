/** The customer's charges for one billing period (a month; the current one first), from the period's latest
 * billing run: its lines and total in its currency, or that no run covers the period yet. */
import {
  Field,
  Input,
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
import { useState } from "react";
import { Page } from "../../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { isApiError } from "../../../lib/api/problem";
import { formatMoney } from "../../../lib/money";
import { useStoreCharges, useStoreSubscriptions } from "../api/storefront";
import { currentPeriod } from "../period";
import { StoreError } from "./StoreError";

const useStyles = makeStyles({
  picker: { maxWidth: "14rem" },
  total: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  scroll: { overflowX: "auto" },
  item: { overflowWrap: "anywhere" },
});

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function StoreCharges({ initialPeriod }: { initialPeriod?: string }) {
  const styles = useStyles();
  const [first] = useState(() => initialPeriod ?? currentPeriod());
  const [period, setPeriod] = useState(first);
  const valid = PERIOD.test(period);
  const charges = useStoreCharges(valid ? period : first);
  // lines name their subscription: shown by its name when it is on the first page of subscriptions
  const subscriptions = useStoreSubscriptions(null);
  const names = new Map((subscriptions.data?.items ?? []).map((sub) => [sub.id, sub.name]));
  if (charges.isError && isApiError(charges.error, 403)) return <StoreError title="Charges" error={charges.error} />;
  const data = charges.data;
  return (
    <Page title="Charges">
      <Field
        label="Billing period"
        className={styles.picker}
        validationState={valid ? "none" : "error"}
        validationMessage={valid ? undefined : "Choose a month (YYYY-MM)."}
      >
        <Input type="month" value={period} onChange={(_, change) => setPeriod(change.value)} />
      </Field>
      {charges.isPending ? (
        <Loading label="Loading your charges…" />
      ) : charges.isError ? (
        <ErrorState error={charges.error} onRetry={() => void charges.refetch()} />
      ) : !data?.runId ? (
        <EmptyState>No billing run covers {data?.period ?? period} yet: your charges show here once it is billed.</EmptyState>
      ) : data.items.length === 0 ? (
        <EmptyState>You have no charges in {data.period}.</EmptyState>
      ) : (
        <>
          <Text>
            {data.kind === "unbilled"
              ? `Charges so far for ${data.period} (not invoiced yet).`
              : `Charges invoiced for ${data.period}.`}
          </Text>
          <div className={styles.scroll}>
            <Table aria-label={`Charges for ${data.period}`}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Item</TableHeaderCell>
                  <TableHeaderCell>Charge</TableHeaderCell>
                  <TableHeaderCell>From</TableHeaderCell>
                  <TableHeaderCell>To</TableHeaderCell>
                  <TableHeaderCell>Quantity</TableHeaderCell>
                  <TableHeaderCell>Amount</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {data.items.map((line, index) => (
                  <TableRow key={`${line.lineItemIds.join(",")}-${index}`}>
                    <TableCell className={styles.item}>
                      {(line.subscriptionId ? names.get(line.subscriptionId) : undefined) ?? line.catalogItemId ?? line.subscriptionId ?? "—"}
                    </TableCell>
                    <TableCell>{line.chargeType ?? "—"}</TableCell>
                    <TableCell>{line.chargeStartDate ?? "—"}</TableCell>
                    <TableCell>{line.chargeEndDate ?? "—"}</TableCell>
                    <TableCell>{line.quantity}</TableCell>
                    <TableCell>{formatMoney(line.customerCharge, line.currency)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <div role="group" aria-label="Charges total">
            <Text className={styles.total}>Total: {formatMoney(data.total, data.currency)}</Text>
          </div>
        </>
      )}
    </Page>
  );
}
