/** "Check relationship now" for a reseller or a customer: the check is queued (202) and the status follows. */
import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { ErrorState } from "./States";

const useStyles = makeStyles({
  actions: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, alignItems: "flex-start" },
});

export interface CheckMutation {
  isPending: boolean;
  isSuccess: boolean;
  isError: boolean;
  error: unknown;
  mutate: () => void;
}

export function CheckNow({ check }: { check: CheckMutation }) {
  const styles = useStyles();
  return (
    <div className={styles.actions}>
      <Button appearance="primary" disabled={check.isPending} onClick={() => check.mutate()}>
        {check.isPending ? "Queuing a check…" : "Check relationship now"}
      </Button>
      {check.isSuccess ? (
        <MessageBar intent="success">
          <MessageBarBody>A relationship check is queued; the status updates when it has run.</MessageBarBody>
        </MessageBar>
      ) : null}
      {check.isError ? <ErrorState error={check.error} /> : null}
    </div>
  );
}
