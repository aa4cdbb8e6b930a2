export { EndOfTermSection } from "./components/EndOfTermSection";
export { ScheduleChangesForm } from "./components/ScheduleChangesForm";
export { CustomerSubscriptionsSection } from "./components/CustomerSubscriptionsSection";
export { ChangeStatusBar, PendingChangeText } from "./components/PendingChange";
export { SeatLotsTable } from "./components/SeatLotsTable";
export { SubscriptionActions } from "./components/SubscriptionActions";
export { SubscriptionDetails } from "./components/SubscriptionDetails";
export {
  SUBSCRIPTION_STATUSES,
  subscriptionKeys,
  subscriptionQuery,
  useSubscription,
  type PendingChange,
  type Subscription,
} from "./api/subscriptions";
export { useNow, windowLeft } from "./window";
