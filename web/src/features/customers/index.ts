export {
  CUSTOMER_STATUSES,
  customerKeys,
  customerQuery,
  customersPageQuery,
  useCustomer,
  useEditCustomer,
  useOffboardCustomer,
  useRecordAgreement,
  useRestoreCustomer,
  type Customer,
  type CustomerAgreement,
  type CustomerCreated,
  type CustomerEdit,
  type CustomerFilters,
  type CustomerStatus,
} from "./api/customers";
export { CustomersTable } from "./components/CustomersTable";
export { market } from "./market";
export { InviteCustomerDialog, InviteCustomerForm } from "./components/InviteCustomerForm";
export { CreateTenantDialog, CreateTenantForm } from "./components/CreateTenantForm";
export { CustomerDetails } from "./components/CustomerDetails";
export { AgreementBadge, AgreementSection, RecordAgreementDialog, RecordAgreementForm } from "./components/Agreement";
export {
  EditContactDialog,
  EditContactForm,
  OffboardDialog,
  OffboardForm,
  OffboardedBadge,
  OffboardedNotice,
  RestoreDialog,
  RestoreForm,
  ShowOffboardedSwitch,
  WithOffboardedBadge,
  type OffboardKind,
  type OffboardingState,
} from "./components/Offboarding";
