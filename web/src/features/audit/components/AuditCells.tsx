import { Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { Link } from "react-router";
import type { Role } from "../../../lib/roles";
import type { AuditEntry } from "../api/audit";
import { entityPath, formatMoment, nameOf } from "../entries";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, overflowWrap: "anywhere" },
  code: { fontFamily: tokens.fontFamilyMonospace },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** When the change was made and who made it, linking to that actor's entries in the feed. */
export function WhenWho({ entry }: { entry: AuditEntry }) {
  const styles = useStyles();
  return (
    <div className={styles.stack}>
      <time dateTime={entry.at}>{formatMoment(entry.at)}</time>
      <Link to={`/audit?actorId=${encodeURIComponent(entry.actorId)}`} title="This actor's entries">
        {entry.actorId}
      </Link>
      <Text size={200} className={styles.muted}>
        {entry.actorOrg}
      </Text>
    </div>
  );
}

export function Action({ action }: { action: string }) {
  const styles = useStyles();
  return <span className={styles.code}>{action}</span>;
}

/** The action and the entity it is about: its type, its name (when its snapshot has one) and id, linked to its
 * page. */
export function ActionEntity({ entry, role }: { entry: AuditEntry; role: Role }) {
  const styles = useStyles();
  const path = entityPath(entry.entityType, entry.entityId, role);
  const name = nameOf(entry);
  return (
    <div className={styles.stack}>
      <Action action={entry.action} />
      <Text size={200} className={styles.muted}>
        {entry.entityType}
      </Text>
      {path ? <Link to={path}>{name ?? entry.entityId}</Link> : <span>{name ?? entry.entityId}</span>}
      {name ? (
        <Text size={200} className={mergeClasses(styles.code, styles.muted)}>
          {entry.entityId}
        </Text>
      ) : null}
    </div>
  );
}
