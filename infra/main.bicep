// `azd up` provisions this: one resource group holding the Function App (Flex Consumption, Python 3.11), the web
// console's static web app (its /api linked to the Function App) and what they use. Plain resource declarations in
// ./app modules: every property the platform relies on (queue settings, app settings, role GUIDs) is readable here
// and checked by tests/process/test_infra.py without a registry.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

param resourceGroupName string = ''

@description('Object id of who runs azd (AZURE_PRINCIPAL_ID): may seed the first operator and rotate secrets.')
param principalId string = ''
@allowed(['User', 'Group', 'ServicePrincipal'])
param principalType string = 'User'

// Sign-in: users' Entra ID tokens ------------------------------------------------------------------------------
@description('Tenant whose users sign in (AUTH_ISSUER and AUTH_JWKS_URL derive from it); empty: the deployment tenant.')
param authTenantId string = ''
@description('AUTH_ALLOWED_TENANTS: tenant ids (comma-separated) whose users may sign in; empty: the issuer\'s tenant only.')
param authAllowedTenants string = ''
@minLength(1)
@description('AUTH_AUDIENCE: the API app registration\'s Application ID URI or client id (the tokens\' aud).')
param authAudience string
param authClockSkewSeconds int = 60
@description('AUTH_CLIENT_ID: the web console\'s app registration (a single-page app) people sign in with.')
param authClientId string = ''
@description('AUTH_API_SCOPE: the scope the console asks for; empty: AUTH_AUDIENCE/access_as_user.')
param authApiScope string = ''

// Partner Center and Microsoft Graph ---------------------------------------------------------------------------
param partnerCenterUrl string = 'https://api.partnercenter.microsoft.com'
param partnerCenterAuthorityHost string = 'https://login.microsoftonline.com'
param partnerCenterScope string = 'https://api.partnercenter.microsoft.com/.default'
param partnerCenterUserScope string = 'https://api.partnercenter.microsoft.com/user_impersonation'
param graphUrl string = 'https://graph.microsoft.com'
param graphScope string = 'https://graph.microsoft.com/.default'
param priceSheetUrl string = 'https://api.partner.microsoft.com'
param priceSheetScope string = 'https://api.partner.microsoft.com/.default'
@description('Hosts Partner Center webhook signing certificates may be fetched from, comma-separated.')
param webhookTrustedCertHosts string = '3psostorageacct.blob.core.windows.net'
param partnerCenterTimeoutSeconds int = 30

// Queues ---------------------------------------------------------------------------------------------------------
@minValue(1)
@maxValue(100)
@description('QUEUE_MAX_ATTEMPTS and every queue\'s maxDeliveryCount: one value, so the app and Service Bus agree.')
param queueMaxAttempts int = 8

// HTTP, schedules, logs ------------------------------------------------------------------------------------------
param maxBodyBytes int = 1048576
@minValue(72)
param idempotencyTtlHours int = 72
@description('NCRONTAB, six fields, UTC.')
param idempotencySweepSchedule string = '0 15 3 * * *'
@description('NCRONTAB, six fields, UTC.')
param relationshipSweepSchedule string = '0 */30 * * * *'
@description('NCRONTAB, six fields, UTC.')
param provisioningSweepSchedule string = '0 * * * * *'
@description('NCRONTAB, six fields, UTC.')
param subscriptionSyncSchedule string = '0 0 */6 * * *'
@description('NCRONTAB, six fields, UTC.')
param catalogSyncSchedule string = '0 0 2 * * *'
@description('NCRONTAB, six fields, UTC: the current period\'s unbilled billing run.')
param billingUnbilledSchedule string = '0 0 5 * * *'
@description('NCRONTAB, six fields, UTC: last month\'s billed run, once its invoice is out.')
param billingBilledSchedule string = '0 30 5 * * *'
@description('NCRONTAB, six fields, UTC: lost webhook deliveries re-queued, expiring subscriptions announced.')
param notificationSweepSchedule string = '0 */5 * * * *'
@description('Markets (countries) whose catalog and prices are synced, comma-separated.')
param catalogMarkets string = 'US,NL,DE'

