export {
  DELIVERY_STATUSES,
  EVENT_TYPES,
  eventSubscriptionKeys,
  useEventSubscription,
  type Delivery,
  type DeliveryStatus,
  type EventSubscription,
  type EventSubscriptionWithSecret,
} from "./api/notifications";
export { DeliveriesTable } from "./components/DeliveriesTable";
export { EndpointDetails } from "./components/EndpointDetails";
export { EndpointsTable } from "./components/EndpointsTable";
export { RegisterEndpointDialog, RegisterEndpointForm } from "./components/RegisterEndpointForm";
export { SecretOnce } from "./components/SecretOnce";
