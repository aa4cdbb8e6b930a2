import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { useFormValues, useSubmitOnce } from "../../../components/form-state";
import type { Schemas } from "../../../lib/api/client";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useInviteReseller } from "../api/resellers";

const FIELDS = ["partnerId", "name", "contactEmail"] as const;

export type ResellerInvitation = Schemas["ResellerInvitationOut"];

/** POST /api/reseller-invitations: 201 with the invitation link; a relationship check is queued. */
export function InviteResellerForm({
  onInvited,
  onCancel,
}: {
  onInvited: (invitation: ResellerInvitation) => void;
  onCancel?: () => void;
}) {
  const form = useFormValues({ partnerId: "", name: "", contactEmail: "" });
  const invite = useInviteReseller();
  const submitOnce = useSubmitOnce(invite);
  const view = viewProblem(problemOf(invite.error), FIELDS);
  const v = form.values;

  const submit = () =>
    submitOnce(
      {
        idempotencyKey: form.idempotencyKey(),
        body: { partnerId: v.partnerId.trim(), name: v.name.trim(), contactEmail: v.contactEmail.trim() },
      },
      onInvited,
    );

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Send invitation" busyLabel="Sending…" busy={invite.isPending}>
      <ProblemBar view={view} />
      <TextField
        name="partnerId"
        label="Partner ID"
        hint="The reseller's partner ID (MPN ID), used for partner of record."
        required
        value={v.partnerId}
        onValue={form.set("partnerId")}
        error={view?.fields["partnerId"]}
      />
      <TextField name="name" label="Name" required value={v.name} onValue={form.set("name")} error={view?.fields["name"]} />
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

export function InviteResellerDialog({ onInvited }: { onInvited: (invitation: ResellerInvitation) => void }) {
  return (
    <FormDialog label="Invite a reseller">
      {(close, closeThen) => (
        <InviteResellerForm
          onCancel={close}
          onInvited={(invitation) => closeThen(() => onInvited(invitation))}
        />
      )}
    </FormDialog>
  );
}
