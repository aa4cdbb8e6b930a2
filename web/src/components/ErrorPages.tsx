import { Text } from "@fluentui/react-components";
import { Link } from "react-router";
import { isApiError } from "../lib/api/problem";
import { Page } from "./Page";
import { ErrorState } from "./States";

export function NotFoundPage({ detail }: { detail?: string }) {
  return (
    <Page title="Not found">
      <Text>{detail ?? "There is nothing at this address, or it is outside what you may see."}</Text>
      <Text>
        <Link to="/">Go to the start page</Link>
      </Text>
    </Page>
  );
}

export function NotAllowedPage({ detail }: { detail?: string }) {
  return (
    <Page title="Not allowed">
      <Text>{detail ?? "Your role does not give access to this page."}</Text>
      <Text>
        <Link to="/">Go to the start page</Link>
      </Text>
    </Page>
  );
}

/** A whole page for a resource that could not be read: 404 and 403 get their own pages. */
export function ResourceError({ error, title, onRetry }: { error: unknown; title: string; onRetry?: () => void }) {
  if (isApiError(error, 404)) return <NotFoundPage detail={error.problem.detail || undefined} />;
  if (isApiError(error, 403)) return <NotAllowedPage detail={error.problem.detail || undefined} />;
  return (
    <Page title={title}>
      <ErrorState error={error} onRetry={onRetry} />
    </Page>
  );
}
