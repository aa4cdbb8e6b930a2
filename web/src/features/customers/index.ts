export {
  CUSTOMER_STATUSES,
  customerKeys,
  customerQuery,
  customersPageQuery,
  useCustomer,
  type Customer,
  type CustomerCreated,
  type CustomerFilters,
  type CustomerStatus,
} from "./api/customers";
export { CustomersTable } from "./components/CustomersTable";
export { market } from "./market";
export { InviteCustomerDialog, InviteCustomerForm } from "./components/InviteCustomerForm";
export { CreateTenantDialog, CreateTenantForm } from "./components/CreateTenantForm";
export { CustomerDetails } from "./components/CustomerDetails";
