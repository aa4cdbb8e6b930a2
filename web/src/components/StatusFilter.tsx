import { Field, Select } from "@fluentui/react-components";

/** A status filter for a list: "" means every status. */
export function StatusFilter({
  statuses,
  value,
  onValue,
  label = "Status",
}: {
  statuses: readonly string[];
  value: string;
  onValue: (value: string) => void;
  label?: string;
}) {
  return (
    <Field label={label}>
      <Select value={value} onChange={(_, data) => onValue(data.value)}>
        <option value="">All statuses</option>
        {statuses.map((status) => (
          <option key={status} value={status}>
            {status}
          </option>
        ))}
      </Select>
    </Field>
  );
}
