/**
 * The Microsoft Customer Agreement on a customer's page (docs/business.md#the-microsoft-customer-agreement): whether
 * Partner Center holds its acceptance, when and by whom; staff record an acceptance the customer gave them.
 */
import {
  Badge,
  Card,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Details } from "../../../components/Details";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { useFormValues, useSubmitOnce } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoment } from "../../../lib/moment";
import { useRecordAgreement, type Customer, type CustomerAgreement } from "../api/customers";

const FIELDS = ["firstName", "lastName", "email", "phoneNumber", "dateAgreed"] as const;

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  head: { display: "flex", justifyContent: "space-between", alignItems: "center", gap: tokens.spacingHorizontalM },
});

export function AgreementBadge({ agreement }: { agreement: CustomerAgreement }) {
  return agreement.status === "accepted" ? (
    <Badge appearance="tint" color="success" shape="rounded">
      Accepted
    </Badge>
  ) : (
    <Badge appearance="tint" color="warning" shape="rounded">
      Not accepted
    </Badge>
  );
}

function contactLine(agreement: CustomerAgreement): string | null {
  const contact = agreement.contact;
  if (!contact) return null;
  const phone = contact.phoneNumber ? `, ${contact.phoneNumber}` : "";
  return `${contact.firstName} ${contact.lastName} (${contact.email}${phone})`;
}

/** Today in the browser's own calendar, as a date input shows it. */
function today(): string {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** The contact and the day the customer accepted; the day is sent as local midnight (never in the future). */
export function RecordAgreementForm({
  customerId,
  onDone,
  onCancel,
}: {
  customerId: string;
  onDone: (saved: Customer) => void;
  onCancel?: () => void;
}) {
  const record = useRecordAgreement(customerId);
  const form = useFormValues({ firstName: "", lastName: "", email: "", phoneNumber: "", dateAgreed: today() });
  const submitOnce = useSubmitOnce(record);
  const view = viewProblem(problemOf(record.error), FIELDS);
  const v = form.values;
  const submit = () => {
    const day = v.dateAgreed ? new Date(`${v.dateAgreed}T00:00:00`) : null;
    submitOnce(
      {
        firstName: v.firstName.trim(),
        lastName: v.lastName.trim(),
        email: v.email.trim(),
        ...(v.phoneNumber.trim() ? { phoneNumber: v.phoneNumber.trim() } : {}),
        dateAgreed: day && !Number.isNaN(day.getTime()) ? day.toISOString() : "",
      },
      onDone,
    );
  };
  return (
    <CreateForm onSubmit={submit} onCancel={onCancel} submitLabel="Record acceptance" busyLabel="Recording…" busy={record.isPending}>
      <Text>
        Record the acceptance the customer gave you: it is confirmed to Microsoft in Partner Center, and orders for the
        customer are accepted from then on.
      </Text>
      <ProblemBar view={view} />
      <TextField name="firstName" label="First name" required value={v.firstName} onValue={form.set("firstName")} error={view?.fields["firstName"]} />
      <TextField name="lastName" label="Last name" required value={v.lastName} onValue={form.set("lastName")} error={view?.fields["lastName"]} />
      <TextField name="email" label="Email" type="email" required value={v.email} onValue={form.set("email")} error={view?.fields["email"]} />
      <TextField name="phoneNumber" label="Phone number" value={v.phoneNumber} onValue={form.set("phoneNumber")} error={view?.fields["phoneNumber"]} />
      <TextField
        name="dateAgreed"
        label="Accepted on"
        type="date"
        required
        value={v.dateAgreed}
        onValue={form.set("dateAgreed")}
        error={view?.fields["dateAgreed"]}
        hint="The day the customer accepted; not in the future."
      />
    </CreateForm>
  );
}

export function RecordAgreementDialog({ customerId }: { customerId: string }) {
  return (
    <FormDialog label="Record acceptance" title="Record the Microsoft Customer Agreement acceptance" appearance="secondary">
      {(close) => <RecordAgreementForm customerId={customerId} onCancel={close} onDone={() => close()} />}
    </FormDialog>
  );
}

/** The agreement section: status, when, who; a warning while it is missing; the record dialog for staff. */
export function AgreementSection({ customer, mayRecord }: { customer: Customer; mayRecord: boolean }) {
  const styles = useStyles();
  const agreement = customer.agreement;
  return (
    <Card className={styles.card} role="region" aria-label="Microsoft Customer Agreement">
      <div className={styles.head}>
        <Text as="h2" size={500} weight="semibold">
          Microsoft Customer Agreement
        </Text>
        {mayRecord && customer.status === "active" ? <RecordAgreementDialog customerId={customer.id} /> : null}
      </div>
      {agreement.status === "missing" ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            The customer has not accepted the Microsoft Customer Agreement: Partner Center sells nothing to it, so its
            orders are refused until an acceptance is recorded (or its admin accepts it in the storefront).
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Details
        label="Agreement"
        items={[
          { label: "Status", value: <AgreementBadge agreement={agreement} /> },
          { label: "Accepted on", value: agreement.acceptedAt ? formatMoment(agreement.acceptedAt) : null },
          { label: "Accepted by", value: contactLine(agreement) },
          { label: "Confirmed in Partner Center", value: agreement.confirmedAt ? formatMoment(agreement.confirmedAt) : null },
        ]}
      />
    </Card>
  );
}
