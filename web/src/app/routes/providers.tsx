/** /providers (operator): every enrolled provider; enroll a new one, then go to its page. */
import { useNavigate } from "react-router";
import { Page } from "../../components/Page";
import { ConsentOutcome, EnrollProviderDialog, ProvidersTable } from "../../features/providers";

export default function ProvidersRoute() {
  const navigate = useNavigate();
  return (
    <Page
      title="Providers"
      actions={<EnrollProviderDialog onEnrolled={(provider) => navigate(`/providers/${encodeURIComponent(provider.id)}`)} />}
    >
      <ConsentOutcome />
      <ProvidersTable />
    </Page>
  );
}
