/** The API's warning that a change would wipe the changes scheduled for the next term, with the choice to go on. */
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Text } from "@fluentui/react-components";
import type { WipeWarning } from "../api/renewals";
import { scheduledText } from "../life";

export function WipeConfirm({
  wipe,
  confirmLabel,
  busy,
  onConfirm,
}: {
  wipe: WipeWarning;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
}) {
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>This change wipes the scheduled changes</MessageBarTitle>
        <Text as="p">{wipe.warning}</Text>
        {wipe.scheduledChanges ? <Text as="p">Scheduled now: {scheduledText(wipe.scheduledChanges)}.</Text> : null}
      </MessageBarBody>
      <MessageBarActions>
        <Button appearance="primary" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
