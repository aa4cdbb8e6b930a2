export { OrderQueues } from "./components/OrderQueues";
export { WorkOrdersTable } from "./components/WorkOrdersTable";
export { WorkSubscriptionsTable } from "./components/WorkSubscriptionsTable";
export {
  ORDER_QUEUES,
  orderFiltersFrom,
  orderSearch,
  subscriptionFiltersFrom,
  subscriptionSearch,
  toTheMinute,
  type OrderFilters,
  type OrderQueue,
  type SubscriptionFilters,
} from "./filters";
