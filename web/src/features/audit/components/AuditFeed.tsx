import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { PagedTable } from "../../../components/PagedTable";
import { ProblemBar } from "../../../components/ProblemBar";
import { SelectField, TextField, type Option } from "../../../components/form";
import { isApiError, problemOf, viewProblem } from "../../../lib/api/problem";
import type { Role } from "../../../lib/roles";
import { auditFeedPageQuery } from "../api/audit";
import { toFilters, type FeedChoice } from "../range";
import { feedColumns } from "./columns";

const FIELDS = ["from", "to", "actorId", "providerId"] as const;

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  form: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalL, alignItems: "flex-start" },
  submit: { alignSelf: "flex-end", paddingBottom: tokens.spacingVerticalXXS },
});

/**
 * The audit feed of the caller's scope: a range of days, an actor, and for the operator whose feed (a provider's
 * or the platform's own). A refused range (more than 92 days, or from after to) is shown at the field.
 */
export function AuditFeed({
  choice,
  onChoice,
  role,
  providers,
}: {
  choice: FeedChoice;
  onChoice: (choice: FeedChoice) => void;
  role: Role;
  /** The operator's choice of feed; null for everyone else (their own scope). */
  providers: Option[] | null;
}) {
  const styles = useStyles();
  const [draft, setDraft] = useState(choice);
  const filters = toFilters(choice);
  const page = auditFeedPageQuery(filters);
  const first = useQuery(page(null));
  const refused = isApiError(first.error, 422) ? first.error : null;
  const view = viewProblem(problemOf(refused), FIELDS);
  const set = (name: keyof FeedChoice) => (value: string) => setDraft((current) => ({ ...current, [name]: value }));

  const apply = (event: FormEvent) => {
    event.preventDefault();
    onChoice({ ...draft, actorId: draft.actorId.trim() });
  };

  return (
    <div className={styles.root}>
      <form className={styles.form} onSubmit={apply} aria-label="Audit filters" noValidate>
        {providers ? (
          <SelectField
            name="providerId"
            label="Feed"
            value={draft.providerId}
            onValue={set("providerId")}
            options={[{ value: "", label: "The platform's own" }, ...providers]}
            error={view?.fields["providerId"]}
          />
        ) : null}
        <TextField name="from" label="From" type="date" value={draft.from} onValue={set("from")} error={view?.fields["from"]} />
        <TextField name="to" label="To" type="date" value={draft.to} onValue={set("to")} error={view?.fields["to"]} />
        <TextField
          name="actorId"
          label="Actor"
          hint="A user id, or a process such as relationship-check."
          value={draft.actorId}
          onValue={set("actorId")}
          error={view?.fields["actorId"]}
        />
        <div className={styles.submit}>
          <Button appearance="primary" type="submit">
            Show entries
          </Button>
        </div>
      </form>
      <ProblemBar view={view} />
      {refused ? null : (
        <PagedTable
          label="Audit entries"
          columns={feedColumns(role)}
          rowKey={(e) => e.id}
          page={page}
          resetKey={JSON.stringify(filters)}
          empty={filters.actorId ? "No entry by this actor in this range." : "No audit entry in this range."}
        />
      )}
    </div>
  );
}
