/** The customer and the reseller of a row, linking their pages, by name once it is known (the id until then). */
import { Link } from "react-router";
import { useCustomerName } from "../api/worklists";

export function CustomerLink({ id }: { id: string }) {
  const name = useCustomerName(id);
  return <Link to={`/customers/${encodeURIComponent(id)}`}>{name ?? id}</Link>;
}

export function ResellerLink({ id, names }: { id: string; names: ReadonlyMap<string, string> }) {
  return <Link to={`/resellers/${encodeURIComponent(id)}`}>{names.get(id) ?? id}</Link>;
}
