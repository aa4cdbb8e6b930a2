/**
 * "At the end of the term" on a subscription's page: what will happen and when (renew, renew with the scheduled
 * changes, end, or the paid Extended Service Term with its premium in words and figures), the choice of end of
 * term, and the changes scheduled for the next term with "Schedule changes" and "Clear scheduled changes". A
 * subscription only goes into the Extended Service Term when someone chooses it here, knowing its price.
 */
import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { Link } from "react-router";
import { Details } from "../../../components/Details";
import { FormDialog } from "../../../components/FormDialog";
import { Section } from "../../../components/Page";
import { ErrorState } from "../../../components/States";
import type { EndOfTerm, EndOfTermChoice, Renewal } from "../../../lib/api/extra";
import { termLabel } from "../../../lib/terms";
import { useClearScheduledChanges, useRenewal, useScheduleChanges } from "../api/renewals";
import { isPending, useChangeSubscription, type PendingChange, type Subscription } from "../api/subscriptions";
import { dayOf } from "../format";
import { endDateOf, endOfTermOf, endOfTermStory, premiumWords } from "../life";
import { ScheduleChangesForm } from "./ScheduleChangesForm";

const useStyles = makeStyles({
  part: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  buttons: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  subtitle: { margin: 0 },
});

const CHOICES: { value: EndOfTermChoice; label: string }[] = [
  { value: "renew", label: "Renew" },
  { value: "cancel", label: "Cancel at end of term" },
  { value: "extendedServiceTerm", label: "Extended Service Term (paid, month by month)" },
];

const choiceOf = (endOfTerm: EndOfTerm): EndOfTermChoice => (endOfTerm === "renewWithChanges" ? "renew" : endOfTerm);

function EndOfTermChoiceForm({
  sub,
  renewal,
  disabled,
  onAsked,
}: {
  sub: Subscription;
  renewal: Renewal | null | undefined;
  disabled: boolean;
  onAsked: (change: PendingChange | null) => void;
}) {
  const styles = useStyles();
  const current = choiceOf(endOfTermOf(sub, renewal));
  const [choice, setChoice] = useState<EndOfTermChoice>(current);
  const change = useChangeSubscription(sub.id);
  const date = endDateOf(sub, renewal) ?? "the end of the term";
  const save = () =>
    change.mutate({ endOfTerm: choice }, { onSuccess: (updated) => onAsked(updated.pendingChange) });
  return (
    <div className={styles.part}>
      <RadioGroup
        aria-label="End of term"
        value={choice}
        disabled={disabled}
        onChange={(_, data) => {
          setChoice(data.value as EndOfTermChoice);
          change.reset();
        }}
      >
        {CHOICES.map((c) => (
          <Radio key={c.value} value={c.value} label={c.label} />
        ))}
      </RadioGroup>
      {choice !== current ? (
        <>
          {choice === "extendedServiceTerm" ? (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>The Extended Service Term costs more</MessageBarTitle>
                After {date} the subscription goes on month by month, {premiumWords(sub, renewal)}. It goes on until it
                is cancelled (at once, without a refund) or renewed.
              </MessageBarBody>
            </MessageBar>
          ) : choice === "cancel" ? (
            <Text>On {date} the subscription ends and the customer loses the licenses; no Extended Service Term is billed.</Text>
          ) : (
            <Text>On {date} the subscription renews for another term{sub.scheduledChanges ? ", with the scheduled changes" : ""}.</Text>
          )}
          <div className={styles.buttons}>
            <Button appearance="primary" disabled={disabled || change.isPending} onClick={save}>
              {change.isPending
                ? "Sending…"
                : choice === "extendedServiceTerm"
                  ? "Choose the Extended Service Term"
                  : choice === "cancel"
                    ? "Cancel at end of term"
                    : "Renew at end of term"}
            </Button>
            <Button disabled={change.isPending} onClick={() => setChoice(current)}>
              Keep as it is
            </Button>
          </div>
        </>
      ) : null}
      {change.isError ? <ErrorState error={change.error} /> : null}
    </div>
  );
}

