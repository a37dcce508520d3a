"""Migrations of the bestuursdata app."""
