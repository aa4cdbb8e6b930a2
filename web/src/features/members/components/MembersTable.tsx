import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Select,
} from "@fluentui/react-components";
import { useState } from "react";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { ErrorState } from "../../../components/States";
import { rolesFor } from "../../../lib/roles";
import { membersQuery, useChangeRole, useRemoveMember, type MemberRow, type OrgType } from "../api/members";

export function MembersTable({ orgType, orgId }: { orgType: OrgType; orgId: string }) {
  const change = useChangeRole();
  const remove = useRemoveMember();
  const [removing, setRemoving] = useState<string | null>(null);
  const roles = rolesFor(orgType);

  const columns: Column<MemberRow>[] = [
    { key: "userId", header: "User id", cell: (m) => m.userId },
    {
      key: "role",
      header: "Role",
      cell: (m) => (
        <Select
          aria-label={`Role of ${m.userId}`}
          value={m.role}
          disabled={change.isPending || roles.length < 2}
          onChange={(_, data) => change.mutate({ userId: m.userId, role: data.value as MemberRow["role"] })}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </Select>
      ),
    },
    { key: "createdAt", header: "Added", cell: (m) => m.createdAt },
    { key: "createdBy", header: "Added by", cell: (m) => m.createdBy },
    {
      key: "actions",
      header: "Actions",
      cell: (m) => (
        <Button aria-label={`Remove ${m.userId}`} onClick={() => setRemoving(m.userId)}>
          Remove
        </Button>
      ),
    },
  ];

  return (
    <>
      {change.isError ? <ErrorState error={change.error} /> : null}
      <PagedTable
        label="Members"
        columns={columns}
        rowKey={(m) => m.userId}
        page={() => membersQuery(orgType, orgId)}
        resetKey={`${orgType}/${orgId}`}
        empty="This organisation has no members yet."
      />
      <Dialog
        open={removing !== null}
        onOpenChange={(_, data) => {
          if (!data.open) {
            setRemoving(null);
            remove.reset();
          }
        }}
      >
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Remove member</DialogTitle>
            <DialogContent>
              {removing} will be refused from their next request on.
              {remove.isError ? <ErrorState error={remove.error} /> : null}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setRemoving(null)}>Cancel</Button>
              <Button
                appearance="primary"
                disabled={remove.isPending}
                onClick={() =>
                  removing &&
                  remove.mutate(removing, {
                    onSuccess: () => setRemoving(null),
                  })
                }
              >
                Remove
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
