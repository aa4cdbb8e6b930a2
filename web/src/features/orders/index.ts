export { CatalogPicker } from "./components/CatalogPicker";
export { CustomerOrdersSection } from "./components/CustomerOrdersSection";
export { OrderDetails } from "./components/OrderDetails";
export { OrderLinesTable } from "./components/OrderLinesTable";
export { OrderDecision, RejectOrderForm } from "./components/OrderDecision";
export { orderColumns } from "./components/orderColumns";
export { PlaceOrderForm, PlaceOrderDialog } from "./components/PlaceOrderForm";
export {
  inFlight,
  orderKeys,
  orderQuery,
  useApproveOrder,
  useOrder,
  useRefreshOrder,
  useShowOrder,
  type CatalogItem,
  type Order,
  type OrderLine,
  type OrderStatus,
} from "./api/orders";
export { cycleLabel, itemName } from "./draft";
