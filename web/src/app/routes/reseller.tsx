/** /resellers/:id: a reseller's relationship with the provider, its pricing and its audit trail; check it now; edit
 * its name and contact, offboard or restore it. */
import { Link, useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page } from "../../components/Page";
import { Loading } from "../../components/States";
import { EntityAuditSection } from "../../features/audit";
import { ResellerPricingSection } from "../../features/pricing";
import { EditContactDialog, OffboardDialog, OffboardedNotice, RestoreDialog } from "../../features/customers";
import {
  ResellerDetails,
  useEditReseller,
  useOffboardReseller,
  useReseller,
  useRestoreReseller,
} from "../../features/resellers";
import { useMe } from "../../lib/auth/me";
import { isAdmin, isProviderStaff, mayEditReseller, mayManageResellers } from "../../lib/roles";

export default function ResellerRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const reseller = useReseller(id);
  const edit = useEditReseller(id);
  const offboard = useOffboardReseller(id);
  const restore = useRestoreReseller(id);
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
        <>
          {mayEditReseller(me.role) ? (
            <EditContactDialog current={reseller.data} edit={edit} nameEditable={isProviderStaff(me.role)} />
          ) : null}
          {mayManageResellers(me.role) ? (
            reseller.data.offboardedAt ? (
              <RestoreDialog kind="reseller" name={reseller.data.name} restore={restore} />
            ) : (
              <OffboardDialog kind="reseller" name={reseller.data.name} offboard={offboard} />
            )
          ) : null}
          {me.role === "provider.admin" ? (
            <Link to={`/members?orgType=reseller&orgId=${encodeURIComponent(reseller.data.id)}`}>Members</Link>
          ) : null}
        </>
      }
    >
      <OffboardedNotice record={reseller.data} kind="reseller" me={me.userId} />
      <ResellerDetails reseller={reseller.data} mayCheck={mayManageResellers(me.role)} />
      <ResellerPricingSection reseller={reseller.data} />
      {isAdmin(me.role) ? <EntityAuditSection entityId={reseller.data.id} /> : null}
    </Page>
  );
}
