export { CustomerPricingSection, ResellerPricingSection } from "./components/PricingSections";
