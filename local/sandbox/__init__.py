"""A local stand-in for Partner Center, Entra ID and Microsoft Graph, faithful to their wire formats."""
