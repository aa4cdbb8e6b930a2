/** The orders' work queues as tabs (all, waiting for approval, in flight, failed) over one list of orders. */
import { Tab, TabList, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useState } from "react";
import type { Option } from "../../../components/form";
import { ORDER_QUEUES, isOrderQueue, type OrderFilters } from "../filters";
import { DecisionBar, type Decision } from "./RowDecision";
import { WorkOrdersTable } from "./WorkOrdersTable";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

export function OrderQueues({
  filters,
  onFilters,
  providerStaff,
  resellers,
}: {
  filters: OrderFilters;
  onFilters: (filters: OrderFilters, typing?: boolean) => void;
  providerStaff: boolean;
  resellers: Option[];
}) {
  const styles = useStyles();
  const id = useId();
  const [decision, setDecision] = useState<Decision | null>(null);
  const tabId = (queue: string) => `${id}-${queue}`;
  return (
    <>
      <TabList
        aria-label="Order queues"
        selectedValue={filters.queue}
        onTabSelect={(_, data) => {
          const queue = String(data.value);
          if (isOrderQueue(queue)) onFilters({ ...filters, queue });
        }}
      >
        {ORDER_QUEUES.map((queue) => (
          <Tab key={queue.value} id={tabId(queue.value)} value={queue.value}>
            {queue.label}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" aria-labelledby={tabId(filters.queue)} className={styles.panel}>
        {decision ? <DecisionBar decision={decision} /> : null}
        <WorkOrdersTable
          filters={filters}
          onFilters={onFilters}
          providerStaff={providerStaff}
          resellers={resellers}
          onDecision={setDecision}
        />
      </div>
    </>
  );
}
