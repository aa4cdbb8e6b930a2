/** A default margin (the provider's for resellers, a reseller's for customers, where they have none of their own):
 * read by whoever may, set by whoever may. */
import { Button, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { ProblemBar } from "../../../components/ProblemBar";
import { ErrorState, Loading } from "../../../components/States";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useDefaultMargin, useSaveDefaultMargin, type DefaultMarginOf, type Margin } from "../api/pricing";
import { changedAt, describeMargin, marginToSend, percentText } from "../margin";
import { MarginField } from "./MarginField";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", alignItems: "flex-start", gap: tokens.spacingVerticalS },
});

function stored(margin: Margin): string {
  const by = margin.updatedAt ? ` (set ${changedAt(margin.updatedAt)}${margin.updatedBy ? ` by ${margin.updatedBy}` : ""})` : "";
  return `${describeMargin(margin.margin)}${by}`;
}

function Editor({ of, label, emptyMeans, saved }: { of: DefaultMarginOf; label: string; emptyMeans: string; saved: Margin }) {
  const styles = useStyles();
  const [value, setValue] = useState(percentText(saved.margin));
  const save = useSaveDefaultMargin(of);
  const view = viewProblem(problemOf(save.error), ["margin"]);
  return (
    <form
      className={styles.root}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!save.isPending) save.mutate(marginToSend(value));
      }}
    >
      <ProblemBar view={view} />
      <MarginField label={label} value={value} onValue={setValue} error={view?.fields["margin"]} emptyMeans={emptyMeans} />
      <Button type="submit" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save default margin"}
      </Button>
      <Text role="status">{save.isSuccess ? `Saved: ${stored(save.data)}.` : `Stored: ${stored(saved)}.`}</Text>
    </form>
  );
}

export function DefaultMarginForm({
  of,
  label,
  emptyMeans,
  editable,
}: {
  of: DefaultMarginOf;
  label: string;
  emptyMeans: string;
  editable: boolean;
}) {
  const margin = useDefaultMargin(of);
  if (margin.isPending) return <Loading label="Loading the default margin…" />;
  if (margin.isError) return <ErrorState error={margin.error} onRetry={() => void margin.refetch()} />;
  if (!editable) {
    return (
      <Text>
        {label}: {stored(margin.data)}.
      </Text>
    );
  }
  return <Editor of={of} label={label} emptyMeans={emptyMeans} saved={margin.data} />;
}
