"""Migrations of the agreements register (app label ``afspraken``)."""
