import { Section } from "../../../components/Page";
import { PagedTable } from "../../../components/PagedTable";
import { entityAuditPageQuery } from "../api/audit";
import { trailColumns } from "./columns";

/** The audit trail of one entity on its page (admins): newest first, what each change did to its fields. */
export function EntityAuditSection({ entityId }: { entityId: string }) {
  return (
    <Section title="Audit trail">
      <PagedTable
        label="Audit trail"
        columns={trailColumns}
        rowKey={(e) => e.id}
        page={entityAuditPageQuery(entityId)}
        resetKey={entityId}
        empty="No audit entries yet."
      />
    </Section>
  );
}
