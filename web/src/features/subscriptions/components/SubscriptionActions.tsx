/** What staff change on a subscription: seats, suspend or reactivate, upgrade (or a trial's conversion), cancel,
 * and a sync now. The end of term (renew, cancel at end of term, Extended Service Term) is chosen in its section. */
import { Button, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import { ErrorState } from "../../../components/States";
import {
  isPending,
  useChangeSubscription,
  useSyncSubscription,
  type PendingChange,
  type Subscription,
} from "../api/subscriptions";
import { momentText } from "../format";
import { windowLeft } from "../window";
import { FormDialog } from "../../../components/FormDialog";
import { CancelDialog } from "./CancelDialog";
import { SeatsForm } from "./SeatsForm";
import { UpgradeForm } from "./UpgradeForm";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  buttons: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

const ENDED = ["deleted", "expired"];

export function SubscriptionActions({
  sub,
  now,
  onAsked,
}: {
  sub: Subscription;
  now: Date;
  onAsked: (change: PendingChange | null) => void;
}) {
  const styles = useStyles();
  const change = useChangeSubscription(sub.id);
  const sync = useSyncSubscription(sub.id);
  const busy = isPending(sub) || change.isPending;
  const ended = ENDED.includes(sub.status);
  const suspended = sub.status === "suspended";
  const cancelWindow = windowLeft(sub.cancellationWindowEndsAt, now);
  const ask = (body: Parameters<typeof change.mutate>[0]) =>
    change.mutate(body, { onSuccess: (updated) => onAsked(updated.pendingChange) });

  return (
    <div className={styles.root}>
      {isPending(sub) ? <Text>Another change can be asked once this one is applied.</Text> : null}
      {ended ? (
        <Text>This subscription is {sub.status === "deleted" ? "cancelled" : "expired"}: it cannot be changed.</Text>
      ) : (
        <>
          {suspended ? (
            <Text>Reactivate the subscription to change its seats or auto-renew.</Text>
          ) : (
            <SeatsForm key={`${sub.id}-${sub.quantity}-${sub.pendingChange?.id ?? ""}`} sub={sub} disabled={busy} onAsked={onAsked} />
          )}
          <div className={styles.buttons}>
            {suspended ? (
              <Button disabled={busy} onClick={() => ask({ status: "active" })}>
                Reactivate
              </Button>
            ) : (
              <Button disabled={busy} onClick={() => ask({ status: "suspended" })}>
                Suspend
              </Button>
            )}
            {sub.status === "active" && !busy ? (
              <FormDialog
                label={sub.isTrial ? "Convert to paid" : "Upgrade"}
                title={sub.isTrial ? `Convert ${sub.name} to paid` : `Upgrade ${sub.name}`}
                appearance="secondary"
              >
                {(close) => (
                  <UpgradeForm
                    sub={sub}
                    onCancel={close}
                    onDone={(updated) => {
                      close();
                      onAsked(updated.pendingChange);
                    }}
                  />
                )}
              </FormDialog>
            ) : null}
            {cancelWindow.open ? (
              <CancelDialog sub={sub} windowText={cancelWindow.text} disabled={busy} onAsked={onAsked} />
            ) : null}
          </div>
          {cancelWindow.open ? null : (
            <Text>
              The cancellation window has closed: choose "Cancel at end of term" to let the subscription end at its
              term end.
            </Text>
          )}
          {change.isError ? <ErrorState error={change.error} /> : null}
        </>
      )}
      <div className={styles.buttons}>
        <Button disabled={sync.isPending} onClick={() => sync.mutate()}>
          {sync.isPending ? "Reading Partner Center…" : "Sync now"}
        </Button>
        <Text>Last read from Partner Center: {momentText(sub.syncedAt) ?? "never"}</Text>
      </div>
      {sync.isSuccess ? (
        <MessageBar intent="success">
          <MessageBarBody>Read from Partner Center at {momentText(sync.data.syncedAt) ?? "—"}.</MessageBarBody>
        </MessageBar>
      ) : null}
      {sync.isError ? <ErrorState error={sync.error} /> : null}
    </div>
  );
}
