export { EntityAuditSection } from "./components/EntityAuditSection";
export { AuditFeed } from "./components/AuditFeed";
export { AuditChanges } from "./components/AuditChanges";
export { entityPath } from "./entries";
export { diffSnapshots, compact, type FieldChange } from "./diff";
export { defaultRange, toFilters, type FeedChoice } from "./range";
export { auditKeys, auditFeedPageQuery, entityAuditPageQuery, type AuditEntry, type FeedFilters } from "./api/audit";
