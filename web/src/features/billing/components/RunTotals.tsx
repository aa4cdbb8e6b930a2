import { Text } from "@fluentui/react-components";
import { Section } from "../../../components/Page";
import { EmptyState } from "../../../components/States";
import type { Run } from "../api/billing";
import type { Names } from "./names";
import { CustomerTotals, ResellerTotals } from "./PartyTotals";
import { TotalsByCurrency } from "./TotalsByCurrency";

/** A completed run's totals: per currency, per reseller and per customer, each caller its own share. */
export function RunTotals({ run, names }: { run: Run; names: Names }) {
  const { totals } = run;
  return (
    <>
      <Section title="Totals by currency">
        {totals.byCurrency.length ? (
          <TotalsByCurrency totals={totals.byCurrency} />
        ) : (
          <EmptyState>Nothing was charged in this period.</EmptyState>
        )}
        {totals.byCurrency.length > 1 ? (
          <Text>Each currency is totalled on its own; amounts in different currencies are never added up.</Text>
        ) : null}
      </Section>
      {totals.resellers !== undefined ? (
        <Section title="By reseller">
          {totals.resellers.length ? (
            <ResellerTotals totals={totals.resellers} names={names} />
          ) : (
            <EmptyState>No reseller is invoiced for this period.</EmptyState>
          )}
        </Section>
      ) : null}
      <Section title="By customer">
        {totals.customers.length ? (
          <CustomerTotals totals={totals.customers} names={names} />
        ) : (
          <EmptyState>No customer is invoiced for this period.</EmptyState>
        )}
      </Section>
    </>
  );
}
