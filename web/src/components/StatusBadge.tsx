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
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge appearance="tint" color={COLORS[status] ?? "informative"} shape="rounded">
      {status}
    </Badge>
  );
}
