/** How a storefront order's state reads for the customer. */
import type { StoreOrderStatus } from "./api/storefront";

export const ORDER_STATUS_LABELS: Record<StoreOrderStatus, string> = {
  pendingApproval: "Awaiting approval",
  accepted: "Accepted",
  provisioning: "Provisioning",
  completed: "Completed",
  partiallyCompleted: "Partially completed",
  failed: "Failed",
  rejected: "Rejected",
};

export const LINE_STATUS_LABELS: Record<string, string> = { pending: "Pending", provisioned: "Provisioned", failed: "Failed" };
