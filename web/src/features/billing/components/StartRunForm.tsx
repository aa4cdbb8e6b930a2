import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { SelectField, TextField } from "../../../components/form";
import { useFormValues, useSubmitOnce } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { RUN_KINDS, useStartRun, type Run, type RunKind } from "../api/billing";
import { previousPeriod } from "../format";

const FIELDS = ["period", "kind"] as const;

interface Props {
  onStarted: (run: Run) => void;
  onCancel?: () => void;
}

/** POST /api/billing/runs: a period (YYYY-MM) and a kind; a run already queued or running for it is answered. */
export function StartRunForm({ onStarted, onCancel }: Props) {
  const form = useFormValues({ period: previousPeriod(), kind: "billed" });
  const start = useStartRun();
  const submitOnce = useSubmitOnce(start);
  const view = viewProblem(problemOf(start.error), FIELDS);
  const v = form.values;
  const submit = () =>
    submitOnce(
      { idempotencyKey: form.idempotencyKey(), body: { period: v.period.trim(), kind: v.kind as RunKind } },
      onStarted,
    );
  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Start the run" busyLabel="Starting…" busy={start.isPending}>
      <ProblemBar view={view} />
      <TextField
        name="period"
        label="Period"
        type="month"
        hint="The month to reconcile (YYYY-MM)."
        required
        value={v.period}
        onValue={form.set("period")}
        error={view?.fields["period"]}
      />
      <SelectField
        name="kind"
        label="Kind"
        required
        value={v.kind}
        onValue={form.set("kind")}
        options={RUN_KINDS.map((k) => ({ value: k.value, label: k.label }))}
        error={view?.fields["kind"]}
      />
    </CreateForm>
  );
}

export function StartRunDialog({ onStarted }: { onStarted: (run: Run) => void }) {
  return (
    <FormDialog label="Start a run" title="Start a billing run">
      {(close, closeThen) => <StartRunForm onCancel={close} onStarted={(run) => closeThen(() => onStarted(run))} />}
    </FormDialog>
  );
}
