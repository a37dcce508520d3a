"""The scenarios app's database migrations (Django)."""
