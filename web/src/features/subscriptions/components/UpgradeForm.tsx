/**
 * Upgrade a subscription (a Partner Center transition) or convert a trial to paid: the targets Partner Center
 * offers now, the eligible ones to choose with their price, the others with the reasons they are not; the seats
 * to move and whether the users keep their licenses. Sent once (one Idempotency-Key per dialog); the page then
 * follows the queued change until the new subscription exists.
 */
import {
  Field,
  Input,
  Radio,
  RadioGroup,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { CreateForm } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { newIdempotencyKey } from "../../../lib/api/client";
import type { TransitionType, UpgradeOption } from "../../../lib/api/extra";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoney } from "../../../lib/money";
import { useUpgrade, useUpgrades, wipeWarningOf } from "../api/renewals";
import type { Subscription } from "../api/subscriptions";
import { termAndCycle } from "../format";
import { WipeConfirm } from "./WipeConfirm";

const FIELDS = ["toCatalogItemId", "quantity", "transitionType"];

const useStyles = makeStyles({
  ineligible: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const TRANSITION_TYPES: { value: TransitionType; label: string }[] = [
  { value: "transitionWithLicenseTransfer", label: "Keep the licenses: users move to the new subscription" },
  { value: "transitionOnly", label: "New subscription only: users keep the old licenses until they are reassigned" },
];

/** Partner Center's transition type ("transition_with_license_transfer") as the API's ("transitionWithLicenseTransfer"). */
const camel = (value: string) => value.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

const optionText = (option: UpgradeOption) => {
  const price = option.unitPrice !== null && option.currency ? `${formatMoney(option.unitPrice, option.currency)} per seat` : "price not known";
  const term = option.termDuration ? `, ${termAndCycle({ termDuration: option.termDuration, billingCycle: option.billingCycle ?? "" })}` : "";
  return `${option.name}${term}: ${price}`;
};

export function UpgradeForm({
  sub,
  onDone,
  onCancel,
}: {
  sub: Subscription;
  onDone: (updated: Subscription) => void;
  onCancel?: () => void;
}) {
  const styles = useStyles();
  const [key] = useState(newIdempotencyKey);
  const options = useUpgrades(sub.id);
  const upgrade = useUpgrade(sub.id, key);
  const [target, setTarget] = useState("");
  const [quantity, setQuantity] = useState(String(sub.quantity));
  const [transitionType, setTransitionType] = useState<TransitionType>("transitionWithLicenseTransfer");
  const [localError, setLocalError] = useState<string | undefined>();
  const wipe = wipeWarningOf(upgrade.error);
  const view = wipe ? null : viewProblem(problemOf(upgrade.error), FIELDS);
  const trial = sub.isTrial === true;

  if (options.isPending) return <Loading label="Reading what Partner Center offers…" />;
  if (options.isError) return <ErrorState error={options.error} onRetry={() => void options.refetch()} />;
  const eligible = options.data.items.filter((o) => o.eligible);
  const ineligible = options.data.items.filter((o) => !o.eligible);
  const chosen = eligible.find((o) => o.catalogItemId === target) ?? (eligible.length === 1 ? eligible[0] : undefined);
  const types = chosen ? TRANSITION_TYPES.filter((t) => chosen.transitionTypes.length === 0 || chosen.transitionTypes.map(camel).includes(t.value)) : TRANSITION_TYPES;

  const submit = (confirmWipeScheduledChanges = false) => {
    const seats = Number(quantity.trim());
    if (!chosen) {
      setLocalError(undefined);
      return;
    }
    if (!Number.isInteger(seats) || seats < 1 || seats > sub.quantity) {
      setLocalError(`Enter a whole number of seats from 1 to ${sub.quantity}.`);
      return;
    }
    setLocalError(undefined);
    const type = types.some((t) => t.value === transitionType) ? transitionType : (types[0]?.value ?? transitionType);
    upgrade.mutate(
      { toCatalogItemId: chosen.catalogItemId, quantity: seats, transitionType: type, ...(confirmWipeScheduledChanges ? { confirmWipeScheduledChanges } : {}) },
      { onSuccess: onDone },
    );
  };

  return (
    <CreateForm
      onSubmit={() => submit()}
      onCancel={onCancel}
      submitLabel={trial ? "Convert now" : "Upgrade now"}
      busyLabel="Sending…"
      busy={upgrade.isPending || !chosen}
    >
      {eligible.length === 0 ? (
        <EmptyState>Partner Center offers no {trial ? "conversion" : "upgrade"} for this subscription now.</EmptyState>
      ) : (
        <Field
          label={trial ? "Paid offer" : "Upgrade to"}
          validationState={view?.fields["toCatalogItemId"] ? "error" : "none"}
          validationMessage={view?.fields["toCatalogItemId"]}
        >
          <RadioGroup value={chosen?.catalogItemId ?? ""} onChange={(_, data) => setTarget(data.value)}>
            {eligible.map((option) => (
              <Radio key={option.catalogItemId} value={option.catalogItemId} label={optionText(option)} />
            ))}
          </RadioGroup>
        </Field>
      )}
      {ineligible.length > 0 ? (
        <section aria-label="Not available now">
          <Text weight="semibold" as="h3">
            Not available now
          </Text>
          <ul className={styles.ineligible}>
            {ineligible.map((option) => (
              <li key={option.catalogItemId}>
                <Text>
                  {option.name}: {option.reasons.length ? option.reasons.join("; ") : "not eligible"}
                </Text>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <Field
        label="Seats to move"
        hint={`Of ${sub.quantity}; moving all of them ends this subscription.`}
        validationState={localError || view?.fields["quantity"] ? "error" : "none"}
        validationMessage={localError ?? view?.fields["quantity"]}
      >
        <Input name="quantity" type="number" min={1} max={sub.quantity} value={quantity} onChange={(_, data) => setQuantity(data.value)} />
      </Field>
      <Field label="Licenses">
        <RadioGroup value={transitionType} onChange={(_, data) => setTransitionType(data.value as TransitionType)}>
          {types.map((t) => (
            <Radio key={t.value} value={t.value} label={t.label} />
          ))}
        </RadioGroup>
      </Field>
      <Text>
        The new subscription starts a new term today at the current price; the seats moved are credited on this one
        for the rest of its billing period.
      </Text>
      {wipe ? (
        <WipeConfirm
          wipe={wipe}
          confirmLabel={trial ? "Convert and wipe the scheduled changes" : "Upgrade and wipe the scheduled changes"}
          busy={upgrade.isPending}
          onConfirm={() => submit(true)}
        />
      ) : null}
      <ProblemBar view={view} />
    </CreateForm>
  );
}
