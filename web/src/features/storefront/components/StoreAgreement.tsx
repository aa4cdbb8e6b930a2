/** The agreement step before a first order (docs/business.md#the-microsoft-customer-agreement): Microsoft sells
 * nothing to an organisation that has not accepted the Microsoft Customer Agreement, so its admin reads it at
 * Microsoft's link and accepts it here, naming the person accepting. Once accepted, a line says when and by whom. */
import {
  Button,
  Card,
  Checkbox,
  Link as FluentLink,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { ProblemBar } from "../../../components/ProblemBar";
import { TextField } from "../../../components/form";
import { useFormValues } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoment } from "../../../lib/moment";
import { useAcceptStoreAgreement, useStoreAgreement } from "../api/storefront";

const FIELDS = ["firstName", "lastName", "email"] as const;

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  fields: { display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(12rem, 1fr))", gap: tokens.spacingHorizontalM },
});

export function StoreAgreement({ onAccepted }: { onAccepted?: () => void }) {
  const styles = useStyles();
  const agreement = useStoreAgreement();
  const accept = useAcceptStoreAgreement();
  const form = useFormValues({ firstName: "", lastName: "", email: "" });
  const [agreed, setAgreed] = useState(false);
  const view = viewProblem(problemOf(accept.error), FIELDS);
  if (agreement.isPending || agreement.isError) return null; // the order itself still says why it is refused
  const data = agreement.data;
  if (data.status === "accepted") {
    const who = data.contact ? `${data.contact.firstName} ${data.contact.lastName}` : "your organisation";
    return (
      <Text role="note">
        Microsoft Customer Agreement accepted on {formatMoment(data.acceptedAt)} by {who}.
      </Text>
    );
  }
  const v = form.values;
  return (
    <Card className={styles.card} role="region" aria-label="Microsoft Customer Agreement">
      <Text as="h2" size={500} weight="semibold">
        Accept the Microsoft Customer Agreement
      </Text>
      <Text>
        Microsoft sells its cloud services to your organisation only once it has accepted the Microsoft Customer
        Agreement. Read it at{" "}
        {data.agreementLink ? (
          <FluentLink href={data.agreementLink} target="_blank" rel="noreferrer">
            Microsoft's Customer Agreement
          </FluentLink>
        ) : (
          "Microsoft's site"
        )}
        , then accept it for your organisation before your first order.
      </Text>
      <ProblemBar view={view} />
      <div className={styles.fields}>
        <TextField name="firstName" label="Your first name" required value={v.firstName} onValue={form.set("firstName")} error={view?.fields["firstName"]} />
        <TextField name="lastName" label="Your last name" required value={v.lastName} onValue={form.set("lastName")} error={view?.fields["lastName"]} />
        <TextField name="email" label="Your email" type="email" required value={v.email} onValue={form.set("email")} error={view?.fields["email"]} />
      </div>
      <Checkbox
        checked={agreed}
        onChange={(_, change) => setAgreed(Boolean(change.checked))}
        label="I have read the Microsoft Customer Agreement and accept it on behalf of my organisation"
      />
      <div>
        <Button
          appearance="primary"
          disabled={!agreed || accept.isPending}
          onClick={() =>
            accept.mutate(
              { firstName: v.firstName.trim(), lastName: v.lastName.trim(), email: v.email.trim() },
              { onSuccess: () => onAccepted?.() },
            )
          }
        >
          {accept.isPending ? "Accepting…" : "I accept"}
        </Button>
      </div>
    </Card>
  );
}

/** Under the cart's order button: what a refusal for the missing agreement means and what to do. */
export function AgreementRefusal() {
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        Your order was not placed: your organisation has not accepted the Microsoft Customer Agreement yet. Accept it
        above, then place the order again.
      </MessageBarBody>
    </MessageBar>
  );
}
