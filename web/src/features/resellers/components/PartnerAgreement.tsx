import { Badge, MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { Reseller } from "../api/resellers";

const PARTNER_AGREEMENT_MISSING = "partnerAgreementMissing";

type Flagged = Pick<Reseller, "flag">;

function partnerAgreementMissing(reseller: Flagged): boolean {
  return reseller.flag === PARTNER_AGREEMENT_MISSING;
}

/** Beside a reseller's status in lists: Partner Center says it has not signed the Microsoft Partner Agreement. */
export function PartnerAgreementBadge({ reseller }: { reseller: Flagged }) {
  if (!partnerAgreementMissing(reseller)) return null;
  return (
    <Badge appearance="tint" color="danger" shape="rounded">
      Partner Agreement not signed
    </Badge>
  );
}

/** The reseller page's notice: what the flag blocks and what to do about it. */
export function PartnerAgreementNotice({ reseller }: { reseller: Flagged }) {
  if (!partnerAgreementMissing(reseller)) return null;
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Partner Agreement not signed</MessageBarTitle>
        Partner Center says this reseller has not signed the Microsoft Partner Agreement, so it cannot be partner of
        record: orders for its customers are refused. Ask the reseller to accept the agreement in its own Partner Center
        account, then use “Check now” to confirm it.
      </MessageBarBody>
    </MessageBar>
  );
}
