import { Button, Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import type { OrgType } from "../api/members";

const ORG_TYPES: OrgType[] = ["operator", "provider", "reseller", "customer"];

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalL, alignItems: "flex-end" },
});

export interface OrgChoice {
  orgType: OrgType;
  orgId: string;
}

/**
 * Which organisation's members to show: its type, then a provider from a list, or an id typed in for the others
 * (the operator's own organisation is filled in).
 */
export function OrgPicker({
  value,
  onChange,
  providers,
  operatorOrgId,
}: {
  value: OrgChoice;
  onChange: (choice: OrgChoice) => void;
  providers: { value: string; label: string }[];
  operatorOrgId: string;
}) {
  const styles = useStyles();
  const [typedId, setTypedId] = useState(value.orgType === "reseller" || value.orgType === "customer" ? value.orgId : "");

  const pickType = (orgType: OrgType) => {
    if (orgType === "operator") onChange({ orgType, orgId: operatorOrgId });
    else if (orgType === "provider") onChange({ orgType, orgId: providers[0]?.value ?? "" });
    else {
      setTypedId("");
      onChange({ orgType, orgId: "" });
    }
  };

  const submitTyped = (event: FormEvent) => {
    event.preventDefault();
    onChange({ orgType: value.orgType, orgId: typedId.trim() });
  };

  return (
    <form className={styles.row} onSubmit={submitTyped} aria-label="Organisation">
      <Field label="Organisation type">
        <Select value={value.orgType} onChange={(_, data) => pickType(data.value as OrgType)}>
          {ORG_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </Select>
      </Field>
      {value.orgType === "provider" ? (
        <Field label="Provider">
          <Select value={value.orgId} onChange={(_, data) => onChange({ orgType: "provider", orgId: data.value })}>
            {providers.length === 0 ? <option value="">No provider enrolled</option> : null}
            {providers.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {value.orgType === "reseller" || value.orgType === "customer" ? (
        <>
          <Field label={value.orgType === "reseller" ? "Reseller id" : "Customer id"}>
            <Input value={typedId} onChange={(_, data) => setTypedId(data.value)} />
          </Field>
          <Button type="submit">Show members</Button>
        </>
      ) : null}
    </form>
  );
}
