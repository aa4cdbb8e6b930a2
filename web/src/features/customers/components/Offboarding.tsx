/**
 * Editing and offboarding a customer or a reseller (docs/business.md#offboarding): the dialogs, the badge and the
 * notice an offboarded record shows. The customer and reseller pages use the same pieces with their own mutations.
 */
import {
  Badge,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Switch,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { UseMutationResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { useFormValues, useSubmitOnce } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoment } from "../../../lib/moment";

/** What a customer or reseller says about its offboarding. */
export interface OffboardingState {
  offboardedAt?: string | null;
  offboardedBy?: string | null;
  offboardingReason?: string | null;
}

export type OffboardKind = "customer" | "reseller";

const EFFECT: Record<OffboardKind, string> = {
  customer:
    "No new orders or seats can be placed for it, and its storefront closes. Its subscriptions stay as they are " +
    "in Partner Center (and are still billed) unless you change or cancel them; its record, orders and billing " +
    "stay readable. It can be restored later.",
  reseller:
    "No new customers can be brought in under it. A reseller is offboarded only once each of its customers is " +
    "offboarded. Its record and billing stay readable, and it can be restored later.",
};

const useStyles = makeStyles({
  effect: { display: "block", marginBottom: tokens.spacingVerticalS },
  inline: { display: "inline-flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
});

export function OffboardedBadge({ record }: { record: OffboardingState }) {
  if (!record.offboardedAt) return null;
  return (
    <Badge appearance="filled" color="subtle" shape="rounded">
      Offboarded
    </Badge>
  );
}

/** The status badge with the offboarded one beside it. */
export function WithOffboardedBadge({ record, children }: { record: OffboardingState; children: ReactNode }) {
  const styles = useStyles();
  return (
    <span className={styles.inline}>
      {children}
      <OffboardedBadge record={record} />
    </span>
  );
}

/** An offboarded record's notice: when, by whom, why, and what it means. */
export function OffboardedNotice({ record, kind, me }: { record: OffboardingState; kind: OffboardKind; me: string }) {
  if (!record.offboardedAt) return null;
  const by = record.offboardedBy === me ? "you" : (record.offboardedBy ?? "someone");
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>
          Offboarded on {formatMoment(record.offboardedAt)} by {by}
        </MessageBarTitle>
        {record.offboardingReason ? <>Reason: {record.offboardingReason}. </> : null}
        {kind === "customer"
          ? "No new orders or seats; its subscriptions stay as they are in Partner Center."
          : "No new customers are brought in under it."}
      </MessageBarBody>
    </MessageBar>
  );
}

/** The lists' switch: offboarded records are hidden unless it is on. */
export function ShowOffboardedSwitch({ value, onValue }: { value: boolean; onValue: (value: boolean) => void }) {
  return <Switch label="Show offboarded" checked={value} onChange={(_, data) => onValue(data.checked)} />;
}

type Change<TVariables, TData> = UseMutationResult<TData, Error, TVariables, unknown>;

const EDIT_FIELDS = ["name", "contactEmail"] as const;

/** Name and contact e-mail; only what changed is sent. `nameEditable` false: the name is shown, not offered. */
export function EditContactForm<TData>({
  current,
  edit,
  nameEditable = true,
  onDone,
  onCancel,
}: {
  current: { name: string; contactEmail: string | null };
  edit: Change<{ name?: string; contactEmail?: string }, TData>;
  nameEditable?: boolean;
  onDone: (saved: TData) => void;
  onCancel?: () => void;
}) {
  const form = useFormValues({ name: current.name, contactEmail: current.contactEmail ?? "" });
  const submitOnce = useSubmitOnce(edit);
  const view = viewProblem(problemOf(edit.error), EDIT_FIELDS);
  const v = form.values;
  const submit = () => {
    const body: { name?: string; contactEmail?: string } = {};
    if (nameEditable && v.name.trim() !== current.name) body.name = v.name.trim();
    if (v.contactEmail.trim() !== (current.contactEmail ?? "")) body.contactEmail = v.contactEmail.trim();
    submitOnce(body, onDone);
  };
  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Save" busyLabel="Saving…" busy={edit.isPending}>
      <ProblemBar view={view} />
      {nameEditable ? (
        <TextField name="name" label="Name" required value={v.name} onValue={form.set("name")} error={view?.fields["name"]} />
      ) : null}
      <TextField
        name="contactEmail"
        label="Contact email"
        type="email"
        required
        value={v.contactEmail}
        onValue={form.set("contactEmail")}
        error={view?.fields["contactEmail"]}
      />
    </CreateForm>
  );
}

