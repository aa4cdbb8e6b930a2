import { Card, makeStyles, tokens } from "@fluentui/react-components";
import { Details } from "../../../components/Details";
import { CheckNow } from "../../../components/CheckNow";
import { StatusBadge } from "../../../components/StatusBadge";
import { WithOffboardedBadge } from "../../customers";
import { useCheckReseller, type Reseller } from "../api/resellers";
import { PartnerAgreementBadge, PartnerAgreementNotice } from "./PartnerAgreement";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
});

export function ResellerDetails({ reseller, mayCheck }: { reseller: Reseller; mayCheck: boolean }) {
  const styles = useStyles();
  const check = useCheckReseller(reseller.id);
  return (
    <Card className={styles.card}>
      <PartnerAgreementNotice reseller={reseller} />
      <Details
        label="Reseller"
        items={[
          {
            label: "Status",
            value: (
              <WithOffboardedBadge record={reseller}>
                <StatusBadge status={reseller.status} />
                <PartnerAgreementBadge reseller={reseller} />
              </WithOffboardedBadge>
            ),
          },
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
          ...(reseller.offboardedAt ? [{ label: "Offboarded at", value: reseller.offboardedAt }] : []),
          { label: "Last check", value: reseller.lastCheckedAt },
          ...(reseller.lastCheckResult ? [{ label: "Last check result", value: reseller.lastCheckResult }] : []),
          { label: "Next check", value: reseller.nextCheckAt },
        ]}
      />
      {mayCheck ? <CheckNow check={check} /> : null}
    </Card>
  );
}
