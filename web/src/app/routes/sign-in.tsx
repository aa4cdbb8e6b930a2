/** /sign-in: "Sign in with Microsoft" and, on the local stack, the development sign-in as any member. */
import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { ErrorState } from "../../components/States";
import { problemOf } from "../../lib/api/problem";
import { useAuth } from "../../lib/auth/context";
import { devPeopleKey, listDevPeople, personLabel, type DevPerson } from "../../lib/auth/dev";
import { FullPage } from "./full-page";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  title: { margin: 0 },
  people: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  person: { display: "flex", flexWrap: "wrap", alignItems: "center", columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalXXS },
  personDetail: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  form: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "flex-end", flexWrap: "wrap" },
  grow: { flexGrow: 1, minWidth: "16rem" },
});

function PersonButton({ person, disabled, onPick }: { person: DevPerson; disabled: boolean; onPick: () => void }) {
  const styles = useStyles();
  const detailId = useId();
  const org = person.orgName ? `${person.orgName} (${person.orgId})` : person.orgId;
  return (
    <div className={styles.person}>
      <Button aria-describedby={detailId} disabled={disabled} onClick={onPick}>
        {personLabel(person)}
      </Button>
      <Text id={detailId} size={200} className={styles.personDetail}>
        {person.userId} · {org}
      </Text>
    </div>
  );
}

function DevSignInSection({ onSignIn, busy }: { onSignIn: (userId: string) => void; busy: boolean }) {
  const styles = useStyles();
  const [userId, setUserId] = useState("");
  const people = useQuery({ queryKey: devPeopleKey, queryFn: listDevPeople, retry: false });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (userId.trim()) onSignIn(userId.trim());
  };
  return (
    <section aria-labelledby="dev-sign-in" className={styles.section}>
      <Title2 as="h2" id="dev-sign-in" className={styles.title}>
        Development sign-in
      </Title2>
      <Text>
        The local stack mints the same tokens Entra ID would. Pick a member to act as, or type any user id (someone
        who is not a member gets the API&apos;s 403).
      </Text>
      {people.isPending ? <Spinner size="small" label="Loading the members…" /> : null}
      {people.isError ? <ErrorState error={people.error} onRetry={() => void people.refetch()} /> : null}
      {people.data && people.data.length === 0 ? <Text>No member yet.</Text> : null}
      {people.data && people.data.length > 0 ? (
        <ul className={styles.people} aria-label="Members">
          {people.data.map((person) => (
            <li key={person.userId}>
              <PersonButton person={person} disabled={busy} onPick={() => onSignIn(person.userId)} />
            </li>
          ))}
        </ul>
      ) : null}
      <form className={styles.form} onSubmit={submit} aria-label="Sign in with a user id">
        <Field label="User id" className={styles.grow}>
          <Input value={userId} onChange={(_, data) => setUserId(data.value)} autoComplete="off" />
        </Field>
        <Button type="submit" appearance="primary" disabled={busy || !userId.trim()}>
          Sign in
        </Button>
      </form>
    </section>
  );
}

export default function SignInRoute() {
  const styles = useStyles();
  const auth = useAuth();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = auth.state;
  const devSignIn = state.status === "signedOut" && state.config.devSignIn;
  const startError = state.status === "signedOut" ? state.error : null;
  const returnTo = params.get("returnTo") ?? undefined;

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action().catch((cause: unknown) => {
      setError(problemOf(cause)?.detail || "Sign-in failed.");
      setBusy(false);
    });
  };

  return (
    <FullPage title="Sign in">
      <Card className={styles.card}>
        <Text>Sign in with your work account to manage providers, resellers and customers.</Text>
        {startError || error ? (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>Not signed in</MessageBarTitle>
              {error ?? startError}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <div>
          <Button appearance="primary" size="large" disabled={busy} onClick={() => run(() => auth.signInMicrosoft(returnTo))}>
            Sign in with Microsoft
          </Button>
        </div>
      </Card>
      {devSignIn ? (
        <Card className={styles.card}>
          <DevSignInSection busy={busy} onSignIn={(userId) => run(() => auth.signInDev(userId))} />
        </Card>
      ) : null}
    </FullPage>
  );
}
