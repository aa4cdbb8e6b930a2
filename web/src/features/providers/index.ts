export { providerKeys } from "./api/keys";
export { providersPageQuery, useProviderOptions, type Provider } from "./api/get-providers";
export { providerQuery, useProvider } from "./api/get-provider";
export { useEnrollProvider } from "./api/enroll-provider";
export { useStartConsent, getConsentUrl } from "./api/start-consent";
export { ProvidersTable } from "./components/ProvidersTable";
export { EnrollProviderDialog, EnrollProviderForm } from "./components/EnrollProviderForm";
export { ProviderDetails } from "./components/ProviderDetails";
export { ConsentOutcome } from "./components/ConsentOutcome";
