export { summaryKeys, summaryQuery, useProviderSummary, type ProviderSummary } from "./api/summary";
export { SummaryCards } from "./components/SummaryCards";
