/** /billing/:id: a run followed while it computes; once completed its totals per currency, per reseller and per
 * customer, the discrepancies by kind (provider staff), the lines and the CSV of every line. */
import { useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page } from "../../components/Page";
import { Loading } from "../../components/States";
import {
  DiscrepanciesSection,
  DownloadCsvButton,
  LinesSection,
  RunDetails,
  RunTotals,
  useNames,
  useRun,
} from "../../features/billing";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff } from "../../lib/roles";

export default function Route() {
  const { id = "" } = useParams();
  const me = useMe();
  const run = useRun(id);
  const names = useNames(run.data?.totals.customers.map((t) => t.customerId) ?? []);
  if (run.isError) return <ResourceError title="Billing run" error={run.error} onRetry={() => void run.refetch()} />;
  if (run.isPending) {
    return (
      <Page title="Billing run">
        <Loading label="Loading the billing run…" />
      </Page>
    );
  }
  const data = run.data;
  const completed = data.status === "completed";
  return (
    <Page
      title={`Billing run ${data.period} (${data.kind})`}
      actions={completed ? <DownloadCsvButton runId={data.id} /> : null}
    >
      <RunDetails run={data} />
      {completed ? (
        <>
          <RunTotals run={data} names={names} />
          {isProviderStaff(me.role) ? <DiscrepanciesSection run={data} names={names} /> : null}
          <LinesSection run={data} names={names} />
        </>
      ) : null}
    </Page>
  );
}
