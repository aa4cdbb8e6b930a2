import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { Details } from "../../../components/Details";
import { ProblemBar } from "../../../components/ProblemBar";
import { StatusBadge } from "../../../components/StatusBadge";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoment } from "../../../lib/moment";
import {
  useChangeEventSubscription,
  useDeleteEventSubscription,
  usePing,
  useRotateSecret,
  type EventSubscription,
} from "../api/notifications";
import { SecretOnce } from "./SecretOnce";

const useStyles = makeStyles({
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalM },
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/** An endpoint's fields and, for its organisation's admins, enable/disable, rotate the secret, ping, delete. */
export function EndpointDetails({
  endpoint,
  mayManage,
  onDeleted,
}: {
  endpoint: EventSubscription;
  mayManage: boolean;
  onDeleted: () => void;
}) {
  const styles = useStyles();
  const change = useChangeEventSubscription(endpoint.id);
  const rotate = useRotateSecret(endpoint.id);
  const ping = usePing(endpoint.id);
  const remove = useDeleteEventSubscription(endpoint.id);
  const [secret, setSecret] = useState<string | null>(null);
  const [pinged, setPinged] = useState(false);
  const error = change.error ?? rotate.error ?? ping.error ?? remove.error;
  return (
    <div className={styles.root}>
      {secret ? <SecretOnce secret={secret} onDismiss={() => setSecret(null)} /> : null}
      <ProblemBar view={viewProblem(problemOf(error), [])} />
      {pinged && ping.isSuccess ? <p role="status">A ping is on its way: its delivery shows below.</p> : null}
      <Details
        label="Endpoint"
        items={[
          { label: "URL", value: endpoint.url },
          { label: "State", value: <StatusBadge status={endpoint.enabled ? "active" : "disabled"} /> },
          { label: "Events", value: endpoint.events.join(", ") },
          { label: "Description", value: endpoint.description },
          { label: "Owner", value: `${endpoint.ownerType} ${endpoint.ownerId}` },
          { label: "Registered", value: `${formatMoment(endpoint.createdAt)} by ${endpoint.createdBy}` },
          { label: "Secret rotated", value: endpoint.secretRotatedAt ? formatMoment(endpoint.secretRotatedAt) : null },
        ]}
      />
      {mayManage ? (
        <div className={styles.actions}>
          <Button disabled={change.isPending} onClick={() => change.mutate({ enabled: !endpoint.enabled })}>
            {endpoint.enabled ? "Disable" : "Enable"}
          </Button>
          <Button
            disabled={ping.isPending || !endpoint.enabled}
            onClick={() => ping.mutate(undefined, { onSuccess: () => setPinged(true) })}
          >
            Send a ping
          </Button>
          <Button
            disabled={rotate.isPending}
            onClick={() => rotate.mutate(undefined, { onSuccess: (rotated) => setSecret(rotated.secret) })}
          >
            Rotate secret
          </Button>
          <Dialog>
            <DialogTrigger disableButtonEnhancement>
              <Button>Delete</Button>
            </DialogTrigger>
            <DialogSurface>
              <DialogBody>
                <DialogTitle>Delete this endpoint?</DialogTitle>
                <DialogContent>
                  {endpoint.url} receives no more events; deliveries still pending are given up.
                </DialogContent>
                <DialogActions>
                  <DialogTrigger disableButtonEnhancement>
                    <Button>Keep it</Button>
                  </DialogTrigger>
                  <Button appearance="primary" disabled={remove.isPending} onClick={() => remove.mutate(undefined, { onSuccess: onDeleted })}>
                    Delete endpoint
                  </Button>
                </DialogActions>
              </DialogBody>
            </DialogSurface>
          </Dialog>
        </div>
      ) : null}
    </div>
  );
}
