/** /customers/:id: a customer's relationship, market and status, its pricing, orders and subscriptions, and its
audit trail and its Microsoft Customer Agreement; check the relationship now, record an agreement acceptance; edit its name and contact, offboard or restore it. */
import { Link, useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page } from "../../components/Page";
import { Loading } from "../../components/States";
import { EntityAuditSection } from "../../features/audit";
import {
  AgreementSection,
  CustomerDetails,
  EditContactDialog,
  OffboardDialog,
  OffboardedNotice,
  RestoreDialog,
  useCustomer,
  useEditCustomer,
  useOffboardCustomer,
  useRestoreCustomer,
} from "../../features/customers";
import { CustomerOrdersSection } from "../../features/orders";
import { CustomerPricingSection } from "../../features/pricing";
import { CustomerSubscriptionsSection } from "../../features/subscriptions";
import { StorefrontSection } from "../../features/storefront";
import { useReseller } from "../../features/resellers";
import { useMe } from "../../lib/auth/me";
import { isAdmin, mayManageCustomers, mayOffboardCustomers } from "../../lib/roles";

export default function CustomerRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const customer = useCustomer(id);
  const reseller = useReseller(customer.data?.resellerId ?? "");
  const edit = useEditCustomer(id);
  const offboard = useOffboardCustomer(id);
  const restore = useRestoreCustomer(id);
  if (customer.isError) return <ResourceError title="Customer" error={customer.error} onRetry={() => void customer.refetch()} />;
  if (customer.isPending) {
    return (
      <Page title="Customer">
        <Loading label="Loading the customer…" />
      </Page>
    );
  }
  return (
    <Page
      title={customer.data.name}
      actions={
        <>
          {mayManageCustomers(me.role) ? <EditContactDialog current={customer.data} edit={edit} /> : null}
          {mayOffboardCustomers(me.role) ? (
            customer.data.offboardedAt ? (
              <RestoreDialog kind="customer" name={customer.data.name} restore={restore} />
            ) : (
              <OffboardDialog kind="customer" name={customer.data.name} offboard={offboard} />
            )
          ) : null}
          {me.role === "provider.admin" || me.role === "reseller.admin" ? (
            <Link to={`/members?orgType=customer&orgId=${encodeURIComponent(customer.data.id)}`}>Members</Link>
          ) : null}
        </>
      }
    >
      <OffboardedNotice record={customer.data} kind="customer" me={me.userId} />
      <CustomerDetails
        customer={customer.data}
        resellerName={reseller.data?.name ?? null}
        mayCheck={mayManageCustomers(me.role)}
      />
      <AgreementSection customer={customer.data} mayRecord={mayManageCustomers(me.role)} />
      <StorefrontSection customer={customer.data} mayEdit={mayManageCustomers(me.role)} />
      <CustomerPricingSection customer={customer.data} />
      <CustomerOrdersSection customer={customer.data} />
      <CustomerSubscriptionsSection customer={customer.data} />
      {isAdmin(me.role) ? <EntityAuditSection entityId={customer.data.id} /> : null}
    </Page>
  );
}
