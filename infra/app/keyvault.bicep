// Key Vault in RBAC mode: provider client secrets and refresh tokens (written by the app: KEY_VAULT_URL) and the
// SIGNING_SECRET the app setting references. Access policies are off; roles are granted in rbac.bicep.
param name string
param location string = resourceGroup().location
param tags object = {}
@secure()
@minLength(32)
param signingSecret string
param signingSecretName string = 'signing-secret'
@description('Once on, a deleted vault (and every refresh token in it) can be recovered for 90 days and never purged early.')
param enablePurgeProtection bool = true

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // ARM refuses `false` once purge protection has been on; `null` leaves it off without that error.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource signing 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: signingSecretName
  properties: {
    value: signingSecret
    contentType: 'text/plain'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
output signingSecretName string = signing.name
