import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { optional, useFormValues, useSubmitOnce, type Option } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useInviteCustomer, type CustomerCreated } from "../api/customers";
import { ResellerField } from "./ResellerField";

const FIELDS = ["resellerId", "name", "domain", "tenantId", "contactEmail"] as const;

interface Props {
  /** Reseller staff bring customers in under their own reseller only. */
  fixedReseller: Option | null;
  resellers: Option[];
  onInvited: (customer: CustomerCreated) => void;
  onCancel?: () => void;
}

/** POST /api/customer-invitations: a reseller relationship request the customer's global admin accepts. */
export function InviteCustomerForm({ fixedReseller, resellers, onInvited, onCancel }: Props) {
  const form = useFormValues({ resellerId: "", name: "", domain: "", tenantId: "", contactEmail: "" });
  const invite = useInviteCustomer();
  const submitOnce = useSubmitOnce(invite);
  const view = viewProblem(problemOf(invite.error), FIELDS);
  const v = form.values;

  const submit = () =>
    submitOnce(
      {
        idempotencyKey: form.idempotencyKey(),
        body: {
          resellerId: fixedReseller?.value ?? v.resellerId,
          name: v.name.trim(),
          domain: optional(v.domain.toLowerCase()),
          tenantId: optional(v.tenantId),
          contactEmail: v.contactEmail.trim(),
        },
      },
      onInvited,
    );

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Send invitation" busyLabel="Sending…" busy={invite.isPending}>
      <ProblemBar view={view} />
      <ResellerField
        fixed={fixedReseller}
        resellers={resellers}
        value={v.resellerId}
        onValue={form.set("resellerId")}
        error={view?.fields["resellerId"]}
      />
      <TextField name="name" label="Name" required value={v.name} onValue={form.set("name")} error={view?.fields["name"]} />
      <TextField
        name="domain"
        label="Domain"
        hint="The customer's existing tenant domain, e.g. contoso.onmicrosoft.com."
        value={v.domain}
        onValue={form.set("domain")}
        error={view?.fields["domain"]}
      />
      <TextField
        name="tenantId"
        label="Tenant ID (instead of the domain)"
        value={v.tenantId}
        onValue={form.set("tenantId")}
        error={view?.fields["tenantId"]}
      />
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

export function InviteCustomerDialog(props: Omit<Props, "onCancel">) {
  return (
    <FormDialog label="Invite a customer">
      {(close, closeThen) => (
        <InviteCustomerForm
          {...props}
          onCancel={close}
          onInvited={(customer) => closeThen(() => props.onInvited(customer))}
        />
      )}
    </FormDialog>
  );
}
