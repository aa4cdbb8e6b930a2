import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  Select,
} from "@fluentui/react-components";
import { useState } from "react";
import { PagedTable, type Column } from "../../../components/PagedTable";
import { ErrorState } from "../../../components/States";
import { formatMoment } from "../../../lib/moment";
import { rolesFor } from "../../../lib/roles";
import { membersQuery, useChangeRole, useRemoveMember, type MemberRow, type OrgType, type Role } from "../api/members";

const added = (at: string) => <time dateTime={at}>{formatMoment(at)}</time>;

/** An organisation's members: change a role in place, remove one after a confirmation; the outcome of each (the
 * API's refusal too, such as the last admin's 409) is shown above the table. */
export function MembersTable({ orgType, orgId }: { orgType: OrgType; orgId: string }) {
  const change = useChangeRole();
  const remove = useRemoveMember();
  const [removing, setRemoving] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const roles = rolesFor(orgType);

  const changeRole = (userId: string, role: Role) => {
    setDone(null);
    remove.reset();
    change.mutate({ userId, role }, { onSuccess: (member) => setDone(`${member.userId} is now ${member.role}.`) });
  };
  const openRemove = (userId: string) => {
    remove.reset();
    setRemoving(userId);
  };
  const confirmRemove = () => {
    if (!removing) return;
    const userId = removing;
    remove.mutate(userId, {
      onSuccess: () => {
        change.reset();
        setDone(`${userId} is no longer a member.`);
        setRemoving(null);
      },
    });
  };

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
          onChange={(_, data) => changeRole(m.userId, data.value as Role)}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </Select>
      ),
    },
    { key: "createdAt", header: "Added", cell: (m) => added(m.createdAt) },
    { key: "createdBy", header: "Added by", cell: (m) => m.createdBy },
    {
      key: "actions",
      header: "Actions",
      cell: (m) => (
        <Button aria-label={`Remove ${m.userId}`} onClick={() => openRemove(m.userId)}>
          Remove
        </Button>
      ),
    },
  ];

  return (
    <>
      <div aria-live="polite">
        {done ? (
          <MessageBar intent="success">
            <MessageBarBody>{done}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
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
          if (!data.open) setRemoving(null);
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
              <Button appearance="primary" disabled={remove.isPending} onClick={confirmRemove}>
                Remove
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
