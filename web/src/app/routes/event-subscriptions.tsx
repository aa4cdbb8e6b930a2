/** /event-subscriptions (provider and reseller admins and staff): the organisation's webhook endpoints; register one. */
import { useState } from "react";
import { Link as RouterLink } from "react-router";
import { Page } from "../../components/Page";
import { EndpointsTable, RegisterEndpointDialog, SecretOnce, type EventSubscriptionWithSecret } from "../../features/notifications";
import { useMe } from "../../lib/auth/me";
import { mayManageEventSubscriptions } from "../../lib/roles";

export default function EventSubscriptionsRoute() {
  const me = useMe();
  const [registered, setRegistered] = useState<EventSubscriptionWithSecret | null>(null);
  const mayManage = mayManageEventSubscriptions(me.role);
  return (
    <Page title="Event subscriptions" actions={mayManage ? <RegisterEndpointDialog onRegistered={setRegistered} /> : undefined}>
      {registered ? (
        <>
          <SecretOnce secret={registered.secret} onDismiss={() => setRegistered(null)} />
          <p>
            <RouterLink to={`/event-subscriptions/${encodeURIComponent(registered.id)}`}>Open the endpoint</RouterLink>{" "}
            to ping it and follow its deliveries.
          </p>
        </>
      ) : null}
      <EndpointsTable mayRegister={mayManage} />
    </Page>
  );
}
