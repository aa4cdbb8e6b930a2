import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import { isApiError, problemOf } from "../lib/api/problem";

const useStyles = makeStyles({
  loading: { padding: tokens.spacingVerticalXXL, display: "flex", justifyContent: "center" },
  empty: {
    padding: tokens.spacingVerticalXL,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    textAlign: "center",
    color: tokens.colorNeutralForeground2,
  },
});

export function Loading({ label = "Loading…" }: { label?: string }) {
  const styles = useStyles();
  return (
    <div className={styles.loading} role="status">
      <Spinner label={label} />
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.empty}>
      <Text>{children}</Text>
    </div>
  );
}

function titleFor(error: unknown): string {
  if (isApiError(error, 401)) return "Your sign-in has expired";
  if (isApiError(error, 403)) return "Not allowed";
  if (isApiError(error, 404)) return "Not found";
  if (isApiError(error, 0)) return "The API cannot be reached";
  return problemOf(error)?.title || "Something went wrong";
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const problem = problemOf(error);
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{titleFor(error)}</MessageBarTitle>
        {problem?.detail}
      </MessageBarBody>
      {onRetry ? (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}
