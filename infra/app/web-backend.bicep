// Links the Function App to the console's static web app as its backend: the site sends every /api/* request
// (path kept, host.json routePrefix is empty and the app's routes start with /api) to the Function App.
// Separate from web.bicep so the Function App can be given the site's origin first and linked after it exists.
param staticWebAppName string
@description('The Function App\'s resource id.')
param backendResourceId string
@description('The Function App\'s region.')
param backendRegion string

resource site 'Microsoft.Web/staticSites@2023-01-01' existing = {
  name: staticWebAppName
}

// A site has at most one linked backend.
resource backend 'Microsoft.Web/staticSites/linkedBackends@2023-01-01' = {
  parent: site
  name: 'api'
  properties: {
    backendResourceId: backendResourceId
    region: backendRegion
  }
}

output name string = backend.name