function ScheduledChangesPart({
  sub,
  renewal,
  mayChange,
  disabled,
  onAsked,
}: {
  sub: Subscription;
  renewal: Renewal | null | undefined;
  mayChange: boolean;
  disabled: boolean;
  onAsked: (change: PendingChange | null) => void;
}) {
  const styles = useStyles();
  const schedule = useScheduleChanges(sub.id);
  const clear = useClearScheduledChanges(sub.id);
  const changes = sub.scheduledChanges ?? renewal?.scheduledChanges ?? null;
  return (
    <div className={styles.part}>
      <Text as="h3" weight="semibold" className={styles.subtitle}>
        Scheduled changes
      </Text>
      {changes ? (
        <Details
          label="Scheduled changes"
          items={[
            { label: "Item", value: changes.name },
            { label: "Seats", value: String(changes.quantity) },
            { label: "Term", value: termLabel(changes.termDuration) },
            { label: "Billing cycle", value: changes.billingCycle },
            { label: "Custom term end date", value: dayOf(changes.customTermEndDate) ?? "none: a whole term" },
          ]}
        />
      ) : (
        <Text>No change is scheduled: the subscription renews as it is.</Text>
      )}
      {mayChange ? (
        <div className={styles.buttons}>
          {disabled || !renewal ? (
            <Button disabled>Schedule changes</Button>
          ) : (
            <FormDialog label="Schedule changes" title={`Changes at renewal of ${sub.name}`} appearance="secondary">
              {(close) => (
                <ScheduleChangesForm
                  sub={{ ...sub, scheduledChanges: changes }}
                  targets={renewal.targets}
                  schedule={schedule}
                  onDone={(updated) => {
                    close();
                    onAsked(updated.pendingChange);
                  }}
                  onCancel={close}
                />
              )}
            </FormDialog>
          )}
          {changes ? (
            <Button
              disabled={disabled || clear.isPending}
              onClick={() => clear.mutate(undefined, { onSuccess: (updated) => onAsked(updated.pendingChange) })}
            >
              {clear.isPending ? "Clearing…" : "Clear scheduled changes"}
            </Button>
          ) : null}
        </div>
      ) : null}
      {clear.isError ? <ErrorState error={clear.error} /> : null}
    </div>
  );
}

export function EndOfTermSection({
  sub,
  mayChange,
  onAsked,
}: {
  sub: Subscription;
  mayChange: boolean;
  onAsked: (change: PendingChange | null) => void;
}) {
  const styles = useStyles();
  const active = sub.status === "active";
  const renewal = useRenewal(sub.id, active);
  const busy = isPending(sub);
  return (
    <Section title="At the end of the term">
      {sub.upgradedTo ? (
        <MessageBar intent="success">
          <MessageBarBody>
            Upgraded: the seats moved to a new subscription.{" "}
            <Link to={`/subscriptions/${encodeURIComponent(sub.upgradedTo)}`}>Open the new subscription</Link>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {sub.isTrial ? (
        <Text>
          Trial: free until {dayOf(sub.trialEndDate ?? sub.termEndDate) ?? "its end"}. It expires then unless it is
          converted to paid; a trial never goes into the Extended Service Term.
        </Text>
      ) : null}
      {active ? (
        <>
          <Text>{sub.isTrial ? null : endOfTermStory(sub, renewal.data)}</Text>
          {renewal.isError ? <ErrorState error={renewal.error} onRetry={() => void renewal.refetch()} /> : null}
          {mayChange && !sub.isTrial ? (
            <EndOfTermChoiceForm
              key={`${endOfTermOf(sub, renewal.data)}-${sub.pendingChange?.id ?? ""}`}
              sub={sub}
              renewal={renewal.data}
              disabled={busy}
              onAsked={onAsked}
            />
          ) : null}
          {sub.isTrial ? null : (
            <ScheduledChangesPart sub={sub} renewal={renewal.data} mayChange={mayChange} disabled={busy} onAsked={onAsked} />
          )}
        </>
      ) : (
        <Text className={styles.subtitle}>
          {sub.status === "suspended" ? "Reactivate the subscription to plan its renewal." : "The subscription has ended: nothing happens at a term end."}
        </Text>
      )}
    </Section>
  );
}
