import { Badge, type BadgeProps } from "@fluentui/react-components";

const COLORS: Record<string, BadgeProps["color"]> = {
  active: "success",
  enrolled: "success",
  completed: "success",
  invited: "informative",
  creating: "informative",
  queued: "informative",
  running: "informative",
  consentRequired: "warning",
  expired: "subtle",
  ended: "subtle",
  disabled: "subtle",
  failed: "danger",
  rejected: "danger",
  pendingApproval: "warning",
  provisioned: "success",
  pending: "informative",
  accepted: "informative",
  provisioning: "informative",
  partiallyCompleted: "warning",
  suspended: "warning",
  deleted: "subtle",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge appearance="tint" color={COLORS[status] ?? "informative"} shape="rounded">
      {status}
    </Badge>
  );
}
