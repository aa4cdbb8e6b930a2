/** /event-subscriptions/:id: one webhook endpoint, its actions, and its deliveries with their attempts. */
import { useNavigate, useParams, useSearchParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page, Section } from "../../components/Page";
import { Loading } from "../../components/States";
import {
  DELIVERY_STATUSES,
  DeliveriesTable,
  EndpointDetails,
  useEventSubscription,
  type DeliveryStatus,
} from "../../features/notifications";
import { useMe } from "../../lib/auth/me";
import { mayManageEventSubscriptions } from "../../lib/roles";

export default function EventSubscriptionRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const endpoint = useEventSubscription(id);
  const raw = params.get("status") as DeliveryStatus | null;
  const status = raw && DELIVERY_STATUSES.includes(raw) ? raw : null;
  if (endpoint.isError) {
    return <ResourceError title="Event subscription" error={endpoint.error} onRetry={() => void endpoint.refetch()} />;
  }
  if (endpoint.isPending) {
    return (
      <Page title="Event subscription">
        <Loading label="Loading the endpoint…" />
      </Page>
    );
  }
  const mayManage = mayManageEventSubscriptions(me.role);
  return (
    <Page title={endpoint.data.description ?? "Event subscription"}>
      <EndpointDetails endpoint={endpoint.data} mayManage={mayManage} onDeleted={() => void navigate("/event-subscriptions")} />
      <Section title="Deliveries">
        <DeliveriesTable
          endpointId={endpoint.data.id}
          status={status}
          onStatus={(next) => setParams(next ? { status: next } : {}, { replace: true })}
          mayReplay={mayManage}
        />
      </Section>
    </Page>
  );
}
