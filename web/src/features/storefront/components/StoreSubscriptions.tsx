/** The customer's subscriptions: seats, term end and what happens then, the changes scheduled for the next term
 * (scheduled and cleared here where the reseller allows it), auto-renew, the seats removable now and until when; change the
 * seats (adding always, removing only when the reseller allows it and within the window) and auto-renew, then
 * follow the change until Partner Center applies or refuses it. */
import { Button, Card, Field, Input, Switch, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useState } from "react";
import { Link } from "react-router";
import { Details } from "../../../components/Details";
import { FormDialog } from "../../../components/FormDialog";
import { ErrorState } from "../../../components/States";
import { Page } from "../../../components/Page";
import { ProblemBar } from "../../../components/ProblemBar";
import { EmptyState, Loading } from "../../../components/States";
import { isApiError, problemOf, viewProblem } from "../../../lib/api/problem";
import { ChangeStatusBar, ScheduleChangesForm, type PendingChange } from "../../subscriptions";
import { endDateOf, endOfTermStory, scheduledText } from "../../subscriptions/life";
import { checkSeats } from "../../subscriptions/seats";
import { dayOf, momentText, termAndCycle } from "../../subscriptions/format";
import {
  allowsRenewalChanges,
  useChangeStoreSubscription,
  useClearStoreChanges,
  useScheduleStoreChanges,
  useStoreCustomer,
  useStoreSubscriptions,
  type StoreSubscription,
} from "../api/storefront";
import { StoreError } from "./StoreError";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  card: { padding: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  row: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "flex-end", flexWrap: "wrap" },
  pager: { display: "flex", gap: tokens.spacingHorizontalM },
});

/** What happens at the end of the term, and the changes scheduled for the next one; scheduled and cleared by the
 * customer's admin where its reseller allows it. */
function RenewalPart({ sub, allowChanges, onAsked }: { sub: StoreSubscription; allowChanges: boolean; onAsked: (change: PendingChange | null) => void }) {
  const styles = useStyles();
  const schedule = useScheduleStoreChanges(sub.id);
  const clear = useClearStoreChanges(sub.id);
  const pending = sub.pendingChange?.status === "pending";
  const active = sub.status === "active";
  return (
    <>
      {active && !sub.isTrial ? <Text>{endOfTermStory(sub)}</Text> : null}
      {allowChanges && active && !sub.isTrial ? (
        <div className={styles.row}>
          {pending ? (
            <Button disabled>Schedule changes</Button>
          ) : (
            <FormDialog label="Schedule changes" title={`Changes at renewal of ${sub.name}`} appearance="secondary">
              {(close) => (
                <ScheduleChangesForm
                  sub={sub}
                  targets={null}
                  schedule={schedule}
                  onCancel={close}
                  onDone={(updated) => {
                    close();
                    onAsked(updated.pendingChange);
                  }}
                />
              )}
            </FormDialog>
          )}
          {sub.scheduledChanges ? (
            <Button
              disabled={pending || clear.isPending}
              onClick={() => clear.mutate(undefined, { onSuccess: (updated) => onAsked(updated.pendingChange) })}
            >
              Clear scheduled changes
            </Button>
          ) : null}
        </div>
      ) : null}
      {clear.isError ? <ErrorState error={clear.error} /> : null}
    </>
  );
}