export function EditContactDialog<TData>(props: {
  current: { name: string; contactEmail: string | null };
  edit: Change<{ name?: string; contactEmail?: string }, TData>;
  nameEditable?: boolean;
}) {
  return (
    <FormDialog label="Edit" title={props.nameEditable === false ? "Edit the contact email" : "Edit name and contact"} appearance="secondary">
      {(close) => <EditContactForm {...props} onCancel={close} onDone={() => close()} />}
    </FormDialog>
  );
}

/** The confirmation: what offboarding does, an optional reason, and the refusal (409) when it cannot be done. */
export function OffboardForm<TData>({
  kind,
  name,
  offboard,
  onDone,
  onCancel,
}: {
  kind: OffboardKind;
  name: string;
  offboard: Change<{ reason: string | null }, TData>;
  onDone: (saved: TData) => void;
  onCancel?: () => void;
}) {
  const styles = useStyles();
  const form = useFormValues({ reason: "" });
  const submitOnce = useSubmitOnce(offboard);
  const view = viewProblem(problemOf(offboard.error), ["reason"]);
  return (
    <CreateForm
      onSubmit={() => submitOnce({ reason: form.values.reason.trim() || null }, onDone)}
      onCancel={onCancel}
      submitLabel={`Offboard ${name}`}
      busyLabel="Offboarding…"
      busy={offboard.isPending}
    >
      <Text className={styles.effect}>{EFFECT[kind]}</Text>
      <ProblemBar view={view} />
      <Field
        label="Reason (optional)"
        hint="Kept with the record and in the audit trail."
        validationState={view?.fields["reason"] ? "error" : "none"}
        validationMessage={view?.fields["reason"]}
      >
        <Textarea name="reason" value={form.values.reason} onChange={(_, data) => form.set("reason")(data.value)} />
      </Field>
    </CreateForm>
  );
}

export function OffboardDialog<TData>(props: { kind: OffboardKind; name: string; offboard: Change<{ reason: string | null }, TData> }) {
  return (
    <FormDialog label="Offboard" title={`Offboard ${props.name}?`} appearance="secondary">
      {(close) => <OffboardForm {...props} onCancel={close} onDone={() => close()} />}
    </FormDialog>
  );
}

/** Bringing it back; a refusal (a customer of an offboarded reseller) is shown with its reason. */
export function RestoreForm<TData>({
  kind,
  name,
  restore,
  onDone,
  onCancel,
}: {
  kind: OffboardKind;
  name: string;
  restore: Change<void, TData>;
  onDone: (saved: TData) => void;
  onCancel?: () => void;
}) {
  const styles = useStyles();
  const submitOnce = useSubmitOnce(restore);
  const view = viewProblem(problemOf(restore.error), []);
  return (
    <CreateForm
      onSubmit={() => submitOnce(undefined, onDone)}
      onCancel={onCancel}
      submitLabel={`Restore ${name}`}
      busyLabel="Restoring…"
      busy={restore.isPending}
    >
      <Text className={styles.effect}>
        {kind === "customer"
          ? "It can be sold to again: orders, seats and its storefront (if enabled) open again."
          : "Customers can be brought in under it again; its offboarded customers are restored one by one."}
      </Text>
      <ProblemBar view={view} />
    </CreateForm>
  );
}

export function RestoreDialog<TData>(props: { kind: OffboardKind; name: string; restore: Change<void, TData> }) {
  return (
    <FormDialog label="Restore" title={`Restore ${props.name}?`} appearance="secondary">
      {(close) => <RestoreForm {...props} onCancel={close} onDone={() => close()} />}
    </FormDialog>
  );
}
