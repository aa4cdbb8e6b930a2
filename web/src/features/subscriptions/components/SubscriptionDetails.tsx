/** A subscription's seats, term, billing, status and where it came from. */
import { Link } from "react-router";
import { Details } from "../../../components/Details";
import { StatusBadge } from "../../../components/StatusBadge";
import type { Subscription } from "../api/subscriptions";
import { termLabel } from "../../../lib/terms";
import { dayOf, isCoTermed, momentText } from "../format";
import { windowLeft } from "../window";

export function SubscriptionDetails({ sub, now }: { sub: Subscription; now: Date }) {
  const ended = sub.status === "deleted" || sub.status === "expired";
  const cancelWindow = windowLeft(sub.cancellationWindowEndsAt, now);
  return (
    <Details
      label="Subscription"
      items={[
        {
          label: "Status",
          value: (
            <>
              <StatusBadge status={sub.status} />
              {sub.status === "deleted" ? " (cancelled)" : null}
            </>
          ),
        },
        { label: "Seats", value: String(sub.quantity) },
        { label: "Removable now", value: String(sub.removableQuantity) },
        { label: "Term", value: termLabel(sub.termDuration) },
        { label: "Term starts", value: dayOf(sub.termStartDate) },
        {
          label: "Term ends",
          value: isCoTermed(sub) ? `${dayOf(sub.termEndDate)} (co-termed: a shorter first term)` : dayOf(sub.termEndDate),
        },
        { label: "Billing cycle", value: sub.billingCycle },
        { label: "Auto-renew", value: sub.autoRenew ? "on" : "off" },
        ...(sub.isTrial ? [{ label: "Trial ends", value: dayOf(sub.trialEndDate ?? sub.termEndDate) }] : []),
        ...(sub.upgradedFrom
          ? [{ label: "Upgraded from", value: <Link to={`/subscriptions/${encodeURIComponent(sub.upgradedFrom)}`}>Open the earlier subscription</Link> }]
          : []),
        ...(sub.upgradedTo
          ? [{ label: "Upgraded to", value: <Link to={`/subscriptions/${encodeURIComponent(sub.upgradedTo)}`}>Open the new subscription</Link> }]
          : []),
        {
          label: "Cancellation window",
          value: sub.cancellationWindowEndsAt
            ? `until ${momentText(sub.cancellationWindowEndsAt)}${ended ? "" : ` (${cancelWindow.text})`}`
            : null,
        },
        { label: "Partner of record", value: sub.partnerIdOnRecord },
        {
          label: "Order",
          value: sub.orderId ? <Link to={`/orders/${encodeURIComponent(sub.orderId)}`}>{sub.orderId}</Link> : null,
        },
        {
          label: "Customer",
          value: <Link to={`/customers/${encodeURIComponent(sub.customerId)}`}>Open the customer</Link>,
        },
        { label: "Offer", value: sub.offerId },
        ...(sub.flag === "adopted"
          ? [{ label: "Origin", value: "found in Partner Center without an order of this platform (adopted)" }]
          : []),
        { label: "Last read from Partner Center", value: momentText(sub.syncedAt) },
      ]}
    />
  );
}
