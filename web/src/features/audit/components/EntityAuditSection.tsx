/** The audit trail of one entity on its page (admins). */
export function EntityAuditSection(_: { entityId: string }) {
  return null;
}
