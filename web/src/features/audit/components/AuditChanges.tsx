import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { diffSnapshots, type JsonValue } from "../diff";

/** At most this many fields before "Show all". */
const SHOWN = 6;

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  item: { overflowWrap: "anywhere", fontSize: tokens.fontSizeBase200, lineHeight: tokens.lineHeightBase200 },
  field: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
  old: { color: tokens.colorNeutralForeground2 },
  none: { color: tokens.colorNeutralForeground2 },
});

/** The fields an entry changed: "field: old → new"; a created entity's values alone, a removed one's "was …". */
export function AuditChanges({ before, after }: { before: JsonValue; after: JsonValue }) {
  const styles = useStyles();
  const [all, setAll] = useState(false);
  const changes = diffSnapshots(before, after);
  if (changes.length === 0) return <span className={styles.none}>No field changed</span>;
  const shown = all ? changes : changes.slice(0, SHOWN);
  return (
    <div>
      <ul className={styles.list} aria-label="Changed fields">
        {shown.map((change) => (
          <li key={change.field} className={styles.item}>
            <span className={styles.field}>{change.field}</span>
            {": "}
            {change.before !== undefined && change.after !== undefined ? (
              <>
                <span className={styles.old}>{change.before}</span> → <span>{change.after}</span>
              </>
            ) : change.after !== undefined ? (
              <span>{change.after}</span>
            ) : (
              <span className={styles.old}>was {change.before}</span>
            )}
          </li>
        ))}
      </ul>
      {changes.length > SHOWN ? (
        <Button appearance="transparent" size="small" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? "Show fewer fields" : `Show all ${changes.length} fields`}
        </Button>
      ) : null}
    </div>
  );
}
