/** Set the number of seats: any addition; a removal only up to what can be removed now (said before sending,
 * but the API decides and its reason is shown). */
import { Button, Field, Input, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { ProblemBar } from "../../../components/ProblemBar";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { wipeWarningOf } from "../api/renewals";
import { useChangeSubscription, type PendingChange, type Subscription } from "../api/subscriptions";
import { checkSeats } from "../seats";
import { WipeConfirm } from "./WipeConfirm";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "32rem" },
  row: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "flex-end", flexWrap: "wrap" },
});

export function SeatsForm({
  sub,
  disabled,
  onAsked,
}: {
  sub: Subscription;
  disabled: boolean;
  onAsked: (change: PendingChange | null) => void;
}) {
  const styles = useStyles();
  const [value, setValue] = useState(String(sub.quantity));
  const [touched, setTouched] = useState(false);
  const change = useChangeSubscription(sub.id);
  const check = checkSeats(value, sub.quantity, sub.removableQuantity);
  const wipe = wipeWarningOf(change.error);
  const view = wipe ? null : viewProblem(problemOf(change.error), ["quantity"]);
  const fieldError = (touched && check.kind === "invalid" ? check.message : undefined) ?? view?.fields["quantity"];
  const hint =
    check.kind === "add"
      ? `Adds ${check.delta} ${check.delta === 1 ? "seat" : "seats"}.`
      : check.kind === "remove" && check.allowed
        ? `Removes ${check.delta} ${check.delta === 1 ? "seat" : "seats"} (${sub.removableQuantity} can be removed now).`
        : `Now ${sub.quantity}; ${sub.removableQuantity} can be removed now.`;

  const submit = (confirmWipeScheduledChanges = false) => {
    setTouched(true);
    if (check.kind === "invalid" || check.kind === "same" || change.isPending) return;
    const body = { quantity: Number(value.trim()), ...(confirmWipeScheduledChanges ? { confirmWipeScheduledChanges } : {}) };
    change.mutate(body, { onSuccess: (updated) => onAsked(updated.pendingChange) });
  };

  return (
    <form
      className={styles.form}
      noValidate
      aria-label="Seats"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className={styles.row}>
        <Field
          label="Seats"
          hint={hint}
          validationState={fieldError ? "error" : "none"}
          validationMessage={fieldError}
        >
          <Input
            name="quantity"
            type="number"
            min={1}
            value={value}
            disabled={disabled}
            onChange={(_, data) => {
              setValue(data.value);
              change.reset();
            }}
          />
        </Field>
        <Button appearance="primary" type="submit" disabled={disabled || change.isPending || check.kind === "same"}>
          {change.isPending ? "Sending…" : "Set seats"}
        </Button>
      </div>
      {check.kind === "remove" && check.message ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{check.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {wipe ? (
        <WipeConfirm wipe={wipe} confirmLabel="Set seats and wipe the scheduled changes" busy={change.isPending} onConfirm={() => submit(true)} />
      ) : null}
      <ProblemBar view={view} />
    </form>
  );
}
