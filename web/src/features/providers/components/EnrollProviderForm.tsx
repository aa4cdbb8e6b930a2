import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { optional, useFormValues, useSubmitOnce } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useEnrollProvider } from "../api/enroll-provider";
import type { Provider } from "../api/get-providers";

const FIELDS = [
  "name",
  "partnerCenter.tenantId",
  "partnerCenter.clientId",
  "partnerCenter.clientSecretRef",
  "partnerCenter.refreshTokenRef",
] as const;

const EMPTY = { name: "", tenantId: "", clientId: "", clientSecretRef: "", refreshTokenRef: "" };

/** POST /api/providers: the provider's Partner Center app, verified by the API (a refused app is a 422). */
export function EnrollProviderForm({ onEnrolled, onCancel }: { onEnrolled: (provider: Provider) => void; onCancel?: () => void }) {
  const form = useFormValues(EMPTY);
  const enroll = useEnrollProvider();
  const submitOnce = useSubmitOnce(enroll);
  const view = viewProblem(problemOf(enroll.error), FIELDS);
  const v = form.values;

  const submit = () =>
    submitOnce(
      {
        idempotencyKey: form.idempotencyKey(),
        body: {
          name: v.name.trim(),
          partnerCenter: {
            tenantId: v.tenantId.trim(),
            clientId: v.clientId.trim(),
            clientSecretRef: v.clientSecretRef.trim(),
            refreshTokenRef: optional(v.refreshTokenRef),
          },
        },
      },
      onEnrolled,
    );

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Enroll" busyLabel="Enrolling…" busy={enroll.isPending}>
      <ProblemBar view={view} />
      <TextField name="name" label="Name" required value={v.name} onValue={form.set("name")} error={view?.fields["name"]} />
      <TextField
        name="partnerCenter.tenantId"
        label="Tenant ID"
        hint="The provider's partner tenant (Entra directory) id."
        required
        value={v.tenantId}
        onValue={form.set("tenantId")}
        error={view?.fields["partnerCenter.tenantId"]}
      />
      <TextField
        name="partnerCenter.clientId"
        label="Client ID"
        hint="The Entra app registered in the provider's Partner Center account."
        required
        value={v.clientId}
        onValue={form.set("clientId")}
        error={view?.fields["partnerCenter.clientId"]}
      />
      <TextField
        name="partnerCenter.clientSecretRef"
        label="Client secret reference"
        hint="The name of the app's client secret in the secret store (never the secret itself)."
        required
        value={v.clientSecretRef}
        onValue={form.set("clientSecretRef")}
        error={view?.fields["partnerCenter.clientSecretRef"]}
      />
      <TextField
        name="partnerCenter.refreshTokenRef"
        label="Refresh token reference (optional)"
        hint="A partner admin's refresh token in the secret store, if there is one already."
        value={v.refreshTokenRef}
        onValue={form.set("refreshTokenRef")}
        error={view?.fields["partnerCenter.refreshTokenRef"]}
      />
    </CreateForm>
  );
}

export function EnrollProviderDialog({ onEnrolled }: { onEnrolled: (provider: Provider) => void }) {
  return (
    <FormDialog label="Enroll a provider">
      {(close, closeThen) => (
        <EnrollProviderForm onCancel={close} onEnrolled={(provider) => closeThen(() => onEnrolled(provider))} />
      )}
    </FormDialog>
  );
}
