import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { ProblemView } from "../lib/api/problem";

/** The part of a problem no form field claimed (its detail, or the unmatched field errors). */
export function ProblemBar({ view }: { view: ProblemView | null }) {
  if (!view?.general) return null;
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{view.title}</MessageBarTitle>
        {view.general}
      </MessageBarBody>
    </MessageBar>
  );
}
