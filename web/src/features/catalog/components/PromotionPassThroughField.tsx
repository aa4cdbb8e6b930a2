/** How much of a promotion's discount the provider passes down to resellers' and customers' prices: provider
 * admins set it as a percentage (the API stores the fraction 0 to 1), other provider staff read it. */
import { Button, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { ProblemBar } from "../../../components/ProblemBar";
import { ErrorState, Loading } from "../../../components/States";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { useCatalogSettings, useSetCatalogSettings } from "../api/catalog";
import { passThroughFraction, passThroughPercent } from "../promotions";

const LABEL = "Share of a promotion's discount passed to resellers and customers (%)";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", alignItems: "flex-start", gap: tokens.spacingVerticalS },
  input: { width: "8rem" },
});

function Editor({ stored }: { stored: string }) {
  const styles = useStyles();
  const [value, setValue] = useState(passThroughPercent(stored));
  const [typo, setTypo] = useState(false);
  const set = useSetCatalogSettings();
  const view = viewProblem(problemOf(set.error), ["promotionPassThrough"]);
  const error = typo ? "Enter a percentage from 0 to 100, two decimals at most." : view?.fields["promotionPassThrough"];
  return (
    <form
      className={styles.root}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const fraction = passThroughFraction(value);
        setTypo(fraction === null);
        if (fraction !== null && !set.isPending) set.mutate({ promotionPassThrough: fraction });
      }}
    >
      <ProblemBar view={view} />
      <Field
        label={LABEL}
        validationState={error ? "error" : "none"}
        validationMessage={error}
        hint="100: resellers and customers get the whole discount; 0: the provider keeps it."
      >
        <Input
          className={styles.input}
          name="promotionPassThrough"
          inputMode="decimal"
          value={value}
          contentAfter="%"
          onChange={(_, data) => {
            set.reset();
            setTypo(false);
            setValue(data.value);
          }}
        />
      </Field>
      <Button type="submit" disabled={set.isPending}>
        {set.isPending ? "Saving…" : "Save pass-through share"}
      </Button>
      <Text role="status">
        {set.isSuccess
          ? `Saved: ${passThroughPercent(set.data.promotionPassThrough)}% of a promotion's discount passes down.`
          : `Stored: ${passThroughPercent(stored)}%.`}
      </Text>
    </form>
  );
}

export function PromotionPassThroughField({ mayChange }: { mayChange: boolean }) {
  const settings = useCatalogSettings(true);
  if (settings.isPending) return <Loading label="Loading the catalog settings…" />;
  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  const stored = settings.data.promotionPassThrough ?? "1";
  if (!mayChange) {
    return (
      <Text>
        Resellers and customers get {passThroughPercent(stored)}% of a promotion's discount.
      </Text>
    );
  }
  return <Editor stored={stored} />;
}
