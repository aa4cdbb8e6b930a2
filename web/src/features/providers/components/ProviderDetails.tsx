import { Button, Card, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Details } from "../../../components/Details";
import { ErrorState } from "../../../components/States";
import { StatusBadge } from "../../../components/StatusBadge";
import type { Provider } from "../api/get-providers";
import { useStartConsent } from "../api/start-consent";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  consent: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, alignItems: "flex-start" },
});

export function ProviderDetails({
  provider,
  mayGiveConsent,
  goTo,
}: {
  provider: Provider;
  mayGiveConsent: boolean;
  /** Where the browser goes with the consent URL (the real window by default; tests pass a spy). */
  goTo?: (url: string) => void;
}) {
  const styles = useStyles();
  const consent = useStartConsent(goTo);
  return (
    <Card className={styles.card}>
      <Details
        label="Provider"
        items={[
          { label: "Status", value: <StatusBadge status={provider.status} /> },
          { label: "Name", value: provider.name },
          { label: "Company name", value: provider.companyName },
          { label: "Partner ID", value: provider.partnerId },
          { label: "Tenant ID", value: provider.tenantId },
          { label: "Client ID", value: provider.clientId },
          { label: "Partner admin consent", value: provider.consentGranted ? "granted" : "not yet" },
          { label: "Enrolled at", value: provider.createdAt },
          { label: "Updated at", value: provider.updatedAt },
        ]}
      />
      {provider.status === "consentRequired" ? (
        <div className={styles.consent}>
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>
              The app is confirmed; a partner admin of the provider still has to sign in and consent (app + user)
              before the provider is enrolled.
            </MessageBarBody>
          </MessageBar>
          {mayGiveConsent ? (
            <Button appearance="primary" disabled={consent.isPending || consent.isSuccess} onClick={() => consent.mutate(provider.id)}>
              {consent.isPending || consent.isSuccess ? "Opening the consent page…" : "Give consent"}
            </Button>
          ) : (
            <Text>A provider admin or the operator can start the consent.</Text>
          )}
          {consent.isError ? <ErrorState error={consent.error} /> : null}
        </div>
      ) : null}
    </Card>
  );
}
