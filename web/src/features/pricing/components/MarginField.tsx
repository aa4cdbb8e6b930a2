/** A margin typed as a percentage ("12" for 12 %), sent as the decimal fraction the API takes ("0.12"). */
import { Field, Input } from "@fluentui/react-components";
import { percentToFraction } from "../decimal";

export function MarginField({
  label,
  value,
  onValue,
  error,
  emptyMeans,
  name = "margin",
}: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  /** What an empty field means ("the provider's default margin applies"). */
  emptyMeans: string;
  name?: string;
}) {
  const text = value.trim();
  const fraction = text ? percentToFraction(text) : null;
  const hint = !text
    ? `A percentage over the supplier's price, e.g. 12 for 12%. Empty: ${emptyMeans}.`
    : fraction
      ? `${text}% over the supplier's price, sent as the fraction ${fraction}.`
      : "A percentage written in digits, e.g. 12 or 7.5.";
  return (
    <Field label={label} hint={error ? undefined : hint} validationState={error ? "error" : "none"} validationMessage={error}>
      <Input
        name={name}
        value={value}
        inputMode="decimal"
        autoComplete="off"
        contentAfter="%"
        style={{ maxWidth: "12rem" }}
        onChange={(_, data) => onValue(data.value)}
      />
    </Field>
  );
}
