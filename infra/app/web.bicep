// The web console on Azure Static Web Apps. Standard, since only Standard links a backend: web-backend.bicep links
// the Function App afterwards, so /api/* on this site's origin reaches the API (one origin, no CORS). The site
// exists before the Function App so the app's PUBLIC_BASE_URL can be this origin (consent comes back to the console).
param name string
@description('Static Web Apps exist in a few regions only; the content is served from the edge wherever it lives.')
param location string
param tags object = {}
param serviceName string = 'web'

resource site 'Microsoft.Web/staticSites@2023-01-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Deployed by `azd deploy web` (the SWA CLI with the site's deployment token), not from a repository.
    provider: 'Custom'
  }
}

output name string = site.name
output id string = site.id
output defaultHostname string = site.properties.defaultHostname
output uri string = 'https://${site.properties.defaultHostname}'
