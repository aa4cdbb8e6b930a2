export {
  CUSTOMER_STATUSES,
  customerKeys,
  customerQuery,
  customersPageQuery,
  useCustomer,
  useEditCustomer,
  useOffboardCustomer,
  useRestoreCustomer,
  type Customer,
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
