import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { Page } from "../../components/Page";

const useStyles = makeStyles({
  main: {
    minHeight: "100vh",
    display: "flex",
    justifyContent: "center",
    alignItems: "flex-start",
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  inner: { width: "100%", maxWidth: "44rem" },
});

/** A page outside the signed-in frame (sign-in, not a member, starting): one main landmark, centred. */
export function FullPage({ title, children }: { title?: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <main className={styles.main}>
      <div className={styles.inner}>{title ? <Page title={title}>{children}</Page> : children}</div>
    </main>
  );
}
