import type { Column } from "../../../components/PagedTable";
import type { Role } from "../../../lib/roles";
import type { AuditEntry } from "../api/audit";
import { Action, ActionEntity, WhenWho } from "./AuditCells";
import { AuditChanges } from "./AuditChanges";

const whenWho: Column<AuditEntry> = { key: "at", header: "When and who", cell: (e) => <WhenWho entry={e} /> };
const changes: Column<AuditEntry> = {
  key: "changes",
  header: "What changed",
  cell: (e) => <AuditChanges before={e.before} after={e.after} />,
};

/** The columns of an entity's trail (its page names the entity). */
export const trailColumns: Column<AuditEntry>[] = [
  whenWho,
  { key: "action", header: "Action", cell: (e) => <Action action={e.action} /> },
  changes,
];

/** The columns of the feed: the trail's, with the entity each entry is about beside its action. */
export function feedColumns(role: Role): Column<AuditEntry>[] {
  return [whenWho, { key: "entity", header: "Action and entity", cell: (e) => <ActionEntity entry={e} role={role} /> }, changes];
}
