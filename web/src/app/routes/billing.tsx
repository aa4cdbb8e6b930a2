/** /billing: billing runs by period (provider staff see every total, reseller staff their own share); provider
 * admins start one and are taken to it. */
import { Text } from "@fluentui/react-components";
import { useNavigate, useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import { PERIOD, RunsTable, StartRunDialog } from "../../features/billing";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff } from "../../lib/roles";

export default function Route() {
  const me = useMe();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const raw = params.get("period");
  const period = raw && PERIOD.test(raw) ? raw : null;
  const providerStaff = isProviderStaff(me.role);
  return (
    <Page
      title="Billing"
      actions={
        me.role === "provider.admin" ? (
          <StartRunDialog onStarted={(run) => navigate(`/billing/${encodeURIComponent(run.id)}`)} />
        ) : null
      }
    >
      <Text>
        {providerStaff
          ? "Each run reconciles a period's Microsoft charges and prices them for resellers and customers."
          : "Each run shows what your organisation and its customers are invoiced for a period."}
      </Text>
      <RunsTable
        period={period}
        onPeriod={(next) => setParams(next ? { period: next } : {}, { replace: true })}
        providerStaff={providerStaff}
      />
    </Page>
  );
}
