/** A customer's orders on its page, and placing a new one. */
import { Field, Select, Text } from "@fluentui/react-components";
import { useState } from "react";
import { Section } from "../../../components/Page";
import type { Schemas } from "../../../lib/api/client";
import { useMe } from "../../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../../lib/roles";
import { ORDER_STATUSES, type OrderStatus } from "../api/orders";
import { OrdersTable } from "./OrdersTable";
import { PlaceOrderDialog } from "./PlaceOrderForm";

export function CustomerOrdersSection({ customer }: { customer: Schemas["CustomerOut"] }) {
  const me = useMe();
  const [status, setStatus] = useState<OrderStatus | null>(null);
  if (!isProviderStaff(me.role) && !isResellerStaff(me.role)) return null;
  return (
    <Section title="Orders">
      {customer.offboardedAt ? (
        <Text>This customer is offboarded: no new orders until it is restored.</Text>
      ) : customer.status === "active" ? (
        <div>
          <PlaceOrderDialog customer={customer} />
        </div>
      ) : null}
      <OrdersTable
        customerId={customer.id}
        status={status}
        providerStaff={isProviderStaff(me.role)}
        filter={
          <Field label="Show">
            <Select value={status ?? ""} onChange={(_, data) => setStatus(data.value ? (data.value as OrderStatus) : null)}>
              <option value="">All orders</option>
              {ORDER_STATUSES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </Select>
          </Field>
        }
        empty={
          status === "pendingApproval"
            ? "No order of this customer is waiting for approval."
            : status
              ? "No order of this customer has this status."
              : customer.status === "active"
                ? "No order yet. Place one to provision subscriptions."
                : "No order yet. Orders can be placed once the customer's relationship is active."
        }
      />
    </Section>
  );
}
