export { EntityAuditSection } from "./components/EntityAuditSection";