function SubscriptionCard({ sub, allowDecrease, allowChanges }: { sub: StoreSubscription; allowDecrease: boolean; allowChanges: boolean }) {
  const styles = useStyles();
  const titleId = useId();
  const seats = useChangeStoreSubscription(sub.id);
  const renew = useChangeStoreSubscription(sub.id);
  const [value, setValue] = useState(String(sub.quantity));
  const [followed, setFollowed] = useState<PendingChange | null>(null);
  const pending = sub.pendingChange?.status === "pending";
  const check = checkSeats(value, sub.quantity, allowDecrease ? sub.removableQuantity : 0);
  const seatsProblem = problemOf(seats.error);
  const seatsView = viewProblem(seatsProblem, ["quantity"]);
  // a refusal of the state (409: outside the window, not allowed, a change pending) belongs to the field
  const fieldError =
    (check.kind === "invalid" ? check.message : undefined) ??
    (check.kind === "remove" && !allowDecrease ? "Your reseller does not let you remove seats here; ask it to." : undefined) ??
    seatsView?.fields["quantity"] ??
    (isApiError(seats.error, 409) ? seatsProblem?.detail : undefined);
  const hint =
    check.kind === "add"
      ? `Adds ${check.delta} ${check.delta === 1 ? "seat" : "seats"}.`
      : check.kind === "remove" && allowDecrease
        ? check.allowed
          ? `Removes ${check.delta} ${check.delta === 1 ? "seat" : "seats"}.`
          : (check.message ?? undefined)
        : `Now ${sub.quantity}.`;
  const submitSeats = () => {
    if (check.kind === "invalid" || check.kind === "same" || seats.isPending || pending) return;
    if (check.kind === "remove" && !allowDecrease) return;
    seats.mutate({ quantity: Number(value.trim()) }, { onSuccess: (updated) => setFollowed(updated.pendingChange) });
  };
  const renewView = viewProblem(problemOf(renew.error), []);
  const window = sub.cancellationWindowEndsAt ? momentText(sub.cancellationWindowEndsAt) : null;
  return (
    <Card className={styles.card} role="group" aria-labelledby={titleId}>
      <h2 id={titleId} className={styles.title}>
        {sub.name}
      </h2>
      <Details
        label={`${sub.name} details`}
        items={[
          { label: "Status", value: sub.status },
          { label: "Seats", value: String(sub.quantity) },
          { label: "Term", value: termAndCycle(sub) },
          { label: "Term ends", value: endDateOf(sub) ?? dayOf(sub.termEndDate) },
          ...(sub.isTrial ? [{ label: "Trial ends", value: dayOf(sub.trialEndDate ?? sub.termEndDate) }] : []),
          { label: "Scheduled for the next term", value: sub.scheduledChanges ? scheduledText(sub.scheduledChanges) : "no change" },
          { label: "Auto-renew", value: sub.autoRenew ? "on" : "off" },
          {
            label: "Seats removable now",
            value: allowDecrease ? `${sub.removableQuantity}${window ? ` (until ${window})` : ""}` : "none (your reseller does not allow removing seats)",
          },
        ]}
      />
      <ChangeStatusBar sub={sub} followed={followed} />
      <RenewalPart sub={sub} allowChanges={allowChanges} onAsked={setFollowed} />
      <form
        className={styles.row}
        noValidate
        aria-label={`Seats of ${sub.name}`}
        onSubmit={(event) => {
          event.preventDefault();
          submitSeats();
        }}
      >
        <Field label={`Seats of ${sub.name}`} hint={hint} validationState={fieldError ? "error" : "none"} validationMessage={fieldError}>
          <Input
            type="number"
            min={1}
            value={value}
            disabled={pending}
            onChange={(_, data) => {
              setValue(data.value);
              seats.reset();
            }}
          />
        </Field>
        <Button appearance="primary" type="submit" disabled={pending || seats.isPending || check.kind === "same" || check.kind === "invalid" || (check.kind === "remove" && !allowDecrease)}>
          {seats.isPending ? "Sending…" : "Change seats"}
        </Button>
      </form>
      {seatsView && !fieldError ? <ProblemBar view={seatsView} /> : null}
      <Switch
        label={`Auto-renew ${sub.name}`}
        checked={sub.autoRenew}
        disabled={pending || renew.isPending}
        onChange={(_, data) => renew.mutate({ autoRenew: data.checked }, { onSuccess: (updated) => setFollowed(updated.pendingChange) })}
      />
      <ProblemBar view={renewView} />
    </Card>
  );
}

export function StoreSubscriptions({ customerId }: { customerId: string }) {
  const styles = useStyles();
  const [tokensStack, setTokens] = useState<(string | null)[]>([null]);
  const token = tokensStack[tokensStack.length - 1] ?? null;
  const list = useStoreSubscriptions(token);
  const customer = useStoreCustomer(customerId);
  if (list.isError) return <StoreError title="Subscriptions" error={list.error} onRetry={() => void list.refetch()} />;
  const allowDecrease = customer.data?.storefrontPolicy.allowSeatDecrease ?? false;
  const allowChanges = allowsRenewalChanges(customer.data);
  const next = list.data?.continuationToken ?? null;
  return (
    <Page title="Subscriptions" actions={<Link to="/store/catalog">Buy more in the store</Link>}>
      {list.isPending || customer.isPending ? (
        <Loading label="Loading your subscriptions…" />
      ) : list.data.items.length === 0 && tokensStack.length === 1 ? (
        <EmptyState>
          No subscription yet. <Link to="/store/catalog">Find products in the store</Link>.
        </EmptyState>
      ) : (
        <div className={styles.list}>
          {list.data.items.map((sub) => (
            <SubscriptionCard key={sub.id} sub={sub} allowDecrease={allowDecrease} allowChanges={allowChanges} />
          ))}
        </div>
      )}
      {tokensStack.length > 1 || next ? (
        <div className={styles.pager}>
          <Button disabled={tokensStack.length <= 1} onClick={() => setTokens(tokensStack.slice(0, -1))}>
            Previous page
          </Button>
          <Button disabled={!next} onClick={() => next && setTokens([...tokensStack, next])}>
            Next page
          </Button>
        </div>
      ) : null}
    </Page>
  );
}
