/** /subscriptions/:id: seats, term and seat lots with their windows; what happens at the end of the term and the
 * changes scheduled for the next; change, suspend, upgrade, cancel. */
import { Card, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page, Section } from "../../components/Page";
import { Loading } from "../../components/States";
import {
  ChangeStatusBar,
  EndOfTermSection,
  SeatLotsTable,
  SubscriptionActions,
  SubscriptionDetails,
  useNow,
  useSubscription,
  type PendingChange,
} from "../../features/subscriptions";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff, isResellerStaff } from "../../lib/roles";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
});

export default function SubscriptionRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const styles = useStyles();
  const subscription = useSubscription(id);
  const now = useNow(30_000, subscription.dataUpdatedAt);
  const [followed, setFollowed] = useState<PendingChange | null>(null);
  const mayChange = isProviderStaff(me.role) || isResellerStaff(me.role);

  if (subscription.isError) {
    return <ResourceError title="Subscription" error={subscription.error} onRetry={() => void subscription.refetch()} />;
  }
  if (subscription.isPending) {
    return (
      <Page title="Subscription">
        <Loading label="Loading the subscription…" />
      </Page>
    );
  }
  const sub = subscription.data;
  return (
    <Page title={sub.name}>
      <ChangeStatusBar sub={sub} followed={followed} />
      <Card className={styles.card}>
        <SubscriptionDetails sub={sub} now={now} />
      </Card>
      <Section title="Seat lots">
        <SeatLotsTable lots={sub.lots} now={now} />
      </Section>
      <EndOfTermSection sub={sub} mayChange={mayChange} onAsked={setFollowed} />
      {mayChange ? (
        <Section title="Change">
          <SubscriptionActions sub={sub} now={now} onAsked={setFollowed} />
        </Section>
      ) : null}
    </Page>
  );
}
