export { CustomerSubscriptionsSection } from "./components/CustomerSubscriptionsSection";
