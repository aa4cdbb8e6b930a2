export {
  RESELLER_STATUSES,
  resellerKeys,
  resellerQuery,
  resellersPageQuery,
  useReseller,
  useResellerOptions,
  type Reseller,
  type ResellerStatus,
} from "./api/resellers";
export { ResellersTable } from "./components/ResellersTable";
export { InviteResellerDialog, InviteResellerForm, type ResellerInvitation } from "./components/InviteResellerForm";
export { ResellerDetails } from "./components/ResellerDetails";
