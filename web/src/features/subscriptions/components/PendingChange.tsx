/** A subscription's change in flight or refused: as a line in a table, and as a bar on its page. */
import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from "@fluentui/react-components";
import type { PendingChange, Subscription } from "../api/subscriptions";
import { changeText, momentText } from "../format";

export function PendingChangeText({ change }: { change: PendingChange | null }) {
  if (!change) return <Text>—</Text>;
  if (change.status === "pending") return <Text>Being applied: {changeText(change)}</Text>;
  return (
    <Text>
      Refused: {changeText(change)}
      {change.error ? ` (${change.error})` : ""}
    </Text>
  );
}

/**
 * The change this page follows: while pending a progress bar (the page reads the subscription again until it
 * settles), then "applied" once Partner Center shows it, or the reason it was refused.
 */
export function ChangeStatusBar({ sub, followed }: { sub: Subscription; followed: PendingChange | null }) {
  const change = sub.pendingChange;
  if (change?.status === "pending") {
    return (
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Being applied in Partner Center: {changeText(change)}</MessageBarTitle>
          <Spinner size="extra-tiny" label="Applying…" labelPosition="after" />
          Asked at {momentText(change.requestedAt)}. This page shows the result as soon as it is known.
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (change?.status === "failed") {
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Partner Center refused the change: {changeText(change)}</MessageBarTitle>
          {change.error ?? "No reason was given."}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (followed) {
    return (
      <MessageBar intent="success" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Applied: {changeText(followed)}</MessageBarTitle>
          Partner Center shows the change.
        </MessageBarBody>
      </MessageBar>
    );
  }
  return null;
}
