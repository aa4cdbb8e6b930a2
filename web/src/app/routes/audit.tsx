/** /audit: the audit feed of the caller's scope by time range and actor (the operator picks whose feed). */
import { useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import { AuditFeed, defaultRange, type FeedChoice } from "../../features/audit";
import { useProviderOptions } from "../../features/providers";
import { useMe } from "../../lib/auth/me";
import { isOperator } from "../../lib/roles";

function OperatorFeed({ choice, onChoice }: { choice: FeedChoice; onChoice: (choice: FeedChoice) => void }) {
  const providers = useProviderOptions();
  return <AuditFeed choice={choice} onChoice={onChoice} role="operator" providers={providers.data ?? []} />;
}

export default function AuditRoute() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const range = defaultRange();
  const choice: FeedChoice = {
    from: params.get("from") ?? range.from,
    to: params.get("to") ?? range.to,
    actorId: params.get("actorId") ?? "",
    providerId: params.get("providerId") ?? "",
  };
  const choose = (next: FeedChoice) => {
    const entries = Object.entries(next).filter(([, value]) => value !== "");
    setParams(Object.fromEntries(entries), { replace: true });
  };
  const key = params.toString();
  return (
    <Page title="Audit">
      {isOperator(me.role) ? (
        <OperatorFeed key={key} choice={choice} onChoice={choose} />
      ) : (
        <AuditFeed key={key} choice={choice} onChoice={choose} role={me.role} providers={null} />
      )}
    </Page>
  );
}
