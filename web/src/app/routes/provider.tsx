/** /providers/:id: the provider's enrollment, the partner admin's consent, and the consent's outcome. */
import { useParams } from "react-router";
import { ResourceError } from "../../components/ErrorPages";
import { Page } from "../../components/Page";
import { Loading } from "../../components/States";
import { ConsentOutcome, ProviderDetails, useProvider } from "../../features/providers";
import { useMe } from "../../lib/auth/me";
import { mayGiveConsent } from "../../lib/roles";

export default function ProviderRoute() {
  const { id = "" } = useParams();
  const me = useMe();
  const provider = useProvider(id);
  if (provider.isError) return <ResourceError title="Provider" error={provider.error} onRetry={() => void provider.refetch()} />;
  if (provider.isPending) {
    return (
      <Page title="Provider">
        <ConsentOutcome />
        <Loading label="Loading the provider…" />
      </Page>
    );
  }
  return (
    <Page title={provider.data.name}>
      <ConsentOutcome />
      <ProviderDetails provider={provider.data} mayGiveConsent={mayGiveConsent(me.role)} />
    </Page>
  );
}
