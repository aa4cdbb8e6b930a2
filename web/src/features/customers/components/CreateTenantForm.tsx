import { makeStyles, tokens } from "@fluentui/react-components";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { optional, useFormValues, useSubmitOnce, type Option } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useCreateCustomer, type CustomerCreated, type NewCustomerIn } from "../api/customers";
import { ResellerField } from "./ResellerField";

const ADDRESS = "billingProfile.defaultAddress";
const FIELDS = [
  "resellerId",
  "companyProfile.companyName",
  "companyProfile.domainPrefix",
  "billingProfile.email",
  "billingProfile.culture",
  "billingProfile.language",
  `${ADDRESS}.country`,
  `${ADDRESS}.city`,
  `${ADDRESS}.addressLine1`,
  `${ADDRESS}.addressLine2`,
  `${ADDRESS}.postalCode`,
  `${ADDRESS}.state`,
  `${ADDRESS}.firstName`,
  `${ADDRESS}.lastName`,
  `${ADDRESS}.phoneNumber`,
] as const;
type FieldPath = (typeof FIELDS)[number];

const INITIAL = {
  resellerId: "",
  companyName: "",
  domainPrefix: "",
  email: "",
  culture: "en-US",
  language: "en",
  country: "",
  city: "",
  addressLine1: "",
  addressLine2: "",
  postalCode: "",
  state: "",
  firstName: "",
  lastName: "",
  phoneNumber: "",
};

const useStyles = makeStyles({
  fieldset: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(14rem, 1fr))",
    gap: tokens.spacingVerticalM,
    alignItems: "start",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    margin: 0,
  },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: `0 ${tokens.spacingHorizontalXS}` },
});

interface Props {
  fixedReseller: Option | null;
  resellers: Option[];
  onCreated: (customer: CustomerCreated) => void;
  onCancel?: () => void;
}

/** POST /api/customers: a brand-new tenant created in Partner Center for the reseller (202, then creating). */
export function CreateTenantForm({ fixedReseller, resellers, onCreated, onCancel }: Props) {
  const styles = useStyles();
  const form = useFormValues(INITIAL);
  const create = useCreateCustomer();
  const submitOnce = useSubmitOnce(create);
  const view = viewProblem(problemOf(create.error), FIELDS);
  const v = form.values;
  const err = (field: FieldPath) => view?.fields[field];

  const submit = () => {
    const body: NewCustomerIn = {
      resellerId: fixedReseller?.value ?? v.resellerId,
      companyProfile: { companyName: v.companyName.trim(), domainPrefix: v.domainPrefix.trim().toLowerCase() },
      billingProfile: {
        email: v.email.trim(),
        culture: v.culture.trim(),
        language: v.language.trim(),
        defaultAddress: {
          country: v.country.trim().toUpperCase(),
          city: v.city.trim(),
          addressLine1: v.addressLine1.trim(),
          addressLine2: optional(v.addressLine2),
          postalCode: v.postalCode.trim(),
          state: optional(v.state),
          firstName: v.firstName.trim(),
          lastName: v.lastName.trim(),
          phoneNumber: optional(v.phoneNumber),
        },
      },
    };
    submitOnce({ idempotencyKey: form.idempotencyKey(), body }, onCreated);
  };

  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Create tenant" busyLabel="Creating…" busy={create.isPending}>
      <ProblemBar view={view} />
      <ResellerField
        fixed={fixedReseller}
        resellers={resellers}
        value={v.resellerId}
        onValue={form.set("resellerId")}
        error={err("resellerId")}
      />
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Company</legend>
        <TextField
          name="companyProfile.companyName"
          label="Company name"
          required
          value={v.companyName}
          onValue={form.set("companyName")}
          error={err("companyProfile.companyName")}
        />
        <TextField
          name="companyProfile.domainPrefix"
          label="Domain prefix"
          hint="The new tenant's domain is <prefix>.onmicrosoft.com (letters and digits)."
          required
          value={v.domainPrefix}
          onValue={form.set("domainPrefix")}
          error={err("companyProfile.domainPrefix")}
        />
      </fieldset>
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Billing profile</legend>
        <TextField
          name="billingProfile.email"
          label="Email"
          type="email"
          required
          value={v.email}
          onValue={form.set("email")}
          error={err("billingProfile.email")}
        />
        <TextField
          name="billingProfile.culture"
          label="Culture"
          hint="For example en-US or nl-NL."
          required
          value={v.culture}
          onValue={form.set("culture")}
          error={err("billingProfile.culture")}
        />
        <TextField
          name="billingProfile.language"
          label="Language"
          hint="For example en or nl."
          required
          value={v.language}
          onValue={form.set("language")}
          error={err("billingProfile.language")}
        />
      </fieldset>
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Billing address</legend>
        <TextField
          name={`${ADDRESS}.country`}
          label="Country"
          hint="Two letters, e.g. NL: the customer's market."
          required
          value={v.country}
          onValue={form.set("country")}
          error={err(`${ADDRESS}.country`)}
        />
        <TextField name={`${ADDRESS}.city`} label="City" required value={v.city} onValue={form.set("city")} error={err(`${ADDRESS}.city`)} />
        <TextField
          name={`${ADDRESS}.addressLine1`}
          label="Address line 1"
          required
          value={v.addressLine1}
          onValue={form.set("addressLine1")}
          error={err(`${ADDRESS}.addressLine1`)}
        />
        <TextField
          name={`${ADDRESS}.addressLine2`}
          label="Address line 2 (optional)"
          value={v.addressLine2}
          onValue={form.set("addressLine2")}
          error={err(`${ADDRESS}.addressLine2`)}
        />
        <TextField
          name={`${ADDRESS}.postalCode`}
          label="Postal code"
          required
          value={v.postalCode}
          onValue={form.set("postalCode")}
          error={err(`${ADDRESS}.postalCode`)}
        />
        <TextField name={`${ADDRESS}.state`} label="State (optional)" value={v.state} onValue={form.set("state")} error={err(`${ADDRESS}.state`)} />
        <TextField
          name={`${ADDRESS}.firstName`}
          label="First name"
          required
          value={v.firstName}
          onValue={form.set("firstName")}
          error={err(`${ADDRESS}.firstName`)}
        />
        <TextField
          name={`${ADDRESS}.lastName`}
          label="Last name"
          required
          value={v.lastName}
          onValue={form.set("lastName")}
          error={err(`${ADDRESS}.lastName`)}
        />
        <TextField
          name={`${ADDRESS}.phoneNumber`}
          label="Phone number (optional)"
          type="tel"
          value={v.phoneNumber}
          onValue={form.set("phoneNumber")}
          error={err(`${ADDRESS}.phoneNumber`)}
        />
      </fieldset>
    </CreateForm>
  );
}

export function CreateTenantDialog(props: Omit<Props, "onCancel">) {
  return (
    <FormDialog label="Create a new tenant" appearance="secondary">
      {(close, closeThen) => (
        <CreateTenantForm
          {...props}
          onCancel={close}
          onCreated={(customer) => closeThen(() => props.onCreated(customer))}
        />
      )}
    </FormDialog>
  );
}
