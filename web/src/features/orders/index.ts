export { CustomerOrdersSection } from "./components/CustomerOrdersSection";
