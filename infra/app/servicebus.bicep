// Service Bus (Standard: scheduled messages and duplicate detection, which Basic lacks) with one queue per name in
// shared/messaging/port.py QueueNames.ALL. The Functions host receives with peek-lock; the app sends.
param name string
param location string = resourceGroup().location
param tags object = {}
@description('Every queue the functions bind to: QueueNames.ALL (tests/process/test_infra.py keeps the two equal).')
param queueNames array
@minValue(1)
@maxValue(100)
@description('Deliveries before Service Bus dead-letters a message; the app reads the same value as QUEUE_MAX_ATTEMPTS.')
param maxDeliveryCount int

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true // Entra ID only: SERVICEBUS_CONNECTION_STRING is for local use, never set in Azure
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = [
  for queueName in queueNames: {
    parent: namespace
    name: queueName
    properties: {
      maxDeliveryCount: maxDeliveryCount
      // Handlers call Partner Center (PARTNER_CENTER_TIMEOUT_SECONDS, 30 s, per try, with retries and back-off), so
      // one delivery can take minutes. Five minutes (the most Service Bus allows) outlasts a slow call even when a
      // lock renewal (host.json maxAutoLockRenewalDuration) is missed, so a message is not handed to a second
      // instance while the first still works on it. The cost: a message held by a crashed instance waits up to
      // five minutes before it is delivered again, which asynchronous provisioning tolerates.
      lockDuration: 'PT5M'
      // Message ids are deterministic: a re-sent outbox row or back-off follow-up is dropped, not delivered twice.
      // The window covers the outbox sweep's re-send of rows left behind (hours, not days).
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'P1D'
      // A message nobody could take in time is kept for inspection, never silently dropped.
      deadLetteringOnMessageExpiration: true
      // Longer than the longest back-off (MAX_DELAY, seven days) so a scheduled retry never expires on the way.
      defaultMessageTimeToLive: 'P14D'
      requiresSession: false
      enablePartitioning: false
      maxSizeInMegabytes: 1024
    }
  }
]

output name string = namespace.name
output id string = namespace.id
// The host name only (`name.servicebus.windows.net`): what ServiceBusConnection__fullyQualifiedNamespace expects.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output queueNames array = [for (queueName, i) in queueNames: queues[i].name]
