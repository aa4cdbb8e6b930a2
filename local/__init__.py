"""The local stack: Azurite, the Partner Center sandbox, the API, a queue worker and a scheduler."""