// Provisioning retries (scheduled follow-up messages) ------------------------------------------------------------
param provisioningRetryFirstDelaySeconds int = 2
param provisioningRetryMaxDelaySeconds int = 300
@minValue(1)
@maxValue(100)
param provisioningMaxAttempts int = 10
@allowed(['DEBUG', 'INFO', 'WARNING', 'ERROR'])
param logLevel string = 'INFO'

// Secrets ----------------------------------------------------------------------------------------------------------
@secure()
@minLength(32)
@description('SIGNING_SECRET, stored in Key Vault; azure.yaml\'s preprovision hook generates it once per environment.')
param signingSecret string
param keyVaultPurgeProtection bool = true

// Scale ------------------------------------------------------------------------------------------------------------
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@description('Browser origins (https) of front ends on another origin allowed to call the API (CORS_ALLOWED_ORIGINS); empty: none, the console is same-origin.')
param allowedOrigins array = []
@description('PUBLIC_BASE_URL (consent redirects come back to it); empty: the console\'s static web app origin, whose /api is the Function App. Partner Center\'s webhook goes to the Function App\'s own host (WEBHOOK_BASE_URL).')
param publicBaseUrl string = ''

// The web console ---------------------------------------------------------------------------------------------------
@description('Region of the console\'s static web app (Static Web Apps exist in these only; pages are served from the edge).')
@allowed(['westeurope', 'eastus2', 'centralus', 'westus2', 'eastasia'])
param staticWebAppLocation string = 'westeurope'

// Onboarding ---------------------------------------------------------------------------------------------------------
param consentStateTtlMinutes int = 15
param relationshipInvitationExpiryDays int = 30
param relationshipCheckFirstDelaySeconds int = 30
param relationshipCheckMaxDelaySeconds int = 3600
param resellerInvitationUrlTemplate string = 'https://partner.microsoft.com/dashboard/account/v3/invitations/indirectreseller?providerPartnerId={providerPartnerId}&resellerPartnerId={resellerPartnerId}'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var platformTenantId = empty(authTenantId) ? tenant().tenantId : authTenantId
var functionAppName = 'func-api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(uniqueString(functionAppName, resourceToken), 7)}'
// shared/messaging/port.py QueueNames.ALL; the functions in functions/queues.py bind to each of them.
var queueNames = [
  'provisioning'
  'relationship-checks'
  'partner-center-events'
  'subscription-changes'
  'billing-runs'
  'catalog-syncs'
  'notifications'
]

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity './app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module serviceBus './app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
    queueNames: queueNames
    maxDeliveryCount: queueMaxAttempts
  }
}

module keyVault './app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    signingSecret: signingSecret
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

