/** "/": the provider's dashboard; the operator and reseller staff start on their lists; a customer admin in its
 * storefront; any other member gets a welcome. */
import { Text } from "@fluentui/react-components";
import { Navigate } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page } from "../../components/Page";
import { Loading } from "../../components/States";
import { SummaryCards, useProviderSummary } from "../../features/dashboard";
import { useMe } from "../../lib/auth/me";
import { isCustomerAdmin, isOperator, isProviderStaff, isResellerStaff } from "../../lib/roles";

function ProviderDashboard({ providerId }: { providerId: string }) {
  const summary = useProviderSummary(providerId);
  if (summary.isError) return <ResourceError title="Dashboard" error={summary.error} onRetry={() => void summary.refetch()} />;
  return (
    <Page title="Dashboard">
      {summary.isPending ? <Loading label="Loading the dashboard…" /> : <SummaryCards summary={summary.data} />}
    </Page>
  );
}

export default function HomeRoute() {
  const me = useMe();
  if (isOperator(me.role)) return <Navigate to="/providers" replace />;
  if (isProviderStaff(me.role)) return <ProviderDashboard providerId={me.orgId} />;
  if (isResellerStaff(me.role)) return <Navigate to="/customers" replace />;
  if (isCustomerAdmin(me.role)) return <Navigate to="/store/catalog" replace />;
  return (
    <Page title="Welcome">
      <Text>
        Your organisation&apos;s storefront will appear here: its catalog, subscriptions, orders and charges. It is not
        open in this console yet.
      </Text>
    </Page>
  );
}
