// The Function App's user-assigned identity: one principal for Storage, Service Bus, Key Vault and Application
// Insights, created before the app so its role assignments can exist by the time the app first starts.
param name string
param location string = resourceGroup().location
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
