export { StoreCatalog } from "./components/StoreCatalog";
export { StoreCart } from "./components/StoreCart";
export { StoreOrders } from "./components/StoreOrders";
export { StoreOrder } from "./components/StoreOrder";
export { StoreSubscriptions } from "./components/StoreSubscriptions";
export { StoreCharges } from "./components/StoreCharges";
export { StorefrontSection } from "./components/StorefrontSection";
export { StoreAgreement } from "./components/StoreAgreement";
