/** /resellers (provider staff): the provider's resellers by status, offboarded ones when asked for; invite one. */
import { Link, MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { useState } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import {
  InviteResellerDialog,
  PartnerAgreementNotice,
  RESELLER_STATUSES,
  ResellersTable,
  type ResellerFilters,
  type ResellerInvitation,
  type ResellerStatus,
} from "../../features/resellers";

export default function ResellersRoute() {
  const [params, setParams] = useSearchParams();
  const [invited, setInvited] = useState<ResellerInvitation | null>(null);
  const raw = params.get("status") as ResellerStatus | null;
  const status = raw && RESELLER_STATUSES.includes(raw) ? raw : null;
  const filters: ResellerFilters = { status, showOffboarded: params.get("offboarded") === "shown" };
  const setFilters = (next: ResellerFilters) => {
    const search: Record<string, string> = {};
    if (next.status) search.status = next.status;
    if (next.showOffboarded) search.offboarded = "shown";
    setParams(search, { replace: true });
  };
  return (
    <Page title="Resellers" actions={<InviteResellerDialog onInvited={setInvited} />}>
      {invited ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{invited.name} is invited</MessageBarTitle>
            Send them the invitation link:{" "}
            <Link href={invited.invitationUrl} target="_blank" rel="noreferrer">
              {invited.invitationUrl}
            </Link>
            . A relationship check is queued.{" "}
            <RouterLink to={`/resellers/${encodeURIComponent(invited.resellerId)}`}>Open the reseller</RouterLink>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {invited ? <PartnerAgreementNotice reseller={invited} /> : null}
      <ResellersTable filters={filters} onFilters={setFilters} />
    </Page>
  );
}
