/** The columns of a billing line, each shown only when the caller's tier gets its fields. */
import { Text } from "@fluentui/react-components";
import { Link } from "react-router";
import type { Column } from "../../../components/PagedTable";
import { formatMoney } from "../../../lib/money";
import type { Line } from "../api/billing";
import type { Names } from "./names";
import { PartyLink } from "./PartyLink";

export interface LineColumn extends Column<Line> {
  /** The fields it shows: the column is there only when the caller's tier gets one of them. */
  fields: (keyof Line)[];
}

const money = (field: "unitPrice" | "effectiveUnitPrice" | "providerCost" | "resellerCharge" | "customerCharge") => (l: Line) =>
  formatMoney(l[field], l.currency);

export function lineColumns(names: Names): LineColumn[] {
  return [
    { key: "chargeType", fields: ["chargeType"], header: "Charge type", cell: (l) => l.chargeType ?? "—" },
    {
      key: "subscription",
      fields: ["subscriptionId"],
      header: "Subscription",
      cell: (l) =>
        !l.subscriptionId ? (
          "—"
        ) : l.billable === false || !l.customerId ? (
          <Text font="monospace" wrap={false}>{l.subscriptionId}</Text>
        ) : (
          <Link to={`/subscriptions/${encodeURIComponent(l.subscriptionId)}`}>{l.subscriptionId}</Link>
        ),
    },
    { key: "customer", fields: ["customerId"], header: "Customer", cell: (l) => <PartyLink party="customer" id={l.customerId} names={names} /> },
    { key: "reseller", fields: ["resellerId"], header: "Reseller", cell: (l) => <PartyLink party="reseller" id={l.resellerId} names={names} /> },
    { key: "catalogItem", fields: ["catalogItemId"], header: "Catalog item", cell: (l) => l.catalogItemId ?? "—" },
    { key: "quantity", fields: ["quantity"], header: "Quantity", cell: (l) => String(l.quantity) },
    { key: "proration", fields: ["proration"], header: "Proration", cell: (l) => l.proration },
    {
      key: "chargePeriod",
      fields: ["chargeStartDate", "chargeEndDate"],
      header: "Charge period",
      cell: (l) => `${l.chargeStartDate ?? "—"} to ${l.chargeEndDate ?? "—"}`,
    },
    { key: "unitPrice", fields: ["unitPrice"], header: "Microsoft unit price", cell: money("unitPrice") },
    { key: "effectiveUnitPrice", fields: ["effectiveUnitPrice"], header: "Microsoft prorated unit price", cell: money("effectiveUnitPrice") },
    { key: "providerCost", fields: ["providerCost"], header: "Provider cost", cell: money("providerCost") },
    { key: "resellerCharge", fields: ["resellerCharge"], header: "Reseller charge", cell: money("resellerCharge") },
    { key: "customerCharge", fields: ["customerCharge"], header: "Customer charge", cell: money("customerCharge") },
    { key: "invoiceNumber", fields: ["invoiceNumber"], header: "Invoice", cell: (l) => l.invoiceNumber ?? "—" },
    { key: "customerTenantId", fields: ["customerTenantId"], header: "Customer tenant", cell: (l) => l.customerTenantId ?? "—" },
    { key: "billable", fields: ["billable"], header: "Billable", cell: (l) => (l.billable === undefined ? "—" : l.billable ? "yes" : "no") },
    {
      key: "lineItemIds",
      fields: ["lineItemIds"],
      header: "Microsoft line ids",
      cell: (l) => (l.lineItemIds.length ? <Text font="monospace" wrap={false}>{l.lineItemIds.join(", ")}</Text> : "—"),
    },
  ];
}

/** The columns for the fields the caller's lines carry (a field its tier may not read is absent from every line). */
export function presentColumns(columns: LineColumn[], lines: readonly Line[]): Column<Line>[] {
  return columns.filter((c) => c.fields.some((field) => lines.some((line) => field in line)));
}

