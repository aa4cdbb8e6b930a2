import { Link } from "react-router";
import type { Names } from "./names";

/** A reseller or customer by name (its id when the name is not known), linking to its page. */
export function PartyLink({ party, id, names }: { party: "reseller" | "customer"; id: string | null | undefined; names: Names }) {
  if (!id) return <>—</>;
  const name = party === "reseller" ? names.reseller(id) : names.customer(id);
  return <Link to={`/${party}s/${encodeURIComponent(id)}`}>{name ?? id}</Link>;
}
