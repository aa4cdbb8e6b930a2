export {
  RESELLER_STATUSES,
  resellerKeys,
  resellerQuery,
  resellersPageQuery,
  useEditReseller,
  useOffboardReseller,
  useReseller,
  useRestoreReseller,
  useResellerOptions,
  type Reseller,
  type ResellerEdit,
  type ResellerFilters,
  type ResellerStatus,
} from "./api/resellers";
export { ResellersTable } from "./components/ResellersTable";
export { InviteResellerDialog, InviteResellerForm, type ResellerInvitation } from "./components/InviteResellerForm";
export { ResellerDetails } from "./components/ResellerDetails";
export { PartnerAgreementBadge, PartnerAgreementNotice } from "./components/PartnerAgreement";
