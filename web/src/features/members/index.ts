export { memberKeys, membersQuery, type MemberRow, type OrgType } from "./api/members";
export { managedOrgTypes, useManagedOrgs, type OrgOption } from "./api/orgs";
export { OrgPicker, type OrgChoice } from "./components/OrgPicker";
export { MembersTable } from "./components/MembersTable";
export { AddMemberForm } from "./components/AddMemberForm";
export { OrganisationMembers } from "./components/OrganisationMembers";
