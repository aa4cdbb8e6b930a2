/** Form building blocks: labelled fields that show the API's field errors next to themselves. */
import { Field, Input, Select, type InputProps } from "@fluentui/react-components";
export type { Option } from "./form-state";
import type { Option } from "./form-state";

interface BaseFieldProps {
  /** The field path the API names in `errors[].field` (e.g. `billingProfile.defaultAddress.city`). */
  name: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  hint?: string;
  required?: boolean;
}

export function TextField({
  name,
  label,
  value,
  onValue,
  error,
  hint,
  required,
  type = "text",
  placeholder,
  autoComplete,
}: BaseFieldProps & { type?: InputProps["type"]; placeholder?: string; autoComplete?: string }) {
  return (
    <Field
      label={label}
      required={required}
      hint={hint}
      validationState={error ? "error" : "none"}
      validationMessage={error}
    >
      <Input
        name={name}
        type={type}
        value={value}
        placeholder={placeholder}
        autoComplete={autoComplete ?? "off"}
        onChange={(_, data) => onValue(data.value)}
      />
    </Field>
  );
}

export function SelectField({
  name,
  label,
  value,
  onValue,
  error,
  hint,
  required,
  options,
  placeholder,
}: BaseFieldProps & { options: Option[]; placeholder?: string }) {
  return (
    <Field
      label={label}
      required={required}
      hint={hint}
      validationState={error ? "error" : "none"}
      validationMessage={error}
    >
      <Select name={name} value={value} onChange={(_, data) => onValue(data.value)}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}
