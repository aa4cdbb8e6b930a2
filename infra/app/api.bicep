// The Function App on Flex Consumption (Linux, Python 3.11), running as the user-assigned identity.
// App settings: the platform's (from main.bicep) plus the ones the Functions host itself reads.
param name string
param planName string
param location string = resourceGroup().location
param tags object = {}
param serviceName string = 'api'
param identityId string
param identityClientId string
param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param serviceBusFullyQualifiedNamespace string
@description('The platform\'s settings (shared/config.py), built in main.bicep.')
param appSettings object
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@description('Where users reach the API (a custom domain or gateway); empty: the site\'s own host name.')
param publicBaseUrl string = ''

// Read by the Functions host, not by the platform's code.
var hostSettings = {
  // Host storage (timer locks, keys) with the identity: no account key exists (allowSharedKeyAccess is false).
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  // The Service Bus triggers' connection (functions/queues.py connection="ServiceBusConnection").
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // Application Insights accepts Entra ID only (DisableLocalAuth), as this identity.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  // The worker takes trace context from the host, so the app's spans and logs join the host's request.
  PYTHON_ENABLE_OPENTELEMETRY: 'true'
  // DefaultAzureCredential (Key Vault, Tables, Service Bus sender) picks this user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
}

// Settings that only exist once the site does.
var siteSettings = {
  PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl
  // Partner Center's webhook comes straight to the Function App: its signature is in the Authorization header.
  WEBHOOK_BASE_URL: 'https://${site.properties.defaultHostName}'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // @Microsoft.KeyVault(...) app settings are resolved as this identity (it has no system-assigned one).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // CORS is answered by the app (CORS_ALLOWED_ORIGINS), with credentials; the platform's would override it.
      cors: {
        allowedOrigins: []
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, siteSettings, hostSettings)
  }
}

output name string = site.name
output id string = site.id
output uri string = 'https://${site.properties.defaultHostName}'
output storageAccountName string = storageAccountName
