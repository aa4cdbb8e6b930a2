export { CustomerOrdersSection } from "./components/CustomerOrdersSection";
export { OrderDetails } from "./components/OrderDetails";
export { OrderLinesTable } from "./components/OrderLinesTable";
export { OrderDecision } from "./components/OrderDecision";
export { PlaceOrderForm, PlaceOrderDialog } from "./components/PlaceOrderForm";
export { useOrder, orderKeys, orderQuery, type Order, type OrderLine, type OrderStatus } from "./api/orders";
