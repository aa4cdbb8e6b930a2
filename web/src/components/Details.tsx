import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  list: {
    display: "grid",
    gridTemplateColumns: "minmax(10rem, max-content) 1fr",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: { fontWeight: tokens.fontWeightSemibold, color: tokens.colorNeutralForeground1 },
  value: { margin: 0, overflowWrap: "anywhere" },
});

export interface DetailItem {
  label: string;
  value: ReactNode;
}

/** A resource's fields as a description list; empty values show as an em dash. */
export function Details({ items, label }: { items: DetailItem[]; label?: string }) {
  const styles = useStyles();
  return (
    <dl className={styles.list} aria-label={label}>
      {items.map((item) => (
        <div key={item.label} style={{ display: "contents" }}>
          <dt className={styles.term}>{item.label}</dt>
          <dd className={styles.value}>{item.value === null || item.value === undefined || item.value === "" ? "—" : item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
