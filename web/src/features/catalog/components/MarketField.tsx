/** A market: a two-letter country code, with the markets the caller can read offered as suggestions. */
import { Field, Input } from "@fluentui/react-components";
import { useId } from "react";
import { isCountry } from "../format";

export function MarketField({
  value,
  onValue,
  suggestions,
  label = "Market",
  error,
}: {
  value: string;
  onValue: (value: string) => void;
  suggestions: readonly string[];
  label?: string;
  error?: string;
}) {
  const listId = useId();
  const invalid = value !== "" && !isCountry(value);
  const message = error ?? (invalid ? "Two letters, such as US or NL." : undefined);
  const hint = suggestions.length
    ? `Two-letter country code. Markets: ${suggestions.join(", ")}.`
    : "Two-letter country code, such as US or NL.";
  return (
    <>
    <Field label={label} hint={message ? undefined : hint} validationState={message ? "error" : "none"} validationMessage={message}>
      <Input
        value={value}
        list={listId}
        maxLength={2}
        autoComplete="off"
        style={{ width: "7rem" }}
        onChange={(_, data) => onValue(data.value.toUpperCase())}
      />
    </Field>
    <datalist id={listId}>
      {suggestions.map((country) => (
        <option key={country} value={country} />
      ))}
    </datalist>
    </>
  );
}
