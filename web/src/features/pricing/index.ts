export { CustomerPricingSection, ResellerPricingSection } from "./components/PricingSections";
export { DefaultMarginForm } from "./components/DefaultMarginForm";
export { applyMargin, fractionToPercent, percentToFraction } from "./decimal";
