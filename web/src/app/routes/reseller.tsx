/** /resellers/:id: a reseller's relationship with the provider, its pricing and its audit trail; check it now. */
import { Link, useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page } from "../../components/Page";
import { Loading } from "../../components/States";
import { EntityAuditSection } from "../../features/audit";
import { ResellerPricingSection } from "../../features/pricing";
import { ResellerDetails, useReseller } from "../../features/resellers";
import { useMe } from "../../lib/auth/me";
import { isAdmin, mayManageResellers } from "../../lib/roles";

export default function ResellerRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const reseller = useReseller(id);
  if (reseller.isError) return <ResourceError title="Reseller" error={reseller.error} onRetry={() => void reseller.refetch()} />;
  if (reseller.isPending) {
    return (
      <Page title="Reseller">
        <Loading label="Loading the reseller…" />
      </Page>
    );
  }
  return (
    <Page
      title={reseller.data.name}
      actions={
        me.role === "provider.admin" ? (
          <Link to={`/members?orgType=reseller&orgId=${encodeURIComponent(reseller.data.id)}`}>Members</Link>
        ) : undefined
      }
    >
      <ResellerDetails reseller={reseller.data} mayCheck={mayManageResellers(me.role)} />
      <ResellerPricingSection reseller={reseller.data} />
      {isAdmin(me.role) ? <EntityAuditSection entityId={reseller.data.id} /> : null}
    </Page>
  );
}
