import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";

const useStyles = makeStyles({
  secret: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
});

/** A signing secret, shown this once with a copy button and the warning that it will not be shown again. */
export function SecretOnce({ secret, onDismiss }: { secret: string; onDismiss: () => void }) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void navigator.clipboard
      ?.writeText(secret)
      .then(() => setCopied(true))
      .catch(() => setCopied(false));
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Copy the signing secret now: it will not be shown again</MessageBarTitle>
        Verify every delivery's X-Signature with it. <code className={styles.secret} data-testid="signing-secret">{secret}</code>
        {copied ? " (copied)" : null}
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={copy}>Copy secret</Button>
        <Button onClick={onDismiss}>I have stored it</Button>
      </MessageBarActions>
    </MessageBar>
  );
}
