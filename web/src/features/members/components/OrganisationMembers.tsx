import { makeStyles } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { Section } from "../../../components/Page";
import { SelectField } from "../../../components/form";
import { useMe } from "../../../lib/auth/me";
import { rolesFor } from "../../../lib/roles";
import { membersQuery, type OrgType } from "../api/members";
import { useManagedOrgs, type OrgOption } from "../api/orgs";
import { AddMemberForm } from "./AddMemberForm";
import { MembersTable } from "./MembersTable";

const OWN = "own";
const ADMIN_OF: Record<OrgType, string> = {
  operator: "operator",
  provider: "provider.admin",
  reseller: "reseller.admin",
  customer: "customer.admin",
};

const useStyles = makeStyles({ chooser: { maxWidth: "32rem" } });

const valueOf = (org: { orgType: OrgType; orgId: string }) => `${org.orgType}:${org.orgId}`;

/** Which organisation: the admin's own, or one below it (a provider admin's resellers and customers). */
function OrgChooser({
  value,
  options,
  onChoose,
}: {
  value: string;
  options: OrgOption[];
  onChoose: (org: { orgType: OrgType; orgId: string } | null) => void;
}) {
  const styles = useStyles();
  const choices = [
    { value: OWN, label: "Your own organisation" },
    ...options.map((o) => ({ value: valueOf(o), label: `${o.orgType === "reseller" ? "Reseller" : "Customer"} · ${o.name}` })),
  ];
  if (!choices.some((c) => c.value === value)) choices.push({ value, label: value.replace(":", " ") });
  return (
    <div className={styles.chooser}>
      <SelectField
        name="organisation"
        label="Organisation"
        hint="Your organisation, or one of those you manage."
        value={value}
        options={choices}
        onValue={(next) => {
          const option = options.find((o) => valueOf(o) === next);
          onChoose(option ? { orgType: option.orgType, orgId: option.orgId } : null);
        }}
      />
    </div>
  );
}

/** Adding to an organisation below one's own: only its first admin (its own admins add the others). */
function AddBelow({ orgType, orgId }: { orgType: OrgType; orgId: string }) {
  const members = useQuery(membersQuery(orgType, orgId));
  if (!members.data) return null;
  const hasAdmin = members.data.items.some((m) => m.role === ADMIN_OF[orgType]);
  const adminRole = rolesFor(orgType).find((role) => role === ADMIN_OF[orgType]);
  if (hasAdmin || !adminRole) {
    return <p>This {orgType} has an admin: its own admins add further members. You may change a role or remove a member.</p>;
  }
  return (
    <AddMemberForm
      key={`${orgType}/${orgId}`}
      orgType={orgType}
      orgId={orgId}
      roles={[adminRole]}
      note={`This ${orgType} has no admin yet: add its first one.`}
    />
  );
}

/**
 * The members page of a provider's, reseller's or customer's admin: its own organisation's members, or those of
 * one it manages (`target`), with adding a member, changing a role and removing one.
 */
export function OrganisationMembers({
  target,
  onTarget,
}: {
  target: { orgType: OrgType; orgId: string } | null;
  onTarget: (org: { orgType: OrgType; orgId: string } | null) => void;
}) {
  const me = useMe();
  const managed = useManagedOrgs(me.role);
  const below = target && managed.types.includes(target.orgType) ? target : null;
  const org = below ?? { orgType: me.orgType, orgId: me.orgId };
  const name = below ? (managed.options.find((o) => valueOf(o) === valueOf(below))?.name ?? below.orgId) : null;
  return (
    <>
      {managed.types.length > 0 ? (
        <OrgChooser value={below ? valueOf(below) : OWN} options={managed.options} onChoose={onTarget} />
      ) : null}
      <Section title={name ? `Members of ${org.orgType} ${name}` : "Members of your organisation"}>
        <MembersTable key={valueOf(org)} orgType={org.orgType} orgId={org.orgId} />
      </Section>
      <Section title="Add a member">
        {below ? (
          <AddBelow orgType={below.orgType} orgId={below.orgId} />
        ) : (
          <AddMemberForm key={valueOf(org)} orgType={org.orgType} orgId={org.orgId} />
        )}
      </Section>
    </>
  );
}
