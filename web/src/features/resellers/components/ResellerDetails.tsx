import { Button, Card, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { Details } from "../../../components/Details";
import { ErrorState } from "../../../components/States";
import { StatusBadge } from "../../../components/StatusBadge";
import { useCheckReseller, type Reseller } from "../api/resellers";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  actions: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, alignItems: "flex-start" },
});

export function ResellerDetails({ reseller, mayCheck }: { reseller: Reseller; mayCheck: boolean }) {
  const styles = useStyles();
  const check = useCheckReseller(reseller.id);
  return (
    <Card className={styles.card}>
      <Details
        label="Reseller"
        items={[
          { label: "Status", value: <StatusBadge status={reseller.status} /> },
          { label: "Name", value: reseller.name },
          { label: "Partner ID", value: reseller.partnerId },
          { label: "Tenant ID", value: reseller.tenantId },
          { label: "Contact email", value: reseller.contactEmail },
          {
            label: "Invitation link",
            value: reseller.invitationUrl ? (
              <a href={reseller.invitationUrl} target="_blank" rel="noreferrer">
                {reseller.invitationUrl}
              </a>
            ) : null,
          },
          { label: "Invited at", value: reseller.invitedAt },
          { label: "Invitation expires at", value: reseller.expiresAt },
          { label: "Active since", value: reseller.activatedAt },
          { label: "Ended at", value: reseller.endedAt },
          { label: "Last check", value: reseller.lastCheckedAt },
          ...(reseller.lastCheckResult ? [{ label: "Last check result", value: reseller.lastCheckResult }] : []),
          { label: "Next check", value: reseller.nextCheckAt },
        ]}
      />
      {mayCheck ? (
        <div className={styles.actions}>
          <Button appearance="primary" disabled={check.isPending} onClick={() => check.mutate()}>
            {check.isPending ? "Queuing a check…" : "Check relationship now"}
          </Button>
          {check.isSuccess ? (
            <MessageBar intent="success">
              <MessageBarBody>A relationship check is queued; the status updates when it has run.</MessageBarBody>
            </MessageBar>
          ) : null}
          {check.isError ? <ErrorState error={check.error} /> : null}
        </div>
      ) : null}
    </Card>
  );
}
