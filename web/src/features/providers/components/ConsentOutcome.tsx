import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { useSearchParams } from "react-router";

/** The outcome the API's consent callback put in the query string (`?consent=enrolled|failed&detail=`). */
export function ConsentOutcome() {
  const [params] = useSearchParams();
  const consent = params.get("consent");
  if (consent === "enrolled") {
    return (
      <MessageBar intent="success">
        <MessageBarBody>Consent recorded: the provider is enrolled</MessageBarBody>
      </MessageBar>
    );
  }
  if (consent === "failed") {
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Consent failed</MessageBarTitle>
          {params.get("detail") || "The partner admin's consent could not be recorded."}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return null;
}
