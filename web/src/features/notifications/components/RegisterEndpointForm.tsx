import { Checkbox, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { useFormValues, useSubmitOnce } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import {
  EVENT_TYPES,
  useRegisterEventSubscription,
  type EventSubscriptionWithSecret,
  type EventType,
} from "../api/notifications";

const FIELDS = ["url", "events", "description"] as const;

const useStyles = makeStyles({
  events: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    border: "none",
    margin: 0,
    padding: 0,
  },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** POST /api/event-subscriptions: 201 with the endpoint and its signing secret, shown once. */
export function RegisterEndpointForm({
  onRegistered,
  onCancel,
}: {
  onRegistered: (endpoint: EventSubscriptionWithSecret) => void;
  onCancel?: () => void;
}) {
  const styles = useStyles();
  const form = useFormValues({ url: "", description: "" });
  const [events, setEvents] = useState<EventType[]>(["order.pendingApproval", "order.failed"]);
  const register = useRegisterEventSubscription();
  const submitOnce = useSubmitOnce(register);
  const view = viewProblem(problemOf(register.error), FIELDS);
  const eventsError = view ? Object.entries(view.fields).find(([field]) => field.startsWith("events"))?.[1] : undefined;

  const toggle = (value: EventType, on: boolean) =>
    setEvents((current) => (on ? [...current.filter((e) => e !== value), value] : current.filter((e) => e !== value)));

  const submit = () =>
    submitOnce(
      {
        idempotencyKey: form.idempotencyKey(),
        body: {
          url: form.values.url.trim(),
          events: EVENT_TYPES.map((e) => e.value).filter((e) => events.includes(e)),
          description: form.values.description.trim() || null,
        },
      },
      onRegistered,
    );

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Register endpoint" busyLabel="Registering…" busy={register.isPending}>
      <ProblemBar view={view} />
      <TextField
        name="url"
        label="URL"
        hint="https only; where your systems receive the events."
        required
        placeholder="https://hooks.example.com/csp"
        value={form.values.url}
        onValue={form.set("url")}
        error={view?.fields["url"]}
      />
      <fieldset className={styles.events} aria-describedby={eventsError ? "events-error" : undefined}>
        <legend>Events (at least one)</legend>
        {EVENT_TYPES.map((e) => (
          <Checkbox
            key={e.value}
            label={`${e.label} (${e.value})`}
            checked={events.includes(e.value)}
            onChange={(_, data) => toggle(e.value, data.checked === true)}
          />
        ))}
        {eventsError ? (
          <Text id="events-error" role="alert" className={styles.error}>
            {eventsError}
          </Text>
        ) : null}
      </fieldset>
      <TextField
        name="description"
        label="Description"
        value={form.values.description}
        onValue={form.set("description")}
        error={view?.fields["description"]}
      />
    </CreateForm>
  );
}

export function RegisterEndpointDialog({ onRegistered }: { onRegistered: (endpoint: EventSubscriptionWithSecret) => void }) {
  return (
    <FormDialog label="Register an endpoint">
      {(close, closeThen) => (
        <RegisterEndpointForm onCancel={close} onRegistered={(endpoint) => closeThen(() => onRegistered(endpoint))} />
      )}
    </FormDialog>
  );
}