// Every setting shared/config.py reads, except the local-only ones (LOCAL_ONLY_SETTINGS there).
var appSettings = {
  STORAGE_ACCOUNT_NAME: storage.outputs.name
  QUEUE_BACKEND: 'servicebus'
  SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
  QUEUE_MAX_ATTEMPTS: string(queueMaxAttempts)
  AUTH_ISSUER: '${environment().authentication.loginEndpoint}${platformTenantId}/v2.0'
  AUTH_AUDIENCE: authAudience
  AUTH_JWKS_URL: '${environment().authentication.loginEndpoint}${platformTenantId}/discovery/v2.0/keys'
  AUTH_CLOCK_SKEW_SECONDS: string(authClockSkewSeconds)
  AUTH_CLIENT_ID: authClientId
  AUTH_AUTHORITY: '${environment().authentication.loginEndpoint}${platformTenantId}'
  AUTH_API_SCOPE: authApiScope
  AUTH_ALLOWED_TENANTS: authAllowedTenants
  PARTNER_CENTER_URL: partnerCenterUrl
  PARTNER_CENTER_AUTHORITY_HOST: partnerCenterAuthorityHost
  PARTNER_CENTER_SCOPE: partnerCenterScope
  PARTNER_CENTER_USER_SCOPE: partnerCenterUserScope
  GRAPH_URL: graphUrl
  GRAPH_SCOPE: graphScope
  PRICE_SHEET_URL: priceSheetUrl
  PRICE_SHEET_SCOPE: priceSheetScope
  WEBHOOK_TRUSTED_CERT_HOSTS: webhookTrustedCertHosts
  PARTNER_CENTER_TIMEOUT_SECONDS: string(partnerCenterTimeoutSeconds)
  SECRET_STORE: 'keyvault'
  KEY_VAULT_URL: keyVault.outputs.uri
  // Resolved by the platform as the app's identity; the value never appears in the template or the deployment.
  SIGNING_SECRET: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${keyVault.outputs.signingSecretName})'
  MAX_BODY_BYTES: string(maxBodyBytes)
  CORS_ALLOWED_ORIGINS: join(allowedOrigins, ',')
  IDEMPOTENCY_TTL_HOURS: string(idempotencyTtlHours)
  IDEMPOTENCY_SWEEP_SCHEDULE: idempotencySweepSchedule
  RELATIONSHIP_SWEEP_SCHEDULE: relationshipSweepSchedule
  PROVISIONING_SWEEP_SCHEDULE: provisioningSweepSchedule
  SUBSCRIPTION_SYNC_SCHEDULE: subscriptionSyncSchedule
  CATALOG_SYNC_SCHEDULE: catalogSyncSchedule
  CATALOG_MARKETS: catalogMarkets
  BILLING_UNBILLED_SCHEDULE: billingUnbilledSchedule
  BILLING_BILLED_SCHEDULE: billingBilledSchedule
  NOTIFICATION_SWEEP_SCHEDULE: notificationSweepSchedule
  PROVISIONING_RETRY_FIRST_DELAY_SECONDS: string(provisioningRetryFirstDelaySeconds)
  PROVISIONING_RETRY_MAX_DELAY_SECONDS: string(provisioningRetryMaxDelaySeconds)
  PROVISIONING_MAX_ATTEMPTS: string(provisioningMaxAttempts)
  CONSENT_STATE_TTL_MINUTES: string(consentStateTtlMinutes)
  RELATIONSHIP_INVITATION_EXPIRY_DAYS: string(relationshipInvitationExpiryDays)
  RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS: string(relationshipCheckFirstDelaySeconds)
  RELATIONSHIP_CHECK_MAX_DELAY_SECONDS: string(relationshipCheckMaxDelaySeconds)
  RESELLER_INVITATION_URL_TEMPLATE: resellerInvitationUrlTemplate
  LOG_LEVEL: logLevel
}

// The console, created before the Function App so the app's PUBLIC_BASE_URL can be its origin; linked to the app
// (webBackend) once the app exists.
module web './app/web.bicep' = {
  name: 'web'
  scope: rg
  params: {
    name: 'stapp-${resourceToken}'
    location: staticWebAppLocation
    tags: tags
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appSettings: appSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    publicBaseUrl: empty(publicBaseUrl) ? web.outputs.uri : publicBaseUrl
  }
  // The app starts resolving Key Vault references and reaching Storage as soon as it exists.
  dependsOn: [rbac]
}

// /api/* on the console's origin goes to the Function App: the console and the API share one origin, no CORS.
module webBackend './app/web-backend.bicep' = {
  name: 'web-backend'
  scope: rg
  params: {
    staticWebAppName: web.outputs.name
    backendResourceId: api.outputs.id
    backendRegion: location
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
}

// azd keeps these in the environment (.azure/<env>/.env) and hands them to hooks and `azd env get-values`.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output SERVICE_WEB_NAME string = web.outputs.name
output STATIC_WEB_APP_NAME string = web.outputs.name
output WEB_URI string = web.outputs.uri
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output KEY_VAULT_URL string = keyVault.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
