"""Database migrations of support requests and the knowledge base (Django)."""
