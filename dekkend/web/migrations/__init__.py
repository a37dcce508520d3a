"""The workspace's database migrations (Django)."""
