export {
  DISCREPANCY_KINDS,
  RUN_KINDS,
  billingKeys,
  inFlight,
  runQuery,
  runsPageQuery,
  useRun,
  type Discrepancy,
  type DiscrepancyKind,
  type Line,
  type Run,
  type RunKind,
  type RunStatus,
  type RunSummary,
} from "./api/billing";
export { PERIOD, moment } from "./format";
export { DiscrepanciesSection } from "./components/DiscrepanciesSection";
export { DownloadCsvButton } from "./components/DownloadCsvButton";
export { LinesSection } from "./components/LinesSection";
export { RunDetails } from "./components/RunDetails";
export { RunTotals } from "./components/RunTotals";
export { RunsTable } from "./components/RunsTable";
export { StartRunDialog, StartRunForm } from "./components/StartRunForm";
export { TotalsByCurrency } from "./components/TotalsByCurrency";
export { useNames } from "./components/names";
