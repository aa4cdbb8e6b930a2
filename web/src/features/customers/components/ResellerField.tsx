import { Field, Text } from "@fluentui/react-components";
import { SelectField, type Option } from "../../../components/form";

/** The reseller a customer is brought in under: a choice for provider staff, fixed for reseller staff. */
export function ResellerField({
  fixed,
  resellers,
  value,
  onValue,
  error,
}: {
  fixed: Option | null;
  resellers: Option[];
  value: string;
  onValue: (value: string) => void;
  error?: string;
}) {
  if (fixed) {
    return (
      <Field label="Reseller" validationState={error ? "error" : "none"} validationMessage={error}>
        <Text>{fixed.label}</Text>
      </Field>
    );
  }
  return (
    <SelectField
      name="resellerId"
      label="Reseller"
      required
      value={value}
      onValue={onValue}
      options={resellers}
      placeholder="Choose a reseller"
      error={error}
    />
  );
}
