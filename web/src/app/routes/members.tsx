/** /members (operator): pick an organisation, list its members, add one, change a role, remove one. */
import { useSearchParams } from "react-router";
import { Page, Section } from "../../components/Page";
import { AddMemberForm, MembersTable, OrgPicker, type OrgChoice, type OrgType } from "../../features/members";
import { useProviderOptions } from "../../features/providers";
import { useMe } from "../../lib/auth/me";
import { ORG_TYPES } from "../../lib/roles";

export default function MembersRoute() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const providers = useProviderOptions();
  const providerOptions = providers.data ?? [];
  const typeParam = params.get("orgType") as OrgType | null;
  const orgType: OrgType = typeParam && ORG_TYPES.includes(typeParam) ? typeParam : "operator";
  let orgId = params.get("orgId") ?? "";
  if (orgType === "operator") orgId = orgId || me.orgId;
  if (orgType === "provider" && !orgId) orgId = providerOptions[0]?.value ?? "";
  const choice: OrgChoice = { orgType, orgId };
  const orgName = orgType === "provider" ? (providerOptions.find((p) => p.value === orgId)?.label ?? orgId) : orgId;

  const choose = (next: OrgChoice) => setParams({ orgType: next.orgType, orgId: next.orgId }, { replace: true });

  return (
    <Page title="Members">
      <OrgPicker value={choice} onChange={choose} providers={providerOptions} operatorOrgId={me.orgId} />
      {orgId ? (
        <>
          <Section title={`Members of ${orgType} ${orgName}`}>
            <MembersTable orgType={orgType} orgId={orgId} />
          </Section>
          <Section title="Add a member">
            <AddMemberForm key={`${orgType}/${orgId}`} orgType={orgType} orgId={orgId} />
          </Section>
        </>
      ) : null}
    </Page>
  );
}
