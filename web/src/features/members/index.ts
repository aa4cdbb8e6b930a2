export { memberKeys, membersQuery, type MemberRow, type OrgType } from "./api/members";
export { OrgPicker, type OrgChoice } from "./components/OrgPicker";
export { MembersTable } from "./components/MembersTable";
export { AddMemberForm } from "./components/AddMemberForm";
