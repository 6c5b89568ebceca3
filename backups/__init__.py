"""Backup and restore of one unit: its schema, its rows in the public schema and its media, in one archive."""
