import { Title2, makeStyles, tokens, typographyStyles } from "@fluentui/react-components";
import { useEffect, useId, useRef, type ReactNode } from "react";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "1200px" },
  heading: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
  },
  title: { ...typographyStyles.title1, margin: 0, ":focus": { outlineStyle: "none" } },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  sectionTitle: { margin: 0 },
});

/** One page: its single h1, optional actions beside it, then the content. A new page takes the focus to its
 * h1, as a page load would: screen readers announce it, and a dialog closed by the navigation leaves nothing
 * hidden behind it. */
export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  const styles = useStyles();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · CSP console`;
  }, [title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <h1 className={styles.title} ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className={styles.actions}>{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}

/** A titled part of a page (an h2 that names the section). */
export function Section({ title, children }: { title: string; children?: ReactNode }) {
  const styles = useStyles();
  const id = useId();
  return (
    <section aria-labelledby={id} className={styles.section}>
      <Title2 as="h2" id={id} className={styles.sectionTitle}>
        {title}
      </Title2>
      {children}
    </section>
  );
}
