import { Card, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { Details } from "../../../components/Details";
import { CheckNow } from "../../../components/CheckNow";
import { StatusBadge } from "../../../components/StatusBadge";
import { useCheckCustomer, type Customer } from "../api/customers";
import { market } from "../market";
import { WithOffboardedBadge } from "./Offboarding";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
});

export function CustomerDetails({
  customer,
  resellerName,
  mayCheck,
}: {
  customer: Customer;
  resellerName: string | null;
  mayCheck: boolean;
}) {
  const styles = useStyles();
  const check = useCheckCustomer(customer.id);
  return (
    <Card className={styles.card}>
      {customer.status === "failed" && customer.failureReason ? (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{customer.failureReason}</MessageBarBody>
        </MessageBar>
      ) : null}
      <Details
        label="Customer"
        items={[
          {
            label: "Status",
            value: (
              <WithOffboardedBadge record={customer}>
                <StatusBadge status={customer.status} />
              </WithOffboardedBadge>
            ),
          },
          { label: "Name", value: customer.name },
          { label: "Market (country / currency)", value: market(customer) },
          { label: "Domain", value: customer.domain },
          { label: "Tenant ID", value: customer.tenantId },
          { label: "Reseller", value: resellerName ?? customer.resellerId },
          { label: "Brought in by", value: customer.origin === "created" ? "a new tenant" : "an invitation" },
          { label: "Contact email", value: customer.contactEmail },
          {
            label: "Invitation link",
            value: customer.invitationUrl ? (
              <a href={customer.invitationUrl} target="_blank" rel="noreferrer">
                {customer.invitationUrl}
              </a>
            ) : null,
          },
          { label: "Storefront", value: customer.storefrontEnabled ? "enabled" : "off" },
          { label: "Invited at", value: customer.invitedAt },
          { label: "Invitation expires at", value: customer.expiresAt },
          { label: "Active since", value: customer.activatedAt },
          { label: "Ended at", value: customer.endedAt },
          ...(customer.offboardedAt ? [{ label: "Offboarded at", value: customer.offboardedAt }] : []),
          { label: "Last check", value: customer.lastCheckedAt },
          ...(customer.lastCheckResult ? [{ label: "Last check result", value: customer.lastCheckResult }] : []),
          { label: "Next check", value: customer.nextCheckAt },
        ]}
      />
      {mayCheck ? <CheckNow check={check} /> : null}
    </Card>
  );
}
