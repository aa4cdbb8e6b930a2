import { Button, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useRef, type FormEvent } from "react";
import { ProblemBar } from "../../../components/ProblemBar";
import { SelectField, TextField } from "../../../components/form";
import { useFormValues } from "../../../components/form-state";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { rolesFor } from "../../../lib/roles";
import { useAddMember, type OrgType, type Role } from "../api/members";

const FIELDS = ["userId", "role", "orgId", "orgType"] as const;

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "32rem" },
  row: { display: "flex", gap: tokens.spacingHorizontalL, alignItems: "flex-start", flexWrap: "wrap" },
});

/** Adds a member to one organisation; `roles` narrows the roles offered (by default every role of its kind). */
export function AddMemberForm({
  orgType,
  orgId,
  roles: offered,
  note,
}: {
  orgType: OrgType;
  orgId: string;
  roles?: Role[];
  /** What the form is for, above it. */
  note?: string;
}) {
  const styles = useStyles();
  const roles = offered ?? rolesFor(orgType);
  const form = useFormValues({ userId: "", role: "" });
  const add = useAddMember();
  const inFlight = useRef(false);
  const view = viewProblem(problemOf(add.error), FIELDS);
  const role = roles.includes(form.values.role as Role) ? (form.values.role as Role) : roles[0]!;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    add.mutate(
      { idempotencyKey: form.idempotencyKey(), body: { userId: form.values.userId.trim(), orgType, orgId, role } },
      {
        onSuccess: () => form.reset(),
        onSettled: () => {
          inFlight.current = false;
        },
      },
    );
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label="Add a member">
      {note ? <Text>{note}</Text> : null}
      <ProblemBar view={view} />
      {view?.fields["orgId"] || view?.fields["orgType"] ? (
        <MessageBar intent="error">
          <MessageBarBody>{view.fields["orgId"] ?? view.fields["orgType"]}</MessageBarBody>
        </MessageBar>
      ) : null}
      {add.isSuccess ? (
        <MessageBar intent="success">
          <MessageBarBody>{add.data.userId} is now a member ({add.data.role}).</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.row}>
        <TextField
          name="userId"
          label="User id"
          hint="The person's Entra object id (oid)."
          required
          value={form.values.userId}
          onValue={form.set("userId")}
          error={view?.fields["userId"]}
        />
        <SelectField
          name="role"
          label="Role"
          value={role}
          onValue={form.set("role")}
          options={roles.map((r) => ({ value: r, label: r }))}
          error={view?.fields["role"]}
        />
      </div>
      <div>
        <Button appearance="primary" type="submit" disabled={add.isPending || !orgId}>
          Add member
        </Button>
      </div>
    </form>
  );
}
