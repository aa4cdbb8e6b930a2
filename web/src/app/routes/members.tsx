/** /members: the operator picks any organisation; an organisation's admins see their own organisation's members,
 * and a provider's admins (a reseller's for its customers) those of one they manage
 * (`?orgType=reseller&orgId=...`); add a member, change a role, remove one. */
import { useSearchParams } from "react-router";
import { Page, Section } from "../../components/Page";
import {
  AddMemberForm,
  MembersTable,
  OrganisationMembers,
  OrgPicker,
  type OrgChoice,
  type OrgType,
} from "../../features/members";
import { useProviderOptions } from "../../features/providers";
import { useMe } from "../../lib/auth/me";
import { ORG_TYPES, isOperator } from "../../lib/roles";

function orgTypeParam(params: URLSearchParams): OrgType | null {
  const raw = params.get("orgType") as OrgType | null;
  return raw && ORG_TYPES.includes(raw) ? raw : null;
}

function OperatorMembers() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const providers = useProviderOptions();
  const providerOptions = providers.data ?? [];
  const orgType: OrgType = orgTypeParam(params) ?? "operator";
  let orgId = params.get("orgId") ?? "";
  if (orgType === "operator") orgId = orgId || me.orgId;
  if (orgType === "provider" && !orgId) orgId = providerOptions[0]?.value ?? "";
  const choice: OrgChoice = { orgType, orgId };
  const orgName = orgType === "provider" ? (providerOptions.find((p) => p.value === orgId)?.label ?? orgId) : orgId;

  const choose = (next: OrgChoice) => setParams({ orgType: next.orgType, orgId: next.orgId }, { replace: true });

  return (
    <>
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
    </>
  );
}

function AdminMembers() {
  const [params, setParams] = useSearchParams();
  const orgType = orgTypeParam(params);
  const orgId = params.get("orgId") ?? "";
  const target = orgType && orgId ? { orgType, orgId } : null;
  return (
    <OrganisationMembers
      target={target}
      onTarget={(next) => setParams(next ? { orgType: next.orgType, orgId: next.orgId } : {}, { replace: true })}
    />
  );
}

export default function MembersRoute() {
  const me = useMe();
  return <Page title="Members">{isOperator(me.role) ? <OperatorMembers /> : <AdminMembers />}</Page>;
}
