/** The changes a subscription takes at its renewal: the target (item, term and billing cycle, priced at the
 * caller's tier), the seats, and an optional custom term end date. The API decides; its field errors show at the
 * fields. Without targets (the storefront), the subscription keeps its item and may change term and cycle. */
import { Field, Input, Select } from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import { useState } from "react";
import { CreateForm } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import type { RenewalIn, RenewalTarget } from "../../../lib/api/extra";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoney } from "../../../lib/money";
import { termLabel } from "../../../lib/terms";
import type { Subscription } from "../api/subscriptions";
import { termAndCycle } from "../format";

const FIELDS = ["catalogItemId", "quantity", "termDuration", "billingCycle", "customTermEndDate"];
const TERMS = ["P1M", "P1Y", "P3Y"];
const CYCLES = [
  { value: "monthly", label: "monthly" },
  { value: "annual", label: "annually" },
  { value: "triennial", label: "every 3 years" },
];

const targetKey = (t: Pick<RenewalTarget, "catalogItemId" | "termDuration" | "billingCycle">) =>
  `${t.catalogItemId}|${t.termDuration}|${t.billingCycle}`;

const targetLabel = (t: RenewalTarget) =>
  `${t.name}, ${termAndCycle(t)}: ${t.unitPrice === null ? "price not known" : `${formatMoney(t.unitPrice, t.currency)} per seat`}`;

export function ScheduleChangesForm({
  sub,
  targets,
  schedule,
  onDone,
  onCancel,
}: {
  sub: Subscription;
  /** What the subscription may change to; null: only its own item, another term or cycle. */
  targets: RenewalTarget[] | null;
  schedule: UseMutationResult<Subscription, Error, RenewalIn>;
  onDone: (updated: Subscription) => void;
  onCancel?: () => void;
}) {
  const current = sub.scheduledChanges;
  const startKey = targetKey(current ?? { catalogItemId: sub.catalogItemId ?? "", termDuration: sub.termDuration, billingCycle: sub.billingCycle });
  const known = targets?.some((t) => targetKey(t) === startKey) ?? false;
  const [target, setTarget] = useState(known ? startKey : (targets?.[0] ? targetKey(targets[0]) : ""));
  const [term, setTerm] = useState(current?.termDuration ?? sub.termDuration);
  const [cycle, setCycle] = useState(current?.billingCycle ?? sub.billingCycle);
  const [quantity, setQuantity] = useState(String(current?.quantity ?? sub.quantity));
  const [endDate, setEndDate] = useState(current?.customTermEndDate?.slice(0, 10) ?? "");
  const [localError, setLocalError] = useState<string | undefined>();
  const view = viewProblem(problemOf(schedule.error), FIELDS);
  const fieldOf = (name: string) => view?.fields[name];
  const chosen = targets?.find((t) => targetKey(t) === target) ?? null;

  const submit = () => {
    const seats = Number(quantity.trim());
    if (!Number.isInteger(seats) || seats < 1) {
      setLocalError("Enter a whole number of seats, at least 1.");
      return;
    }
    setLocalError(undefined);
    const body: RenewalIn = chosen
      ? { catalogItemId: chosen.catalogItemId, termDuration: chosen.termDuration, billingCycle: chosen.billingCycle, quantity: seats }
      : { termDuration: term, billingCycle: cycle, quantity: seats };
    if (endDate) body.customTermEndDate = endDate;
    schedule.mutate(body, { onSuccess: onDone });
  };

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Schedule these changes" busyLabel="Scheduling…" busy={schedule.isPending}>
      {targets ? (
        <Field
          label="Next term's item"
          hint="What Partner Center lets this subscription change to at renewal, at your price."
          validationState={fieldOf("catalogItemId") ? "error" : "none"}
          validationMessage={fieldOf("catalogItemId")}
        >
          <Select name="catalogItemId" value={target} onChange={(_, data) => setTarget(data.value)}>
            {targets.map((t) => (
              <option key={targetKey(t)} value={targetKey(t)}>
                {targetLabel(t)}
              </option>
            ))}
          </Select>
        </Field>
      ) : (
        <>
          <Field label="Next term" validationState={fieldOf("termDuration") ? "error" : "none"} validationMessage={fieldOf("termDuration")}>
            <Select name="termDuration" value={term} onChange={(_, data) => setTerm(data.value)}>
              {TERMS.map((t) => (
                <option key={t} value={t}>
                  {termLabel(t)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Billed" validationState={fieldOf("billingCycle") ? "error" : "none"} validationMessage={fieldOf("billingCycle")}>
            <Select name="billingCycle" value={cycle} onChange={(_, data) => setCycle(data.value)}>
              {CYCLES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </Select>
          </Field>
        </>
      )}
      <Field
        label="Seats in the next term"
        validationState={localError || fieldOf("quantity") ? "error" : "none"}
        validationMessage={localError ?? fieldOf("quantity")}
      >
        <Input name="quantity" type="number" min={1} value={quantity} onChange={(_, data) => setQuantity(data.value)} />
      </Field>
      <Field
        label="Custom term end date (optional)"
        hint="To align the next term with the customer's other subscriptions; empty: a whole term."
        validationState={fieldOf("customTermEndDate") ? "error" : "none"}
        validationMessage={fieldOf("customTermEndDate")}
      >
        <Input name="customTermEndDate" type="date" value={endDate} onChange={(_, data) => setEndDate(data.value)} />
      </Field>
      <ProblemBar view={view} />
    </CreateForm>
  );
}
