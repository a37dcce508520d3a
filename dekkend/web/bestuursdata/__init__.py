"""Board-private data in the workspace: uploads of registrations and own forecasts, disclosure and checks (issue 22)."""
